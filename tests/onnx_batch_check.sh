#!/bin/sh
# onnx_batch_check.sh PECOS QCNN_DIR OUT_DIR: pecos run --onnx --batch N on the quantized CNN of
# scripts/mk_qcnn.py (4x4 ws), every check of a single-image run plus:
# - the test data set repeated 4 times: the graph output is 4 copies of output_0.pb;
# - 3 different images (--input [3,1,8,8]): each image's output equals its own single-image
#   run, so the stacked layers hand every image exactly its rows;
# - the conv nodes run their images as one layer: their array MACs are N times a single
#   image's, and with a bounded DRAM the cycles per image fall as N grows (1, 4, 16);
# - a wrong batch of --input is refused with one line, exit 2.
set -e
pecos=$1; q=$2; out=$3/onnx_batch
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.npy
run() { "$pecos" run --onnx "$q/model.onnx" --rows 4 --cols 4 --dataflow ws --require-rtl "$@"; }
run --json "$out/b1.json" >/dev/null
run --batch 4 --json "$out/b4.json" --out "$out/y4.npy" >"$out/b4.txt"
grep -q "batch of 4 images (input: .*test_data_set_0, 4 copies)" "$out/b4.txt"
grep -q "per image: " "$out/b4.txt"
jq -e '.total.pass == true and .config.batch == 4 and .expected.elements == 40 and .expected.differ == 0
  and .total.rtl_nodes == 3 and .total.diffs == 0' "$out/b4.json" >/dev/null
# array MACs per conv/matmul node: 4 times the single image's
jq -n -e --slurpfile a "$out/b1.json" --slurpfile b "$out/b4.json" '
  [$a[0].nodes[] | select(.rtl) | .array_macs * 4] == [$b[0].nodes[] | select(.rtl) | .array_macs]
  and ([$b[0].nodes[] | select(.rtl) | .pass] | all)' >/dev/null
# 3 different images against their single-image runs
/usr/bin/python3 - "$out" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
g = np.random.default_rng(11)
x = g.integers(-128, 128, size=(3, 1, 8, 8), dtype=np.int8)
x[1, 0, 2:6, 2:6] = 0  # a different image in every slot
np.save(d + "/x3.npy", x)
for i in range(3):
    np.save(d + "/x3_%d.npy" % i, x[i:i + 1])
PY
run --batch 3 --input "$out/x3.npy" --out "$out/y3.npy" --json "$out/b3.json" >/dev/null
for i in 0 1 2; do run --input "$out/x3_$i.npy" --out "$out/y3_$i.npy" >/dev/null; done
/usr/bin/python3 - "$out" "$q/test_data_set_0/output_0.pb" <<'PY'
import sys
import numpy as np
import onnx
from onnx import numpy_helper
d = sys.argv[1]
e = numpy_helper.to_array(onnx.load_tensor(sys.argv[2]))
y4 = np.load(d + "/y4.npy")
if y4.shape != (4,) + e.shape[1:] or not (y4 == np.repeat(e, 4, axis=0)).all():
    sys.exit("--batch 4 of the test data set: %s %s, expected 4 copies of %s" % (y4.shape, y4.tolist(), e.tolist()))
y3 = np.load(d + "/y3.npy")
for i in range(3):
    yi = np.load(d + "/y3_%d.npy" % i)
    if not (y3[i:i + 1] == yi).all():
        sys.exit("image %d of the batch: %s, its own run: %s" % (i, y3[i].tolist(), yi[0].tolist()))
if (y3[0] == y3[1]).all():
    sys.exit("images 0 and 1 gave the same output: the test would not see a mix-up")
print("batch 4 == 4 x output_0.pb; batch of 3 images == their own runs")
PY
# bounded memory: the weights load once for the batch, so cycles per image fall
prev=
for n in 1 4 16; do
  run --batch "$n" --dram-bw 4 --dram-latency 100 --json "$out/m$n.json" >/dev/null
  c=$(jq '.per_image.cycles' "$out/m$n.json")
  echo "batch $n: $c cycles per image (4 B/cycle, latency 100)"
  if [ -n "$prev" ]; then
    awk -v a="$c" -v b="$prev" 'BEGIN { exit !(a < b) }' || { echo "FAIL: batch $n: $c cycles per image, not fewer than $prev"; exit 1; }
  fi
  prev=$c
done
# bad batch of --input: one line, exit 2
set +e
run --batch 2 --input "$out/x3.npy" >/dev/null 2>"$out/err.txt"; rc=$?
set -e
[ $rc -eq 2 ] && [ "$(wc -l <"$out/err.txt")" -eq 1 ] && grep -q -- "--input .*x3.npy: shape \[3,1,8,8\], --batch 2 needs 2 images" "$out/err.txt" ||
  { echo "FAIL: --batch 2 with 3 images: rc=$rc"; cat "$out/err.txt"; exit 1; }
echo "onnx_batch_check: PASS"
