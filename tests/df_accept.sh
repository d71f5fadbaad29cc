#!/bin/sh
# df_accept.sh PECOS DIR ROWS COLS: the dataflow acceptance layers (LeNet-5 conv1, AlexNet
# conv3, a 1x1 conv 28x28x64 -> 128) under ws, is and os through `pecos compare-dataflows`:
# every layer bit-exact and cycle-exact to its dataflow's model (unbounded memory), the JSON
# holding all three dataflows, and the reuse trade-off visible in it: OS moves far fewer
# partial sums through the GLB than WS on AlexNet conv3 (C*R*S = 2304), IS reads the ifmap
# partition less than WS.
set -e
pecos=$1; dir=$2; rows=$3; cols=$4; json=$dir/df_accept_${rows}x${cols}.json
rm -f "$json"
"$pecos" compare-dataflows --rows "$rows" --cols "$cols" --seed 1 \
  --layer conv,h=32,w=32,c=1,k=6,r=5,s=5,name=lenet_conv1 \
  --layer conv,h=15,w=15,c=256,k=384,r=3,s=3,name=alexnet_conv3 \
  --layer conv,h=28,w=28,c=64,k=128,r=1,s=1,name=conv1x1 --json "$json"
jq -e '.pass == true and (.dataflows | keys) == ["is", "os", "ws"]' "$json" >/dev/null
for df in ws is os; do
  jq -e --arg d "$df" '.dataflows[$d] | .config.dataflow == $d and (.layers | length) == 3 and
    all(.layers[]; .check == "pass" and .bitexact and .mismatches == 0 and .cycles_match and
        .cycles_exact and .cycles == .model_cycles and .cycles == .predicted_cycles and
        .cycles >= .ideal_cycles and .traffic_ok and .counters_ok)' "$json" >/dev/null ||
    { echo "df_accept: $df failed its checks"; exit 1; }
done
psum() { jq -r --arg d "$1" '.dataflows[$d].layers[1].glb.psum | .reads + .writes' "$json"; }
ifr() { jq -r --arg d "$1" '.dataflows[$d].layers[1].glb.ifmap.reads' "$json"; }
ws_ps=$(psum ws); os_ps=$(psum os); ws_if=$(ifr ws); is_if=$(ifr is)
echo "alexnet_conv3 ${rows}x${cols}: GLB psum bytes ws $ws_ps os $os_ps; GLB ifmap reads ws $ws_if is $is_if"
[ "$os_ps" -lt $((ws_ps / 50)) ] && [ "$is_if" -lt $((ws_if / 10)) ]
