#!/bin/sh
# fuse_check.sh PECOS SRC WORK: `pecos run --network --fuse-ppu` (issue #18): the
# post-processing unit on the array's writeback path.
#   1. identity: tests/data/net/small.csv (every unit mode) and LeNet-5 under ws, is and os,
#      with unbounded memory and with a bounded one whose tiny GLB splits C (spilled partial
#      sums stay int32, only the last pass is int8): the fused run passes every check and
#      its --out equals the unfused run's bit for bit; every conv/fc layer ran fused;
#   2. the model: with unbounded memory each fused array layer takes exactly the unit's
#      latency (per group: each group is its own run) more cycles than unfused, and writes K*P*Q bytes to DRAM instead of 4*K*P*Q;
#      with bounded memory the network's DRAM bytes and energy fall;
#   1b. pooling: a max/avg pool right after a conv runs inside it on the WS dataflow (its
#      windows framed by the pixel order of the conv's tiles), unbounded and tiled; the same
#      outputs, the pooled map written; is/os and batches keep the pool a pass and say why;
#   3. the check can fail: --inject-fault flips one bit of an int8 result on its way to
#      DRAM; the run fails (exit 1) with the fused check's FAIL line;
#   4. refusals: --layer and --backend sc with --fuse-ppu: one line, exit 2 (--onnx fuses:
#      tests/onnx_fuse_check.sh).
set -e
pecos=$1; src=$2; work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cd "$work"

# --- 1. identity, 2. the model ----------------------------------------------------------
for net in tests/data/net/small.csv models/networks/lenet5.csv; do
  n=$(basename "$net" .csv)
  for df in ws is os; do
    for mem in unb bnd; do
      # os never splits C: its smallest LeNet-5 tiles need 3 KiB
      kib=2; [ $df = os ] && kib=4
      m=; [ $mem = bnd ] && m="--dram-bw 4 --dram-latency 40 --glb-kib $kib"
      for mode in u f; do
        flag=; [ $mode = f ] && flag=--fuse-ppu
        "$pecos" run --rows 4 --cols 4 --dataflow $df --seed 3 --network "$src/$net" $m $flag \
          --out $n.$df.$mem.$mode.npy --json $n.$df.$mem.$mode.json >$n.$df.$mem.$mode.out 2>&1 ||
          { cat $n.$df.$mem.$mode.out; fail "$n $df $mem $mode: the run failed"; }
      done
      cmp -s $n.$df.$mem.u.npy $n.$df.$mem.f.npy ||
        fail "$n $df $mem: the fused output differs from the unfused one"
      jq -e '[.layers[] | select(.type == "conv" or .type == "fc")] |
             length > 0 and all(.where == "array+fused-ppu" and .ppu.fused and .ppu.late == 0
                                and .ppu.bitexact)' $n.$df.$mem.f.json >/dev/null ||
        fail "$n $df $mem: a conv/fc layer did not run fused, or its results were late"
      jq -e '.config.fuse_ppu == true' $n.$df.$mem.f.json >/dev/null || fail "no fuse_ppu in the JSON"
      grep -q "post-processing fused into the array's writeback" $n.$df.$mem.f.out ||
        fail "$n $df $mem: no fused line in the summary"
    done
    # unbounded: + the unit's latency, int8 writes
    jq -n -e --slurpfile u $n.$df.unb.u.json --slurpfile f $n.$df.unb.f.json '
      [$u[0].layers, $f[0].layers] | transpose |
      map(select(.[0].type == "conv" or .[0].type == "fc")) |
      all(.[1].array_cycles == .[0].array_cycles + 9 * .[1].groups and
          .[0].dram_write_bytes == 4 * .[1].out[0] * .[1].out[1] * .[1].out[2])' >/dev/null ||
      fail "$n $df: unbounded fused layers are not unfused + LAT 9 cycles per group with int8 writes"
    jq -e '.layers as $l | [range(0; $l | length) | select($l[.].type == "conv" or $l[.].type == "fc") |
           (if $l[. + 1].where == "fused-into-previous" then $l[. + 1] else $l[.] end) as $o |
           $l[.].dram_write_bytes == $o.out[0] * $o.out[1] * $o.out[2]] | all' $n.$df.unb.f.json >/dev/null ||
      fail "$n $df: unbounded fused layers do not write int8 (their pooled map when a pool is fused)"
    jq -n -e --slurpfile u $n.$df.bnd.u.json --slurpfile f $n.$df.bnd.f.json '
      $f[0].total.dram_bytes < $u[0].total.dram_bytes and
      $f[0].total.energy_pj.total < $u[0].total.energy_pj.total' >/dev/null ||
      fail "$n $df: bounded fused run does not save DRAM bytes and energy"
  done
done
# the tiny GLB does split C (spilled int32 partial sums beside the int8 outputs)
"$pecos" run --rows 4 --cols 4 --seed 3 --network "$src/models/networks/lenet5.csv" --fuse-ppu \
  --dram-bw 4 --dram-latency 40 --glb-kib 2 --trace-dma trace.txt >/dev/null 2>&1 ||
  fail "the traced run failed"
