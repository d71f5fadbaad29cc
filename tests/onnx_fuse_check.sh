#!/bin/sh
# onnx_fuse_check.sh PECOS QCNN_DIR OUT_DIR: pecos run --onnx --fuse-ppu on the quantized CNN of
# scripts/mk_qcnn.py (4x4):
# - conv1 and fc (one requantization scale each) run with the PPU on the array's writeback
#   path, conv2 (per-channel scales) runs the unit as its own pass and says why; on WS at
#   batch 1 the MaxPool after conv1 runs on that unit too (its output checked against the
#   golden MaxPool), elsewhere it stays a pass and conv1 says why;
# - every check passes (the array's cycles equal to the model's, the int8 results against
#   the golden chain, the accumulators against ONNX's integer operator) and the graph output
#   equals output_0.pb and the unfused run's, under ws/is/os, batch 1 and 3, bounded memory;
# - the fused run moves fewer DRAM bytes and takes fewer cycles than the unfused one;
# - a flipped int8 result (--inject-fault; conv1 pooled: 1 of 64) fails the fused check, exit 1.
set -e
pecos=$1; q=$2; out=$3/onnx_fuse
mkdir -p "$out"
rm -f "$out"/*
fail() { echo "FAIL: $*"; exit 1; }
run() { "$pecos" run --onnx "$q/model.onnx" --rows 4 --cols 4 --require-rtl "$@"; }
for df in ws is os; do
  for b in 1 3; do
    t=$df.b$b
    run --dataflow $df --batch $b --dram-bw 4 --dram-latency 100 --json "$out/u.$t.json" --out "$out/u.$t.npy" >/dev/null ||
      fail "$t: the unfused run failed"
    run --dataflow $df --batch $b --dram-bw 4 --dram-latency 100 --fuse-ppu --json "$out/f.$t.json" \
      --out "$out/f.$t.npy" >"$out/f.$t.txt" || { cat "$out/f.$t.txt"; fail "$t: the fused run failed"; }
    cmp -s "$out/u.$t.npy" "$out/f.$t.npy" || fail "$t: the fused output differs from the unfused one"
    jq -e --argjson b $b '.total.pass and .config.fuse_ppu and .total.fused_nodes == 2
      and .expected.elements == 10 * $b and .expected.differ == 0 and .total.diffs == 0
      and ([.nodes[] | select(.fused) | .name] == ["conv1", "fc"])
      and ([.nodes[] | select(.fused) | .bitexact and .cycles_match and .counters_ok and .traffic_ok
            and .ppu_bitexact and .ppu_cycles == 0] | all)
      and ([.nodes[] | select(.name == "conv2") | (.fused | not) and (.why | test("not fused: per-channel"))] | all)' \
      "$out/f.$t.json" >/dev/null || fail "$t: the fused run's report"
    if [ $t = ws.b1 ]; then
      jq -e '[.nodes[] | select(.name == "pool1") | .where == "fused-into-previous" and .outputs == 64
              and .diffs == 0 and .pass and .rtl] | all' "$out/f.$t.json" >/dev/null ||
        fail "$t: pool1 did not run inside conv1"
    else
      why="the fused pooling runs on the WS dataflow"; [ $b = 3 ] && why="a batch pools image by image"
      jq -e --arg w "MaxPool pool1 not fused: $why" '([.nodes[] | select(.name == "pool1") | .where == "ppu"] | all)
             and ([.nodes[] | select(.name == "conv1") | .why | contains($w)] | all)' "$out/f.$t.json" >/dev/null ||
        fail "$t: pool1 is not a pass of its own with the reason on conv1"
    fi
    jq -n -e --slurpfile u "$out/u.$t.json" --slurpfile f "$out/f.$t.json" \
      '$f[0].total.dram_bytes < $u[0].total.dram_bytes and $f[0].total.cycles < $u[0].total.cycles' >/dev/null ||
      fail "$t: fusion saved neither DRAM bytes nor cycles"
    jq -r --arg t "$t" --slurpfile u "$out/u.$t.json" \
      '"\($t): DRAM \($u[0].total.dram_bytes) -> \(.total.dram_bytes) bytes, cycles \($u[0].total.cycles) -> \(.total.cycles), energy \($u[0].total.energy_pj / 1000 | floor) -> \(.total.energy_pj / 1000 | floor) nJ"' \
      "$out/f.$t.json"
  done
done
grep -q "^note: conv2 (QLinearConv): not fused: per-channel requantization scales" "$out/f.ws.b1.txt" ||
  fail "the summary does not say why conv2 is not fused"
set +e
run --fuse-ppu --inject-fault 0 >"$out/fault.txt" 2>&1; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "FAIL conv1 (fused post-processing): 1 of 64 int8 results differ from the golden chain" "$out/fault.txt" ||
  { cat "$out/fault.txt"; fail "--inject-fault under --fuse-ppu: rc=$rc"; }
echo "onnx_fuse_check: PASS"
