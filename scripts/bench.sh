#!/bin/sh
# bench.sh: prints simulation speed numbers (nothing here passes or fails on speed).
# For each built variant: AlexNet conv3 (256x15x15 -> 384x13x13, 3x3) through the RTL,
# simulated cycles, wall time of the cycle loop, simulated cycles/s, and the whole run's
# wall time including the golden check.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh" release >/dev/null
pecos=$top/build/release/pecos
tmp=$(mktemp -d)
# PECOS_BENCH_LAYER overrides the layer (the fp arrays are much slower to simulate).
layer=${PECOS_BENCH_LAYER:-conv,h=15,w=15,c=256,k=384,r=3,s=3}
printf '%-14s %12s %10s %12s %10s\n' variant cycles sim_s cycles/s run_s
for lib in "$top"/build/release/sim/libpecos_sim_ws_*.so; do
  v=${lib##*/libpecos_sim_ws_}; v=${v%.so}; dt=${v%%_*}; size=${v#*_}; r=${size%x*}; c=${size#*x}
  start=$(date +%s.%N)
  "$pecos" run --dtype "$dt" --rows "$r" --cols "$c" --layer "$layer" \
    --json "$tmp/$v.json" >/dev/null
  end=$(date +%s.%N)
  jq -r --arg v "$v" --arg run "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
    '.layers[0] | [$v, .cycles, .sim_wall_seconds, .sim_cycles_per_second, $run] | @tsv' \
    "$tmp/$v.json" | awk -F'\t' '{printf "%-14s %12d %10.3f %12.0f %10.3f\n", $1, $2, $3, $4, $5}'
done
rm -rf "$tmp"
