#!/bin/sh
# build.sh [PRESET [TARGET...]]: set-up, configure (once) and build incrementally. PRESET is
# a CMake preset of CMakePresets.json: release (default) or asan. TARGETs build only those
# (scripts/main.sh: pecos and the two models it loads); none builds everything.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
[ $# -gt 0 ] && shift
targets=
for t in "$@"; do targets="$targets --target $t"; done
# PECOS_SETUP=main (scripts/main.sh): only the packages the build and the main job need.
sh "$top/scripts/setup.sh" "${PECOS_SETUP:-all}"
cd "$top"
# ccache keys on absolute paths unless told the base: with it, a fresh clone elsewhere (CI)
# reuses the objects of an earlier one. The verilated models dominate a cold build.
export CCACHE_BASEDIR="$top"
# PECOS_FIRST_VARIANTS (scripts/main.sh): configure a new tree with only these variants, as
# Verilator runs for every variant at configure time. A later build of everything (no
# TARGET) returns the tree to the default set.
b=build/$preset
if [ ! -f "$b/CMakeCache.txt" ]; then
  if [ -n "$PECOS_FIRST_VARIANTS" ]; then
    cmake --preset "$preset" -DPECOS_VARIANTS="$PECOS_FIRST_VARIANTS" >/dev/null
    touch "$b/.pecos_first_variants"
  else
    cmake --preset "$preset" >/dev/null
  fi
elif [ -z "$targets" ] && [ -f "$b/.pecos_first_variants" ]; then
  cmake --preset "$preset" -DPECOS_VARIANTS= >/dev/null
  rm -f "$b/.pecos_first_variants"
fi
# Verilator's CMake flow picks up a changed set of generated files only on the build after
# the one that regenerated them, so the first build after such an RTL edit can fail to link;
# one retry completes it. A second failure is real.
# shellcheck disable=SC2086
cmake --build --preset "$preset" -j "$(nproc)" $targets || {
  echo "build: retrying once (regenerated Verilator file list)"
  cmake --build --preset "$preset" -j "$(nproc)" $targets
}
