#!/bin/sh
# jobs_check.sh PECOS DIR: `pecos run --network --jobs N` (the layers on N processes, each
# from the golden chain's input) gives the reports of the run in order: the JSON with its
# wall-clock fields removed, the CSV and --out byte for byte, on every layer type (small.csv),
# a bounded memory with --fuse-ppu and a fused pool, and a batch. The summary says how many
# processes ran. A layer that cannot run on a worker drops the parallel run: the network
# runs again in order, and the error reads as it always has (one line, exit 2).
set -e
pecos=$1; dir=$2/jobs_check$$
top=$(cd "$(dirname "$0")/.." && pwd)
net=$top/tests/data/net
mkdir -p "$dir"
strip='walk(if type == "object" then with_entries(select(.key | test("wall|seconds|per_second|_s$") | not)) else . end)'
same() { name=$1; jobs=$2; shift 2
  "$pecos" run --seed 9 "$@" --jobs 1 --json "$dir/$name.1.json" --csv "$dir/$name.1.csv" \
    --out "$dir/$name.1.npy" >"$dir/$name.1.txt"
  "$pecos" run --seed 9 "$@" --jobs "$jobs" --json "$dir/$name.n.json" --csv "$dir/$name.n.csv" \
    --out "$dir/$name.n.npy" >"$dir/$name.n.txt"
  grep -q "^wall .* on $jobs processes (--jobs" "$dir/$name.n.txt" ||
    { echo "jobs_check: $name: the summary does not say $jobs processes ran"; exit 1; }
  ! grep -q "processes" "$dir/$name.1.txt" ||
    { echo "jobs_check: $name: --jobs 1 says processes"; exit 1; }
  jq -e '.total.pass' "$dir/$name.n.json" >/dev/null ||
    { echo "jobs_check: $name: did not pass"; exit 1; }
  [ "$(jq -S "$strip" "$dir/$name.1.json")" = "$(jq -S "$strip" "$dir/$name.n.json")" ] ||
    { echo "jobs_check: $name: JSON reports differ"; exit 1; }
  cmp "$dir/$name.1.csv" "$dir/$name.n.csv" && cmp "$dir/$name.1.npy" "$dir/$name.n.npy" ||
    { echo "jobs_check: $name: CSV or --out differ"; exit 1; }
  # the table, with the wall line left out
  [ "$(grep -v '^wall' "$dir/$name.1.txt")" = "$(grep -v '^wall' "$dir/$name.n.txt")" ] ||
    { echo "jobs_check: $name: the summary tables differ"; exit 1; }
  echo "jobs_check: $name: --jobs 1 and --jobs $jobs give the same reports"
}
same small_ws 3 --network "$net/small.csv" --rows 4 --cols 4
same small_os 2 --network "$net/small.csv" --rows 4 --cols 4 --dataflow os
same lenet5_bounded_fused 2 --network "$top/models/networks/lenet5.csv" --rows 8 --cols 8 \
  --dram-bw 4 --dram-latency 50 --glb-kib 32 --fuse-ppu
same fuse_pool 2 --network "$net/fuse_pool.csv" --rows 4 --cols 4 --fuse-ppu
same small_batch 2 --network "$net/small.csv" --rows 4 --cols 4 --batch 2
grep -q "fused+pool" "$dir/fuse_pool.n.txt" || { echo "jobs_check: no fused pool ran"; exit 1; }

# Without --jobs: $PECOS_JOBS, else the CPUs of the process (pecos regress sets 1 in its jobs)
PECOS_JOBS=3 "$pecos" run --network "$net/small.csv" --rows 4 --cols 4 >"$dir/env3.txt"
grep -q "^wall .* on 3 processes (--jobs" "$dir/env3.txt" ||
  { echo "jobs_check: PECOS_JOBS=3 did not run 3 processes"; exit 1; }
PECOS_JOBS=1 "$pecos" run --network "$net/small.csv" --rows 4 --cols 4 >"$dir/env1.txt"
! grep -q "processes" "$dir/env1.txt" || { echo "jobs_check: PECOS_JOBS=1 ran several"; exit 1; }
PECOS_JOBS=1 "$pecos" run --network "$net/small.csv" --rows 4 --cols 4 --jobs 2 >"$dir/flag2.txt"
grep -q "^wall .* on 2 processes (--jobs" "$dir/flag2.txt" ||
  { echo "jobs_check: --jobs 2 did not override PECOS_JOBS=1"; exit 1; }

# A layer that does not fit the DRAM: the golden pass runs it, its worker cannot. The other
# worker stops, the network runs again in order, and the error is the one line on stderr
# (an input error: exit 2), as on one process.
rc=0
"$pecos" run --network "$net/bigmap.csv" --rows 4 --cols 4 --dram-mib 1 --jobs 2 \
  >"$dir/big.txt" 2>"$dir/big.err" || rc=$?
cat "$dir/big.err"
[ $rc -eq 2 ] || { echo "jobs_check: bigmap: exit $rc, expected 2"; exit 1; }
[ "$(wc -l <"$dir/big.err")" -eq 1 ] && grep -q "^pecos run: layer big needs .* bytes of DRAM for its tensors" "$dir/big.err" ||
  { echo "jobs_check: bigmap: stderr is not the one DRAM error line"; exit 1; }
# --jobs goes with --network only
rc=0
"$pecos" run --layer fc,c=4,k=4 --jobs 2 >/dev/null 2>"$dir/bad.err" || rc=$?
[ $rc -eq 2 ] && grep -q "^pecos run: --jobs goes with --network" "$dir/bad.err" ||
  { echo "jobs_check: --jobs with --layer: exit $rc"; cat "$dir/bad.err"; exit 1; }
rm -rf "$dir"
