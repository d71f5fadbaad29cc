#!/usr/bin/env python3
"""mutate.py - single-point mutation testing of rtl/ (driven by scripts/mutate.sh).

Generates every single-point mutant of the synthesizable RTL (an operator, a comparison, a
constant, a negated condition, a reset value, an off-by-one), never inside comments or the
`ifndef SYNTHESIS sections (assertions), samples N of them with a seed, and for each one:
copies rtl/ to a scratch directory with the one edit, verilates the small variants the
file affects (dv/vbuild.sh, outside CMake) and runs the kill suite: test programs and
`pecos run` workloads of the build tree, with PECOS_SIM_DIR pointing at the mutant's
libraries. A mutant is killed if any kill-suite command fails or times out, survives if
all pass, "did not build" if Verilator or the C++ compiler rejects it, and "equivalent" if
dv/mutants_equivalent.txt lists it (reviewed: no observable difference); equivalents and
non-building mutants are left out of the score = killed / (killed + survived).

Writes OUT/mutants.json and OUT/report.txt (per mutant: status, time, the failing command;
survivors with their diff). Exit 0 if the score reaches --min-score, else 1; 2 on bad use.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL = os.path.join(TOP, "rtl")

# Files -> the builds whose kill suites run against its mutants, in order: each is built only
# when the mutant survived the ones before it (most mutants die on the first: build time
# dominates). Small sizes; fma_* is the FMA unit alone with the suite's unit.fma.* program;
# tb_* needs no build: the default suite's lint, Icarus testbench and Yosys tests of a unit.
AFFECTS = {
    "pecos_delay.sv": ["ws_int8_4x4", "os_int8_4x4", "post_L4", "tb_ws", "tb_os", "tb_post"],
    "pecos_mac_fn.svh": ["ws_int8_4x4", "os_int8_4x4", "tb_ws", "tb_os"],
    "pecos_fma.sv": ["fma_bf16", "fma_fp16", "fma_bf16_ftz", "tb_fma"],
    "pecos_fma_fn.svh": ["fma_bf16", "fma_fp16", "fma_bf16_ftz", "ws_bf16_4x4", "ws_fp16_4x4",
                         "os_bf16_4x4", "tb_fma", "tb_ws", "tb_os"],
    "pecos_perf_ctr.sv": ["ws_int8_4x4", "os_int8_4x4", "tb_ws", "tb_os"],
    "pecos_array_ws.sv": ["ws_int8_4x4", "ws_bf16_4x4", "ws_fp16_4x4", "tb_ws"],
    "pecos_array_os.sv": ["os_int8_4x4", "os_bf16_4x4", "tb_os"],
    "pecos_requant.sv": ["post_L4", "tb_post"],
    "pecos_pool.sv": ["post_L4", "tb_post"],
    "pecos_postproc.sv": ["post_L4", "tb_post"],
}

# lint.verilator_wall's parameter sets (tests/CMakeLists.txt)
ARRAY_LINT_PARAMS = [["-GRows=1", "-GCols=1"], ["-GRows=4", "-GCols=4"], ["-GRows=8", "-GCols=16"],
                     ["-GRows=16", "-GCols=16"], ["-GRows=3", "-GCols=5"],
                     ["-GRows=3", "-GCols=2", "-GDType=1"], ["-GRows=2", "-GCols=3", "-GDType=2"]]


def unit_files(rtl, unit):
    """The sources of one RTL unit as rtl/UNIT.f lists them (the one list per unit), in order."""
    with open(os.path.join(rtl, unit + ".f")) as f:
        names = [l.strip() for l in f]
    return [os.path.join(rtl, n) for n in names if n and not n.startswith("//")]


def lint(rtl, top, params):
    """lint.verilator_wall / lint.postproc of the default suite, on the mutant's rtl/."""
    unit = top[len("pecos_"):]  # pecos_array_ws -> array_ws, pecos_postproc -> postproc
    return ["verilator", "--lint-only", "-Wall", "-I" + rtl, "--top-module", top] + params + \
        unit_files(rtl, unit)


