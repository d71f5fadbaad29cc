#!/bin/sh
# mutate.sh [-n N] [--seed S] [--files REGEX] [--build DIR] [--out DIR] [--min-score PCT]
#           [--only ID] [--list]
# Mutation testing of rtl/: samples N single-point mutants (default 30, seed 1), builds each
# mutant's small variants outside CMake (dv/vbuild.sh) and runs a kill suite drawn from the
# default suite against them (the build tree's programs, PECOS_SIM_DIR = the mutant's
# libraries). Report: BUILD/mutate/report.txt and mutants.json; reviewed equivalent mutants
# are listed in dv/mutants_equivalent.txt and left out of the score. See dv/mutate.py.
# Needs a built tree (sh scripts/build.sh). Runs under nice: the machine may be shared.
top=$(cd "$(dirname "$0")/.." && pwd)
exec nice -n 10 python3 "$top/dv/mutate.py" "$@"
