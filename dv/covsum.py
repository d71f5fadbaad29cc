#!/usr/bin/env python3
"""covsum.py MERGED.dat RTL_DIR OUT.json - per-module summary of a Verilator coverage file.

For every module of RTL_DIR: line coverage (v_line and v_branch points: statements and
branches of the module's code, summed over instances: a point counts as covered if any
instance hit it), toggle coverage (v_toggle points: every signal bit, both directions; a
bit is covered if any instance toggled it) and user points (v_user: the assertions).
Prints a table and the holes (uncovered points, grouped by line or signal) on stdout and
writes the same as JSON. A coverage point of a module outside RTL_DIR is ignored.
"""
import json
import os
import re
import sys
from collections import defaultdict


# Toggle holes that are explained, not closable by a test: signal name -> reason.
EXPLAINED = {
    r"(cnt_\w+_o|beats_q|wbeats_q|busy_q|macs_q|cyc_q)": "64-bit counter: its high bits need 2^k cycles",
    # pecos_perf_ctr's 64-bit gated counter (bits 10 and up; a PE's pe_gated is one bit)
    r"gated_q\[[1-6][0-9]\]": "64-bit counter: its high bits need 2^k cycles",
    r"inflight_q": "in-flight count: its high bits are never reached (bounded by the "
                               "array's latency, an assertion checks it)",
    r"w_col_i": "the upper bits of the 16-bit column port are unused by design (Cols <= 2^ColIdxW)",
    r"owed": "outputs owed by one beat: at most OutsPerLast (Rows), its upper bits are constant 0",
    r"mult_s": "the sign bit of the signed multiplier is the 0 above the 31-bit Q31 multiplier",
    r"below": "the rounding's remainder mask covers bits n-2..0, n <= 63: bits 62 and 63 are always 0",
    r"since_last_q": "edges since the last last-beat saturate at Rows: the counter's top bit is headroom",
    r"win_beats_q": "window length for the PostWindowAtMost255 assertion: the contract's windows stop at 255 beats, bit 8 is headroom",
    # pecos_fma's alignment window (WinW = 28, bit 27 the carry): bit-exact constants
    r"c_win\[(0|1|2|27)\]": "c's 24-bit significand sits at bits 26..3 of the window: bits 2..0 and the carry are 0",
    r"p_win\[(0|1|2|3|4|27)\]": "the product's significand (16 or 22 bits) sits below bit 27 and above bit 4 (fp16; bf16: above bit 10)",
    r"[xy]_win\[(0|1|2|27)\]": "x_win and y_win are p_win or c_win: bits 2..0 and the carry are 0 in both",
    r"y_wide\[(0|1|2|55)\]": "y_win shifted right by d <= WinW: its zero bits 2..0 never reach bits 2..0, its 0 carry is bit 55",
    r"y_trunc\[27\]": "the top of y_wide, y_win's 0 carry",
    r"d\[(5|6|7|8|9|10|11)\]": "the alignment distance is clamped to WinW = 28 < 32: bits 5..11 of the 12-bit field are 0",
    r"n_wide\[[0-5]\]": "n_wide bit j holds mag bit j + rsh - 28: reached only by a right shift of 23..28 (a sum more than 22 binades below fp32's smallest normal) with mag's low bits set, which no test vector makes; they feed only n_sticky (not closed: a directed FMA vector could)",
}

# Line holes that are explained, not closable by a legal stimulus: "file:line" -> reason.
EXPLAINED_LINES = {
    "pecos_postproc.sv:157": "win_beats_q saturates at 511 beats, twice the 255 the contract allows (the PostWindowAtMost255 assertion fires first)",
}


def explained(sig):
    """The reason a toggle hole is explained: sig is a signal ("name") or one bit ("name[3]");
    a bit is also explained by its signal's reason."""
    for s in (sig, re.sub(r"\[\d+\]$", "", sig)):
        for rx, why in EXPLAINED.items():
            if re.fullmatch(rx, s):
                return why
    return None


def parse(path):
    pts = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            if not line.startswith("C '"):
                continue
            body, count = line.rsplit("' ", 1)
            kv = {}
            for field in body[3:].split("\x01"):
                if "\x02" in field:
                    k, v = field.split("\x02", 1)
                    kv[k] = v
            kv["count"] = int(count)
            pts.append(kv)
    return pts


