#!/bin/sh
# batch_check.sh PECOS SRC WORK: `pecos run --batch N` (issue #18).
#   1. files: N images [N,C,H,W] through a pointwise conv and an fc layer; --out [N,K,P,Q]
#      equals numpy's per-image product, and image i of the batch equals the same image run
#      alone (batch 1) bit for bit;
#   1b. windows: a 3x3/s2 layer with asymmetric padding, a pad value and a dilation (int8)
#      and a padded 3x3 (bf16): every image of the batch equals its own run bit for bit,
#      the array's MACs are the images' only;
#   2. reuse: AlexNet fc7 at batch 1 and 16 with bounded memory: the same weight traffic,
#      16x the MACs, utilization and energy per image as the report prints them (utilization
#      at least 10x batch 1's, energy per image below half of it), and the arithmetic
#      intensity of `pecos analyze --batch` within 5% of the run's at batch 1 and 16;
#   3. refusals: an --ifmap of another batch, a bad N, a batch too large: one line, exit 2;
#   4. networks: a batch of copies of one image gives each copy the image's own output;
#      LeNet-5 at batch 16 reuses its weights (per-image cycles and energy fall).
set -e
pecos=$1; src=$2; work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# --- 1. files ---------------------------------------------------------------------------
/usr/bin/python3 - <<'EOF'
import numpy as np
g = np.random.default_rng(7)
for name, (n, c, h, w, k) in {"pw": (3, 5, 4, 3, 7), "fc": (5, 37, 1, 1, 13)}.items():
    x = g.integers(-128, 128, size=(n, c, h, w), dtype=np.int8)
    wt = g.integers(-128, 128, size=(k, c, 1, 1), dtype=np.int8)
    b = g.integers(-1000, 1000, size=(k,), dtype=np.int32)
    np.save(name + "_x.npy", x)
    np.save(name + "_w.npy", wt)
    np.save(name + "_b.npy", b)
    y = np.einsum("nchw,kc->nkhw", x.astype(np.int64), wt[:, :, 0, 0].astype(np.int64)) \
        + b.astype(np.int64)[None, :, None, None]
    np.save(name + "_ref.npy", y.astype(np.int32))
    for i in range(n):
        np.save("%s_x%d.npy" % (name, i), x[i:i + 1])
EOF
for t in "pw 3 conv,h=4,w=3,c=5,k=7,r=1,s=1" "fc 5 fc,c=37,k=13"; do
  set -- $t
  name=$1; n=$2; layer=$3
  for df in ws is os; do
    "$pecos" run --rows 4 --cols 4 --dataflow $df --layer "$layer" --batch "$n" \
      --ifmap ${name}_x.npy --weights ${name}_w.npy --bias ${name}_b.npy --out ${name}_y.npy \
      --dram-bw 4 --dram-latency 20 --glb-kib 2 >${name}_$df.out 2>&1 ||
      { cat ${name}_$df.out; fail "$name $df: batch $n failed"; }
    grep -q "^batch $n (each weight tile loaded once for all images): per image" ${name}_$df.out ||
      fail "$name $df: no per-image line"
    /usr/bin/python3 -c "
import numpy as np, sys
y = np.load('${name}_y.npy'); ref = np.load('${name}_ref.npy')
sys.exit(0 if y.shape == ref.shape and (y == ref).all() else 1)" ||
      fail "$name $df: --out of batch $n differs from numpy's per-image product"
    i=$((n - 1))
    "$pecos" run --rows 4 --cols 4 --dataflow $df --layer "$layer" --ifmap ${name}_x$i.npy \
      --weights ${name}_w.npy --bias ${name}_b.npy --out ${name}_one.npy >/dev/null 2>&1 ||
      fail "$name $df: image $i alone failed"
    /usr/bin/python3 -c "
import numpy as np, sys
sys.exit(0 if (np.load('${name}_y.npy')[$i] == np.load('${name}_one.npy')[0]).all() else 1)" ||
      fail "$name $df: image $i of the batch differs from the image run alone"
  done
done
echo "PASS: --batch with files: [N,C,H,W] in, [N,K,P,Q] out, equal to numpy and to each image alone (ws, is, os)"

