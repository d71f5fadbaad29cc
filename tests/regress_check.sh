#!/bin/sh
# regress_check.sh MODE PECOS SRC OUT: the `pecos regress` tests that need no Slurm.
#   local      the small spec (8 jobs, one injected fault) with -j 2: exit 1; the three
#              reports agree (JUnit validated against tests/data/regress/junit.xsd); the
#              failing job's re-run command, run by a shell, fails the same way; --resume
#              runs nothing and reproduces the report. Leaves OUT/small for the browser test.
#   interrupt  SIGINT during a run: exit 130, the jobs cut short have no result, --resume
#              runs exactly those and the regression completes.
#   crash      a job killed by a signal (SIGKILL) and a job over its timeout are errors naming them.
#   ids        job ids do not depend on the order or the other values of the axes.
#   accept     the 40-job acceptance spec with -j 2: exit 0, 40 passing jobs with numbers.
mode=$1; pecos=$2; src=$3; out=$4
D=$src/tests/data/regress
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$out" || exit 1

check_reports() { # DIR JOBS PASS FAIL ERROR
  j=$1/report.json
  jq -e --argjson n "$2" --argjson p "$3" --argjson f "$4" --argjson e "$5" \
    '.jobs_total == $n and (.jobs|length) == $n and .summary == {"pass": $p, "fail": $f, "error": $e}
     and .pass == ($f + $e == 0)
     and ([.jobs[] | select(.status == "pass" and (.cycles > 0) and (.utilization == null or .utilization > 0)
                            and (.energy_pj == null or .energy_pj > 0))] | length) == $p
     and ([.jobs[].id] | unique | length) == $n' "$j" >/dev/null \
    || fail "$j: totals or per-job numbers wrong: $(jq -c .summary "$j")"
  xmllint --noout --schema "$D/junit.xsd" "$1/report.xml" 2>"$1/xmllint.err" \
    || fail "report.xml does not validate: $(cat "$1/xmllint.err")"
  [ "$(grep -c '<testcase ' "$1/report.xml")" -eq "$2" ] || fail "report.xml: not $2 testcases"
  [ "$(grep -c '<failure ' "$1/report.xml")" -eq "$4" ] || fail "report.xml: not $4 failures"
  [ "$(grep -c '<error ' "$1/report.xml")" -eq "$5" ] || fail "report.xml: not $5 errors"
  [ "$(grep -o 'class="job [a-z]*"' "$1/report.html" | wc -l)" -eq "$2" ] || fail "report.html: not $2 job cells"
  [ "$(grep -o 'class="job fail"' "$1/report.html" | wc -l)" -eq "$4" ] || fail "report.html: not $4 fail cells"
  grep -Eq '<script|src=|href="http|@import|url\(' "$1/report.html" && fail "report.html is not self-contained"
  return 0
}

