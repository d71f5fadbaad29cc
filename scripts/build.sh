#!/bin/sh
# build.sh [PRESET]: set-up, configure (once) and build incrementally. PRESET is a CMake
# preset of CMakePresets.json: release (default) or asan.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
preset=${1:-release}
sh "$top/scripts/setup.sh"
cd "$top"
# ccache keys on absolute paths unless told the base: with it, a fresh clone elsewhere (CI)
# reuses the objects of an earlier one. The verilated models dominate a cold build.
export CCACHE_BASEDIR="$top"
[ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
# Verilator's CMake flow picks up a changed set of generated files only on the build after
# the one that regenerated them, so the first build after such an RTL edit can fail to link;
# one retry completes it. A second failure is real.
cmake --build --preset "$preset" -j "$(nproc)" || {
  echo "build: retrying once (regenerated Verilator file list)"
  cmake --build --preset "$preset" -j "$(nproc)"
}
