#!/bin/sh
# check_wave_on_fail.sh PECOS DIR ws|os|NETWORK.csv: pecos run --wave-on-fail on a 4x4 int8
# array, a --layer run under ws or os, or a --network run (ws).
#  - a corrupted output (--inject-fault) fails with exit 1 and prints one line
#    "  waveform of the first mismatch: gtkwave F.fst F.gtkw"; both files exist;
#  - every signal the save file names exists in the FST (fst2vcd's $scope/$var lines; a lane
#    of a bus, "(i)bus[h:0]", needs the bus and i within its width);
#  - the save file's primary marker is the rising edge of the cycle the FAIL line names
#    (N.5 ns = 1000N+500 ps, sim/fst_time.h), its failing lane is the one the save file's
#    comment names;
#  - under Xvfb (xvfb-run and gtkwave installed), GTKWave itself loads the pair: every trace
#    resolves (Tcl getDisplayedSignals), the marker is there and inside the view, and a
#    screenshot goes to DIR/wave_on_fail_DF.png (look at it);
#  - a passing run with --wave-on-fail writes nothing.
pecos=$1; df=$3; name=victim
case $3 in
ws|os) run="--dataflow $3 --seed 5 --layer conv,h=6,w=6,c=3,k=5,r=3,s=3,name=victim --inject-fault 60" ;;
*) df=net; name=stem; run="--network $3 --inject-fault 300" ;;
esac
dir=$(mkdir -p "$2" && cd "$2" && pwd)/wave_on_fail_$df
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 1
command -v fst2vcd >/dev/null 2>&1 || { echo "FAIL: fst2vcd (gtkwave) is missing: run scripts/setup.sh"; exit 1; }
"$pecos" run --rows 4 --cols 4 $run --wave-on-fail "fail wave.fst" >out.txt 2>err.txt
rc=$?
cat err.txt
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
cycle=$(sed -n "s/^FAIL $name: .*; cycle \([0-9][0-9]*\)\$/\1/p" err.txt)
[ -n "$cycle" ] || { echo "FAIL: no FAIL line with a cycle"; exit 1; }
[ "$(grep -c '^  waveform of the first mismatch: gtkwave ' err.txt)" -eq 1 ] \
  || { echo "FAIL: not one 'waveform of the first mismatch: gtkwave' line"; exit 1; }
grep -qx "  waveform of the first mismatch: gtkwave 'fail wave.fst' 'fail wave.gtkw'" err.txt \
  || { echo "FAIL: the gtkwave command does not name 'fail wave.fst' 'fail wave.gtkw', quoted"; exit 1; }
[ -s "fail wave.fst" ] || { echo "FAIL: no FST written"; exit 1; }
[ -s "fail wave.gtkw" ] || { echo "FAIL: no save file written"; exit 1; }
cp "fail wave.gtkw" view.gtkw

