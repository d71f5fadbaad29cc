#!/bin/sh
# coverage.sh [BUILD_DIR]: RTL coverage of the suite's RTL workloads.
#   1. verilates coverage builds (line, toggle and user/assertion points: --coverage) of the
#      small variants ws_int8_4x4, os_int8_4x4, ws_bf16_4x4, ws_fp16_4x4, the PPU post_L4 and
#      the FMA unit alone (fma_bf16, fma_fp16, fma_bf16_ftz: the suite's unit.fma.* programs)
#      into BUILD/coverage/sim (dv/vbuild.sh, outside CMake);
#   2. runs the RTL part of the default suite against them (the build's test programs and
#      `pecos run`, PECOS_SIM_DIR = those libraries; every model writes its counts when closed),
#      plus directed bf16/fp16 runs whose operands reach magnitudes >= 2 (the exponent's top
#      bit: random tensors stay in [-1, 1));
#   3. merges the counts (verilator_coverage), writes an lcov HTML report (genhtml) to
#      BUILD/coverage/html/index.html and a per-module summary (line and toggle coverage, the
#      uncovered points) on stdout and to BUILD/coverage/summary.json (dv/covsum.py).
# Needs a built tree (sh scripts/build.sh). Exit 1 if a workload fails or nothing was counted.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build/release}" && pwd)
out=$build/coverage
for p in pecos tests/test_array_contract tests/test_array_contract_os tests/rtl_random tests/test_postproc; do
  [ -x "$build/$p" ] || { echo "coverage.sh: $build/$p not found: build first (sh scripts/build.sh)" >&2; exit 2; }
done
for t in verilator_coverage genhtml; do
  command -v $t >/dev/null || { echo "coverage.sh: $t not found (apt-get install lcov verilator)" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out/sim" "$out/dat" "$out/html"
# COVERAGE_VARIANTS narrows the set (a coverage build is one large C++ file per variant: on a
# loaded 2-core machine each takes minutes to tens of minutes).
variants=${COVERAGE_VARIANTS:-"ws_int8_4x4 os_int8_4x4 ws_bf16_4x4 ws_fp16_4x4 post_L4 fma_bf16 fma_fp16 fma_bf16_ftz"}
has() { case " $variants " in *" $1 "*) return 0 ;; esac; return 1; }
for v in $variants; do
  echo "coverage: verilating $v"
  nice -n 10 sh "$top/dv/vbuild.sh" "$top/rtl" "$out/sim" "$v" --coverage ||
    { echo "coverage.sh: $v does not build, see $out/sim/obj_$v/build.log" >&2; exit 1; }
done

export PECOS_SIM_DIR="$out/sim" PECOS_COVERAGE_DIR="$out/dat"
pecos=$build/pecos
fails=0
run() {
  if ! "$@" >"$out/last.log" 2>&1; then
    echo "coverage: FAIL: $*" >&2
    tail -5 "$out/last.log" >&2
    fails=$((fails + 1))
  fi
}
shapes="conv,h=1,w=1,c=1,k=1,r=1,s=1 conv,h=8,w=7,c=3,k=5,r=3,s=3 conv,h=9,w=9,c=3,k=5,r=3,s=3,stride=2,pad=1 conv,h=7,w=7,c=5,k=9,r=5,s=5,pad=2 conv,h=6,w=5,c=7,k=13,r=3,s=3 fc,c=100,k=37 conv,h=14,w=14,c=6,k=16,r=5,s=5"
echo "coverage: running the RTL workloads"
has ws_int8_4x4 && run "$build/tests/test_array_contract" 4 4
has os_int8_4x4 && run "$build/tests/test_array_contract_os" 4 4
has post_L4 && run "$build/tests/test_postproc" 4
for f in fma_bf16 fma_fp16 fma_bf16_ftz; do
  has $f && run "$out/sim/test_$f"
done
# Directed: fp operands of magnitude up to ~1000 (ifmap) and ~100 (weights), both signs
if has ws_bf16_4x4 || has ws_fp16_4x4; then
  /usr/bin/python3 - "$out" <<'PY'
import sys
import numpy as np
g = np.random.default_rng(5)
def big(shape, top):
    return (g.uniform(-1, 1, size=shape) * 2.0 ** g.integers(0, top, size=shape)).astype(np.float32)
np.save(sys.argv[1] + "/big_x.npy", big((1, 5, 6, 6), 10))
np.save(sys.argv[1] + "/big_w.npy", big((7, 5, 3, 3), 7))
PY
fi
for v in ws_bf16_4x4 ws_fp16_4x4; do
  has $v || continue
  dt=${v#ws_}; dt=${dt%%_*}
  for d in ws is; do
    run "$pecos" run --rows 4 --cols 4 --dataflow "$d" --dtype "$dt" --layer conv,h=6,w=6,c=5,k=7,r=3,s=3,pad=1 \
      --ifmap "$out/big_x.npy" --weights "$out/big_w.npy"
  done
done
for v in ws_int8_4x4 ws_bf16_4x4 ws_fp16_4x4 os_int8_4x4; do
  has $v || continue
  df=${v%%_*}; rest=${v#*_}; dt=${rest%%_*}
  dfs=$df; [ "$df" = ws ] && dfs="ws is"
  for d in $dfs; do
    for s in $shapes; do
      run "$pecos" run --rows 4 --cols 4 --dataflow "$d" --dtype "$dt" --seed 3 --layer "$s"
    done
    run "$pecos" run --rows 4 --cols 4 --dataflow "$d" --dtype "$dt" --seed 4 \
      --layer conv,h=6,w=6,c=2,k=3,r=3,s=3 --layer fc,c=40,k=9
    run "$build/tests/rtl_random" "$pecos" "$d" "$dt" 4 4 20
  done
done
n=$(ls "$out/dat" | wc -l)
[ "$n" -gt 0 ] || { echo "coverage.sh: no coverage data written" >&2; exit 1; }
verilator_coverage --write "$out/merged.dat" "$out"/dat/*.dat >/dev/null
verilator_coverage --write-info "$out/merged.info" "$out/merged.dat" >/dev/null
genhtml -q --title "pecos RTL coverage" -o "$out/html" "$out/merged.info" >/dev/null 2>&1 ||
  { echo "coverage.sh: genhtml failed" >&2; exit 1; }
python3 "$top/dv/covsum.py" "$out/merged.dat" "$top/rtl" "$out/summary.json"
echo "coverage: $n model runs merged; HTML: $out/html/index.html; JSON: $out/summary.json"
[ "$fails" -eq 0 ] || { echo "coverage.sh: $fails workloads failed" >&2; exit 1; }
