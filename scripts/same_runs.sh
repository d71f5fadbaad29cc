#!/bin/sh
# same_runs.sh: the fixed list of runs whose JSON reports must not change when the simulator
# gets faster (issue #19: every cycle and bit identical).
#   sh scripts/same_runs.sh run OUTDIR [PECOS]   runs the list, one JSON per run into OUTDIR
#                                                (PECOS_SIM_DIR picks the model libraries)
#   sh scripts/same_runs.sh diff DIR_A DIR_B     compares two such directories with every
#                                                wall-clock field removed; exit 1 on a difference
# The list: every dataflow (ws, is, os), every dtype (int8, bf16, fp16), a bounded-memory run,
# LeNet-5 and AlexNet end to end, and the ONNX quantized CNN of scripts/mk_qcnn.py.
# Needs the variants ws_int8_4x4, ws_int8_8x8, ws_int8_16x16, os_int8_4x4, ws_bf16_4x4,
# ws_fp16_4x4, os_bf16_4x4 (built on first use when missing) and python3 with numpy + onnx.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
mode=$1
# Wall-clock fields (any key that measures host time) are dropped before comparing.
strip='walk(if type == "object" then with_entries(select(.key | test("wall|seconds|per_second|_s$") | not)) else . end)'
case $mode in
run)
  out=${2:?usage: same_runs.sh run OUTDIR [PECOS]}
  pecos=${3:-$top/build/release/pecos}
  mkdir -p "$out"; out=$(cd "$out" && pwd)
  conv=conv,h=9,w=9,c=20,k=12,r=3,s=3,pad=1,name=c3
  fc=fc,c=70,k=19,name=fc
  run() { name=$1; shift; echo "same_runs: $name" >&2; "$pecos" run --seed 7 "$@" --json "$out/$name.json" >/dev/null; }
  run ws_int8_16x16 --rows 16 --cols 16 --dataflow ws --layer conv,h=15,w=15,c=64,k=40,r=3,s=3 --layer "$fc"
  run is_int8_8x8 --rows 8 --cols 8 --dataflow is --layer "$conv" --layer "$fc"
  run os_int8_4x4 --rows 4 --cols 4 --dataflow os --layer "$conv" --layer "$fc"
  run ws_bf16_4x4 --rows 4 --cols 4 --dtype bf16 --layer "$conv" --layer "$fc"
  run is_fp16_4x4 --rows 4 --cols 4 --dtype fp16 --dataflow is --layer "$conv"
  run os_bf16_4x4 --rows 4 --cols 4 --dtype bf16 --dataflow os --layer "$conv"
  run bounded_16x16 --rows 16 --cols 16 --dram-bw 4 --dram-latency 100 --glb-kib 64 \
    --layer conv,h=13,w=13,c=96,k=64,r=3,s=3,pad=1 --layer fc,c=1024,k=100
  run lenet5 --network "$top/models/networks/lenet5.csv" --rows 16 --cols 16 --dram-bw 16 \
    --dram-latency 100 --glb-kib 256
  run alexnet --network "$top/models/networks/alexnet.csv" --rows 16 --cols 16
  # relative to OUTDIR: the report names the model's path
  /usr/bin/python3 "$top/scripts/mk_qcnn.py" "$out/qcnn_model" >/dev/null
  (cd "$out" && out=. && run qcnn_4x4 --rows 4 --cols 4 --onnx qcnn_model/model.onnx)
  ;;
diff)
  a=${2:?usage: same_runs.sh diff DIR_A DIR_B}; b=${3:?usage: same_runs.sh diff DIR_A DIR_B}
  n=0; bad=0; tmp=$(mktemp -d)
  for f in "$a"/*.json; do
    [ -f "$f" ] || continue
    g=$b/${f##*/}
    n=$((n + 1))
    jq -S "$strip" "$f" >"$tmp/a" && jq -S "$strip" "$g" >"$tmp/b" 2>/dev/null &&
      cmp -s "$tmp/a" "$tmp/b" || { echo "DIFFERENT: ${f##*/}"; bad=$((bad + 1)); }
  done
  rm -rf "$tmp"
  [ "$n" -gt 0 ] || { echo "same_runs: no JSON in $a"; exit 1; }
  [ "$bad" -eq 0 ] || { echo "same_runs: $bad of $n reports differ"; exit 1; }
  echo "same_runs: all $n reports identical except wall-clock fields"
  ;;
*) echo "usage: same_runs.sh run OUTDIR [PECOS] | diff DIR_A DIR_B" >&2; exit 2 ;;
esac
