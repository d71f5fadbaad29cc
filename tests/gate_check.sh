#!/bin/sh
# gate_check.sh PECOS WORK LENET5_CSV: zero gating (issue #18). An int8 PE whose operand is zero does
# not toggle its multiplier (rtl/pecos_mac_fn.svh); the arrays count the gated MACs and every run
# checks the count exactly against the host's prediction from the lanes it drove (a failure
# is a counters FAIL). Here, against counts worked out by hand:
#   1. fc c=8 -> k=4 on 4x4 with unbounded memory (one tile; 2 reduction folds of 4 rows):
#      WS: 2 beats x 16 MAC slots; one zero input (channel 5) gates a whole row of its beat
#      (4 MACs), one zero weight (k=2, c=6) its one PE (1 MAC); all-zero inputs gate all 32.
#      IS: the held pixel is column 0, columns 1..3 hold zeros: 8 beats x 16 slots, 12 gated
#      per beat (96); the zero input adds 4 (its row of column 0 over the fold's 4 beats), the
#      zero weight 1. OS: pixel rows 1..3 are zero: 8 beats x 16 slots, 12 gated per beat;
#      the zero input's beat gates all 16 (+4), the zero weight's beat 13 (+1).
#   2. the energy prices a gated MAC as idle: all-zero inputs cost no MAC energy;
#   3. LeNet-5 (ReLU): every array layer gates a share of its MACs (zero activations after
#      a ReLU, zero padding lanes), which the summary's gated% column, the JSON and the CSV
#      give per layer; fc2, whose input is fc1's ReLU output with no pooling between, gates
#      over 30% (about half of a ReLU's outputs are zero);
#   4. bf16 does not gate: 0 gated MACs.
set -e
pecos=$1; work=$2; net=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"

/usr/bin/python3 - <<'EOF'
import numpy as np
g = np.random.default_rng(3)
def nz(shape):
    v = g.integers(1, 128, size=shape) * g.choice([-1, 1], size=shape)
    return v.astype(np.int8)
x = nz((1, 8, 1, 1)); w = nz((4, 8, 1, 1))
np.save("x.npy", x); np.save("w.npy", w)
xz = x.copy(); xz[0, 5, 0, 0] = 0; np.save("x_zero.npy", xz)
wz = w.copy(); wz[2, 6, 0, 0] = 0; np.save("w_zero.npy", wz)
np.save("x_all0.npy", np.zeros((1, 8, 1, 1), np.int8))
EOF

run() { # name dataflow ifmap weights -> prints slots gated mac_energy
  "$pecos" run --rows 4 --cols 4 --dataflow "$2" --layer fc,c=8,k=4 --ifmap "$3" --weights "$4" \
    --json "$1.json" >"$1.out" 2>&1 || { cat "$1.out"; fail "$1: the run failed"; }
  jq -r '.layers[0] | "\(.rtl_mac_slots) \(.rtl_gated_macs) \(.energy_pj.mac)"' "$1.json"
}
expect() { # name dataflow ifmap weights slots gated
  set -- "$1" "$2" "$3" "$4" "$5" "$6" "$(run "$1" "$2" "$3" "$4")"
  got=$7
  [ "$(echo "$got" | cut -d' ' -f1-2)" = "$5 $6" ] ||
    fail "$1 ($2): MAC slots and gated MACs '$(echo "$got" | cut -d' ' -f1-2)', expected '$5 $6'"
}
for df in ws is os; do
  if [ $df = ws ]; then slots=32 base=0 all=32; else slots=128 base=96 all=128; fi
  expect dense_$df $df x.npy w.npy $slots $base
  expect xzero_$df $df x_zero.npy w.npy $slots $((base + 4))
  expect wzero_$df $df x.npy w_zero.npy $slots $((base + 1))
  expect all0_$df $df x_all0.npy w.npy $slots $all
  jq -e '.layers[0].energy_pj.mac == 0' all0_$df.json >/dev/null ||
    fail "$df: all MACs gated, yet MAC energy $(jq '.layers[0].energy_pj.mac' all0_$df.json) pJ"
  jq -e '.layers[0].energy_pj.mac > 0' dense_$df.json >/dev/null || fail "$df: no MAC energy"
done
echo "PASS: gated MACs counted exactly (ws 0/4/1/32 of 32, is and os 96/100/97/128 of 128); gated MACs cost no MAC energy"

"$pecos" run --rows 4 --cols 4 --network "$net" --json lenet.json --csv lenet.csv >lenet.out 2>&1 ||
  { cat lenet.out; fail "LeNet-5 failed"; }
grep -q "gated%" lenet.out || fail "no gated% column in the network summary"
jq -e '([.layers[] | select(.type == "conv" or .type == "fc") | .gated_share] | length == 5
        and all(. > 0)) and
       ([.layers[] | select(.name == "fc2") | .gated_share] | .[0] > 0.3)' lenet.json >/dev/null ||
  fail "LeNet-5: every array layer should gate some MACs, fc2 (its input fc1's ReLU output) over 30%: $(jq -c '[.layers[] | select(.gated_share != null) | [.name, .gated_share]]' lenet.json)"
head -1 lenet.csv | grep -q "gated_macs" || fail "no gated_macs column in the CSV"
echo "PASS: LeNet-5 gated share per layer: $(jq -r '[.layers[] | select(.gated_share != null) | "\(.name) \(.gated_share * 1000 | round / 10)%"] | join(", ")' lenet.json)"

"$pecos" run --rows 4 --cols 4 --dtype bf16 --layer conv,h=6,w=6,c=8,k=4,r=3,s=3 --json bf.json \
  >bf.out 2>&1 || { cat bf.out; fail "bf16 run failed"; }
jq -e '.layers[0].rtl_gated_macs == 0' bf.json >/dev/null || fail "bf16 gated MACs"
echo "PASS: bf16 does not gate"