case $mode in
local)
  R=$out/small
  rm -rf "$R"
  timeout 600 "$pecos" regress "$D/small.json" -j 2 --dir "$R" >"$out/small.out" 2>"$out/small.err"
  rc=$?
  cat "$out/small.out"
  [ $rc -eq 1 ] || { cat "$out/small.err"; fail "exit $rc, expected 1 (one job has an injected fault)"; }
  check_reports "$R" 8 7 1 0
  id=lenet5_tail.4x4.int8.os.bw8.s2
  jq -e --arg id $id '[.jobs[] | select(.status == "fail")] | length == 1 and .[0].id == $id
     and (.[0].reason | test("^FAIL (conv2|fc1): [0-9]+ of [0-9]+ outputs differ; first at"))
     and (.[0].rerun | test(" --inject-fault 200 "))
     and (.[0].wave_rerun | test("--wave pecos_fail.fst --wave-from [0-9]+ --wave-to [0-9]+$"))' \
    "$R/report.json" >/dev/null || fail "the injected failure is not reported as specified"
  grep -q "name=\"$id\"" "$R/report.xml" || fail "report.xml lacks $id"
  grep -q "<failure message=\"FAIL " "$R/report.xml" || fail "report.xml: failure without its mismatch"
  grep -q "id=\"fail-$id\"" "$R/report.html" || fail "report.html: no failure section for $id"
  grep -q -- "--inject-fault 200 --json report.json</pre>" "$R/report.html" || fail "report.html: no re-run command"
  # the re-run command, as printed, by a shell: the same failure
  rerun=$(jq -r --arg id $id '.jobs[] | select(.id == $id) | .rerun' "$R/report.json")
  mkdir -p "$out/rerun" && (cd "$out/rerun" && sh -c "$rerun" >/dev/null 2>err.txt)
  rc=$?
  [ $rc -eq 1 ] || fail "the re-run command exited $rc, expected 1"
  first=$(jq -r --arg id $id '.jobs[] | select(.id == $id) | .reason' "$R/report.json")
  [ "$(grep '^FAIL ' "$out/rerun/err.txt" | head -1)" = "$first" ] || fail "the re-run did not reproduce '$first'"
  # --resume: every job has its result, nothing runs, the same report
  cp "$R/report.json" "$out/small_first.json"
  timeout 120 "$pecos" regress "$D/small.json" --dir "$R" --resume >/dev/null 2>"$out/resume.err"
  rc=$?
  [ $rc -eq 1 ] || fail "--resume: exit $rc, expected 1"
  grep -q "8 of 8 jobs already have a result; running 0" "$out/resume.err" || fail "--resume ran jobs: $(cat "$out/resume.err")"
  jq -S 'del(.run)' "$out/small_first.json" >"$out/a.json"
  jq -S 'del(.run)' "$R/report.json" >"$out/b.json"
  cmp -s "$out/a.json" "$out/b.json" || fail "--resume changed the report"
  echo "PASS: 8 jobs, 7 pass, the injected fault reported in JSON/JUnit/HTML, re-run reproduces it, --resume runs nothing"
  ;;
interrupt)
  R=$out/intr
  rm -rf "$R"
  cat >"$out/intr.json" <<EOF
{"name": "intr", "variants": ["4x4"], "dataflows": ["ws", "os"],
 "layers": [{"name": "c", "layers": ["conv,h=64,w=64,c=16,k=32,r=3,s=3,pad=1", "fc,c=400,k=120"]}],
 "seeds": [1, 2, 3]}
