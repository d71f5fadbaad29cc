#!/bin/sh
# mem_orders.sh PECOS DTYPE: every loop order x four memory configurations (unbounded DRAM,
# where cycles must equal the exact model; low bandwidth with latency; very low bandwidth
# with one psum port and odd bursts; high bandwidth with long latency) on layers that
# need edge tiles, halos, stride, padding, spilled partial sums and FC. pecos checks each.
# DATAFLOW=is runs them on the input-stationary mapping (os cannot cut C: see df tests).
set -u
pecos=$1; dtype=$2; fails=0; n=0; df=${DATAFLOW:-ws}
for ord in kpc pkc kcp pck ckp cpk; do
  for mem in "" "--dram-bw 3 --dram-latency 40" "--dram-bw 0.5 --glb-psum-ports 1 --dram-burst 16" \
             "--dram-bw 64 --dram-latency 200"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    if ! out=$("$pecos" run --dataflow "$df" --dtype "$dtype" --rows 4 --cols 4 --tile k=4,c=2,p=2,order=$ord $mem \
         --layer conv,h=9,w=9,c=5,k=9,r=3,s=3,stride=2,pad=1,name=a \
         --layer conv,h=8,w=7,c=7,k=13,r=3,s=3,name=b \
         --layer fc,c=37,k=10,name=fc --layer fc,c=3,k=6,name=fc2 2>&1); then
      fails=$((fails + 1))
      echo "FAIL: order $ord $mem"; printf '%s\n' "$out" | grep FAIL | head -4
    fi
  done
done
echo "mem_orders $df $dtype: $n configurations x 4 layers, $fails failed"
[ $fails -eq 0 ]
