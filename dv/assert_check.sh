#!/bin/sh
# assert_check.sh SRC WORK [NAME...]: compiles dv/tb_assert.sv with rtl/ in Icarus once and,
# for every assertion NAME (default: all the cases of the bench), runs +case=NAME and
# requires the line "PECOS_ASSERT NAME failed" (a case UNIT.NAME: the assertion NAME). Also
# elaborates the arrays and the PPU with out-of-range parameters and requires their
# PECOS_ASSERT_PARAM checks to fire (Icarus, Verilator and Yosys). Exit 0 only if every
# assertion fired.
set -e
src=$1; work=$2
shift 2
rtl=$src/rtl
. "$src/dv/rtl_files.sh"
mkdir -p "$work"
all="WsWeightColInRange WsOutValidMatchesBeat PerfOutHasBeatInFlight PerfInflightBounded
PerfBusyPesInRange PerfProductsNeedABeat PerfBusyLeCycles PerfMacsLeBusyTimesPes
PerfBeatsLeCycles FmaProductFollowsOperands
FmaSumFollowsProduct FmaNaNCanonical OsBeatInsideBlock OsLastBeatSpacing OsOutValidMatchesBlock
OsBusyPesInRange Os.PerfOutHasBeatInFlight Os.PerfInflightBounded Os.PerfProductsNeedABeat
Os.PerfBusyLeCycles Os.PerfMacsLeBusyTimesPes
PeOsNoResultLost PostPoolModeNotReserved PostShiftInRange
PostBeatInsideWindow PostNoFirstInsideWindow PostAvgCountNonZero PostWindowAtMost255
PostLatencyContract RqClampKeepsSign RqReluAboveZp"
[ $# -gt 0 ] || set -- $all
files=$(rtl_all "$rtl")
# shellcheck disable=SC2086
iverilog -g2012 -I"$rtl" -s tb_assert -o "$work/tb_assert.vvp" $files "$src/dv/tb_assert.sv"
fired=0; missed=0
# Without a violation nothing fires (else every case below would pass trivially).
if vvp -n "$work/tb_assert.vvp" +case=None 2>&1 | grep -q "PECOS_ASSERT\|ERROR"; then
  echo "FAIL: an assertion fired without a violation"
  missed=$((missed + 1))
fi
for n in "$@"; do
  log=$(vvp -n "$work/tb_assert.vvp" +case="$n" 2>&1)
  if printf "%s\n" "$log" | grep -q "PECOS_ASSERT ${n##*.} failed" && printf "%s\n" "$log" | grep -q "case $n done"; then
    fired=$((fired + 1))
  else
    echo "FAIL: assertion $n did not fire"
    missed=$((missed + 1))
  fi
done
# Parameter checks at elaboration
init() {  # NAME TOP PARAMS...
  name=$1; topm=$2; shift 2
  # shellcheck disable=SC2086
  iverilog -g2012 -I"$rtl" -s "$topm" "$@" -o "$work/init.vvp" $files 2>/dev/null &&
    vvp -n "$work/init.vvp" 2>&1 | grep -q "PECOS_ASSERT $name failed"
}
# (small instances only: the size checks of 257+ rows or lanes would take Icarus minutes)
for c in "WsDTypeInRange pecos_array_ws -Ppecos_array_ws.Rows=1 -Ppecos_array_ws.Cols=1 -Ppecos_array_ws.DType=3" \
         "OsDTypeInRange pecos_array_os -Ppecos_array_os.Rows=1 -Ppecos_array_os.Cols=1 -Ppecos_array_os.DW=7" \
         "PoolLanesInRange pecos_pool -Ppecos_pool.Lanes=0" \
         "FmaParamsInRange pecos_fma -Ppecos_fma.Ftz=2"; do
  # shellcheck disable=SC2086
  if init $c; then fired=$((fired + 1)); else echo "FAIL: parameter check '$c' did not fire"; missed=$((missed + 1)); fi
done
# ... and the same checks stop Verilator and Yosys at elaboration (one per tool and unit)
vl() {  # NAME TOP PARAMS...
  name=$1; topm=$2; shift 2
  # shellcheck disable=SC2086
  verilator --lint-only -Wall -I"$rtl" --top-module "$topm" "$@" $files 2>&1 |
    grep -q "PECOS_ASSERT $name failed"
}
ys() {  # NAME TOP PARAM VALUE
  # shellcheck disable=SC2086
  yosys -p "read_verilog -defer -sv -I$rtl $files; chparam -set $3 $4 $2; hierarchy -top $2" 2>&1 |
    grep -q "ERROR: PECOS_ASSERT $1 failed"
}
for c in "vl WsSizeInRange pecos_array_ws -GRows=0" "vl OsDTypeInRange pecos_array_os -GRows=1 -GCols=1 -GDType=3" \
         "vl PostLanesInRange pecos_postproc -GLanes=0" "vl FmaParamsInRange pecos_fma -GFmt=2" \
         "ys WsSizeInRange pecos_array_ws Cols 0" "ys PoolLanesInRange pecos_pool Lanes 0" \
         "ys FmaParamsInRange pecos_fma Ftz 3"; do
  # shellcheck disable=SC2086
  if $c; then fired=$((fired + 1)); else echo "FAIL: parameter check '$c' did not fire"; missed=$((missed + 1)); fi
done
echo "assert_check: $fired assertions fired, $missed did not"
[ "$missed" -eq 0 ] && [ "$fired" -gt 0 ]
