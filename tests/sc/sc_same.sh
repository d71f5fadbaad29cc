#!/bin/sh
# sc_same.sh: the same pecos run under --backend c and --backend sc must give the same answer.
#   sh tests/sc/sc_same.sh PECOS OUTDIR EXPECTED_EXIT ARGS...
# Runs `PECOS run ARGS --json` both ways and requires:
#   - the exit status EXPECTED_EXIT from both;
#   - the JSON reports identical once the wall-clock fields are dropped (every output byte is
#     checked inside each run against the golden models; the JSON holds cycles, stalls by
#     cause, DRAM and GLB bytes by tensor, energy, the RTL's counters, the first mismatch);
#   - stdout identical with the wall-clock numbers masked (the Mcyc/s column, "wall" lines;
#     a network's "on N processes (...)": --backend c runs its layers on worker processes,
#     --backend sc in order, with the same reports);
#   - stderr identical except pecos-sc's last line, which must say that jobs ran on
#     pecos_accel and its DMA used the TLM socket (the proof that the SC path ran).
set -u
pecos=$1 out=$2 want=$3
shift 3
mkdir -p "$out"
strip='walk(if type == "object" then with_entries(select(.key | test("wall|seconds|per_second|_s$") | not)) else . end)'
mask() {
  sed -E -e 's/[0-9]+\.[0-9]{3}( +(PASS|FAIL))/#\1/' -e '/^wall /s/[0-9]+(\.[0-9]+)?/#/g' \
    -e 's/wall [0-9.]+ s/wall # s/g' -e 's/simulation [0-9.]+ s/simulation # s/g' \
    -e 's/^(wall # s) on # processes \(--jobs[^)]*\)/\1/' \
    -e 's/[0-9.]+ M simulated cycles/# M simulated cycles/g' "$1"
}
fail=0
for b in c sc; do
  "$pecos" run --backend $b "$@" --json "$out/$b.json" >"$out/$b.stdout" 2>"$out/$b.stderr"
  rc=$?
  if [ $rc -ne "$want" ]; then
    echo "FAIL: --backend $b exited $rc, expected $want"; cat "$out/$b.stderr"; fail=1
  fi
done
[ $fail -eq 0 ] || exit 1
line=$(tail -n 1 "$out/sc.stderr")
case $line in
  "pecos-sc: "[1-9]*" jobs on pecos_accel"*", "[1-9]*" DMA transactions on its TLM socket") ;;
  *) echo "FAIL: pecos-sc's last stderr line does not show jobs on pecos_accel: $line"; exit 1 ;;
esac
# (the re-run lines name each run's own --json)
sed -e "s|$out/c.json|REPORT.json|g" "$out/c.stderr" >"$out/c.stderr.run"
sed -e '$d' -e "s|$out/sc.json|REPORT.json|g" "$out/sc.stderr" >"$out/sc.stderr.run"
if ! cmp -s "$out/c.stderr.run" "$out/sc.stderr.run"; then
  echo "FAIL: stderr differs"; diff "$out/c.stderr.run" "$out/sc.stderr.run" | head -20; exit 1
fi
if ! jq -S "$strip" "$out/c.json" >"$out/c.cmp" || ! jq -S "$strip" "$out/sc.json" >"$out/sc.cmp"; then
  echo "FAIL: a JSON report is missing or malformed"; exit 1
fi
if ! cmp -s "$out/c.cmp" "$out/sc.cmp"; then
  echo "FAIL: the JSON reports differ"; diff "$out/c.cmp" "$out/sc.cmp" | head -20; exit 1
fi
mask "$out/c.stdout" >"$out/c.out.cmp"
mask "$out/sc.stdout" >"$out/sc.out.cmp"
if ! cmp -s "$out/c.out.cmp" "$out/sc.out.cmp"; then
  echo "FAIL: stdout differs"; diff "$out/c.out.cmp" "$out/sc.out.cmp" | head -20; exit 1
fi
echo "PASS: --backend c and --backend sc agree ($(tail -n 1 "$out/sc.stderr" | sed 's/^pecos-sc: //'))"
