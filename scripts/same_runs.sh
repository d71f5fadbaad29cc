#!/bin/sh
# same_runs.sh: the fixed list of runs whose JSON reports must not change when the simulator
# gets faster (issue #19: every cycle and bit identical).
#   sh scripts/same_runs.sh run OUTDIR [PECOS]   runs the list, one JSON per run into OUTDIR
#                                                (PECOS_SIM_DIR picks the model libraries)
#   sh scripts/same_runs.sh diff DIR_A DIR_B     compares two such directories: every JSON with
#                                                its wall-clock fields removed (jq), and every
#                                                report file byte for byte with the wall-clock
#                                                values masked (number format, key order);
#                                                exit 1 on a difference
# The list: every dataflow (ws, is, os), every dtype (int8, bf16, fp16), a bounded-memory run,
# LeNet-5 and AlexNet end to end, and the ONNX quantized CNN of scripts/mk_qcnn.py.
# Then every other report writer of pecos (issue #17): pecos analyze --json/--csv on two
# networks, pecos onnx-test --json (libonnx-testdata's qlinearconv on the RTL and a float
# conv), pecos eval --json on models/digits (4 images), pecos compare-dataflows --json,
# pecos run --inject-fault --json (a failed check), pecos run --network --json --csv,
# and a small local pecos regress (report.json/.xml/.html with the pecos path, the run
# directory and the host name replaced); exit.txt records every exit status.
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
  case $pecos in /*) ;; */*) pecos=$(pwd)/$pecos ;; esac # some runs cd elsewhere
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
  # The other report writers; inputs by paths relative to the checkout (reports name them).
  : >"$out/exit.txt"
  ext() { name=$1; shift; echo "same_runs: $name" >&2; rc=0
    (cd "$top" && "$pecos" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr") || rc=$?
    echo "$name $rc" >>"$out/exit.txt"; }
  ext analyze_lenet5 analyze models/networks/lenet5.csv --json "$out/analyze_lenet5.json" \
    --csv "$out/analyze_lenet5.csv"
  ext analyze_small analyze tests/data/net/small.csv --dtype bf16 --batch 2 --peak-macs 64 \
    --bw 8 --json "$out/analyze_small.json" --csv "$out/analyze_small.csv"
  node=/usr/share/libonnx-testdata/data/node
  ext onnx_test onnx-test --rtl 4x4 --json "$out/onnx_test.json" "$node/test_qlinearconv" \
    "$node/test_conv_with_strides_padding"
  d=models/digits
  ext eval_digits eval $d/digits_qlinear.onnx --data $d/test_x.npy --labels $d/test_y.npy \
    --limit 4 --rows 4 --cols 4 --float-model $d/digits_float.onnx --fp-rtl bf16 \
    --json "$out/eval_digits.json"
  ext compare_4x4 compare-dataflows --seed 7 --rows 4 --cols 4 --layer "$conv" --layer "$fc" \
    --json "$out/compare_4x4.json"
  ext fault_4x4 run --seed 7 --rows 4 --cols 4 --layer "$conv" --inject-fault 100 \
    --json "$out/fault_4x4.json"
  ext net_small run --seed 7 --network tests/data/net/small.csv --rows 4 --cols 4 \
    --json "$out/net_small.json" --csv "$out/net_small.csv"
  cat >"$out/regress_spec.json" <<'EOF'
{
  "name": "same_runs",
  "variants": ["4x4"],
  "dataflows": ["ws", "os"],
  "layers": [
    {"name": "tail", "layers": ["conv,h=9,w=9,c=6,k=8,r=3,s=3,name=c", "fc,c=40,k=12,name=f"]}
  ],
  "seeds": [1],
  "inject_fault": [{"dataflow": "os", "seed": 1, "cycle": 100}]
}
EOF
  rm -rf "$out/regress_run"
  ext regress regress "$out/regress_spec.json" -j 1 --dir "$out/regress_run"
  # The host paths and the host name apart, the reports as written
  for f in json xml html; do
    sed -e "s|$pecos|PECOS|g; s|$out|OUT|g" \
      -e 's/"host":\([[:space:]]*\)"[^"]*"/"host":\1"HOST"/g' \
      "$out/regress_run/report.$f" >"$out/regress.$f"
  done
  sed -i "s|$pecos|PECOS|g; s|$out|OUT|g" "$out"/*.stdout "$out"/*.stderr
  ;;
diff)
  a=${2:?usage: same_runs.sh diff DIR_A DIR_B}; b=${3:?usage: same_runs.sh diff DIR_A DIR_B}
  n=0; nf=0; bad=0; tmp=$(mktemp -d)
  for f in "$a"/*.json; do
    [ -f "$f" ] || continue
    g=$b/${f##*/}
    n=$((n + 1))
    jq -S "$strip" "$f" >"$tmp/a" && jq -S "$strip" "$g" >"$tmp/b" 2>/dev/null &&
      cmp -s "$tmp/a" "$tmp/b" || { echo "DIFFERENT: ${f##*/}"; bad=$((bad + 1)); }
  done
  # Byte for byte, the wall-clock values masked: a JSON number of a key that the jq filter
  # drops, the HTML's "took X s, DATE" and wall column, the JUnit time attributes, the
  # "wall X s" / "X s" timings and the Mcyc/s column of the text output, and how many
  # processes a network's layers ran on ("wall X s on N processes (--jobs; ...)").
  mask() {
    sed -E -e 's/("[A-Za-z0-9_]*(wall|seconds|per_second)[A-Za-z0-9_]*"[[:space:]]*:[[:space:]]*)[-+0-9.eE]+/\1#/g' \
      -e 's/("[A-Za-z0-9_]*_s"[[:space:]]*:[[:space:]]*)[-+0-9.eE]+/\1#/g' \
      -e 's/took [0-9.]+ s, [0-9-]+ [0-9:]+ UTC/took # s, DATE UTC/' \
      -e 's|<td class="n">[0-9.]+</td><td>([0-9]+)</td></tr>|<td class="n">#</td><td>\1</td></tr>|' \
      -e 's/ time="[0-9.]+"/ time="#"/g' \
      -e 's/^(wall [0-9.]+ s) on [0-9]+ processes \(--jobs[^)]*\)/\1/' \
      -e 's/( [0-9]+\.[0-9]{2}) +[0-9]+\.[0-9]{3} +(PASS|FAIL)$/\1 # \2/' \
      -e 's/[0-9][0-9.]* s\b/# s/g; s/[0-9.]+ ([kM] )?(simulated )?cycles\/s/# cycles\/s/g' "$1"
  }
  for f in "$a"/*.json "$a"/*.csv "$a"/*.xml "$a"/*.html "$a"/*.stdout "$a"/*.stderr \
    "$a"/exit.txt; do
    [ -f "$f" ] || continue
    g=$b/${f##*/}
    n=$((n + 1)); nf=$((nf + 1))
    [ -f "$g" ] && mask "$f" >"$tmp/a" && mask "$g" >"$tmp/b" && cmp -s "$tmp/a" "$tmp/b" ||
      { echo "DIFFERENT (bytes): ${f##*/}"; bad=$((bad + 1)); }
  done
  rm -rf "$tmp"
  [ "$n" -gt 0 ] || { echo "same_runs: no JSON in $a"; exit 1; }
  [ "$bad" -eq 0 ] || { echo "same_runs: $bad of $n comparisons differ"; exit 1; }
  echo "same_runs: all $nf reports identical except wall-clock fields (byte for byte: JSON, CSV," \
    "HTML, JUnit, stdout, stderr, exit status; every JSON also semantically)"
  ;;
*) echo "usage: same_runs.sh run OUTDIR [PECOS] | diff DIR_A DIR_B" >&2; exit 2 ;;
esac
