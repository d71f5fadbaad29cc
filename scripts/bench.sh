#!/bin/sh
# bench.sh [--quick] [--cold]: the speed figures of issue #19 in one table, each beside the
# issue's reference value (measured before the work, on an idle 2-core CI machine) and the
# ratio to it. Nothing here passes or fails on speed: machines are noisy, the ratio is what
# counts. Columns:
#   value   this run's figure (wall clock, like the reference)
#   ref     the issue's value before the work
#   ratio   how many times better than ref (higher is better, for rates and times alike)
#   target  the issue's goal
#   cpu     the same figure from CPU time (user+sys of the whole pecos process), which does not
#           depend on how loaded the machine is: for a rate a lower bound, for a time the work
# --quick   runs in under a minute: the int8 arrays, bf16 16x16 on a smaller layer, the checks'
#           share on one layer; no whole networks.
# --cold    also times a fresh clone of HEAD: scripts/main.sh, then the rest of the default
#           set, with ccache off (minutes; Debian packages already installed are not timed).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0; cold=0
for a in "$@"; do
  case $a in
  --quick) quick=1 ;;
  --cold) cold=1 ;;
  *) echo "usage: bench.sh [--quick] [--cold]" >&2; exit 2 ;;
  esac
done
sh "$top/scripts/build.sh" release >/dev/null
pecos=$top/build/release/pecos
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conv3=conv,h=15,w=15,c=256,k=384,r=3,s=3

# row LABEL VALUE REF TARGET UNIT KIND CPU: one line of the table. KIND rate (higher is
# better) or time (lower is better).
row() {
  awk -v l="$1" -v v="$2" -v r="$3" -v t="$4" -v u="$5" -v k="$6" -v c="$7" 'BEGIN {
    ratio = (v > 0 && r > 0) ? (k == "rate" ? v / r : r / v) : 0
    printf "%-44s %12s %12s %7s %12s %12s\n", l, fmt(v, u), fmt(r, u), sprintf("%.2fx", ratio),
           t, fmt(c, u)
  }
  function fmt(x, u) {
    if (x == "" || x < 0) return "-"
    if (u == "c/s") return x >= 1e6 ? sprintf("%.2f M", x / 1e6) : sprintf("%.1f k", x / 1e3)
    if (u == "%") return sprintf("%.1f %%", x)
    return sprintf("%.1f s", x)
  }'
}

# timed OUT.json ARGS...: runs pecos with ARGS, writes OUT.json, prints user+sys seconds.
timed() {
  out=$1; shift
  /usr/bin/time -f "%U %S" -o "$tmp/time" "$pecos" "$@" --json "$out" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; echo "bench: pecos $* failed" >&2; exit 1; }
  awk '{print $1 + $2}' "$tmp/time"
}

# layer_rate DTYPE ROWS COLS LAYER REF TARGET LABEL: simulated cycles/s of one layer.
layer_rate() {
  cpu=$(timed "$tmp/l.json" run --dtype "$1" --rows "$2" --cols "$3" --layer "$4")
  cyc=$(jq '.layers[0].cycles' "$tmp/l.json")
  rate=$(jq '.layers[0].sim_cycles_per_second' "$tmp/l.json")
  row "$7" "$rate" "$5" "$6" c/s rate "$(awk -v c="$cyc" -v t="$cpu" 'BEGIN{print c / t}')"
}

# sc_rate ROWS COLS LAYER LABEL: the SystemC backend's simulated cycles/s on a layer, with
# the C backend's on the same layer (this run) as its reference: the ratio is the cost of
# the SystemC platform (issue #15). Nothing when pecos-sc is not built.
sc_rate() {
  [ -x "$(dirname "$pecos")/pecos-sc" ] || return 0
  timed "$tmp/c.json" run --rows "$1" --cols "$2" --layer "$3" >/dev/null
  cpu=$(timed "$tmp/s.json" run --backend sc --rows "$1" --cols "$2" --layer "$3")
  c=$(jq '.layers[0].sim_cycles_per_second' "$tmp/c.json")
  s=$(jq '.layers[0].sim_cycles_per_second' "$tmp/s.json")
  cyc=$(jq '.layers[0].cycles' "$tmp/s.json")
  row "$4" "$s" "$c" "(c = ref)" c/s rate "$(awk -v c="$cyc" -v t="$cpu" 'BEGIN{print c / t}')"
}

