#!/bin/sh
# run_fuzz.sh SRC OUT TARGET SECONDS: builds a libFuzzer target with clang (ASan + UBSan) and
# fuzzes it for SECONDS from a seed corpus; fails on any crash, leak, hang or sanitizer report.
# The seed corpus for npy is written by mkfixtures into OUT/seeds.
set -e
src=$1; out=$2; target=$3; secs=$4
cc=$(command -v clang || command -v clang-14)
mkdir -p "$out/corpus_$target"
# every folder's headers (the targets compile a few sources of several layers directly)
inc=""
for d in common models host/cli host/dev host/mem host/run host/report host/net host/onnx host/regress; do
  inc="$inc -I$src/$d"
done
case $target in
  npy)   extra="$src/common/npy.c $src/common/pecos_err.c"; seeds="$out/data" ;;
  layer) extra="$src/host/cli/layer_spec.c $src/models/layer.c $src/common/pecos_err.c"; seeds="$src/tests/fuzz/layer_seeds" ;;
  energy) extra="$src/host/mem/energy.c $src/common/pecos_err.c"; seeds="$src/tests/fuzz/energy_seeds" ;;
  topo) extra="$src/host/net/topo.c $src/host/net/analyze.c $src/models/layer.c $src/common/pecos_err.c"; seeds="$src/tests/fuzz/topo_seeds" ;;
  onnx) extra="$src/host/onnx/onnx_load.c $src/host/onnx/onnx_qdq.c $src/host/onnx/onnx_exec.c $src/models/golden_onnx.c $src/models/fpconv.c $src/common/pecos_err.c $out/../onnx_pb/onnx.pb-c.c -I$src/models -I$out/../onnx_pb -lprotobuf-c -lm"; seeds="$src/tests/fuzz/onnx_seeds" ;;
  regress) extra="$src/host/regress/regress_spec.c $src/common/pecos_types.c $src/common/pecos_err.c -I/usr/include/cjson -lcjson"; seeds="$src/tests/fuzz/regress_seeds" ;;
  *) echo "unknown target $target"; exit 2 ;;
esac
# shellcheck disable=SC2086
"$cc" -g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  $inc "$src/tests/fuzz/fuzz_$target.c" $extra -o "$out/fuzz_$target"
rc=0
"$out/fuzz_$target" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/fuzz_${target}_" "$out/corpus_$target" "$seeds" >"$out/fuzz_$target.log" 2>&1 || rc=$?
tail -15 "$out/fuzz_$target.log"
exit $rc
