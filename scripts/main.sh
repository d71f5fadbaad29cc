#!/bin/sh
# main.sh: the main job. Builds, then runs LeNet-5 (models/networks/lenet5.csv) end to end on
# the default 16x16 weight-stationary int8 array behind a 16 B/cycle DRAM and a 256 KiB GLB,
# on deterministic data (seed 1): every conv/fc layer on the PE array, every requantization,
# ReLU and pooling on the post-processing unit, each layer's output chained into the next.
# Every layer is checked (bit-exact against the golden models, cycles within the memory
# model's bounds). Writes the JSON/CSV report and the plots under build/release/reports/.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
# Only what this job loads: pecos, the 16x16 int8 array, the 16-lane post-processing unit.
# scripts/test.sh builds the rest; pecos builds any other model on first use.
PECOS_SETUP=main PECOS_FIRST_VARIANTS=ws_int8_16x16 \
  sh "$top/scripts/build.sh" release pecos pecos_sim_ws_int8_16x16 pecos_post_L16
out=$top/build/release/reports
mkdir -p "$out"
"$top/build/release/pecos" run --network "$top/models/networks/lenet5.csv" \
  --rows 16 --cols 16 --seed 1 --dram-bw 16 --dram-latency 100 --glb-kib 256 \
  --json "$out/lenet5.json" --csv "$out/lenet5.csv" --plot "$out/lenet5_plots"
echo "report: $out/lenet5.json, $out/lenet5.csv"
