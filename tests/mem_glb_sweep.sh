#!/bin/sh
# mem_glb_sweep.sh PECOS DIR: LeNet-5 conv2-like and a wider conv over growing GLB sizes.
# Each run is checked by pecos (bit-exact, traffic = model, cycles in bounds); DRAM traffic
# must not grow with the buffer and must fall from the smallest to the largest (reuse), and
# the smallest must really be tiled (more than one tile).
set -e
pecos=$1; dir=$2
for layer in conv,h=14,w=14,c=6,k=16,r=5,s=5,name=lenet_conv2 conv,h=12,w=12,c=32,k=24,r=3,s=3,pad=1,name=wide; do
  prev=""; first=""; last=""
  for kib in 2 4 8 16 32 64; do
    j=$dir/glb_sweep_$kib.json
    "$pecos" run --rows 4 --cols 4 --dram-bw 8 --dram-latency 20 --glb-kib $kib --layer $layer --json "$j" >/dev/null
    b=$(jq '.layers[0] | .dram_bytes_read + .dram_bytes_written' "$j")
    tiles=$(jq '.layers[0].tiles' "$j")
    echo "$layer glb ${kib} KiB: DRAM bytes $b, tiles $tiles, $(jq -r '.layers[0].tiling' "$j")"
    [ -z "$first" ] && { first=$b; [ "$tiles" -gt 1 ] || { echo "FAIL: not tiled at $kib KiB"; exit 1; }; }
    if [ -n "$prev" ] && [ "$b" -gt "$prev" ]; then echo "FAIL: traffic grew at $kib KiB"; exit 1; fi
    prev=$b; last=$b
  done
  [ "$last" -lt "$first" ] || { echo "FAIL: no reuse gained ($first -> $last)"; exit 1; }
done
