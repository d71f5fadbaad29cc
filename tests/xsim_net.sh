#!/bin/sh
# xsim_net.sh PECOS SRC WORK ROWS COLS DATAFLOW NETWORK WHAT: runs `pecos run --network` on the
# verilated models with --replay-dump (and the options in $EXTRA, e.g. --fuse-ppu), then
# replays a dump in Icarus (dv/replay.sh):
#   WHAT post     the post-processing unit's dump (DIR/post.replay): the same outputs in the
#                 same cycles in a second, 4-state simulator
#   WHAT array    the array's dump (DIR/<dataflow>.replay)
#   WHAT post-tamper, array-tamper
#                 the replay's self-test: one output of the dump is changed (its last hex
#                 digit), and the replay must fail naming that step and lane: a replay that
#                 cannot fail proves nothing
set -e
pecos=$1; src=$2; work=$3; rows=$4; cols=$5; df=$6; net=$7; what=$8
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
"$pecos" run --rows "$rows" --cols "$cols" --dataflow "$df" --seed 5 --network "$net" \
  --replay-dump "$work" $EXTRA | tail -1
case $what in
  post*) dump=$work/post.replay ;;
  *) dump=$work/$df.replay ;;
esac
[ -s "$dump" ] || fail "no dump $dump"
case $what in
  post|array)
    sh "$src/dv/replay.sh" "$dump" "$work/tb"
    ;;
  *-tamper)
    # the first step with an output: the field before the last is its valid, the last its data
    awk '!done && $1 == "S" && $(NF-1) == "1" {
           d = substr($NF, length($NF), 1);   # its lowest bit flipped: 0<->1, 2<->3, ...
           $NF = substr($NF, 1, length($NF) - 1) substr("1032547698badcfe", index("0123456789abcdef", d), 1);
           step = n; done = 1 }
         $1 == "S" { n++ }
         { print }
         END { if (!done) exit 3; print step > "/dev/stderr" }' "$dump" >"$work/tampered.replay" \
      2>"$work/step" || fail "no output in $dump to change"
    step=$(cat "$work/step")
    if sh "$src/dv/replay.sh" "$work/tampered.replay" "$work/tb" >"$work/tb.log" 2>&1; then
      cat "$work/tb.log"
      fail "the replay passed a dump whose step $step was changed"
    fi
    grep -q "^TB FAIL: step $step lane 0: got .*, the verilated model had" "$work/tb.log" ||
      { cat "$work/tb.log"; fail "the replay failed, but not at step $step lane 0"; }
    echo "PASS: the replay caught the changed output at step $step: $(grep -m1 "^TB FAIL: step" "$work/tb.log")"
    ;;
  *) fail "WHAT '$what': post, array, post-tamper or array-tamper" ;;
esac
