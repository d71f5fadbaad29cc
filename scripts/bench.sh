#!/bin/sh
# bench.sh: prints simulation speed numbers (nothing here passes or fails on speed).
# For each built variant and the dataflows it runs: AlexNet conv3 (256x15x15 -> 384x13x13, 3x3) through the RTL,
# simulated cycles, wall time of the cycle loop, simulated cycles/s, and the whole run's
# wall time including the golden check.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh" release >/dev/null
pecos=$top/build/release/pecos
tmp=$(mktemp -d)
# PECOS_BENCH_LAYER overrides the layer (the fp arrays are much slower to simulate).
layer=${PECOS_BENCH_LAYER:-conv,h=15,w=15,c=256,k=384,r=3,s=3}
printf '%-16s %4s %12s %10s %12s %10s\n' variant df cycles sim_s cycles/s run_s
for lib in "$top"/build/release/sim/libpecos_sim_*.so; do
  v=${lib##*/libpecos_sim_}; v=${v%.so}; arr=${v%%_*}; rest=${v#*_}
  dt=${rest%%_*}; size=${rest#*_}; r=${size%x*}; c=${size#*x}
  dfs=$arr; [ "$arr" = ws ] && dfs="ws is"   # the held-operand array runs ws and is
  for df in $dfs; do
    start=$(date +%s.%N)
    "$pecos" run --dataflow "$df" --dtype "$dt" --rows "$r" --cols "$c" --layer "$layer" \
      --json "$tmp/$v.json" >/dev/null
    end=$(date +%s.%N)
    jq -r --arg v "$v" --arg df "$df" --arg run "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
      '.layers[0] | [$v, $df, .cycles, .sim_wall_seconds, .sim_cycles_per_second, $run] | @tsv' \
      "$tmp/$v.json" | awk -F'\t' '{printf "%-16s %4s %12d %10.3f %12.0f %10.3f\n", $1, $2, $3, $4, $5, $6}'
  done
done
rm -rf "$tmp"

# The memory system on the 16x16 int8 array (the design's numbers, and what the DMA/GLB
# model costs the host): AlexNet conv3 (pad 1) and FC 4096->1000, 256 KiB GLB, at 4 and 16
# bytes/cycle, and conv3 with unbounded memory for comparison.
tmp=$(mktemp -d)
printf '\n%-16s %6s %10s %10s %10s %7s %9s %12s\n' layer bw cycles roofline predicted util% roof% sim_cycles/s
for run in "conv3 0" "conv3 4" "conv3 16" "fc 4" "fc 16"; do
  set -- $run
  case $1 in
    conv3) layer=conv,h=13,w=13,c=256,k=384,r=3,s=3,pad=1,name=alexnet_conv3 ;;
    fc) layer=fc,c=4096,k=1000,name=fc4096_1000 ;;
  esac
  mem="--dram-bw $2 --glb-kib 256"; [ "$2" = 0 ] && mem=""
  # shellcheck disable=SC2086
  "$pecos" run --rows 16 --cols 16 $mem --layer "$layer" --json "$tmp/m.json" >/dev/null
  jq -r --arg bw "$2" '.layers[0] | [.name, $bw, .cycles, .roofline_cycles, .predicted_cycles,
      100 * .utilization, 100 * .roofline_cycles / .cycles, .sim_cycles_per_second] | @tsv' "$tmp/m.json" |
    awk -F'\t' '{printf "%-16s %6s %10d %10d %10d %7.2f %9.2f %12.0f\n", $1, $2, $3, $4, $5, $6, $7, $8}'
done
rm -rf "$tmp"

# Whole networks end to end on the 16x16 int8 array (unbounded memory, seed 1): wall time,
# simulated cycles per second of wall time, utilization over all cycles, energy per inference.
# PECOS_BENCH_NETS overrides the list (e.g. "lenet5 alexnet resnet50 vgg16").
tmp=$(mktemp -d)
printf '\n%-14s %12s %9s %12s %7s %12s\n' network cycles wall_s sim_cycles/s util% energy_uJ
for net in ${PECOS_BENCH_NETS:-lenet5 alexnet resnet50}; do
  "$pecos" run --network "$top/models/networks/$net.csv" --rows 16 --cols 16 \
    --json "$tmp/n.json" >/dev/null
  jq -r '[.network, .total.cycles, .total.wall_seconds, .total.cycles / .total.wall_seconds,
          100 * .total.utilization, .total.energy_pj.total / 1e6] | @tsv' "$tmp/n.json" |
    awk -F'\t' '{printf "%-14s %12d %9.2f %12.0f %7.2f %12.1f\n", $1, $2, $3, $4, $5, $6}'
done
rm -rf "$tmp"