# Every signal of the save file in the dump.
fst2vcd "fail wave.fst" 2>/dev/null >dump.vcd || { echo "FAIL: fst2vcd cannot read the FST"; exit 1; }
awk '/^\$scope/ { s[++d] = $3 } /^\$upscope/ { d-- }
     /^\$var/ { p = s[1]; for (i = 2; i <= d; i++) p = p "." s[i]
                n = p "." $5; if ($6 ~ /^\[/) n = n $6; print n, $3 }' dump.vcd | sort -u >names.txt
[ -s names.txt ] || { echo "FAIL: no signals in the FST"; exit 1; }
awk 'NR == FNR { w[$1] = $2; next }
     /^[@\[*-]/ || /^$/ { next }
     { if ($1 ~ /^#\{/ || $1 ~ /^\+\{/) { sub(/^[#+]\{[^}]*\} */, "") }
       for (i = 1; i <= NF; i++) {
         name = $i; bit = -1
         if (name ~ /^\([0-9]+\)/) { bit = substr(name, 2, index(name, ")") - 2) + 0; name = substr(name, index(name, ")") + 1) }
         if (!(name in w)) { print "missing: " name; bad = 1; continue }
         if (bit >= w[name]) { print "bit " bit " outside " name; bad = 1 }
         refs++
       } }
     END { print refs " signal references checked"; exit bad }' names.txt view.gtkw \
  || { echo "FAIL: the save file names signals that are not in the FST"; exit 1; }

# The marker on the failing cycle's rising edge; the failing lane named.
marker=$(sed -n 's/^\*[-0-9.]* \([0-9][0-9]*\) .*/\1/p' view.gtkw)
[ "$marker" = "$((1000 * cycle + 500))" ] \
  || { echo "FAIL: marker at $marker ps, expected $((1000 * cycle + 500)) (cycle $cycle)"; exit 1; }
# One cycle reads as one unit: the dump's timescale is 100 ps, ten ticks a cycle.
fst2vcd "fail wave.fst" 2>/dev/null | sed -n '/\$timescale/,/\$end/p' | tr -d '\n' | grep -q '100ps' \
  || { echo "FAIL: the FST's timescale is not 100ps"; exit 1; }
grep -q "^-FAIL $name: cycle $cycle, lane [0-9]" view.gtkw || { echo "FAIL: no FAIL comment"; exit 1; }
lane=$(sed -n "s/^-FAIL $name: cycle [0-9]*, lane \([0-9]*\)\$/\1/p" view.gtkw)
grep -q "^#{out_psum_o lane $lane}" view.gtkw || { echo "FAIL: lane $lane not shown"; exit 1; }
grep -q "^+{PE(3,$lane) " view.gtkw || { echo "FAIL: column $lane's PEs not shown"; exit 1; }

# GTKWave itself, under Xvfb: every trace resolved, marker in view, a screenshot.
if command -v xvfb-run >/dev/null 2>&1 && command -v gtkwave >/dev/null 2>&1; then
  cat >look.tcl <<EOF
set f [open "$dir/look.txt" w]
puts \$f "signals [llength [gtkwave::getDisplayedSignals]]"
puts \$f "marker [gtkwave::getMarker]"
puts \$f "view [gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime]"
close \$f
gtkwave::/File/Grab_To_File "$dir/wave_on_fail_$df.png"
gtkwave::/File/Quit
EOF
  timeout 120 xvfb-run -a -s "-screen 0 1920x1080x24" gtkwave -S look.tcl "fail wave.fst" view.gtkw \
    >gtkwave.log 2>&1
  [ -s look.txt ] || { echo "FAIL: GTKWave did not run the script"; cat gtkwave.log; exit 1; }
  cat look.txt
  # Traces GTKWave should show: a plain or aliased signal is one, a lane one per bit.
  want=$(awk '/^[@\[*-]/ || /^$/ { next } { sub(/^[#+]\{[^}]*\} */, ""); n += NF } END { print n }' view.gtkw)
  got=$(sed -n 's/^signals //p' look.txt)
  [ "$got" = "$want" ] || { echo "FAIL: GTKWave resolved $got signals of $want"; exit 1; }
  [ "$(sed -n 's/^marker //p' look.txt)" = "$marker" ] || { echo "FAIL: GTKWave's marker is not at $marker"; exit 1; }
  set -- $(sed -n 's/^view //p' look.txt)
  [ "$1" -le "$marker" ] && [ "$marker" -le "$2" ] || { echo "FAIL: marker $marker outside the view $1..$2"; exit 1; }
  [ -s "wave_on_fail_$df.png" ] || { echo "FAIL: no screenshot"; exit 1; }
  shot="screenshot $dir/wave_on_fail_$df.png"
else
  shot="no screenshot (xvfb-run or gtkwave missing)"
fi

# A passing run writes nothing.
"$pecos" run --rows 4 --cols 4 $(echo "$run" | sed 's/ --inject-fault [0-9]*//') \
  --wave-on-fail pass.fst >pass_out.txt 2>pass_err.txt || { echo "FAIL: the passing run failed"; cat pass_err.txt; exit 1; }
[ ! -e pass.fst ] && [ ! -e pass.gtkw ] || { echo "FAIL: a passing run wrote a waveform"; exit 1; }
grep -q gtkwave pass_err.txt && { echo "FAIL: a passing run printed a gtkwave line"; exit 1; }
echo "PASS: --wave-on-fail ($df): marker at cycle $cycle lane $lane, every signal in the FST; $shot"
