#!/bin/sh
# synth.sh VARIANT [OUT_DIR]: synthesizes one array variant (DATAFLOW_DTYPE_ROWSxCOLS, e.g.
# ws_int8_8x8) or the PPU (post_L<Lanes>) with Yosys, twice:
#   generic: `synth` to Yosys's internal cell library (cells, flip-flops, multipliers);
#   xilinx:  `synth_xilinx -family xc7` (LUTs, flip-flops, DSP48E1, block RAM, carry chains).
# The hierarchy is kept, so every module gets its own row (a parameter set of a module is
# its own row, e.g. one per skew depth; the PEs are the array's own logic, rtl/pecos_array_*.sv
# computes them in a loop). Writes OUT_DIR/VARIANT.txt (table) and
# OUT_DIR/VARIANT.json (per flow, per module and the top's totals: cells, ffs, luts, dsps,
# brams, muls) and prints the table. OUT_DIR defaults to build/synth. The assertions vanish
# (Yosys defines SYNTHESIS). Exit 2 on a bad variant, 1 if Yosys fails.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
variant=$1
out=${2:-$top/build/synth}
rtl=$top/rtl
. "$top/dv/rtl_files.sh"
case $variant in
  ws_*|os_*)
    df=${variant%%_*}; rest=${variant#*_}; dt=${rest%%_*}; size=${rest#*_}
    rows=${size%x*}; cols=${size#*x}
    case $dt in int8) id=0 ;; bf16) id=1 ;; fp16) id=2 ;;
      *) echo "synth.sh: '$variant': dtype must be int8, bf16 or fp16" >&2; exit 2 ;; esac
    case "$rows$cols" in *[!0-9]*|"") echo "synth.sh: '$variant' is not DATAFLOW_DTYPE_ROWSxCOLS" >&2; exit 2 ;; esac
    files=$(rtl_files "$rtl" "array_$df")
    topm=pecos_array_$df
    params="chparam -set Rows $rows -set Cols $cols -set DType $id $topm"
    ;;
  post_L*)
    lanes=${variant#post_L}
    case "$lanes" in *[!0-9]*|"") echo "synth.sh: '$variant': post_L<Lanes>" >&2; exit 2 ;; esac
    files=$(rtl_files "$rtl" postproc)
    topm=pecos_postproc
    params="chparam -set Lanes $lanes $topm"
    ;;
  *) echo "usage: synth.sh VARIANT [OUT_DIR]  (VARIANT: ws_int8_8x8, os_bf16_4x4, post_L16, ...)" >&2; exit 2 ;;
esac
mkdir -p "$out"
t0=$(date +%s)
for flow in generic xilinx; do
  if [ $flow = generic ]; then cmd="synth -top $topm"; else cmd="synth_xilinx -top $topm -family xc7"; fi
  log=$out/$variant.$flow.log
  if ! yosys -q -l "$log" -p "read_verilog -defer -sv -I$rtl $files; $params; $cmd; tee -q -o $out/$variant.$flow.stat.json stat -json" >/dev/null 2>&1; then
    echo "synth.sh: yosys ($flow) failed on $variant, see $log" >&2
    tail -5 "$log" >&2
    exit 1
  fi
done
secs=$(( $(date +%s) - t0 ))
python3 - "$out" "$variant" "$topm" "$secs" <<'EOF'
import json, re, sys
out, variant, topm, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def classify(cells):
    c = {"cells": 0, "ffs": 0, "luts": 0, "dsps": 0, "brams": 0, "muls": 0, "carry": 0}
    for t, n in cells.items():
        c["cells"] += n
        tl = t.lower()
        if re.match(r"^\$_(s?dff|dffe|sdffe|sdffce|adff|adffe|aldff|dffsr|dffsre|dlatch)", tl) or \
           re.match(r"^fd[rsce]*$", tl) or tl in ("fdre", "fdse", "fdce", "fdpe"):
            c["ffs"] += n
        if re.match(r"^lut\d$", tl):
            c["luts"] += n
        if tl.startswith("dsp48"):
            c["dsps"] += n
        if tl.startswith("ramb") or tl.startswith("$mem"):
            c["brams"] += n
        if tl in ("$mul", "$macc") or tl.startswith("$__mul"):
            c["muls"] += n
        if tl.startswith("carry"):
            c["carry"] += n
    return c

def short(m):
    # $paramod$<hash>\pecos_delay -> pecos_delay#<hash, 6 digits>: one row per parameter set
    m = m.lstrip("\\")
    mm = re.match(r"\$paramod\$([0-9a-f]+)\\(\w+)", m)
    if mm:
        return "%s#%s" % (mm.group(2), mm.group(1)[:6])
    mm = re.match(r"\$paramod\\(\w+)(.*)", m)
    if mm:
        return "%s(%s)" % (mm.group(1), mm.group(2).replace("\\", ",").strip(","))
    return m

res = {"variant": variant, "top": topm, "seconds": secs, "flows": {}}
lines = ["%s: Yosys 0.23, %d s (both flows)" % (variant, secs)]
for flow in ("generic", "xilinx"):
    # Yosys 0.23's stat -json interleaves the hierarchy's text lines ("  pecos_delay  4"): drop them.
    text = "".join(l for l in open("%s/%s.%s.stat.json" % (out, variant, flow))
                   if '"' in l or l.strip() in ("{", "}", "},", "]", "],"))
    st = json.loads(text)
    mods = {}
    for m, d in st.get("modules", {}).items():
        mods[short(m)] = classify(d.get("cells_by_type", d.get("num_cells_by_type", {})))
    design = st.get("design", {})
    totals = classify(design.get("num_cells_by_type", {}))
    res["flows"][flow] = {"modules": mods, "total": totals}
    keys = ["cells", "ffs"] if flow == "generic" else ["cells", "luts", "ffs", "dsps", "brams", "carry"]
    lines.append("")
    lines.append("[%s] %-44s %s" % (flow, "module", " ".join("%8s" % k for k in keys)))
    for m in sorted(mods):
        lines.append("  %-52s %s" % (m[:52], " ".join("%8d" % mods[m][k] for k in keys)))
    lines.append("  %-52s %s" % ("TOTAL (" + topm + ", whole hierarchy)", " ".join("%8d" % totals[k] for k in keys)))
json.dump(res, open("%s/%s.json" % (out, variant), "w"), indent=1)
open("%s/%s.txt" % (out, variant), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
