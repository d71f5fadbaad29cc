#!/bin/sh
# jobs_fail_check.sh PECOS SIM_DIR DIR: a wrong RTL under `pecos run --network --jobs 2` fails
# exactly as it does on one process. The array here is a hand-made mutant of ws_int8_4x4
# (dv/vbuild.sh, outside CMake): PE(1,2) drops its product whenever bit 3 of its incoming
# partial sum is set, so some layers of tests/data/net/small.csv fail and others pass. The
# parallel run must see the failure, say in one line that it runs the network again in
# order, and then give the reports, FAIL lines and exit status (1) of the run on one process.
set -e
pecos=$1; sim=$2; dir=$3/jobs_fail_check$$
top=$(cd "$(dirname "$0")/.." && pwd)
net=$top/tests/data/net/small.csv
rm -rf "$dir"; mkdir -p "$dir/sim"
cp -r "$top/rtl" "$dir/rtl"
f=$dir/rtl/pecos_array_ws.sv
old='if (DType == 0) pe_sum[r*Cols + c] = mac_sum(psum,'
new='if (DType == 0) pe_sum[r*Cols + c] = (r == 1 \&\& c == 2 \&\& psum[3]) ? psum : mac_sum(psum,'
[ "$(grep -cF "$old" "$f")" -eq 1 ] ||
  { echo "jobs_fail_check: the line to mutate is not in rtl/pecos_array_ws.sv once: update this test"; exit 1; }
sed -i "s/if (DType == 0) pe_sum\[r\*Cols + c\] = mac_sum(psum,/$new/" "$f"
grep -q 'psum\[3\]) ? psum' "$f" || { echo "jobs_fail_check: the mutation did not apply"; exit 1; }
sh "$top/dv/vbuild.sh" "$dir/rtl" "$dir/sim" ws_int8_4x4 ||
  { cat "$dir/sim/obj_ws_int8_4x4/build.log"; exit 1; }
cp "$sim/libpecos_post_L4.so" "$dir/sim/"
strip='walk(if type == "object" then with_entries(select(.key | test("wall|seconds|per_second|_s$") | not)) else . end)'
for j in 1 2; do
  rc=0
  PECOS_SIM_DIR=$dir/sim PECOS_NO_BUILD=1 "$pecos" run --network "$net" --rows 4 --cols 4 \
    --jobs $j --json "$dir/r$j.json" --csv "$dir/r$j.csv" >"$dir/r$j.txt" 2>"$dir/r$j.err" || rc=$?
  [ $rc -eq 1 ] || { cat "$dir/r$j.err"; echo "jobs_fail_check: --jobs $j: exit $rc, expected 1"; exit 1; }
done
cat "$dir/r2.err"
passed=$(jq '[.layers[] | select(.pass)] | length' "$dir/r1.json")
failed=$(jq '[.layers[] | select(.pass | not)] | length' "$dir/r1.json")
[ "$passed" -gt 0 ] && [ "$failed" -gt 0 ] ||
  { echo "jobs_fail_check: the mutant should fail some layers and pass others ($failed, $passed)"; exit 1; }
grep -q "^pecos run: --jobs 2: layer 'stem' failed; running the network again in order" "$dir/r2.err" ||
  { echo "jobs_fail_check: no line says the parallel run was dropped"; exit 1; }
[ "$(jq -S "$strip" "$dir/r1.json")" = "$(jq -S "$strip" "$dir/r2.json")" ] ||
  { echo "jobs_fail_check: the JSON reports differ"; exit 1; }
cmp "$dir/r1.csv" "$dir/r2.csv" || { echo "jobs_fail_check: the CSV reports differ"; exit 1; }
# the FAIL lines, the re-run commands' own --jobs aside
[ "$(grep -v '^pecos run: --jobs 2: ' "$dir/r2.err" | sed 's/--jobs 2/--jobs 1/; s/r2\./r1./g')" = "$(cat "$dir/r1.err")" ] ||
  { echo "jobs_fail_check: the FAIL lines differ"; exit 1; }
[ "$(grep -c '^FAIL' "$dir/r2.err")" -eq "$failed" ] ||
  { echo "jobs_fail_check: not one FAIL line per failed layer"; exit 1; }
echo "jobs_fail_check: $failed of $((passed + failed)) layers fail on the mutant, on 1 and on 2 processes alike"
rm -rf "$dir"
