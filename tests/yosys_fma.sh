#!/bin/sh
# yosys_fma.sh SRC: synthesizes one pecos_fma per format (bf16, fp16) to generic cells with
# Yosys (`read_verilog -sv`) and prints the cell count; fails on any error, on a warning
# or on a netlist that is implausibly small.
set -e
src=$1
. "$src/dv/rtl_files.sh"
files=$(rtl_files "$src/rtl" fma)
for fmt in 0 1; do
  name=$([ $fmt -eq 0 ] && echo bf16 || echo fp16)
  log=$(yosys -p "read_verilog -defer -sv -I$src/rtl $files; chparam -set Fmt $fmt pecos_fma; synth -top pecos_fma; stat" 2>&1) || { printf "%s\n" "$log" | tail -20; exit 1; }
  if printf "%s\n" "$log" | grep -q "^Warning:"; then printf "%s\n" "$log" | grep -A3 "^Warning:"; exit 1; fi
  # The last statistics block is the final netlist.
  stat=$(printf "%s\n" "$log" | awk '/^=== pecos_fma ===/ {s = ""} {s = s $0 "\n"} END {printf "%s", s}')
  cells=$(printf "%s\n" "$stat" | awk '/^ +Number of cells:/ {print $4}')
  flops=$(printf "%s\n" "$stat" | awk '/^ +\$_DFF/ {n += $2} END {print n + 0}')
  echo "pecos_fma Fmt=$fmt ($name): $cells cells, $flops flip-flops"
  if [ -z "$cells" ] || [ "$cells" -lt 500 ]; then echo "FAIL: implausible netlist"; exit 1; fi
done
