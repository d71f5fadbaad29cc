#!/bin/sh
# replay.sh DUMP WORK_DIR: replays a `pecos run --replay-dump` dump (host/dev/replay.h) against the
# same RTL in Icarus: compiles dv/tb_replay_ws.sv or dv/tb_replay_os.sv with the dump's
# dataflow, dtype and size (or, for a post-processing dump, dv/tb_replay_post.sv with its
# lane count) into WORK_DIR and compares every cycle's outputs and valid, and reports any X
# or Z on an output. Exit 0 on "TB PASS", 1 otherwise, 2 on a bad dump.
set -e
dump=$1; work=$2
top=$(cd "$(dirname "$0")/.." && pwd)
rtl=$top/rtl
. "$top/dv/rtl_files.sh"
[ -r "$dump" ] || { echo "replay.sh: $dump: cannot read" >&2; exit 2; }
set -- $(head -1 "$dump")
[ "$1 $2 $3" = "# pecos replay" ] || { echo "replay.sh: $dump: not a pecos replay dump" >&2; exit 2; }
mkdir -p "$work"
if [ "$4" = post ]; then
  lanes=$5
  case $lanes in ''|*[!0-9]*) echo "replay.sh: $dump: lanes '$lanes'" >&2; exit 2 ;; esac
  vvp_file=$work/tb_replay_post_L$lanes.vvp
  # shellcheck disable=SC2046
  iverilog -g2012 -Wall -I"$rtl" -I"$top/dv" -P tb_replay_post.Lanes="$lanes" -s tb_replay_post \
    -o "$vvp_file" $(rtl_files "$rtl" postproc) "$top/dv/tb_replay_post.sv"
  log=$(vvp -n "$vvp_file" +dump="$dump")
  printf "%s\n" "$log" | tail -12
  printf "%s\n" "$log" | grep -q "^TB PASS" && ! printf "%s\n" "$log" | grep -q "TB FAIL\|ERROR\|PECOS_ASSERT"
  exit
fi
df=$4; dt=$5; rows=$6; cols=$7
case $dt in int8) id=0 ;; bf16) id=1 ;; fp16) id=2 ;; *) echo "replay.sh: $dump: dtype '$dt'" >&2; exit 2 ;; esac
case $df in
  ws|os) ;;
  *) echo "replay.sh: $dump: dataflow '$df'" >&2; exit 2 ;;
esac
tb=tb_replay_$df
vvp_file=$work/${tb}_${dt}_${rows}x${cols}.vvp
# shellcheck disable=SC2046
iverilog -g2012 -Wall -I"$rtl" -I"$top/dv" -P $tb.Rows=$rows -P $tb.Cols=$cols -P $tb.DType=$id -s $tb \
  -o "$vvp_file" $(rtl_files "$rtl" "array_$df") "$top/dv/$tb.sv"
log=$(vvp -n "$vvp_file" +dump="$dump")
printf "%s\n" "$log" | tail -12
# PASS only with the PASS line and no failure or assertion message anywhere.
printf "%s\n" "$log" | grep -q "^TB PASS" && ! printf "%s\n" "$log" | grep -q "TB FAIL\|ERROR\|PECOS_ASSERT"