def kill_suite(variant, build, rtl, sim):
    """The commands that must all pass on an unmutated variant (drawn from the default suite)."""
    pecos = os.path.join(build, "pecos")
    t = os.path.join(build, "tests")
    if variant.startswith("tb_"):
        return static_suite(variant[3:], os.path.dirname(rtl), sim)
    m = re.match(r"fma_(bf16|fp16)(_ftz)?$", variant)
    if m:  # lint.fma and unit.fma.*_vs_fmaf, on the mutant
        return [lint(rtl, "pecos_fma", ["-GFmt=%d" % (m.group(1) == "fp16"),
                                        "-GFtz=%d" % bool(m.group(2))]),
                [os.path.join(sim, "test_fma_" + variant[4:])]]
    m = re.match(r"(ws|os)_(int8|bf16|fp16)_(\d+)x(\d+)$", variant)
    if m:
        df, dt, r, c = m.groups()
        cmds = [lint(rtl, "pecos_array_" + df, ["-GRows=3", "-GCols=5", "-GDType=%d" %
                                                 ["int8", "bf16", "fp16"].index(dt)])]
        if dt == "int8":
            prog = "test_array_contract_os" if df == "os" else "test_array_contract"
            cmds.append([os.path.join(t, prog), r, c])
        for d in (["ws", "is"] if df == "ws" else ["os"]):
            base = [pecos, "run", "--rows", r, "--cols", c, "--dataflow", d, "--dtype", dt]
            cmds.append(base + ["--seed", "3", "--layer", "conv,h=9,w=9,c=3,k=5,r=3,s=3,stride=2,pad=1"])
            cmds.append(base + ["--seed", "4", "--layer", "conv,h=6,w=6,c=2,k=3,r=3,s=3",
                                "--layer", "fc,c=40,k=9"])
            cmds.append(base + ["--seed", "3", "--layer", "conv,h=6,w=5,c=7,k=13,r=3,s=3"])
            cmds.append([os.path.join(t, "rtl_random"), pecos, d, dt, r, c, "8"])
        return cmds
    m = re.match(r"post_L(\d+)$", variant)
    return [lint(rtl, "pecos_postproc", ["-GLanes=3"]),
            [os.path.join(t, "test_postproc"), m.group(1), "300"]]


def static_suite(unit, src, scratch):
    """The default suite's lint, Icarus and Yosys tests of one unit (tests/*.cmake), on the
    mutant's tree src (its rtl/, and dv/ linked to ours); scratch takes the compiled benches."""
    rtl = os.path.join(src, "rtl")
    t = os.path.join(TOP, "tests")
    if unit in ("ws", "os"):
        top = "pecos_array_" + unit
        sfx = "" if unit == "ws" else "_os"
        return [lint(rtl, top, p) for p in ARRAY_LINT_PARAMS] + [
            ["sh", os.path.join(t, "iverilog_tb%s.sh" % sfx), src, scratch],
            ["sh", os.path.join(t, "yosys_synth%s.sh" % sfx), src, "4", "3"]]
    if unit == "post":
        return [lint(rtl, "pecos_postproc", ["-GLanes=%d" % n]) for n in (1, 4, 16)] + [
            iverilog_clean(rtl, "postproc", ["-Ppecos_postproc.Lanes=%d" % n], scratch)
            for n in (1, 4, 16)] + [
            ["sh", os.path.join(t, "iverilog_postproc.sh"), src, scratch],
            ["sh", os.path.join(t, "yosys_postproc.sh"), src, "4"]]
    # fma: lint.fma and lint.yosys_fma
    return [lint(rtl, "pecos_fma", ["-GFmt=%d" % f, "-GFtz=%d" % z]) for f in (0, 1) for z in (0, 1)] + [
        iverilog_clean(rtl, "fma", ["-Ppecos_fma.Fmt=%d" % f, "-Ppecos_fma.Ftz=%d" % z], scratch)
        for f in (0, 1) for z in (0, 1)] + [["sh", os.path.join(t, "yosys_fma.sh"), src]]


def iverilog_clean(rtl, unit, params, scratch):
    """Icarus -g2012 -Wall on one unit: fails on an error or any warning (as lint.postproc)."""
    files = " ".join(unit_files(rtl, unit))
    return ["sh", "-c", 'log=$(iverilog -g2012 -Wall -I%s %s -s pecos_%s -o %s/lint.vvp %s 2>&1) '
            '&& [ -z "$log" ] || { echo "$log"; exit 1; }' % (rtl, " ".join(params), unit, scratch,
                                                            files)]


# ---- mutant generation --------------------------------------------------------------------

DECL = re.compile(r"^\s*(logic|input|output|inout|wire|reg|localparam|parameter|genvar|module|"
                  r"typedef|import|`include|`define)\b")


