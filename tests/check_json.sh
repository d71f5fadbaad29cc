#!/bin/sh
# check_json.sh PECOS DIR: AlexNet conv3 on 16x16 passes both checks and its JSON report
# says cycles == model_cycles, with every per-layer field present.
set -e
pecos=$1; dir=$2; json=$dir/alexnet_conv3.json
rm -f "$json"
"$pecos" run --rows 16 --cols 16 --layer conv,h=15,w=15,c=256,k=384,r=3,s=3,name=alexnet_conv3 --json "$json"
jq -e '.pass == true and (.layers | length) == 1' "$json" >/dev/null
jq -e '.layers[0] | .cycles == .model_cycles and .check == "pass" and .bitexact and .mismatches == 0
  and .macs == 149520384 and .ideal_cycles == 584064 and .utilization > 0.99
  and (.shape.p == 13) and .wall_seconds > 0 and .sim_cycles_per_second > 0
  and .name == "alexnet_conv3"' "$json" >/dev/null
jq -r '.layers[0] | "cycles \(.cycles) model \(.model_cycles) util \(.utilization) sim cycles/s \(.sim_cycles_per_second)"' "$json"
