#!/bin/sh
# iverilog_postproc.sh SRC BUILD: compiles the PPU with Icarus (-g2012) and runs tb_postproc.
set -e
src=$1; out=$2/tb_postproc.vvp
iverilog -g2012 -Wall -I"$src"/rtl -o "$out" -s tb_postproc "$src"/rtl/pecos_delay.sv "$src"/rtl/pecos_requant.sv \
  "$src"/rtl/pecos_pool.sv "$src"/rtl/pecos_postproc.sv "$src"/dv/tb_postproc.sv
log=$(vvp -n "$out")
printf "%s\n" "$log"
printf "%s\n" "$log" | grep -q "^TB PASS" && ! printf "%s\n" "$log" | grep -q "TB FAIL\|ERROR"
