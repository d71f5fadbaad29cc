#!/bin/sh
# iverilog_tb_os.sh SRC BUILD: compiles rtl/ with Icarus (-g2012) and runs tb_array_os.
set -e
src=$1; out=$2/tb_array_os.vvp
. "$src/dv/rtl_files.sh"
# shellcheck disable=SC2046
iverilog -g2012 -Wall -I"$src"/rtl -o "$out" -s tb_array_os $(rtl_all "$src/rtl") "$src"/dv/tb_array_os.sv
log=$(vvp -n "$out")
printf "%s\n" "$log"
printf "%s\n" "$log" | grep -q "^TB PASS" && ! printf "%s\n" "$log" | grep -q "TB FAIL\|ERROR"
