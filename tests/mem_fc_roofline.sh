#!/bin/sh
# mem_fc_roofline.sh PECOS WORK: FC 4096->1000 at batch 1 on 16x16 int8, 256 KiB GLB, DRAM
# latency 100, at 4, 8 and 16 bytes/cycle (issue #18): the layer passes and takes at most
# 1/0.9 of its bandwidth roofline (max(ideal, DRAM bytes / bandwidth)) in cycles, and its
# DRAM traffic is the layer's minimum (each weight read once).
set -e
pecos=$1; work=$2
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$work"
for bw in 4 8 16; do
  j=$work/fc_bw$bw.json
  "$pecos" run --rows 16 --cols 16 --dram-bw $bw --dram-latency 100 --glb-kib 256 \
    --layer fc,c=4096,k=1000 --json "$j" >"$work/fc_bw$bw.out" 2>&1 ||
    { cat "$work/fc_bw$bw.out"; fail "$bw B/cycle: the run failed"; }
  jq -e '.layers[0] | .dram_read_by_tensor.weight == 4096000' "$j" >/dev/null ||
    fail "$bw B/cycle: the weights are read more than once"
  jq -r --arg bw "$bw" '.layers[0] | "\($bw) B/cycle: \(.cycles) cycles, roofline \(.roofline_cycles): \(100 * .roofline_cycles / .cycles | floor)% (tiling \(.tiling))"' "$j"
  jq -e '.layers[0] | .roofline_cycles >= 0.9 * .cycles' "$j" >/dev/null ||
    fail "$bw B/cycle: below 90% of the bandwidth roofline"
done
echo "PASS: FC 4096->1000 at >= 90% of its bandwidth roofline at 4, 8 and 16 B/cycle"
