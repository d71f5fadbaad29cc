#!/bin/sh
# test.sh [PRESET] [ctest args...]: builds, then runs the regression without the `slow`
# label (pass -L slow, or -LE nothing, to choose otherwise). This is what CI runs.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
preset=release
case "$1" in release|asan) preset=$1; shift ;; esac
sh "$top/scripts/build.sh" "$preset"
cd "$top/build/$preset"
if [ $# -eq 0 ]; then set -- -LE slow; fi
ctest --output-on-failure --no-tests=error -j "$(nproc)" "$@"
