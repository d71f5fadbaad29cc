#!/bin/sh
# onnx_zp_check.sh PECOS CASES_DIR RxC DATAFLOW OUT_DIR
# Every case of scripts/mk_zp_cases.py except conv3d_unmappable (quantized nodes with zero
# points, uint8 and int8) must PASS `pecos onnx-test --rtl RxC --dataflow D --require-rtl`
# with its conv/matmul node on the array (RTL MAC share 1 in the JSON); the count of cases
# is checked, so an empty or short selection fails.
set -e
pecos=$1; d=$2; rc=$3; df=$4; out=$5
mkdir -p "$out"
json=$out/zp_${df}_${rc}.json
rm -f "$json"
n=$(ls -d "$d"/qlinearconv_* "$d"/convinteger_* "$d"/matmulinteger_* "$d"/qlinearmatmul_* | wc -l)
[ "$n" -ge 40 ] || { echo "FAIL: only $n cases in $d"; exit 1; }
"$pecos" onnx-test --strict --rtl "$rc" --dataflow "$df" --require-rtl --json "$json" \
  "$d"/qlinearconv_* "$d"/convinteger_* "$d"/matmulinteger_* "$d"/qlinearmatmul_*
jq -e --argjson n "$n" '.passed == $n and .failed == 0 and ([.cases[] | select(.status == "PASS"
  and (.paths | startswith("golden+rtl (1 node run,")) and .rtl.rtl_mac_share == 1
  and .rtl.golden_only_node_runs == 0)] | length == $n)' "$json" >/dev/null
jq -r '"zero-point cases: \(.passed) PASS on the RTL, near-tie diffs \([.cases[].rtl.near_tie_diffs] | add)"' "$json"
