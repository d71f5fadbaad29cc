#!/bin/sh
# The post-processing unit on the array's writeback path (--fuse-ppu) against its own pass:
# each network runs twice on 16x16 int8 ws with bounded memory (16 B/cycle, latency 100,
# 256 KiB GLB), and one table row per network gives DRAM bytes, energy and cycles both ways.
# Both runs' final outputs must be identical (the same golden chain); the script stops
# otherwise. Usage: sh scripts/fusion.sh [NETWORK ...] (default: lenet5 alexnet resnet50
# mobilenet_v1; vgg16 and googlenet take minutes each).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
pecos=${PECOS:-$top/build/release/pecos}
[ -x "$pecos" ] || { echo "fusion.sh: $pecos is not built (sh scripts/build.sh release pecos)" >&2; exit 2; }
command -v jq >/dev/null || { echo "fusion.sh: needs jq (sh scripts/setup.sh)" >&2; exit 2; }
nets=${*:-lenet5 alexnet resnet50 mobilenet_v1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| network | DRAM MB unfused | fused | ratio | energy uJ unfused | fused | ratio | cycles unfused | fused | ratio |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $nets; do
  csv=$top/models/networks/$n.csv
  [ -f "$csv" ] || { echo "fusion.sh: no network $csv" >&2; exit 2; }
  for mode in unfused fused; do
    flag=; [ $mode = fused ] && flag=--fuse-ppu
    "$pecos" run --network "$csv" --rows 16 --cols 16 --seed 1 --dram-bw 16 \
      --dram-latency 100 --glb-kib 256 $flag --json "$tmp/$mode.json" --out "$tmp/$mode.npy" \
      >"$tmp/$mode.txt" 2>&1 || { cat "$tmp/$mode.txt" >&2; echo "fusion.sh: $n $mode failed" >&2; exit 1; }
  done
  cmp -s "$tmp/unfused.npy" "$tmp/fused.npy" ||
    { echo "fusion.sh: $n: the fused output differs from the unfused one" >&2; exit 1; }
  jq -rn --arg n "$n" --slurpfile u "$tmp/unfused.json" --slurpfile f "$tmp/fused.json" '
    def r(a; b): if a > 0 then (b / a * 1000 | round / 1000) else 0 end;
    ($u[0].total) as $U | ($f[0].total) as $F |
    "| \($n) | \($U.dram_bytes / 1e6 * 1000 | round / 1000) | \($F.dram_bytes / 1e6 * 1000 | round / 1000) | \(r($U.dram_bytes; $F.dram_bytes)) | \($U.energy_pj.total / 1e6 * 1000 | round / 1000) | \($F.energy_pj.total / 1e6 * 1000 | round / 1000) | \(r($U.energy_pj.total; $F.energy_pj.total)) | \($U.cycles) | \($F.cycles) | \(r($U.cycles; $F.cycles)) |"'
done
