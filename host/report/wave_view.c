#define _XOPEN_SOURCE 700
#include "wave_view.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fst_time.h"
#include "pecos_err.h"

/* GTKWave trace flags (the "@" lines of a save file): right-justified binary, hex, unsigned
 * and signed decimal; a comment line. */
#define GW_BIN 0x28
#define GW_HEX 0x22
#define GW_DEC 0x24
#define GW_SDEC 0x420
#define GW_COMMENT 0x200

/* The window GTKWave opens, and the signal pane's width in it (pixels). */
enum { VIEW_W = 1800, VIEW_H = 1000, NAMES_W = 360, WAVE_W = VIEW_W - NAMES_W - 60 };

/* A save file being written: the stream and the flags of the last trace line. */
typedef struct {
    FILE *f;
    unsigned flags;
} gw_t;

static void gw_flags(gw_t *g, unsigned flags)
{
    if (flags == g->flags) return;
    fprintf(g->f, "@%x\n", flags);
    g->flags = flags;
}

/* A comment line in the signal pane. */
static void gw_comment(gw_t *g, const char *text)
{
    gw_flags(g, GW_COMMENT);
    fprintf(g->f, "-%s\n", text);
}

/* A whole signal, shown as alias when alias is not NULL. */
static void gw_sig(gw_t *g, unsigned flags, const char *alias, const char *name)
{
    gw_flags(g, flags);
    if (alias)
        fprintf(g->f, "+{%s} %s\n", alias, name);
    else
        fprintf(g->f, "%s\n", name);
}

/* Bits [lo + w - 1 : lo] of the bus scope.name[width-1:0] as one trace called alias: a
 * GTKWave vector made of the bus's bits, "(i)bus[width-1:0]" being its i-th bit from the
 * most significant one. red: drawn in red. */
static void gw_slice(gw_t *g, unsigned flags, bool red, const char *alias, const char *bus,
                     int width, int lo, int w)
{
    gw_flags(g, flags);
    if (red) fputs("[color] 1\n", g->f);
    fprintf(g->f, "#{%s}", alias);
    for (int b = lo + w - 1; b >= lo; b--) fprintf(g->f, " (%d)%s[%d:0]", width - 1 - b, bus, width - 1);
    fputc('\n', g->f);
}

/* The header: the failure in comments, the window's start, the window size, the zoom that
 * fits the dumped window into the wave pane, the primary marker on the failing cycle and the
 * named markers of the cycle ruler. */
static void gw_header(gw_t *g, const wave_view_t *v, const char *fst_abs)
{
    /* GTKWave's times are ps (fst_time.h) */
    const uint64_t t0 = FST_PS_PER_TICK * FST_START(v->from),
                   t1 = FST_PS_PER_TICK * FST_START(v->to + 1);
    const double span = (double)(t1 - t0);
    /* GTKWave draws 2^-zoom time units per 200 pixels (zoom base 2). */
    const double zoom = -log2(200.0 * span / (double)WAVE_W);
    fprintf(g->f, "[*] pecos run --wave-on-fail: %s\n", v->what);
    fprintf(g->f, "[*] The primary marker is cycle %llu, when that output came out on lane %d; "
                  "the dump holds cycles %llu..%llu.\n",
            (unsigned long long)v->cycle, v->lane, (unsigned long long)v->from,
            (unsigned long long)v->to);
    fprintf(g->f, "[*] One cycle is 1 ns (cycle N starts at N ns, its rising edge at N.5 ns): "
                  "the named markers on top are cycle numbers.\n");
    fprintf(g->f, "[dumpfile] \"%s\"\n", fst_abs);
    fprintf(g->f, "[timestart] %llu\n", (unsigned long long)t0);
    fprintf(g->f, "[size] %d %d\n[pos] -1 -1\n", VIEW_W, VIEW_H);
    /* Named markers A..Z: every step-th cycle's rising edge, the failing one among them. */
    const uint64_t n = v->to - v->from + 1;
    uint64_t step = (n + 11) / 12;
    if (step == 0) step = 1;
    uint64_t first = v->cycle - ((v->cycle - v->from) / step) * step;
    fprintf(g->f, "*%.6f %llu", zoom, (unsigned long long)(FST_PS_PER_TICK * FST_RISE(v->cycle)));
    int named = 0;
    uint64_t at[26];
    for (uint64_t c = first; c <= v->to && named < 26; c += step) at[named++] = c;
    for (int i = 0; i < 26; i++) {
        if (i < named)
            fprintf(g->f, " %llu", (unsigned long long)(FST_PS_PER_TICK * FST_RISE(at[i])));
        else
            fputs(" -1", g->f);
    }
    fputc('\n', g->f);
    for (int i = 0; i < named; i++)
        fprintf(g->f, "[markername_long] %c %s%llu\n", 'A' + i, at[i] == v->cycle ? "FAIL " : "",
                (unsigned long long)at[i]);
    fprintf(g->f, "[signals_width] %d\n[sst_expanded] 0\n", NAMES_W);
}