EOF
  "$pecos" regress "$out/intr.json" -j 1 --dir "$R" >/dev/null 2>"$out/intr.err" &
  pid=$!
  i=0
  while [ $i -lt 600 ] && [ "$(ls "$R"/jobs/*/result.json 2>/dev/null | wc -l)" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
  [ $i -lt 600 ] || { kill "$pid"; fail "no 2 results within 60 s"; }
  kill -INT "$pid"
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; fail "SIGINT did not stop the regression within 30 s"; }
  wait "$pid"
  rc=$?
  [ $rc -eq 130 ] || fail "interrupted: exit $rc, expected 130: $(cat "$out/intr.err")"
  have=$(ls "$R"/jobs/*/result.json | wc -l)
  [ "$have" -ge 2 ] && [ "$have" -lt 6 ] || fail "$have results after the interrupt (expected 2..5)"
  grep -q "interrupted: $have of 6 jobs have a result" "$out/intr.err" || fail "no interrupt line: $(cat "$out/intr.err")"
  [ -e "$R/report.json" ] && fail "a report was written for an interrupted run"
  sleep 0.5
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$R"/jobs/*) fail "a job survived the interrupt (pid ${p#/proc/})" ;; esac
  done
  timeout 300 "$pecos" regress "$out/intr.json" -j 2 --dir "$R" --resume >/dev/null 2>"$out/intr2.err"
  rc=$?
  [ $rc -eq 0 ] || fail "--resume: exit $rc: $(cat "$out/intr2.err")"
  grep -q "$have of 6 jobs already have a result; running $((6 - have))" "$out/intr2.err" || fail "--resume: $(cat "$out/intr2.err")"
  check_reports "$R" 6 6 0 0
  echo "PASS: interrupted after $have of 6 jobs (exit 130), --resume ran the other $((6 - have))"
  ;;
crash)
  R=$out/crash
  rm -rf "$R"
  cat >"$out/crash.json" <<EOF
{"name": "crash", "variants": ["4x4"], "dataflows": ["ws"],
 "layers": [{"name": "long", "layers": ["conv,h=128,w=128,c=64,k=64,r=3,s=3,pad=1", "conv,h=128,w=128,c=64,k=64,r=3,s=3,pad=1"]},
            "fc,c=20,k=7,name=quick"],
 "seeds": [1]}
EOF
  "$pecos" regress "$out/crash.json" -j 2 --dir "$R" >/dev/null 2>"$out/crash.err" &
  pid=$!
  # the long job's pecos run: a child of the regression whose directory is jobs/long.*
  i=0; victim=""
  while [ $i -lt 300 ] && [ -z "$victim" ]; do
    for c in $(pgrep -P "$pid"); do
      case "$(readlink "/proc/$c/cwd")" in */jobs/long.*) victim=$c ;; esac
    done
    sleep 0.1; i=$((i + 1))
  done
  [ -n "$victim" ] || { kill "$pid"; fail "the long job did not start"; }
  kill -KILL "$victim"   # SIGKILL: a sanitizer build would catch SIGSEGV and exit 1
  timeout 120 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"
  wait "$pid"
  rc=$?
  [ $rc -eq 1 ] || fail "exit $rc, expected 1 (a job was killed)"
  check_reports "$R" 2 1 0 1
  jq -e '.jobs[] | select(.workload == "long") | .status == "error" and .signal == "SIGKILL" and .reason == "killed by SIGKILL" and .exit == null' \
    "$R/report.json" >/dev/null || fail "the killed job is not reported as killed by SIGKILL"
  # a job over its time limit
  sed 's/"seeds": \[1\]}/"seeds": [1], "timeout_s": 1}/' "$out/crash.json" >"$out/timeout.json"
  timeout 120 "$pecos" regress "$out/timeout.json" -j 2 --dir "$out/timeout" >/dev/null 2>&1
  rc=$?
  [ $rc -eq 1 ] || fail "timeout: exit $rc, expected 1"
  jq -e '.jobs[] | select(.workload == "long") | .status == "error" and (.reason | test("^timed out after [0-9]+ s"))' \
    "$out/timeout/report.json" >/dev/null || fail "the job over its timeout is not reported as such"
  echo "PASS: a job killed by SIGSEGV and a job over its timeout are errors that say so"
  ;;
ids)
  cat >"$out/ids_a.json" <<EOF
{"variants": ["4x4", "8x8"], "dataflows": ["ws", "os"], "layers": ["fc,c=20,k=7,name=a"], "seeds": [1, 2]}
EOF
  cat >"$out/ids_b.json" <<EOF
{"seeds": [3, 2], "layers": ["conv,h=6,w=6,c=3,k=5,r=3,s=3,name=b", "fc,c=20,k=7,name=a"],
 "dataflows": ["is", "os", "ws"], "variants": ["16x16", "4x4"]}
