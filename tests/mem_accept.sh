#!/bin/sh
# mem_accept.sh PECOS DIR: the memory issue's acceptance runs on 16x16 int8.
#  1. AlexNet conv3 (256x13x13, pad 1 -> 384x13x13) with --dram-bw 16 --glb-kib 256:
#     bit-exact, roofline <= cycles <= 1.1 * predicted, PE utilization >= 90% (compute-bound
#     at 16 bytes/cycle, e.g. 16 GB/s at 1 GHz).
#  2. FC 4096 -> 1000 with --dram-bw 4 --glb-kib 256: memory-bound (the bandwidth term of the
#     roofline dominates) and >= 90% of the bandwidth roofline (roofline / cycles).
set -e
pecos=$1; dir=$2
j1=$dir/accept_conv3.json; j2=$dir/accept_fc.json; rm -f "$j1" "$j2"
"$pecos" run --rows 16 --cols 16 --dram-bw 16 --glb-kib 256 \
  --layer conv,h=13,w=13,c=256,k=384,r=3,s=3,pad=1,name=alexnet_conv3 --json "$j1" | grep -E "^alexnet_conv3"
jq -e '.pass and (.layers[0] | .bitexact and .traffic_ok and .bounds_ok
  and .cycles >= .roofline_cycles and .cycles <= 1.1 * .predicted_cycles
  and .utilization >= 0.90 and .stall_cycles.compute + .stall_cycles.fill_drain
      + .stall_cycles.dma + .stall_cycles.glb_port == .cycles)' "$j1" >/dev/null
jq -r '.layers[0] | "conv3: cycles \(.cycles) roofline \(.roofline_cycles) predicted \(.predicted_cycles) util \(.utilization) DRAM \(.dram_bytes_read)+\(.dram_bytes_written)"' "$j1"
"$pecos" run --rows 16 --cols 16 --dram-bw 4 --glb-kib 256 --layer fc,c=4096,k=1000,name=fc \
  --json "$j2" | grep -E "^fc "
jq -e '.pass and (.layers[0] | .bitexact and .traffic_ok and .bounds_ok
  and (.dram_bytes_read + .dram_bytes_written) / 4 > .ideal_cycles
  and .roofline_cycles / .cycles >= 0.90)' "$j2" >/dev/null
jq -r '.layers[0] | "fc: cycles \(.cycles) roofline \(.roofline_cycles) (\(100 * .roofline_cycles / .cycles)% of it) DRAM \(.dram_bytes_read)+\(.dram_bytes_written)"' "$j2"