/* The failing lane and its column's PEs, row 0 first. */
static void gw_failing_column(gw_t *g, const wave_view_t *v)
{
    const unsigned sum = v->fp ? GW_HEX : GW_SDEC, op = v->fp ? GW_HEX : GW_SDEC;
    const int dw = v->fp ? 16 : 8, pw = 32 * v->cols, c = v->lane;
    const char *arr = v->os ? "pecos.pecos_array_os" : "pecos.pecos_array_ws";
    char a[96], s[256], line[160];
    snprintf(line, sizeof line, "lane %d (red: the failing output)", c);
    gw_comment(g, line);
    gw_sig(g, GW_BIN, NULL, "pecos.out_valid_o");
    snprintf(a, sizeof a, "out_psum_o lane %d", c);
    gw_slice(g, sum, true, a, "pecos.out_psum_o", pw, 32 * c, 32);
    snprintf(a, sizeof a, "in_psum_i lane %d", c);
    gw_slice(g, sum, false, a, "pecos.in_psum_i", pw, 32 * c, 32);
    snprintf(line, sizeof line, "column %d's PEs, row 0 first", c);
    gw_comment(g, line);
    /* The arrays keep their PEs' registers in arrays indexed r * Cols + c
     * (rtl/pecos_array_ws.sv, pecos_array_os.sv); after an edge the x lane's register holds
     * the beat whose product the PE holds. Width 0: a one-bit flag; -1: the operand width. */
    typedef struct {
        const char *label, *name;
        int width;
    } pe_reg_t;
    static const pe_reg_t ws_regs[] = {
        {"weight bank 0", "pe_w0", -1}, {"weight bank 1", "pe_w1", -1},
        {"operand", "pe_xd", -1},       {"operand's bank", "pe_xb", 0},
        {"product valid", "pe_xv", 0},  {"psum out", "pe_sum", 32},
        {"psum valid", "pe_sv", 0},
    };
    static const pe_reg_t os_regs[] = {
        {"weight", "pe_wd", -1},      {"operand", "pe_xd", -1},  {"product valid", "pe_xv", 0},
        {"first beat", "pe_xf", 0},   {"accumulator", "pe_acc", 32},
        {"drain valid", "pe_chv", 0}, {"drain", "pe_chd", 32},
    };
    const pe_reg_t *regs = v->os ? os_regs : ws_regs;
    const size_t nregs =
        v->os ? sizeof os_regs / sizeof os_regs[0] : sizeof ws_regs / sizeof ws_regs[0];
    for (int r = 0; r < v->rows; r++) {
        const int i = r * v->cols + c;
        for (size_t k = 0; k < nregs; k++) {
            const int w = regs[k].width < 0 ? dw : regs[k].width;
            snprintf(a, sizeof a, "PE(%d,%d) %s", r, c, regs[k].label);
            if (w == 0)
                snprintf(s, sizeof s, "%s.%s[%d]", arr, regs[k].name, i);
            else
                snprintf(s, sizeof s, "%s.%s[%d][%d:0]", arr, regs[k].name, i, w - 1);
            gw_sig(g, w == 0 ? GW_BIN : w == 32 ? sum : op, a, s);
        }
    }
}