def code_lines(path):
    """(line number, code without comment) of the lines that may be mutated."""
    out = []
    skip = 0  # depth of `ifndef SYNTHESIS regions
    in_block_comment = False
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if in_block_comment:
                if "*/" in s:
                    in_block_comment = False
                continue
            st = s.strip()
            if st.startswith("`ifndef SYNTHESIS"):
                skip += 1
                continue
            if skip:
                if st.startswith("`ifdef") or st.startswith("`ifndef"):
                    skip += 1
                elif st.startswith("`endif"):
                    skip -= 1
                continue
            if "/*" in s:
                in_block_comment = "*/" not in s
                s = s[:s.index("/*")]
            if "//" in s:
                s = s[:s.index("//")]
            if not s.strip() or DECL.match(s) or s.lstrip().startswith("`"):
                continue
            out.append((n, s))
    return out


def paren_depth_at(s, i):
    d = 0
    for ch in s[:i]:
        if ch in "([{":
            d += 1
        elif ch in ")]}":
            d -= 1
    return d


def prev_char(s, i):
    j = i - 1
    while j >= 0 and s[j] == " ":
        j -= 1
    return s[j] if j >= 0 else ""


SWAPS = [  # (regex, replacements, kind, condition)
    (r"&&", ["||"], "logic"),
    (r"\|\|", ["&&"], "logic"),
    (r"(?<![<>=!])==(?!=)", ["!="], "compare"),
    (r"!=(?!=)", ["=="], "compare"),
    (r"(?<![<>])<=", ["<", ">"], "compare"),
    (r"(?<![<>])>=", [">", "<"], "compare"),
    (r"(?<![<>\-])<(?![<=])", ["<=", ">"], "compare"),
    (r"(?<![<>\-])>(?![>=])", [">=", "<"], "compare"),
    (r"(?<![+])\+(?![+:])", ["-"], "arith"),
    (r"(?<![\-])-(?![\-:>])", ["+"], "arith"),
    (r"(?<![&])&(?![&])", ["|"], "logic"),
    (r"(?<![|])\|(?![|])", ["&"], "logic"),
    (r"\^", ["&"], "logic"),
    (r">>>", [">>"], "arith"),
    (r"1'b0", ["1'b1"], "constant"),
    (r"1'b1", ["1'b0"], "constant"),
    (r"'0\b", ["'1"], "constant"),
]


def mutants_of(fname, n, s):
    """Every mutant of one code line: dicts with file, line, col, orig, new, kind."""
    res = []
    for rx, reps, kind in SWAPS:
        for m in re.finditer(rx, s):
            i = m.start()
            tok = m.group(0)
            # "<=" and ">" only as comparisons: inside parentheses (assignments never are)
            if tok in ("<=",) and paren_depth_at(s, i) <= 0:
                continue
            if tok in ("+", "-", "&", "|", "^") and prev_char(s, i) != "" and prev_char(s, i) in "=(?:,[{":
                continue  # unary, or a reduction
            if tok in ("<", ">", ">=", "<") and paren_depth_at(s, i) <= 0 and "assign" not in s:
                continue
            for r in reps:
                res.append(dict(file=fname, line=n, col=i, orig=tok, new=r, kind=kind))
    # sized decimal constants: off by one
    for m in re.finditer(r"\b(\d+)'(s?)d(\d+)\b", s):
        w, sg, v = m.group(1), m.group(2), int(m.group(3))
        for nv in (v + 1, v - 1):
            if nv >= 0:
                res.append(dict(file=fname, line=n, col=m.start(), orig=m.group(0),
                                new="%s'%sd%d" % (w, sg, nv), kind="off-by-one"))
    # negated conditions
    for m in re.finditer(r"\bif \(", s):
        res.append(dict(file=fname, line=n, col=m.start(), orig="if (", new="if (!",
                        kind="negated condition"))
    return res


def all_mutants(files_rx):
    out = []
    for fname in sorted(AFFECTS):
        if files_rx and not re.search(files_rx, fname):
            continue
        for n, s in code_lines(os.path.join(RTL, fname)):
            out.extend(mutants_of(fname, n, s))
    for m in out:
        src = open(os.path.join(RTL, m["file"])).read().split("\n")[m["line"] - 1]
        m["src"] = src.strip()
        m["id"] = "%s:%d:%d:%s->%s" % (m["file"], m["line"], m["col"], m["orig"], m["new"])
    return out


