#!/bin/sh
# mem_random.sh PECOS SEED COUNT [DTYPE ROWS COLS]: constrained-random layers through the
# memory system. Each case draws a layer shape (now and then with unequal strides, a
# dilation, asymmetric pads and, on int8, a pad value), a GLB size (or a forced tiling in any of
# the six loop orders), a DRAM bandwidth, latency and burst, and the psum port count, and
# runs `pecos run`; pecos itself checks every case (outputs bit-exact, DRAM bytes equal to
# the tiling's, cycles between the roofline and predicted+10%, or equal to the model with
# unbounded DRAM). The first failing case is printed as a command line that reproduces it.
# PECOS_SEED overrides SEED; DATAFLOW=ws|is|os (default ws) picks the dataflow (os: two psum
# ports, forced tilings never cut C).
set -u
pecos=$1; seed=${PECOS_SEED:-$2}; count=$3; dtype=${4:-int8}; rows=${5:-4}; cols=${6:-4}
df=${DATAFLOW:-ws}
echo "mem_random: seed $seed, $count cases, $df $dtype ${rows}x${cols} (PECOS_SEED=$seed reproduces)"
awk -v seed="$seed" -v count="$count" -v rows="$rows" -v cols="$cols" -v dtype="$dtype" 'BEGIN {
  srand(seed);
  split("kpc pkc kcp pck ckp cpk", ord, " ");
  for (i = 0; i < count; i++) {
    r = 1 + int(rand() * 3); if (rand() < 0.2) r = 5;
    st = 1 + int(rand() * 2); if (rand() < 0.15) st = 4;
    pad = int(rand() * (r < 3 ? 1 : 3));
    sh = st; sw = st; dh = 1; dw = 1; pt = pad; pl = pad; pb = pad; pr = pad; pv = 0;
    if (rand() < 0.3) { sh = 1 + int(rand() * 3); sw = 1 + int(rand() * 3) }
    if (rand() < 0.3) { dh = 1 + int(rand() * 3); dw = 1 + int(rand() * 3) }
    if (rand() < 0.3) { pt = int(rand() * 3); pl = int(rand() * 3); pb = int(rand() * 3); pr = int(rand() * 3) }
    if (dtype == "int8" && rand() < 0.3) pv = int(rand() * 256) - 128;
    h = (r - 1) * dh + 1 + int(rand() * 14); w = (r - 1) * dw + 1 + int(rand() * 14);
    c = 1 + int(rand() * 24); k = 1 + int(rand() * 24);
    if (rand() < 0.2) { layer = sprintf("fc,c=%d,k=%d", 1 + int(rand() * 200), 1 + int(rand() * 40)) }
    else layer = sprintf("conv,h=%d,w=%d,c=%d,k=%d,r=%d,s=%d,stride_h=%d,stride_w=%d,dil_h=%d,dil_w=%d,pad_t=%d,pad_l=%d,pad_b=%d,pad_r=%d,pad_value=%d",
                         h, w, c, k, r, r, sh, sw, dh, dw, pt, pl, pb, pr, pv);
    bwv = rand(); bw = bwv < 0.25 ? 0 : (bwv < 0.5 ? 0.5 + int(rand() * 4) : 1 + int(rand() * 64));
    lat = rand() < 0.3 ? 0 : int(rand() * 300);
    burst = rand() < 0.5 ? 64 : 1 + int(rand() * 128);
    ports = (ENVIRON["PORTS"] != "") ? ENVIRON["PORTS"] : (rand() < 0.2 ? 1 : 2);
    os = ENVIRON["DATAFLOW"] == "os";
    if (os) ports = 2;
    if (ENVIRON["FORCE"] == "0" || (ENVIRON["FORCE"] != "1" && rand() < 0.5)) mem = sprintf("--glb-kib %d", 1 + int(rand() * 16));
    else {
      ct = 1 + int(rand() * 8);
      mem = sprintf("--tile k=%d,%sp=%d,order=%s", cols * (1 + int(rand() * 3)),
                    os ? "" : sprintf("c=%d,", ct), 1 + int(rand() * 6), ord[1 + int(rand() * 6)]);
    }
    printf "--layer %s %s --dram-bw %s --dram-latency %d --dram-burst %d --glb-psum-ports %d\n",
           layer, mem, bw, lat, burst, ports;
  } }' > "${TMPDIR:-/tmp}/mem_random.$$"
n=0; fail=0; too_small=0
while read -r args; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  out=$("$pecos" run --dataflow "$df" --rows "$rows" --cols "$cols" --dtype "$dtype" --seed "$n" $args 2>&1)
  rc=$?
  if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "does not fit"; then
    too_small=$((too_small + 1)); continue   # a GLB below the smallest tile: a correct refusal
  fi
  if [ $rc -ne 0 ]; then
    fail=$((fail + 1))
    if [ $fail -eq 1 ]; then
      printf '%s\n' "$out" | grep -E "FAIL|pecos run:" | head -5
      echo "reproduce: $pecos run --dataflow $df --rows $rows --cols $cols --dtype $dtype --seed $n $args"
    fi
  fi
done < "${TMPDIR:-/tmp}/mem_random.$$"
rm -f "${TMPDIR:-/tmp}/mem_random.$$"
echo "mem_random: $n cases, $fail failed, $too_small refused (GLB below the smallest tile)"
# Every case generated, and most of them run: refusals are a minority (a test whose cases
# are all refused, or that generated fewer than asked, checked nothing).
[ $n -eq "$count" ] || { echo "mem_random: $n of $count cases generated"; exit 1; }
[ $fail -eq 0 ] && [ $((2 * too_small)) -lt $n ]
