#!/bin/sh
# regress_slurm.sh MODE PECOS SRC OUT SPEC: `pecos regress --slurm` on a real single-node
# Slurm cluster that this script brings up and tears down (by PID, also on failure).
#   compare  SPEC through the Slurm engine and through the local engine: the merged reports
#            are identical job by job (the "run" parts aside: engine, wall times, hosts).
#            An optional 6th argument K runs K jobs per array task (--chunk K).
#   retry    while a task runs, its node daemons (slurmd and the task's slurmstepd) are
#            killed: Slurm declares the node down and the task NODE_FAIL; pecos resubmits it
#            once (the node daemon restarted), reports it as retried, and the results still
#            equal the local engine's.
#   build    --build-dir: the variants the sweep needs built once into a fresh build
#            directory, the tasks run that pecos (slow: a cold verilation).
mode=$1; pecos=$2; src=$3; out=$4; spec=$5; chunk=${6:-1}
. "$src/tests/slurm_cluster.sh"
fail() { echo "FAIL: $*"; exit 1; }
for t in slurmctld slurmd sbatch squeue scontrol sinfo jq xmllint; do
  command -v $t >/dev/null 2>&1 || fail "$t is missing: run scripts/setup.sh (slurm-wlm, jq, libxml2-utils)"
done
[ "$(id -u)" -eq 0 ] || fail "the single-node cluster runs its daemons as root (SlurmUser=root)"
mkdir -p "$out" || exit 1
W=$(mktemp -d "$out/$mode.XXXXXX") || exit 1
REG_PID=""
cleanup() {
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null
  slurm_down
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

t0=$(date +%s)
slurm_up "$W/cluster" 8 || fail "the Slurm cluster did not come up"
echo "cluster up in $(( $(date +%s) - t0 )) s"
name=$(jq -r .name "$spec")
njobs=$("$pecos" regress "$spec" --list 2>/dev/null | wc -l)
[ "$njobs" -gt 0 ] || fail "$spec expands to no job"
expect_rc=$(jq -r 'if .inject_fault then 1 else 0 end' "$spec")

case $mode in
compare)
  t1=$(date +%s)
  timeout 600 "$pecos" regress "$spec" --slurm --poll 0.2 --chunk "$chunk" --dir "$W/slurm" >"$W/slurm.out" 2>"$W/slurm.err"
  rc=$?
  cat "$W/slurm.err" | grep -v '^regress: Slurm job' | head -20
  [ $rc -eq "$expect_rc" ] || fail "--slurm: exit $rc, expected $expect_rc"
  ntasks=$(( (njobs + chunk - 1) / chunk ))
  echo "slurm engine: $njobs jobs in $ntasks tasks in $(( $(date +%s) - t1 )) s"
  grep -q "submitted Slurm job [0-9]*: $ntasks tasks (attempt 1)" "$W/slurm.err" || fail "not one array of $ntasks tasks"
  [ "$(ls "$W"/slurm/slurm/a1_*_*.out | wc -l)" -eq "$ntasks" ] || fail "not $ntasks Slurm task logs"
  ;;
