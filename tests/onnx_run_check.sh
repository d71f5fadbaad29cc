#!/bin/sh
# onnx_run_check.sh PECOS QCNN_DIR ROWS COLS DATAFLOW OUT_DIR
# pecos run --onnx --require-rtl on the quantized CNN of scripts/mk_qcnn.py must exit 0 with: every
# QLinearConv/QLinearMatMul node on the array and the post-processing unit, bit-exact, cycles
# equal to the model, 0 near-tie differences from the golden ONNX operators; MaxPool on the
# PPU; the graph output (--out, read back with numpy) equal to the expected output_0.pb; the
# same output again with --input x.npy.
set -e
pecos=$1; q=$2; rows=$3; cols=$4; df=$5; out=$6
tag=onnx_run_${df}_${rows}x${cols}
json=$out/$tag.json; y=$out/$tag.npy; y2=$out/${tag}_input.npy
mkdir -p "$out"
rm -f "$json" "$y" "$y2"
"$pecos" run --onnx "$q/model.onnx" --rows "$rows" --cols "$cols" --dataflow "$df" --json "$json" --out "$y" \
  --require-rtl
jq -e '.total.pass == true and .total.diffs == 0 and .expected.elements == 10 and .expected.differ == 0
  and .total.conv_matmul_nodes == 3 and .total.rtl_nodes == 3 and .total.golden_only_nodes == 0
  and .total.rtl_mac_share == 1 and .total.macs == .total.rtl_macs and .total.ppu_nodes == 4
  and .config.require_rtl == true' "$json" >/dev/null
jq -e '[.nodes[] | select(.op == "QLinearConv" or .op == "QLinearMatMul")]
  | length == 3 and all(.where == "array+ppu" and .bitexact and .cycles_match and .counters_ok
  and .traffic_ok and .ppu_bitexact and .diffs == 0 and .outputs > 0 and .macs > 0 and .pass)' "$json" >/dev/null
jq -e '[.nodes[] | select(.op == "MaxPool")] | length == 1 and all(.where == "ppu" and .ppu_bitexact
  and .diffs == 0 and .outputs == 64)' "$json" >/dev/null
# conv2 has per-channel w scales (1..4 x 0.004): one PPU call per distinct scale
jq -e '[.nodes[] | select(.name == "conv2")] | .[0].ppu_calls > 1' "$json" >/dev/null
"$pecos" run --onnx "$q/model.onnx" --input "$q/x.npy" --rows "$rows" --cols "$cols" --dataflow "$df" --out "$y2" >/dev/null
/usr/bin/python3 - "$y" "$y2" "$q/test_data_set_0/output_0.pb" <<'PY'
import sys
import numpy as np
import onnx
from onnx import numpy_helper
e = numpy_helper.to_array(onnx.load_tensor(sys.argv[3]))
for p in sys.argv[1:3]:
    y = np.load(p)
    if y.dtype != e.dtype or y.shape != e.shape or not (y == e).all():
        sys.exit("%s: %s %s %s, expected %s %s %s" % (p, y.dtype, y.shape, y.ravel().tolist(), e.dtype, e.shape, e.ravel().tolist()))
print("output", e.ravel().tolist(), "== expected output_0.pb (--out and --input x.npy)")
PY
jq -r '"nodes \(.total.nodes), array cycles \(.total.array_cycles), ppu cycles \(.total.ppu_cycles), diffs \(.total.diffs)"' "$json"