/* Every lane of the bus ports, split per lane, the lane controls and the counters. */
static void gw_all_lanes(gw_t *g, const wave_view_t *v)
{
    const unsigned sum = v->fp ? GW_HEX : GW_SDEC, op = v->fp ? GW_HEX : GW_SDEC;
    const int dw = v->fp ? 16 : 8, pw = 32 * v->cols;
    char a[64], bus[64];
    gw_comment(g, "every lane of the ports");
    gw_sig(g, GW_BIN, NULL, "pecos.in_valid_i");
    if (v->os) {
        gw_sig(g, GW_BIN, NULL, "pecos.in_first_i");
        gw_sig(g, GW_BIN, NULL, "pecos.in_last_i");
    } else {
        gw_sig(g, GW_BIN, NULL, "pecos.in_bank_i");
        gw_sig(g, GW_BIN, NULL, "pecos.w_valid_i");
        gw_sig(g, GW_BIN, NULL, "pecos.w_bank_i");
        gw_sig(g, GW_DEC, NULL, "pecos.w_col_i[15:0]");
    }
    for (int r = 0; r < v->rows; r++) {
        snprintf(a, sizeof a, "in_data_i row %d", r);
        gw_slice(g, op, false, a, "pecos.in_data_i", dw * v->rows, dw * r, dw);
    }
    const int nw = v->os ? v->cols : v->rows; /* OS: a weight per column; WS: per row */
    for (int i = 0; i < nw; i++) {
        snprintf(a, sizeof a, "w_data_i %s %d", v->os ? "lane" : "row", i);
        gw_slice(g, op, false, a, "pecos.w_data_i", dw * nw, dw * i, dw);
    }
    for (int c = 0; c < v->cols; c++) {
        snprintf(a, sizeof a, "in_psum_i lane %d", c);
        gw_slice(g, sum, false, a, "pecos.in_psum_i", pw, 32 * c, 32);
    }
    for (int c = 0; c < v->cols; c++) {
        snprintf(a, sizeof a, "out_psum_o lane %d", c);
        gw_slice(g, sum, c == v->lane, a, "pecos.out_psum_o", pw, 32 * c, 32);
    }
    gw_comment(g, "counters");
    static const char *const cnt[] = {"cnt_beats_o", "cnt_wbeats_o", "cnt_busy_o", "cnt_macs_o"};
    for (int i = 0; i < 4; i++) {
        snprintf(bus, sizeof bus, "pecos.%s[63:0]", cnt[i]);
        gw_sig(g, GW_DEC, NULL, bus);
    }
}

int wave_view_write(const char *path, const wave_view_t *v)
{
    char abs_fst[PATH_MAX];
    if (!realpath(v->fst, abs_fst)) return PECOS_EIO;
    gw_t g = {.f = fopen(path, "w"), .flags = 0};
    if (!g.f) return PECOS_EIO;
    gw_header(&g, v, abs_fst);
    char line[160];
    snprintf(line, sizeof line, "FAIL %s: cycle %llu, lane %d", v->layer, (unsigned long long)v->cycle,
             v->lane);
    gw_comment(&g, line);
    snprintf(line, sizeof line, "expected %s, got %s", v->expected, v->got);
    gw_comment(&g, line);
    gw_sig(&g, GW_BIN, NULL, "pecos.clk_i");
    gw_sig(&g, GW_BIN, NULL, "pecos.rst_ni");
    gw_failing_column(&g, v);
    gw_all_lanes(&g, v);
    const bool bad = ferror(g.f) != 0;
    if (fclose(g.f) != 0 || bad) {
        if (!errno) errno = EIO;
        return PECOS_EIO;
    }
    return 0;
}