# checks LABEL REF ARGS...: the share of a run's wall time that is not the cycle loop of the
# RTL (golden checks, the predicted schedule, data generation), in percent.
checks() {
  label=$1; ref=$2; shift 2
  cpu=$(timed "$tmp/c.json" run "$@")
  share=$(jq 'if .total then 100 * (1 - ([.layers[].sim_wall_seconds // 0] | add) / .total.wall_seconds)
              else .layers[0] | 100 * (1 - .sim_wall_seconds / .wall_seconds) end' "$tmp/c.json")
  row "$label" "$share" "$ref" "<= 10 %" % time ""
}

# network NAME REF TARGET ARGS...: the wall time of a whole network end to end, its layers on
# as many processes as pecos run takes by default (--jobs: the CPUs it may use; the label
# says how many; the reference ran on one). cpu: the work of all of them.
network() {
  name=$1; ref=$2; tgt=$3; shift 3
  cpu=$(timed "$tmp/n.json" run --network "$top/models/networks/$name.csv" --rows 16 --cols 16 "$@")
  wall=$(jq '.total.wall_seconds' "$tmp/n.json")
  jobs=$(/usr/bin/python3 -c 'import os; print(os.environ.get("PECOS_JOBS") or len(os.sched_getaffinity(0)))')
  row "$name 16x16 int8 $(echo "$*" | grep -q dram && echo bounded || echo unbounded) (wall, j$jobs)" "$wall" "$ref" "$tgt" s time "$cpu"
}

echo "bench: $(date -u +%Y-%m-%dT%H:%MZ) $(uname -n), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "       reference: issue #19, idle 2-core CI machine, main before the work"
printf '%-44s %12s %12s %7s %12s %12s\n' figure value ref ratio target cpu
if [ "$quick" = 1 ]; then
  layer_rate int8 16 16 $conv3 350000 ">= 1 M" "AlexNet conv3 ws_int8_16x16 cycles/s"
  layer_rate int8 8 8 $conv3 1580000 ">= ref" "AlexNet conv3 ws_int8_8x8 cycles/s"
  layer_rate bf16 16 16 conv,h=15,w=15,c=64,k=64,r=3,s=3 13900 ">= 200 k" "c=64,k=64 conv ws_bf16_16x16 cycles/s"
  checks "checks share, conv3 bounded (1 layer)" 49.2 --rows 16 --cols 16 --dram-bw 16 \
    --dram-latency 100 --glb-kib 256 --layer conv,h=13,w=13,c=256,k=384,r=3,s=3,pad=1
  sc_rate 16 16 $conv3 "AlexNet conv3 16x16 --backend sc cycles/s"
else
  layer_rate int8 16 16 $conv3 350000 ">= 1 M" "AlexNet conv3 ws_int8_16x16 cycles/s"
  layer_rate int8 8 8 $conv3 1580000 ">= ref" "AlexNet conv3 ws_int8_8x8 cycles/s"
  layer_rate int8 4 4 $conv3 4700000 ">= ref" "AlexNet conv3 ws_int8_4x4 cycles/s"
  layer_rate bf16 16 16 $conv3 13900 ">= 200 k" "AlexNet conv3 ws_bf16_16x16 cycles/s"
  layer_rate fp16 8 16 $conv3 52000 ">= 500 k" "AlexNet conv3 ws_fp16_8x16 cycles/s"
  sc_rate 16 16 $conv3 "AlexNet conv3 16x16 --backend sc cycles/s"
  sc_rate 4 4 $conv3 "AlexNet conv3 4x4 --backend sc cycles/s"
  mem="--dram-bw 16 --dram-latency 100 --glb-kib 256"
  # shellcheck disable=SC2086
  # one process: the share of its wall time that is not the cycle loop
  checks "checks share, AlexNet bounded" 49.2 --network "$top/models/networks/alexnet.csv" \
    --rows 16 --cols 16 $mem --jobs 1
  # shellcheck disable=SC2086
  network alexnet 61.6 "<= 20 s" $mem
  network resnet50 53.9 "<= 20 s"
  network vgg16 210 "<= 60 s"
fi
if [ "$cold" = 1 ]; then
  # A fresh clone of this commit, ccache off: the main job, then the rest of the default set.
  clone=$tmp/clone
  git clone -q "$top" "$clone"
  git -C "$clone" checkout -q "$(git -C "$top" rev-parse HEAD)"
  start=$(date +%s)
  CCACHE_DISABLE=1 sh "$clone/scripts/main.sh" >"$tmp/main.log" 2>&1
  t_main=$(( $(date +%s) - start ))
  start=$(date +%s)
  CCACHE_DISABLE=1 sh "$clone/scripts/build.sh" release >"$tmp/build.log" 2>&1
  t_all=$(( $(date +%s) - start ))
  row "fresh clone: scripts/main.sh to LeNet-5 (wall)" "$t_main" 776 "<= 240 s" s time ""
  row "fresh clone: main.sh + the rest of the default set" "$((t_main + t_all))" 660 "<= 300 s" s time ""
fi