retry)
  timeout 600 "$pecos" regress "$spec" --slurm --poll 0.2 --dir "$W/slurm" >"$W/slurm.out" 2>"$W/slurm.err" &
  REG_PID=$!
  # task 0 running: its job has started writing its output
  i=0
  while [ $i -lt 600 ] && ! [ -e "$W/slurm/jobs/$(sed -n 1p "$W/slurm/tasks.txt" 2>/dev/null)/stdout.txt" ]; do
    sleep 0.1; i=$((i + 1))
  done
  [ $i -lt 600 ] || fail "task 0 did not start within 60 s"
  arr=$(sed -n 's/.*submitted Slurm job \([0-9]*\):.*/\1/p' "$W/slurm.err")
  task_job=$(timeout 5 squeue -h -j "$arr" -o '%i %A' | sed -n "s/^${arr}_0 //p")
  [ -n "$task_job" ] || fail "squeue does not show task 0 of job $arr"
  # the task's node processes: the node daemon, and the step daemon of task 0
  stepd=$(pgrep -x -f "slurmstepd: \[${task_job}\.batch\]")
  [ -n "$stepd" ] || fail "no slurmstepd for job $task_job"
  kill -9 "$SLURM_D_PID" $stepd
  echo "killed slurmd ($SLURM_D_PID) and task 0's slurmstepd ($stepd, job $task_job)"
  slurm_wait_state down 60 || fail "the node was not declared down within 60 s"
  timeout 10 scontrol -o show job "$task_job" | grep -q 'JobState=NODE_FAIL' || fail "task 0 is not NODE_FAIL"
  slurm_start_slurmd || fail "slurmd did not come back"
  i=0
  while kill -0 "$REG_PID" 2>/dev/null && [ $i -lt 3000 ]; do sleep 0.2; i=$((i + 1)); done
  wait "$REG_PID"
  rc=$?
  REG_PID=""
  cat "$W/slurm.err" | grep -v '^regress: Slurm job' | head -20
  [ $rc -eq "$expect_rc" ] || fail "--slurm after a node failure: exit $rc, expected $expect_rc"
  grep -q "Slurm says NODE_FAIL .*resubmitting it once" "$W/slurm.err" || fail "no resubmission reported"
  grep -q "(attempt 2)" "$W/slurm.err" || fail "no second submission"
  jq -e --arg id "$(sed -n 1p "$W/slurm/tasks.txt")" \
    '.jobs[] | select(.id == $id) | .run.attempts == 2 and .run.retried_after == "NODE_FAIL"' \
    "$W/slurm/report.json" >/dev/null || fail "task 0 is not reported as retried after NODE_FAIL"
  grep -q "retried after NODE_FAIL" "$W/slurm/report.html" || fail "report.html does not say retried"
  ;;
build)
  # --build-dir: a pecos with exactly the variants the sweep needs, built once in W/build
  timeout 1500 "$pecos" regress "$spec" --slurm --poll 0.5 --build-dir "$W/build" --dir "$W/slurm" >"$W/slurm.out" 2>"$W/slurm.err"
  rc=$?
  tail -5 "$W/slurm.err"
  [ $rc -eq "$expect_rc" ] || fail "--build-dir: exit $rc, expected $expect_rc"
  ls "$W/build/sim/" | sort >"$W/built.txt"
  [ "$(grep -c '^libpecos_sim_' "$W/built.txt")" -eq "$(jq '[.variants[]] | length' "$spec")" ] || fail "built: $(cat "$W/built.txt")"
  jq -e --arg p "$W/build/pecos " 'all(.jobs[]; .command | startswith($p)) and .pass' "$W/slurm/report.json" >/dev/null \
    || fail "the tasks did not run the pecos built in $W/build"
  echo "PASS (build): built $(tr '\n' ' ' <"$W/built.txt") and ran $njobs jobs with it; total $(( $(date +%s) - t0 )) s"
  slurm_down
  rm -rf "$W" # kept when a check failed
  exit 0
  ;;
*) fail "unknown mode $mode" ;;
esac

xmllint --noout --schema "$src/tests/data/regress/junit.xsd" "$W/slurm/report.xml" || fail "JUnit XML does not validate"
t2=$(date +%s)
timeout 600 "$pecos" regress "$spec" -j 2 --dir "$W/local" >/dev/null 2>"$W/local.err"
rc=$?
[ $rc -eq "$expect_rc" ] || fail "local: exit $rc, expected $expect_rc"
echo "local engine (-j 2): $njobs jobs in $(( $(date +%s) - t2 )) s"
jq -S 'del(.run) | del(.jobs[].run)' "$W/slurm/report.json" >"$W/slurm.cmp.json"
jq -S 'del(.run) | del(.jobs[].run)' "$W/local/report.json" >"$W/local.cmp.json"
if ! cmp -s "$W/slurm.cmp.json" "$W/local.cmp.json"; then
  diff "$W/slurm.cmp.json" "$W/local.cmp.json" | head -20
  fail "the Slurm and the local reports differ"
fi
jq -e '.jobs | length > 0 and all(.[]; .cycles != null or .status != "pass")' "$W/slurm/report.json" >/dev/null \
  || fail "jobs without numbers"
summary=$(jq -c .summary "$W/slurm/report.json")
slurm_down
rm -rf "$W" # kept when a check failed
echo "PASS ($mode): $njobs jobs, Slurm and local merged reports identical job by job ($summary); total $(( $(date +%s) - t0 )) s"