def apply(m, dst_rtl):
    p = os.path.join(dst_rtl, m["file"])
    lines = open(p).read().split("\n")
    s = lines[m["line"] - 1]
    assert s[m["col"]:m["col"] + len(m["orig"])] == m["orig"], m["id"]
    lines[m["line"] - 1] = s[:m["col"]] + m["new"] + s[m["col"] + len(m["orig"]):]
    open(p, "w").write("\n".join(lines))
    return s, lines[m["line"] - 1]


def load_equivalent(path):
    """Entries "FILE | SOURCE LINE | ORIG -> NEW | reason": keyed by file, line text, edit."""
    eq = {}
    if not os.path.exists(path):
        return eq
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 4 or " -> " not in parts[2]:
            sys.exit("mutate.py: %s: malformed line: %s" % (path, line.strip()))
        o, n = parts[2].split(" -> ", 1)
        eq[(parts[0], parts[1], o.strip(), n.strip())] = parts[3]
    return eq


def write_report(out, results, sample, pool, a, t_all):
    """Writes report.txt and mutants.json for the mutants done so far; returns the score."""
    n = {s: sum(1 for r in results if r["status"] == s)
         for s in ("killed", "survived", "did not build", "equivalent")}
    scored = n["killed"] + n["survived"]
    score = 100.0 * n["killed"] / scored if scored else 0.0
    summary = dict(seed=a.seed, sampled=len(sample), candidates=len(pool), files=a.files,
                   score=round(score, 1), seconds=round(time.time() - t_all), **{
                       k.replace(" ", "_"): v for k, v in n.items()})
    with open(os.path.join(out, "mutants.json"), "w") as f:
        json.dump(dict(summary=summary, mutants=results), f, indent=1)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write("mutation score %.1f%%: %d killed, %d survived, %d did not build, %d equivalent "
                "(%d done of %d sampled from %d, seed %d, %d s)\n" % (score, n["killed"], n["survived"],
                n["did not build"], n["equivalent"], len(results), len(sample), len(pool), a.seed,
                summary["seconds"]))
        for r in results:
            f.write("%-13s %6.1fs %s  %s\n" % (r["status"], r["seconds"], r["id"],
                                               r.get("by") or r.get("reason") or ""))
        for r in results:
            if r["status"] == "survived":
                f.write("\nSURVIVED %s (%s)\n%s" % (r["id"], r["kind"], r["diff"]))
    return score


def run_cmd(cmd, env, timeout):
    """(failed, the last lines of its output) of one kill-suite command."""
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode != 0, p.stdout.decode(errors="replace").strip().split("\n")[-3:]
    except subprocess.TimeoutExpired:
        return True, ["timeout after %d s" % timeout]


def run_mutant(i, m, out, a, eq):
    """Builds and runs one mutant in OUT/mNNN; its result dict (status, by/reason, seconds)."""
    t0 = time.time()
    work = os.path.join(out, "m%03d" % i)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copytree(RTL, os.path.join(work, "rtl"))
    before, after = apply(m, os.path.join(work, "rtl"))
    diff = "".join(difflib.unified_diff([before + "\n"], [after + "\n"],
                                        "a/rtl/%s:%d" % (m["file"], m["line"]),
                                        "b/rtl/%s:%d" % (m["file"], m["line"])))
    r = dict(m, diff=diff)
    key = (m["file"], m["src"], m["orig"], m["new"])
    if key in eq:
        r.update(status="equivalent", reason=eq[key], seconds=round(time.time() - t0, 1))
        shutil.rmtree(work, ignore_errors=True)
        return r
    status, why = "survived", ""
    sim = os.path.join(work, "sim")
    os.makedirs(sim)
    env = dict(os.environ, PECOS_SIM_DIR=sim)
    os.symlink(os.path.join(TOP, "dv"), os.path.join(work, "dv"))  # for the tb_* scripts
    for v in AFFECTS[m["file"]]:
        vb = ["sh", os.path.join(TOP, "dv", "vbuild.sh"), os.path.join(work, "rtl"), sim, v]
        # one retry: a build can fail for reasons outside the mutant (a shared, loaded
        # machine); a mutant that does not build fails twice the same way
        if not v.startswith("tb_") and subprocess.call(vb) != 0 and subprocess.call(vb) != 0:
            logp = os.path.join(sim, "obj_" + v, "build.log")
            err = [l.strip() for l in open(logp, errors="replace")
                   if "rror" in l][:1] if os.path.exists(logp) else []
            status, why = "did not build", v + ": " + (err[0] if err else "?")
            break
        for cmd in kill_suite(v, a.build, os.path.join(work, "rtl"), sim):
            bad, tail = run_cmd(cmd, env, a.timeout)
            if bad:
                status = "killed"
                why = v + ": " + " ".join(os.path.basename(c) if j == 0 else c
                                         for j, c in enumerate(cmd)) + ": " + " / ".join(tail)
                break
        if status == "killed":
            break
    r.update(status=status, by=why, seconds=round(time.time() - t0, 1))
    if status != "survived":
        shutil.rmtree(work, ignore_errors=True)
    return r


