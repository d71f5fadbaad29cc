#!/bin/sh
# iverilog_postproc.sh SRC BUILD: compiles the PPU with Icarus (-g2012) and runs tb_postproc.
set -e
src=$1; out=$2/tb_postproc.vvp
. "$src/dv/rtl_files.sh"
# shellcheck disable=SC2046
iverilog -g2012 -Wall -I"$src"/rtl -o "$out" -s tb_postproc $(rtl_files "$src/rtl" postproc) \
  "$src"/dv/tb_postproc.sv
log=$(vvp -n "$out")
printf "%s\n" "$log"
printf "%s\n" "$log" | grep -q "^TB PASS" && ! printf "%s\n" "$log" | grep -q "TB FAIL\|ERROR"
