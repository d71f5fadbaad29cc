#!/bin/sh
# yosys_postproc.sh SRC LANES: synthesizes pecos_postproc with Lanes=LANES to generic cells
# with Yosys (`read_verilog -sv`) and prints the cell, flip-flop and multiplier counts; fails
# on any error, on a warning, or on an implausible netlist.
set -e
src=$1; lanes=$2
. "$src/dv/rtl_files.sh"
files=$(rtl_files "$src/rtl" postproc)
log=$(yosys -p "read_verilog -defer -sv -I$src/rtl $files; chparam -set Lanes $lanes pecos_postproc; synth -top pecos_postproc -flatten -run :fine; tee -o /dev/stdout stat; synth -top pecos_postproc -flatten -run fine:; stat" 2>&1) || { printf "%s\n" "$log" | tail -20; exit 1; }
if printf "%s\n" "$log" | grep -q "^Warning:"; then printf "%s\n" "$log" | grep -A3 "^Warning:"; exit 1; fi
# Multipliers before techmap ($mul/$macc cells), then the final netlist (last stat block).
muls=$(printf "%s\n" "$log" | awk '/^ +\$(mul|macc)/ {n = $2} END {print n + 0}')
stat=$(printf "%s\n" "$log" | awk '/^=== pecos_postproc ===/ {s = ""} {s = s $0 "\n"} END {printf "%s", s}')
cells=$(printf "%s\n" "$stat" | awk '/^ +Number of cells:/ {print $4}')
flops=$(printf "%s\n" "$stat" | awk '/^ +\$_DFF/ {n += $2} END {print n + 0}')
echo "pecos_postproc Lanes=$lanes: $cells cells, $flops flip-flops, $muls multipliers (before techmap)"
if [ -z "$cells" ] || [ "$cells" -lt 1000 ]; then echo "FAIL: implausible netlist"; exit 1; fi
if [ "$muls" -ne "$lanes" ]; then echo "FAIL: expected $lanes multipliers"; exit 1; fi
