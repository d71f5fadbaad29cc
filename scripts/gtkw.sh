#!/bin/sh
# gtkw.sh ROWS COLS [ws|os]: prints a GTKWave save file for the WS (held-operand: ws and is
# dataflows) or OS array of that size (vector ranges depend on it). One cycle is 1 ns
# (sim/fst_time.h): cycle N's rising edge is at N.5 ns.
# The committed waves/array_{ws,os}_RxC.gtkw files are this script's output.
rows=$1; cols=$2; df=${3:-ws}
[ -n "$rows" ] && [ -n "$cols" ] || { echo "usage: gtkw.sh ROWS COLS [ws|os]" >&2; exit 2; }
d=$((rows * 8 - 1)); wd=$((cols * 8 - 1)); p=$((cols * 32 - 1))
if [ "$df" = os ]; then
cat <<GTKW
[*] pecos_array_os ${rows}x${cols}: beats in (inputs per row, weights per column), output rows out, counters.
[*] One cycle is 1 ns: the rising edge of cycle N is at N.5 ns.
[timestart] 0
@28
pecos.clk_i
pecos.rst_ni
@200
-beats
@28
pecos.in_valid_i
pecos.in_first_i
pecos.in_last_i
@22
pecos.in_data_i[${d}:0]
pecos.w_data_i[${wd}:0]
pecos.in_psum_i[${p}:0]
@200
-results (row Rows-1 of a block first)
@28
pecos.out_valid_o
@22
pecos.out_psum_o[${p}:0]
@200
-counters
@24
pecos.cnt_beats_o[63:0]
pecos.cnt_busy_o[63:0]
pecos.cnt_macs_o[63:0]
GTKW
exit 0
fi
cat <<GTKW
[*] pecos_array_ws ${rows}x${cols}: host lanes in, sums out, counters.
[*] One cycle is 1 ns: the rising edge of cycle N is at N.5 ns.
[timestart] 0
@28
pecos.clk_i
pecos.rst_ni
@200
-weight lane
@28
pecos.w_valid_i
pecos.w_bank_i
@24
pecos.w_col_i[15:0]
@22
pecos.w_data_i[${d}:0]
@200
-data lane
@28
pecos.in_valid_i
pecos.in_bank_i
@22
pecos.in_data_i[${d}:0]
pecos.in_psum_i[${p}:0]
@200
-results
@28
pecos.out_valid_o
@22
pecos.out_psum_o[${p}:0]
@200
-counters
@24
pecos.cnt_beats_o[63:0]
pecos.cnt_wbeats_o[63:0]
pecos.cnt_busy_o[63:0]
pecos.cnt_macs_o[63:0]
GTKW