EOF
  "$pecos" regress "$out/ids_a.json" --list >"$out/ids_a.txt" 2>/dev/null || fail "--list a"
  "$pecos" regress "$out/ids_b.json" --list >"$out/ids_b.txt" 2>/dev/null || fail "--list b"
  [ "$(wc -l <"$out/ids_a.txt")" -eq 8 ] && [ "$(wc -l <"$out/ids_b.txt")" -eq 24 ] || fail "expansion sizes"
  # the jobs both specs have (a, 4x4, ws/os, seed 2): same id and the same command
  sort "$out/ids_a.txt" >"$out/ids_a.s"
  sort "$out/ids_b.txt" >"$out/ids_b.s"
  common=$(comm -12 "$out/ids_a.s" "$out/ids_b.s" | wc -l)
  [ "$common" -eq 2 ] || fail "$common common jobs, expected 2 (a.4x4.int8.{ws,os}.default.s2)"
  grep -q '^a\.4x4\.int8\.ws\.default\.s2	' "$out/ids_b.txt" || fail "id format"
  echo "PASS: ids and commands independent of axis order and other values"
  ;;
accept)
  R=$out/accept
  rm -rf "$R"
  "$pecos" regress "$D/lenet5_accept.json" --list >"$out/accept.txt" 2>/dev/null || fail "--list"
  [ "$(wc -l <"$out/accept.txt")" -eq 40 ] || fail "the acceptance spec expands to $(wc -l <"$out/accept.txt") jobs, not 40"
  t0=$(date +%s)
  timeout 1200 "$pecos" regress "$D/lenet5_accept.json" -j 2 --dir "$R" >/dev/null 2>"$out/accept.err"
  rc=$?
  [ $rc -eq 0 ] || { tail -5 "$out/accept.err"; fail "exit $rc"; }
  check_reports "$R" 40 40 0 0
  echo "PASS: 40 jobs pass locally with -j 2 in $(( $(date +%s) - t0 )) s"
  ;;
networks)
  R=$out/networks
  rm -rf "$R"
  timeout 600 "$pecos" regress "$D/networks.json" -j 2 --dir "$R" >/dev/null 2>"$out/networks.err"
  rc=$?
  [ $rc -eq 0 ] || { cat "$out/networks.err"; fail "exit $rc"; }
  check_reports "$R" 4 4 0 0
  grep -q "running its 2 rows as independent layers" "$R/jobs/scalesim_style.4x4.int8.ws.default.s3/stderr.txt" \
    || fail "the SCALE-Sim job did not say it runs independent layers"
  jq -e '.network == "lenet5" and (.layers|length) == 7' "$R/jobs/lenet5.4x4.int8.os.default.s3/report.json" >/dev/null \
    || fail "the LeNet-5 job did not run the whole network"
  echo "PASS: networks axis: LeNet-5 end to end and a SCALE-Sim topology, ws and os"
  ;;
onnx)
  # the onnx axis: the quantized CNN of scripts/mk_qcnn.py (fixture onnx_qcnn), argument 5
  R=$out/onnx
  rm -rf "$R"
  printf '{"name": "onnx", "variants": ["4x4"], "dataflows": ["ws", "os"], "onnx": ["%s"], "seeds": [1]}\n' "$5" >"$out/onnx.json"
  timeout 600 "$pecos" regress "$out/onnx.json" -j 2 --dir "$R" >/dev/null 2>"$out/onnx.err"
  rc=$?
  [ $rc -eq 0 ] || { cat "$out/onnx.err"; fail "exit $rc"; }
  check_reports "$R" 2 2 0 0
  for id in qcnn.4x4.int8.ws.default.s1 qcnn.4x4.int8.os.default.s1; do
    g=$(jq -e .total.golden_only_nodes "$R/jobs/$id/report.json") || fail "$id: its report has no total.golden_only_nodes"
    jq -e --arg id $id --argjson g "$g" '.jobs[] | select(.id == $id) | .golden_only_nodes == $g' "$R/report.json" >/dev/null \
      || fail "$id: golden-only nodes not reported ($g in its own report)"
    [ "$g" -eq 0 ] || grep -q "$id (ONNX: $g node(s) golden-only)" "$R/report.html" || fail "$id: report.html hides its golden-only nodes"
  done
  echo "PASS: onnx axis: the quantized CNN under ws and os; golden-only nodes reported"
  ;;
*) fail "unknown mode $mode" ;;
esac
