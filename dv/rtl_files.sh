# rtl_files.sh: sourced by the scripts of dv/, tests/ and scripts/ that run a tool on rtl/.
#   rtl_files RTL_DIR UNIT...  prints the sources of the units (RTL_DIR/UNIT.f: array_ws,
#                              array_os, postproc, fma), as RTL_DIR/FILE, in order, each
#                              file once, separated by spaces
#   rtl_all RTL_DIR            the same for every unit: all of rtl/, in a compile order
# The .f files are the one list of the RTL files per unit (cmake/variant.cmake reads them
# too). Lines starting with // and empty lines are skipped.
rtl_files() {
  _rf_dir=$1
  shift
  for _rf_unit in "$@"; do
    [ -r "$_rf_dir/$_rf_unit.f" ] || { echo "rtl_files: $_rf_dir/$_rf_unit.f: cannot read" >&2; return 1; }
    sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^\/\//d' -e '/^$/d' "$_rf_dir/$_rf_unit.f"
  done | awk '!seen[$0]++' | while IFS= read -r _rf_f; do printf '%s/%s ' "$_rf_dir" "$_rf_f"; done
}
rtl_all() {
  rtl_files "$1" array_ws array_os postproc fma
}
