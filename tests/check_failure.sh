#!/bin/sh
# check_failure.sh PECOS DIR: a corrupted output (the checker's self-test) must fail with
# exit 1 and name the layer, the index, expected and got, the seed and the cycle; the
# printed re-run command, executed as printed by a shell, must reproduce the same report and
# write an FST window that holds the array's ports.
pecos=$1; dir=$2/failure_report
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 1
command -v fst2vcd >/dev/null 2>&1 || { echo "FAIL: fst2vcd (gtkwave) is missing: run scripts/setup.sh"; exit 1; }
# The JSON path has a space so that the re-run line must quote it.
"$pecos" run --rows 4 --cols 4 --seed 5 --layer conv,h=6,w=6,c=3,k=5,r=3,s=3,name=victim \
  --inject-fault 60 --json "report one.json" >out.txt 2>err.txt
rc=$?
cat err.txt
[ $rc -eq 1 ] || { echo "FAIL: exit $rc, expected 1"; exit 1; }
grep -Eq '^FAIL victim: 1 of 80 outputs differ; first at \(k=[0-9]+, p=[0-9]+, q=[0-9]+\): expected -?[0-9]+, got -?[0-9]+; seed 5; cycle [0-9]+$' err.txt \
  || { echo "FAIL: mismatch line not as specified"; exit 1; }
grep -q 'FAIL' out.txt || { echo "FAIL: summary table does not say FAIL"; exit 1; }
[ -s "report one.json" ] || { echo "FAIL: no JSON report"; exit 1; }
rerun=$(sed -n 's/^  re-run with a waveform: //p' err.txt | head -1)
[ -n "$rerun" ] || { echo "FAIL: no re-run command"; exit 1; }
rm -f "report one.json"
sh -c "$rerun" >rerun_out.txt 2>rerun_err.txt
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: re-run exit $rc, expected 1"; cat rerun_err.txt; exit 1; }
cmp -s err.txt rerun_err.txt || { echo "FAIL: the re-run did not reproduce the same report"; exit 1; }
[ -s "report one.json" ] || { echo "FAIL: the re-run lost the quoted --json argument"; exit 1; }
[ -s pecos_fail.fst ] || { echo "FAIL: no waveform written"; exit 1; }
fst2vcd pecos_fail.fst 2>/dev/null | grep -q 'out_valid_o' || { echo "FAIL: waveform lacks out_valid_o"; exit 1; }
echo "PASS: failure reported, reproduced, waveform $(wc -c <pecos_fail.fst) bytes"
