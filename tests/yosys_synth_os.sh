#!/bin/sh
# yosys_synth_os.sh SRC ROWS COLS: reads rtl/ with `read_verilog -sv` and synthesizes the OS
# array to generic cells; fails on any error or on an empty netlist.
set -e
src=$1; rows=$2; cols=$3
. "$src/dv/rtl_files.sh"
files=$(rtl_all "$src/rtl")
log=$(yosys -p "read_verilog -defer -sv -I$src/rtl $files; chparam -set Rows $rows -set Cols $cols pecos_array_os; synth -top pecos_array_os -flatten; stat" 2>&1) || { printf "%s\n" "$log" | tail -20; exit 1; }
cells=$(printf "%s\n" "$log" | grep -E "^ +Number of cells:" | tail -1 | awk '{print $4}')
echo "pecos_array_os ${rows}x${cols}: $cells cells"
[ -n "$cells" ] && [ "$cells" -gt 100 ]