# --- 1b. windowed layers: the images stacked with their own padding rows ------------------
/usr/bin/python3 - <<'EOF'
import numpy as np
g = np.random.default_rng(9)
for name, (n, c, h, w, k, fp) in {"win": (3, 3, 9, 7, 5, False), "wbf": (2, 2, 6, 5, 3, True)}.items():
    if fp:  # bf16 bit patterns of values in [-1, 1)
        f = lambda *s: (g.uniform(-1, 1, size=s).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
        x, wt = f(n, c, h, w), f(k, c, 3, 3)
    else:
        x = g.integers(-128, 128, size=(n, c, h, w), dtype=np.int8)
        wt = g.integers(-128, 128, size=(k, c, 3, 3), dtype=np.int8)
    np.save(name + "_x.npy", x)
    np.save(name + "_w.npy", wt)
    for i in range(n):
        np.save("%s_x%d.npy" % (name, i), x[i:i + 1])
EOF
for t in "win 3 int8 conv,h=9,w=7,c=3,k=5,r=3,s=3,stride=2,pad_t=2,pad_b=1,pad_l=1,dil_h=2,pad_value=-3" \
         "wbf 2 bf16 conv,h=6,w=5,c=2,k=3,r=3,s=3,pad=1"; do
  set -- $t
  name=$1; n=$2; dt=$3; layer=$4
  for df in ws is os; do
    "$pecos" run --rows 4 --cols 4 --dtype $dt --dataflow $df --layer "$layer" --batch "$n" \
      --ifmap ${name}_x.npy --weights ${name}_w.npy --out ${name}_y.npy --json ${name}_$df.json \
      >${name}_$df.out 2>&1 || { cat ${name}_$df.out; fail "$name $dt $df: batch $n failed"; }
    "$pecos" run --rows 4 --cols 4 --dtype $dt --dataflow $df --layer "$layer" --ifmap ${name}_x0.npy \
      --weights ${name}_w.npy --json ${name}_one.json >/dev/null 2>&1 || fail "$name $df: image 0 alone failed"
    i=0
    while [ $i -lt $n ]; do
      "$pecos" run --rows 4 --cols 4 --dtype $dt --dataflow $df --layer "$layer" --ifmap ${name}_x$i.npy \
        --weights ${name}_w.npy --out ${name}_one.npy >/dev/null 2>&1 || fail "$name $df: image $i alone failed"
      /usr/bin/python3 -c "
import numpy as np, sys
y, one = np.load('${name}_y.npy'), np.load('${name}_one.npy')
sys.exit(0 if y.shape[0] == $n and y.shape[1:] == one.shape[1:] and (y[$i].view(np.uint32) == one[0].view(np.uint32)).all() else 1)" ||
        fail "$name $dt $df: image $i of the batch differs from the image run alone"
      i=$((i + 1))
    done
    /usr/bin/python3 -c "
import json, sys
b, o = json.load(open('${name}_$df.json')), json.load(open('${name}_one.json'))
lb, lo = b['layers'][0], o['layers'][0]
sys.exit(0 if lb['macs'] == $n * lo['macs'] and lb['check'] == 'pass' else 1)" ||
      fail "$name $dt $df: the batch's MACs are not $n times one image's"
  done
done
echo "PASS: windowed layers (int8 3x3/s2 with pads, pad value, dilation; bf16 3x3/p1), ws/is/os: every image of the batch equals its own run"

# --- 2. reuse ---------------------------------------------------------------------------
for n in 1 16; do
  "$pecos" run --rows 16 --cols 16 --dram-bw 16 --dram-latency 100 --glb-kib 256 \
    --layer fc,c=4096,k=4096,name=fc7 --batch $n --json b$n.json >b$n.out 2>&1 ||
    { cat b$n.out; fail "fc7 batch $n failed"; }
done
jq -e '.config.batch == 16' b16.json >/dev/null || fail "the JSON has no batch 16"
/usr/bin/python3 - <<'EOF' || fail "fc7: batch 16 does not reuse the weights as it should"
import json, sys
a, b = json.load(open("b1.json")), json.load(open("b16.json"))
la, lb = a["layers"][0], b["layers"][0]
def e(l): return l["energy_pj"]["total"]
wa, wb = la["dram_read_by_tensor"]["weight"], lb["dram_read_by_tensor"]["weight"]
ua, ub = la["utilization"], lb["utilization"]
ea, eb = e(la), e(lb) / 16
print("fc7: weight bytes %d -> %d, MACs %d -> %d, utilization %.1f%% -> %.1f%%, "
      "energy per image %.1f -> %.1f uJ" % (wa, wb, la["macs"], lb["macs"], 100 * ua, 100 * ub,
                                            ea / 1e6, eb / 1e6))
ok = wb <= wa * 1.1 and lb["macs"] == 16 * la["macs"] and ub >= 10 * ua and eb < ea / 2
sys.exit(0 if ok else 1)
EOF

# the analyzer at the same batch: fc7's arithmetic intensity within 5% of the run's (the run
# also writes int32 outputs and re-reads what its tiling re-reads)
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides, Padding, Groups, Dilation, Type, Activation, Inputs,\nfc7, 1, 1, 1, 1, 4096, 4096, 1, 0, 1, 1, fc, none, ,\n' >fc7.csv
for n in 1 16; do
  "$pecos" analyze fc7.csv --batch $n --bw 16 --peak-macs 256 --json an$n.json >/dev/null ||
    fail "pecos analyze --batch $n failed"
  /usr/bin/python3 - $n <<'EOF' || fail "fc7 batch $n: pecos analyze and the run disagree on intensity"
import json, sys
n = sys.argv[1]
a = json.load(open("an%s.json" % n))["layers"][0]["intensity"]
r = json.load(open("b%s.json" % n))["layers"][0]["arithmetic_intensity"]
print("fc7 batch %s: intensity %.3f (pecos analyze) vs %.3f (the run)" % (n, a, r))
sys.exit(0 if abs(a - r) <= 0.05 * a else 1)
EOF
done

# --- 3. refusals ------------------------------------------------------------------------
refuse() {
  want=$1; shift
  set +e
  "$pecos" run "$@" >r.out 2>r.err
  rc=$?
  set -e
  [ $rc -eq 2 ] || fail "exit $rc (expected 2): $*"
  [ "$(wc -l <r.err)" -eq 1 ] && grep -q "$want" r.err || fail "not one line naming '$want': $(cat r.err)"
}
refuse "expected int8 \[2,1,32,32\]" --network "$src/models/networks/lenet5.csv" --batch 2 \
  --rows 4 --cols 4 --ifmap pw_x.npy
refuse "must be an integer 1..65536" --layer fc,c=8,k=4 --batch 0
refuse "the 65536 images' input or output exceeds 268435456 elements" --rows 4 --cols 4 \
  --layer conv,h=224,w=224,c=3,k=4,r=3,s=3 --batch 65536
echo "PASS: --batch refuses an --ifmap of another batch, a bad N and a batch too large for a layer with one line, exit 2"

# --- 4. networks ------------------------------------------------------------------------
# A batch of three copies of one image gives each copy the image's own output (the same
# calibrated scales: the copies add no new extremes), under ws, is and os, fused or not, with
# a bounded memory: the stacked layers (layer_batch.h) hand each image exactly its rows.
/usr/bin/python3 -c "
import numpy as np
x = np.random.default_rng(5).integers(-128, 128, size=(1, 1, 32, 32), dtype=np.int8)
np.save('n1.npy', x); np.save('n3.npy', np.concatenate([x, x, x]))"
net=$src/models/networks/lenet5.csv
for df in ws is os; do
  for f in "" --fuse-ppu; do
    "$pecos" run --network "$net" --rows 4 --cols 4 --dataflow $df --ifmap n1.npy --out o1.npy \
      $f >n1.out 2>&1 || { cat n1.out; fail "$df $f: one image failed"; }
    "$pecos" run --network "$net" --rows 4 --cols 4 --dataflow $df --batch 3 --ifmap n3.npy \
      --out o3.npy --dram-bw 4 --dram-latency 30 --glb-kib 8 $f --json n3.json >n3.out 2>&1 ||
      { cat n3.out; fail "$df $f: the batch of 3 failed"; }
    /usr/bin/python3 -c "
import numpy as np, sys
a, b = np.load('o1.npy'), np.load('o3.npy')
sys.exit(0 if b.shape == (3,) + a.shape[1:] and all((b[i] == a[0]).all() for i in range(3)) else 1)" ||
      fail "$df $f: an image of the batch differs from the image run alone"
  done
done
grep -q "^batch 3 (each conv/fc runs the images as one layer" n3.out || fail "no per-image line"
jq -e '.config.batch == 3 and .total.per_image.cycles > 0' n3.json >/dev/null || fail "no batch in the JSON"
# reuse: LeNet-5's fc1 weights (48 KB) are read once for 16 images
for n in 1 16; do
  "$pecos" run --network "$net" --rows 16 --cols 16 --batch $n --dram-bw 16 --dram-latency 100 \
    --glb-kib 256 --json l$n.json >l$n.out 2>&1 || { cat l$n.out; fail "LeNet-5 batch $n failed"; }
done
/usr/bin/python3 - <<'PY' || fail "LeNet-5: batch 16 does not reuse the weights"
import json, sys
a, b = json.load(open("l1.json")), json.load(open("l16.json"))
fa = [l for l in a["layers"] if l["name"] == "fc1"][0]
fb = [l for l in b["layers"] if l["name"] == "fc1"][0]
pa, pb = a["total"]["per_image"], b["total"]["per_image"]
print("LeNet-5 batch 1 -> 16: fc1 utilization %.1f%% -> %.1f%%, per image %.0f -> %.0f cycles, "
      "%.2f -> %.2f uJ" % (100 * fa["utilization"], 100 * fb["utilization"], pa["cycles"],
                          pb["cycles"], pa["energy_pj"] / 1e6, pb["energy_pj"] / 1e6))
sys.exit(0 if fb["macs"] == 16 * fa["macs"] and fb["utilization"] > 4 * fa["utilization"]
         and pb["cycles"] < pa["cycles"] / 2 and pb["energy_pj"] < pa["energy_pj"] else 1)
PY
echo "PASS: --network --batch: each image of a batch is the image run alone (ws, is, os, fused or not); weights reused across the batch"
