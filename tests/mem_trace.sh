#!/bin/sh
# mem_trace.sh PECOS DIR: --trace-dma writes one line per descriptor (issued, done, bytes,
# src, dst, ...), done >= issued, the bytes add up to the JSON's DRAM traffic and the count
# to its descriptor count.
set -e
pecos=$1; dir=$2; t=$dir/dma.trace; j=$dir/dma.json
"$pecos" run --rows 4 --cols 4 --dram-bw 2 --dram-latency 30 --glb-kib 2 \
  --layer conv,h=14,w=14,c=6,k=16,r=5,s=5 --trace-dma "$t" --json "$j" >/dev/null
want_n=$(jq '.layers[0].dma_descriptors' "$j")
want_b=$(jq '.layers[0] | .dram_bytes_read + .dram_bytes_written' "$j")
awk -v wn="$want_n" -v wb="$want_b" '
  /^#/ { next }
  { n++; b += $3; if ($2 < $1) { print "FAIL: done before issued: " $0; bad = 1 }
    if (($4 !~ /^dram:0x/ && $5 !~ /^dram:0x/) || ($4 !~ /^glb\./ && $5 !~ /^glb\./)) { print "FAIL: src/dst: " $0; bad = 1 } }
  END { printf "trace: %d descriptors, %d bytes (json: %d, %d)\n", n, b, wn, wb
        if (n != wn || b != wb || n == 0) bad = 1; exit bad }' "$t"