def main():
    if len(sys.argv) != 4:
        print("usage: covsum.py MERGED.dat RTL_DIR OUT.json", file=sys.stderr)
        return 2
    dat, rtl, out = sys.argv[1:]
    rtl = os.path.realpath(rtl)
    # (module, kind, key) -> covered (any instance)
    pts = defaultdict(bool)
    for p in parse(dat):
        f = os.path.realpath(p.get("f", ""))
        if os.path.dirname(f) != rtl:
            continue
        page = p.get("page", "")
        m = re.match(r"v_(\w+)/(\w+)", page)
        if not m:
            continue
        kind, module = m.groups()
        module = module.split("__")[0]  # pecos_delay__W16_D2 -> pecos_delay
        kind = {"branch": "line", "line": "line", "toggle": "toggle"}.get(kind, "user")
        if kind == "toggle":
            key = p.get("o", "?")  # signal bit
        else:
            key = "%s:%s %s" % (os.path.basename(f), p.get("l", "?"), p.get("o", ""))
        pts[(module, kind, key)] |= p["count"] > 0
    mods = defaultdict(lambda: {"line": [0, 0], "toggle": [0, 0], "user": [0, 0],
                                "holes": {"line": [], "toggle": [], "user": []}})
    for (module, kind, key), cov in sorted(pts.items()):
        d = mods[module]
        d[kind][1] += 1
        if cov:
            d[kind][0] += 1
        else:
            d["holes"][kind].append(key)
    for module, d in mods.items():
        ex = [b for b in d["holes"]["toggle"] if explained(b)]
        d["toggle_explained"] = len(ex)
        d["line_explained"] = len([h for h in d["holes"]["line"] if h.split(" ")[0] in EXPLAINED_LINES])
    res = {}
    print("%-14s %17s %8s %17s %8s %14s" % ("module", "line", "line*", "toggle", "toggle*", "user"))
    tot = {"line": [0, 0], "toggle": [0, 0], "user": [0, 0]}
    nex = {"line": 0, "toggle": 0}

    def star(c, n, ex):
        return round(100.0 * c / (n - ex), 2) if n - ex else None

    def pct_cell(c, n):
        return "%5.1f%% %5d/%-5d" % (100.0 * c / n, c, n) if n else "%16s" % "-"

    for module in sorted(mods):
        d = mods[module]
        row = {}
        for k in ("line", "toggle", "user"):
            c, n = d[k]
            tot[k][0] += c
            tot[k][1] += n
            row[k] = {"covered": c, "points": n, "percent": round(100.0 * c / n, 2) if n else None}
        for k in ("line", "toggle"):
            nex[k] += d[k + "_explained"]
            row[k + "_unexplained_percent"] = star(d[k][0], d[k][1], d[k + "_explained"])
        row["holes"] = d["holes"]
        res[module] = row
        print("%-14s %s %s %s %s %s" % (
            module, pct_cell(*d["line"]), "%7.1f%%" % row["line_unexplained_percent"],
            pct_cell(*d["toggle"]), "%7.1f%%" % row["toggle_unexplained_percent"],
            pct_cell(*d["user"])))
    total = {k: {"covered": c, "points": n, "percent": round(100.0 * c / n, 2) if n else None}
             for k, (c, n) in tot.items()}
    for k in ("line", "toggle"):
        total[k + "_unexplained_percent"] = star(tot[k][0], tot[k][1], nex[k])
    print("%-14s %s %7.1f%% %s %7.1f%% %s" % (
        "total", pct_cell(*tot["line"]), total["line_unexplained_percent"],
        pct_cell(*tot["toggle"]), total["toggle_unexplained_percent"], pct_cell(*tot["user"])))
    print("(line*, toggle*: coverage without the explained holes below)")
    print("holes (uncovered points):")
    for module in sorted(res):
        for k in ("line", "user", "toggle"):
            h = res[module]["holes"][k]
            if not h:
                continue
            # toggle holes: group bits of one signal
            if k == "toggle":
                sig = defaultdict(list)
                for b in h:
                    mm = re.match(r"(.*?)(\[\d+\])?$", b)
                    sig[mm.group(1)].append(mm.group(2) or "")
                items = []
                for s, v in sig.items():
                    whys = {explained(s + b) for b in v}
                    why = whys.pop() if len(whys) == 1 else None
                    items.append("%s%s%s" % (s, "" if v == [""] else "(%d bits)" % len(v),
                                             " [explained: %s]" % why if why else ""))
            else:
                items = ["%s [explained: %s]" % (x, EXPLAINED_LINES[x.split(" ")[0]])
                         if x.split(" ")[0] in EXPLAINED_LINES else x for x in h]
            print("  %s %s: %s" % (module, k, "; ".join(items[:40]) + (" ..." if len(items) > 40 else "")))
    with open(out, "w") as f:
        json.dump({"modules": res, "total": total}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
