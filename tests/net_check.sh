#!/bin/sh
# net_check.sh PECOS DIR NETWORK ROWS COLS [pecos run options...]: runs a whole network from
# models/networks/ through the RTL (`pecos run --network`) and checks its JSON report: every
# layer ran where it should (conv/fc on the array and the post-processing unit, pools, ReLU
# and adds on the unit, concats on the host) and passed; array layers bit-exact, cycle-checked
# (exact with unbounded memory, within the memory model's bounds otherwise), DRAM traffic
# equal to the model; the post-processing unit bit-exact and its cycles = beats + latency;
# the totals add up.
set -e
pecos=$1; dir=$2; net=$3; rows=$4; cols=$5; shift 5
top=$(cd "$(dirname "$0")/.." && pwd)
json=$dir/net_${net}_${rows}x${cols}$$.json; csv=${json%.json}.csv
rm -f "$json" "$csv"
"$pecos" run --network "$top/models/networks/$net.csv" --rows "$rows" --cols "$cols" \
  --json "$json" --csv "$csv" "$@"
n=$(grep -c . "$top/models/networks/$net.csv"); n=$((n - 1))
jq -e --argjson n "$n" '.total.pass == true and (.layers | length) == $n' "$json" >/dev/null ||
  { echo "net_check: $net: not every layer ran and passed"; exit 1; }
jq -e 'all(.layers[]; .pass and
      (if .type == "conv" or .type == "fc" then
         .where == "array+ppu" and .bitexact and .cycles_match and .traffic_ok and .counters_ok
         and .ppu.bitexact and .ppu.cycles == .ppu.model_cycles
         and .cycles == .array_cycles + .ppu.cycles
         and .array_cycles >= .ideal_cycles and .array_cycles >= .roofline_cycles
       elif .type == "concat" then .where == "host"
       else .where == "ppu" and .ppu.bitexact and .ppu.cycles > 0
         and .ppu.cycles == .ppu.model_cycles end))' "$json" >/dev/null ||
  { echo "net_check: $net: a layer broke its contract"; exit 1; }
jq -e '.total.cycles == ([.layers[].cycles] | add) and
       .total.macs == ([.layers[] | .macs // 0] | add) and .total.macs > 0' "$json" >/dev/null ||
  { echo "net_check: $net: totals do not add up"; exit 1; }
# The CSV carries the same layers.
[ "$(($(wc -l < "$csv") - 1))" -eq "$n" ] || { echo "net_check: $net: CSV rows != layers"; exit 1; }
jq -r '"\(.network): \(.total.cycles) cycles, utilization \(.total.utilization * 100 | floor)%, \(.total.energy_pj.total / 1e6) uJ, \(.total.wall_seconds) s"' "$json"
rm -f "$json" "$csv"