grep -q " psum-spill " trace.txt || fail "the bounded LeNet-5 run spills no partial sums"
echo "PASS: --fuse-ppu: small.csv and LeNet-5 under ws/is/os, unbounded and bounded: the same outputs, every check, LAT more cycles, int8 writes"

# --- 1b. pooling on the writeback path (WS) ----------------------------------------------
# LeNet-5's 2x2 max pools and fuse_pool.csv (a 3x3/s3 avg pool over a 7x8 map: a row and two
# columns no window covers; a 2x2 max pool after a 1x1 conv) run inside their convs: the same
# output, the pool layers "fused-into-previous" with no cycles of their own, the conv's DRAM
# writes the pooled map; bounded, LeNet-5's convs are cut into several p tiles of whole
# windows. Under is/os and with a batch the pool stays its own pass and the summary says why.
for net in models/networks/lenet5.csv tests/data/net/fuse_pool.csv; do
  n=$(basename "$net" .csv)
  for mem in unb bnd; do
    m=; [ $mem = bnd ] && m="--dram-bw 4 --dram-latency 40 --glb-kib 3"
    for mode in u f; do
      flag=; [ $mode = f ] && flag=--fuse-ppu
      "$pecos" run --rows 4 --cols 4 --seed 3 --network "$src/$net" $m $flag --out p.$n.$mem.$mode.npy \
        --json p.$n.$mem.$mode.json >p.$n.$mem.$mode.out 2>&1 ||
        { cat p.$n.$mem.$mode.out; fail "pool $n $mem $mode: the run failed"; }
    done
    cmp -s p.$n.$mem.u.npy p.$n.$mem.f.npy || fail "pool $n $mem: the fused output differs from the unfused one"
    jq -e '[.layers[] | select(.type == "maxpool" or .type == "avgpool")] | length == 2 and
           all(.where == "fused-into-previous" and .cycles == 0 and .pass)' p.$n.$mem.f.json >/dev/null ||
      fail "pool $n $mem: a pool did not run inside its conv"
    jq -e '[.layers as $l | range(0; $l | length) | select($l[.].type == "conv") |
            $l[.].dram_write_bytes == ($l[. + 1].out[0] * $l[. + 1].out[1] * $l[. + 1].out[2])
            and $l[.].ppu.bitexact and $l[.].ppu.late == 0] | length == 2 and all' p.$n.$mem.f.json >/dev/null ||
      fail "pool $n $mem: a conv did not write its pooled map"
    grep -q "2 of them with the pooling after them" p.$n.$mem.f.out || fail "pool $n $mem: the summary"
  done
done
jq -e '[.layers[] | select(.type == "conv") | .tiling | test("p(2|4) ")] | all' p.lenet5.bnd.f.json >/dev/null ||
  fail "the bounded LeNet-5 convs are not cut into p tiles"
for x in "--dataflow is:the fused pooling runs on the WS dataflow" "--dataflow os:the fused pooling runs on the WS dataflow" \
         "--batch 2:a batch pools image by image"; do
  "$pecos" run --rows 4 --cols 4 --network "$src/models/networks/lenet5.csv" --fuse-ppu ${x%%:*} --json p.x.json \
    >p.x.out 2>&1 || { cat p.x.out; fail "pool ${x%%:*}: the run failed"; }
  grep -q "^note: pool1: not fused into conv1: ${x#*:}" p.x.out || { cat p.x.out; fail "pool ${x%%:*}: no note"; }
  jq -e '[.layers[] | select(.type == "maxpool") | .where == "ppu"] | all' p.x.json >/dev/null ||
    fail "pool ${x%%:*}: the pool did not run as its own pass"
done
echo "PASS: pooling fused into the conv before it (LeNet-5 max 2x2, a 3x3/s3 avg with uncovered rows and columns; unbounded and tiled): the same outputs, pooled int8 writes; is/os/batch say why not"

# --- 3. the check can fail --------------------------------------------------------------
if "$pecos" run --rows 4 --cols 4 --network "$src/models/networks/lenet5.csv" --fuse-ppu \
    --inject-fault 100 >fault.out 2>&1; then
  cat fault.out; fail "an int8 result with a flipped bit passed"
fi
grep -q "^FAIL conv1 (fused post-processing): 1 of 1176 int8 results differ from the golden chain" fault.out ||
  { cat fault.out; fail "the flipped int8 result was not reported by the fused check"; }
echo "PASS: a flipped int8 result fails the run: $(grep -m1 '^FAIL' fault.out)"

# --- 4. refusals ------------------------------------------------------------------------
refuse() {
  if "$pecos" run "$@" >refuse.out 2>&1; then fail "accepted: $*"; else rc=$?; fi
  [ $rc -eq 2 ] || { cat refuse.out; fail "exit $rc, not 2: $*"; }
  [ "$(wc -l <refuse.out)" -eq 1 ] && grep -q -- "--fuse-ppu goes with --network" refuse.out ||
    { cat refuse.out; fail "not one line naming --fuse-ppu: $*"; }
}
refuse --layer fc,c=8,k=8 --fuse-ppu
refuse --network "$src/models/networks/lenet5.csv" --backend sc --fuse-ppu
echo "PASS: --fuse-ppu refused with --layer and --backend sc"
