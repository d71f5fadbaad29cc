#!/bin/sh
# xsim_check.sh PECOS SRC WORK ROWS COLS DATAFLOW DTYPE LAYER...: runs `pecos run` on the
# verilated model with --replay-dump, then replays the dump in Icarus (dv/replay.sh): the
# same RTL in a second, 4-state simulator must give the same outputs in the same cycles.
set -e
pecos=$1; src=$2; work=$3; rows=$4; cols=$5; df=$6; dt=$7
shift 7
rm -rf "$work"
mkdir -p "$work"
layers=""
for l in "$@"; do layers="$layers --layer $l"; done
# shellcheck disable=SC2086
"$pecos" run --rows "$rows" --cols "$cols" --dataflow "$df" --dtype "$dt" --seed 5 $layers \
  --replay-dump "$work" | tail -1
sh "$src/dv/replay.sh" "$work/$df.replay" "$work"