def main():
    ap = argparse.ArgumentParser(prog="mutate.sh")
    ap.add_argument("-n", type=int, default=30, help="mutants to sample (default 30)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", default="", help="regex on rtl/ file names")
    ap.add_argument("--build", default=os.path.join(TOP, "build", "release"))
    ap.add_argument("--out", default=None, help="output directory (default BUILD/mutate)")
    ap.add_argument("--timeout", type=int, default=0,
                    help="seconds per kill command (default 120; 900 with --check-equivalents, "
                         "where a timeout on a loaded machine would read as a kill)")
    ap.add_argument("--min-score", type=float, default=0.0, help="exit 1 below this %%")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants and stop")
    ap.add_argument("--only", default="", help="run only the mutants whose id contains this")
    ap.add_argument("-j", type=int, default=1, help="mutants built and run at once (default 1)")
    ap.add_argument("--check-equivalents", action="store_true",
                    help="run every reviewed equivalent mutant through the kill suite: each must "
                         "survive (exit 1 if one is killed: it is not equivalent)")
    a = ap.parse_args()
    if not a.timeout:
        a.timeout = 900 if a.check_equivalents else 120
    if a.n < 1 or a.j < 1:
        print("mutate.sh: -n and -j must be >= 1", file=sys.stderr)
        return 2
    for prog in ("pecos", "tests/test_array_contract", "tests/test_postproc", "tests/rtl_random"):
        if not os.access(os.path.join(a.build, prog), os.X_OK):
            print("mutate.sh: %s not found: build first (sh scripts/build.sh)" %
                  os.path.join(a.build, prog), file=sys.stderr)
            return 2
    out = a.out or os.path.join(a.build, "mutate")
    os.makedirs(out, exist_ok=True)
    eq = load_equivalent(os.path.join(TOP, "dv", "mutants_equivalent.txt"))
    pool = all_mutants(a.files)
    if not pool:
        print("mutate.sh: no mutants in files matching '%s'" % a.files, file=sys.stderr)
        return 2
    rnd = random.Random(a.seed)
    if a.check_equivalents:
        pool = [m for m in pool if (m["file"], m["src"], m["orig"], m["new"]) in eq]
        a.n = len(pool)
        eq = {}
    if a.only:
        pool = [m for m in pool if a.only in m["id"]]
        if not pool:
            print("mutate.sh: no mutant id contains '%s'" % a.only, file=sys.stderr)
            return 2
    sample = rnd.sample(pool, min(a.n, len(pool)))
    if a.list:
        for m in sample:
            print(m["id"], "|", m["src"])
        return 0
    print("mutate: %d mutants of %d candidates (seed %d), kill suite from %s" %
          (len(sample), len(pool), a.seed, a.build), flush=True)
    t_all = time.time()
    results = [None] * len(sample)
    lock = threading.Lock()

    def one(i):
        r = run_mutant(i + 1, sample[i], out, a, eq)
        with lock:
            results[i] = r
            done = [x for x in results if x]
            print("[%d/%d] %-13s %5.0fs %s  %s" % (len(done), len(sample), r["status"], r["seconds"],
                                                  r["id"], r["src"][:70]), flush=True)
            write_report(out, done, sample, pool, a, t_all)  # a partial report after each

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        list(ex.map(one, range(len(sample))))
    score = write_report(out, results, sample, pool, a, t_all)
    if a.check_equivalents:
        bad = [r for r in results if r["status"] == "killed"]
        for r in bad:
            print("NOT EQUIVALENT: %s (%s): killed by %s" % (r["id"], r["src"], r["by"]))
        print("mutate: %d reviewed equivalent mutants run, %d killed" % (len(results), len(bad)))
        return 1 if bad else 0
    print(open(os.path.join(out, "report.txt")).read().split("\n")[0])
    print("mutate: report in %s/report.txt and mutants.json" % out)
    return 0 if score >= a.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
