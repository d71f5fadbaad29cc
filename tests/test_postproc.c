/* test_postproc.c - the verilated post-processing unit (sim/vpost.h, loaded by lane count
 * through host/postlib) scoreboarded bit-exactly against models/golden_post.
 *
 * usage: test_postproc LANES [SEGMENTS]     (PECOS_SEED=n reproduces; PECOS_WAVE=f.fst dumps)
 *
 * Parts:
 *   latency   one beat, then nothing: exactly one output, vpost_latency() steps later;
 *             a reset empties the pipeline.
 *   random    SEGMENTS segments, each a random configuration held while its windows stream
 *             (requant on/off, ReLU, zero points incl. -128/127, shifts 0..32, constructed
 *             exact .5 ties in both signs, saturation both ends, pool none/max/avg, window
 *             lengths 1..255, avg counts equal to, above or below the length, idle cycles
 *             inside and between windows, back-to-back windows), then a drain.
 *   counts    avg windows of every length/count 1..255 back to back.
 *   maps      the test plays the host: [C,H,W] int32 maps + bias, channels on lanes (groups
 *             of LANES, unused lanes fed zeros), every pooling window's real cells one beat
 *             each (padding skipped, count = real cells), 2x2/3x3, stride 1/2, pads; the
 *             outputs, in window order, against golden_post_map().
 * Every output is checked for value and for its step (exactly LAT after the window's last
 * beat); an output that is missing, extra or late fails. Coverage counters must all be
 * non-zero at the end (a test that silently stops covering a case fails).
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_post.h"
#include "postlib.h"
#include "rng.h"

#define MAXL 256
#define QCAP 64
#define MAX_REPORT 10

typedef struct {
    uint64_t due;        /* step that must carry the output */
    int n;               /* lanes to compare */
    int8_t y[MAXL];      /* expected */
    char what[96];       /* for the failure message */
} expect_t;

typedef struct {
    postlib_t *P;
    int L, lat;
    uint64_t seed;
    rng_t g;
    uint64_t step;           /* steps since the last reset */
    expect_t q[QCAP];
    int qhead, qlen;
    int checks, failed;
    vpost_cfg_t cfg;
    /* coverage */
    long cov_tie_pos, cov_tie_neg, cov_avg_tie_pos, cov_avg_tie_neg, cov_sat_hi, cov_sat_lo,
        cov_byp_hi, cov_byp_lo, cov_relu, cov_zp_min, cov_zp_max, cov_max4, cov_max9, cov_avg4,
        cov_avg9, cov_count_lt, cov_count_gt, cov_gap_in, cov_b2b, cov_rq_off, cov_shift32,
        cov_maps;
    bool count_seen[256];
} ctx_t;

/* Counts a failure; prints the first MAX_REPORT with the step and how to re-run. */
__attribute__((format(printf, 2, 3))) static void fail(ctx_t *c, const char *fmt, ...)
{
    c->failed++;
    if (c->failed > MAX_REPORT) return;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: L%d seed %" PRIu64 " step %" PRIu64 ": ", c->L, c->seed, c->step);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (re-run: PECOS_SEED=%" PRIu64 " PECOS_WAVE=post.fst test_postproc %d)\n", c->seed,
           c->L);
}

/* One cycle; checks the output against the scoreboard. */
static void step(ctx_t *c, bool valid, bool first, bool last, int count, const int32_t *acc,
                 const int32_t *bias)
{
    bool ov = false;
    int8_t out[MAXL];
    postlib_step(c->P, valid, first, last, count, acc, bias, &ov, out);
    uint64_t now = c->step++;
    expect_t *h = c->qlen ? &c->q[c->qhead] : NULL;
    if (ov) {
        c->checks++;
        if (!h || h->due != now) {
            fail(c, "unexpected output (next expected: %s, due at step %lld)",
                 h ? h->what : "none", h ? (long long)h->due : -1LL);
            return;
        }
        for (int l = 0; l < h->n; l++) {
            c->checks++;
            if (out[l] != h->y[l])
                fail(c, "%s lane %d: got %d, expected %d", h->what, l, out[l], h->y[l]);
        }
        c->qhead = (c->qhead + 1) % QCAP;
        c->qlen--;
    } else if (h && h->due == now) {
        c->checks++;
        fail(c, "%s: no output at its step %lld", h->what, (long long)h->due);
        c->qhead = (c->qhead + 1) % QCAP;
        c->qlen--;
    }
}

/* Registers the result of a window whose last beat is presented by the NEXT step(). */
static void expect_window(ctx_t *c, const int8_t *y, int n, const char *what)
{
    if (c->qlen == QCAP) {
        printf("FAIL: scoreboard overflow\n");
        exit(1);
    }
    expect_t *e = &c->q[(c->qhead + c->qlen) % QCAP];
    e->due = c->step + (uint64_t)c->lat;
    e->n = n;
    memcpy(e->y, y, (size_t)n);
    snprintf(e->what, sizeof e->what, "%s", what);
    c->qlen++;
}

static void idle(ctx_t *c, int n)
{
    for (int i = 0; i < n; i++) step(c, false, false, false, 0, NULL, NULL);
}

/* Drains the pipeline; every expected output must have left. */
static void drain(ctx_t *c)
{
    idle(c, c->lat + 2);
    c->checks++;
    if (c->qlen) {
        fail(c, "%d outputs still expected after the drain, first: %s", c->qlen,
             c->q[c->qhead].what);
        c->qlen = 0;
    }
}

static void configure(ctx_t *c, const vpost_cfg_t *cfg)
{
    c->cfg = *cfg;
    postlib_config(c->P, cfg);
}

/* ---- the golden side of one beat ---------------------------------------------------- */

static int8_t golden_y(ctx_t *c, int32_t acc, int32_t bias)
{
    const vpost_cfg_t *f = &c->cfg;
    int32_t v = (int32_t)((uint32_t)acc + (uint32_t)bias);
    int8_t y = golden_requant(v, f->mult, f->shift, f->zp, f->rq_en, f->relu_en);
    /* coverage, from the definition */
    if (f->rq_en) {
        int64_t p = (int64_t)v * f->mult;
        int n = 31 + f->shift;
        uint64_t m = p < 0 ? (uint64_t)(-p) : (uint64_t)p;
        if (n < 64 && (m & ((UINT64_C(1) << n) - 1)) == (UINT64_C(1) << (n - 1))) {
            if (p > 0) c->cov_tie_pos++;
            else c->cov_tie_neg++;
        }
        int64_t s = f->zp + golden_rshift_rhe(p, n);
        if (s > 127) c->cov_sat_hi++;
        if (s < -128) c->cov_sat_lo++;
        if (f->relu_en && s < f->zp) c->cov_relu++;
    } else {
        if (v > 127) c->cov_byp_hi++;
        if (v < -128) c->cov_byp_lo++;
        if (f->relu_en && v < f->zp) c->cov_relu++;
    }
    return y;
}

/* ---- stimulus ------------------------------------------------------------------------ */

typedef struct {
    bool tie_ok;    /* the configuration admits constructed ties */
    int tie_sh;     /* v = j << tie_sh, j odd, is an exact tie */
    int tie_j;      /* |j| <= tie_j keeps the tie inside the int8 range */
} tie_t;

/* A random int32 value v = acc + bias of a useful kind for the configuration. */
static int32_t pick_v(ctx_t *c, const tie_t *t)
{
    const vpost_cfg_t *f = &c->cfg;
    int k = (int)rng_range(&c->g, 0, 99);
    if (k < 10) return (int32_t)(uint32_t)rng_next(&c->g);          /* anything */
    if (k < 20) return (int32_t)rng_range(&c->g, -400, 400);         /* small */
    if (t->tie_ok && k < 45) {                                       /* exact tie */
        int64_t j = 2 * rng_range(&c->g, 0, t->tie_j) + 1;
        if (rng_next(&c->g) & 1) j = -j;
        int64_t v = j * (INT64_C(1) << t->tie_sh);
        if (v >= INT32_MIN && v <= INT32_MAX) return (int32_t)v;
    }
    if (!f->rq_en) return (int32_t)rng_range(&c->g, -300, 300);
    /* an output target in [-300, 300] through the inverse scale, plus jitter */
    double scale = (double)f->mult * ldexp(1.0, -(31 + f->shift));
    double v = (double)rng_range(&c->g, -300, 300) / scale + (double)rng_range(&c->g, -3, 3);
    if (v > 2147483647.0) v = 2147483647.0;
    if (v < -2147483648.0) v = -2147483648.0;
    return (int32_t)v;
}

static void random_cfg(ctx_t *c, vpost_cfg_t *f, tie_t *t)
{
    memset(t, 0, sizeof *t);
    f->rq_en = rng_range(&c->g, 0, 9) < 8;
    f->relu_en = rng_next(&c->g) & 1;
    int zk = (int)rng_range(&c->g, 0, 5);
    f->zp = zk == 0 ? -128 : zk == 1 ? 127 : zk == 2 ? 0 : (int8_t)rng_range(&c->g, -128, 127);
    f->pool_mode = (int)rng_range(&c->g, 0, 2);
    if (rng_range(&c->g, 0, 2) == 0) {
        /* tie-friendly: mult = o << tz, o odd; v = j << (30 + shift - tz) is a tie */
        int tz = (int)rng_range(&c->g, 22, 30);
        int64_t olo = INT64_C(1) << (30 - tz), ohi = (INT64_C(1) << (31 - tz)) - 1;
        int64_t o = rng_range(&c->g, olo, ohi) | 1;
        if (o > ohi) o -= 2;
        f->mult = (uint32_t)(o << tz);
        f->shift = (int)rng_range(&c->g, 0, tz);
        t->tie_ok = true;
        t->tie_sh = 30 + f->shift - tz;
        /* |j * o / 2| <= ~300, and |j << tie_sh| < 2^31 */
        int64_t jmax = 600 / o;
        int64_t jlim = (INT64_C(1) << (31 - t->tie_sh)) - 1;
        if (jmax > jlim) jmax = jlim;
        t->tie_j = (int)((jmax - 1) / 2);
        if (jmax < 1) t->tie_ok = false;
    } else {
        f->mult = (uint32_t)rng_range(&c->g, INT64_C(1) << 30, (INT64_C(1) << 31) - 1);
        int sk = (int)rng_range(&c->g, 0, 9);
        f->shift = sk == 0 ? 32 : sk == 1 ? 31 : (int)rng_range(&c->g, 0, 20);
    }
    if (f->rq_en && f->shift == 32) c->cov_shift32++;
    if (!f->rq_en) c->cov_rq_off++;
    if (f->zp == -128) c->cov_zp_min++;
    if (f->zp == 127) c->cov_zp_max++;
}

/* Streams one window of n beats (count for avg) with the given gap probability (percent)
 * and registers its expected result. */
static void window(ctx_t *c, const tie_t *t, int n, int count, int gap_pct, const char *seg)
{
    static int8_t ys[MAXL][256];
    int32_t acc[MAXL], bias[MAXL];
    const int mode = c->cfg.pool_mode;
    for (int b = 0; b < n; b++) {
        if (b > 0 && rng_range(&c->g, 0, 99) < gap_pct) {
            idle(c, (int)rng_range(&c->g, 1, 3));
            c->cov_gap_in++;
        }
        for (int l = 0; l < c->L; l++) {
            int32_t v = pick_v(c, t);
            bias[l] = (int32_t)(uint32_t)rng_next(&c->g);
            if (rng_range(&c->g, 0, 3) == 0) bias[l] = (int32_t)rng_range(&c->g, -1000, 1000);
            acc[l] = (int32_t)((uint32_t)v - (uint32_t)bias[l]);
            ys[l][b] = golden_y(c, acc[l], bias[l]);
        }
        bool last = b == n - 1;
        if (last) {
            int8_t e[MAXL];
            for (int l = 0; l < c->L; l++) {
                e[l] = golden_pool_window(ys[l], n, mode, count);
                if (mode == GOLDEN_POOL_AVG) {
                    int64_t sum = 0;
                    for (int i = 0; i < n; i++) sum += ys[l][i];
                    int64_t r = (sum < 0 ? -sum : sum) % count;
                    if (2 * r == count) {
                        if (sum > 0) c->cov_avg_tie_pos++;
                        else c->cov_avg_tie_neg++;
                    }
                }
            }
            char what[96];
            snprintf(what, sizeof what, "%s mode %d n %d count %d", seg, mode, n, count);
            expect_window(c, e, c->L, what);
        }
        step(c, true, b == 0, last, last ? count : 0, acc, bias);
    }
    if (mode == GOLDEN_POOL_MAX && n == 4) c->cov_max4++;
    if (mode == GOLDEN_POOL_MAX && n == 9) c->cov_max9++;
    if (mode == GOLDEN_POOL_AVG && n == 4) c->cov_avg4++;
    if (mode == GOLDEN_POOL_AVG && n == 9) c->cov_avg9++;
    if (mode == GOLDEN_POOL_AVG) c->count_seen[count] = true;
}

static void random_segment(ctx_t *c, int seg)
{
    vpost_cfg_t f;
    tie_t t;
    random_cfg(c, &f, &t);
    configure(c, &f);
    char name[48];
    snprintf(name, sizeof name, "segment %d", seg);
    int windows = (int)rng_range(&c->g, 20, 120);
    int gap_pct = (int)rng_range(&c->g, 0, 2) * 15; /* 0, 15 or 30 */
    for (int w = 0; w < windows; w++) {
        int n = 1, count = 1;
        if (f.pool_mode != GOLDEN_POOL_NONE) {
            int k = (int)rng_range(&c->g, 0, 9);
            n = k < 3 ? 4 : k < 5 ? 9 : k < 9 ? (int)rng_range(&c->g, 1, 16)
                                               : (int)rng_range(&c->g, 1, 255);
            count = n;
            if (f.pool_mode == GOLDEN_POOL_AVG) {
                int ck = (int)rng_range(&c->g, 0, 9);
                if (ck == 0 && n < 255) {
                    count = (int)rng_range(&c->g, n + 1, 255);
                    c->cov_count_gt++;
                } else if (ck == 1 && n > 1) {
                    count = (int)rng_range(&c->g, 1, n - 1);
                    c->cov_count_lt++;
                }
            }
        }
        if (rng_range(&c->g, 0, 99) < gap_pct) idle(c, (int)rng_range(&c->g, 1, 4));
        else if (w > 0) c->cov_b2b++;
        window(c, &t, n, count, gap_pct, name);
    }
    drain(c);
}

static void counts_sweep(ctx_t *c)
{
    vpost_cfg_t f = {.mult = 1u << 30, .shift = 0, .zp = 0, .rq_en = false, .relu_en = false,
                     .pool_mode = GOLDEN_POOL_AVG};
    tie_t t = {0};
    configure(c, &f);
    for (int n = 1; n <= 255; n++) window(c, &t, n, n, 0, "counts");
    drain(c);
}

/* ---- the host's side: windows of a feature map ---------------------------------------- */

static void map_case(ctx_t *c, int C, int H, int W, const golden_pool_t *pool, int idx)
{
    int P, Q;
    if (golden_pool_dims(pool, H, W, &P, &Q) != 0) {
        printf("FAIL: map case %d: bad pool\n", idx);
        c->failed++;
        return;
    }
    size_t nin = (size_t)C * H * W, nout = (size_t)C * P * Q;
    int32_t *acc = malloc(nin * sizeof *acc), *bias = malloc((size_t)C * sizeof *bias);
    int8_t *want = malloc(nout);
    if (!acc || !bias || !want) {
        printf("FAIL: out of memory\n");
        exit(1);
    }
    vpost_cfg_t f;
    tie_t t;
    random_cfg(c, &f, &t);
    f.pool_mode = pool->mode;
    configure(c, &f);
    for (size_t i = 0; i < nin; i++) {
        int32_t v = pick_v(c, &t);
        acc[i] = (int32_t)((uint32_t)v - (uint32_t)rng_range(&c->g, -500, 500));
    }
    for (int k = 0; k < C; k++) bias[k] = (int32_t)rng_range(&c->g, -500, 500);
    golden_rq_t rq = {.mult = f.mult, .shift = f.shift, .zp = f.zp, .rq_en = f.rq_en,
                      .relu = f.relu_en};
    if (golden_post_map(acc, bias, C, H, W, &rq, pool, want) != 0) {
        printf("FAIL: golden_post_map rejected map case %d\n", idx);
        c->failed++;
        goto out;
    }
    const int R = pool->mode == GOLDEN_POOL_NONE ? 1 : pool->r;
    const int S = pool->mode == GOLDEN_POOL_NONE ? 1 : pool->s;
    const int sh = pool->mode == GOLDEN_POOL_NONE ? 1 : pool->stride_h;
    const int sw = pool->mode == GOLDEN_POOL_NONE ? 1 : pool->stride_w;
    const int pt = pool->mode == GOLDEN_POOL_NONE ? 0 : pool->pad_t;
    const int pl = pool->mode == GOLDEN_POOL_NONE ? 0 : pool->pad_l;
    int32_t lacc[MAXL], lbias[MAXL];
    for (int g0 = 0; g0 < C; g0 += c->L) {
        int nl = C - g0 < c->L ? C - g0 : c->L;
        for (int l = 0; l < c->L; l++) lbias[l] = l < nl ? bias[g0 + l] : 0;
        for (int op = 0; op < P; op++) {
            for (int oq = 0; oq < Q; oq++) {
                /* the real cells of the window, in row-major order */
                int cells[1024][2], n = 0;
                for (int i = 0; i < R; i++) {
                    int ih = op * sh - pt + i;
                    if (ih < 0 || ih >= H) continue;
                    for (int j = 0; j < S; j++) {
                        int iw = oq * sw - pl + j;
                        if (iw < 0 || iw >= W) continue;
                        cells[n][0] = ih;
                        cells[n][1] = iw;
                        n++;
                    }
                }
                for (int b = 0; b < n; b++) {
                    for (int l = 0; l < c->L; l++)
                        lacc[l] = l < nl ? acc[((size_t)(g0 + l) * H + cells[b][0]) * W +
                                               cells[b][1]]
                                         : 0;
                    if (b == n - 1) {
                        int8_t e[MAXL];
                        for (int l = 0; l < nl; l++)
                            e[l] = want[((size_t)(g0 + l) * P + op) * Q + oq];
                        char what[96];
                        snprintf(what, sizeof what, "map %d (C%d H%d W%d) group %d out (%d,%d)",
                                 idx, C, H, W, g0 / c->L, op, oq);
                        expect_window(c, e, nl, what);
                    }
                    step(c, true, b == 0, b == n - 1, n, lacc, lbias);
                }
                if (rng_range(&c->g, 0, 9) == 0) idle(c, 1);
            }
        }
    }
    drain(c);
    c->cov_maps++;
out:
    free(acc);
    free(bias);
    free(want);
}

static void maps(ctx_t *c)
{
    const golden_pool_t pools[] = {
        {.mode = GOLDEN_POOL_MAX, .r = 2, .s = 2, .stride_h = 2, .stride_w = 2},
        {.mode = GOLDEN_POOL_AVG, .r = 2, .s = 2, .stride_h = 2, .stride_w = 2},
        {.mode = GOLDEN_POOL_MAX, .r = 2, .s = 2, .stride_h = 1, .stride_w = 1},
        {.mode = GOLDEN_POOL_AVG, .r = 3, .s = 3, .stride_h = 1, .stride_w = 1, .pad_t = 1,
         .pad_l = 1, .pad_b = 1, .pad_r = 1},
        {.mode = GOLDEN_POOL_MAX, .r = 3, .s = 3, .stride_h = 2, .stride_w = 2, .pad_t = 1,
         .pad_l = 1, .pad_b = 1, .pad_r = 1},
        {.mode = GOLDEN_POOL_AVG, .r = 3, .s = 3, .stride_h = 2, .stride_w = 2},
        {.mode = GOLDEN_POOL_MAX, .r = 3, .s = 3, .stride_h = 1, .stride_w = 1},
        {.mode = GOLDEN_POOL_AVG, .r = 2, .s = 2, .stride_h = 1, .stride_w = 1, .pad_b = 1,
         .pad_r = 1},
        {.mode = GOLDEN_POOL_NONE},
    };
    int idx = 0;
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
        int cs[3] = {c->L, c->L + 3, 3 < c->L ? 3 : 1};
        for (int k = 0; k < 3; k++) {
            int H = (int)rng_range(&c->g, 3, 9), W = (int)rng_range(&c->g, 3, 9);
            map_case(c, cs[k], H, W, &pools[i], idx++);
        }
    }
}

/* ---- latency and reset ---------------------------------------------------------------- */

static void latency(ctx_t *c)
{
    int32_t acc[MAXL], bias[MAXL];
    for (int l = 0; l < c->L; l++) {
        acc[l] = l * 3 - 7;
        bias[l] = 2;
    }
    vpost_cfg_t f = {.mult = 1u << 30, .shift = 0, .zp = 0, .rq_en = false, .relu_en = false,
                     .pool_mode = GOLDEN_POOL_NONE};
    configure(c, &f);
    bool ov = false;
    int8_t out[MAXL];
    int seen = 0, at = -1;
    postlib_step(c->P, true, true, true, 1, acc, bias, &ov, out);
    for (int k = 1; k <= c->lat + 4; k++) {
        postlib_step(c->P, false, false, false, 0, NULL, NULL, &ov, out);
        if (ov) {
            seen++;
            at = k;
            c->checks++;
            if (out[0] != (int8_t)(acc[0] + 2)) {
                c->failed++;
                printf("FAIL: L%d latency beat: lane 0 got %d, expected %d\n", c->L, out[0],
                       acc[0] + 2);
            }
        }
    }
    c->checks += 2;
    printf("  latency: measured %d steps, vpost_latency() %d\n", at, c->lat);
    if (seen != 1 || at != c->lat) {
        c->failed++;
        printf("FAIL: L%d: %d outputs, at step %d; the contract says 1 at %d\n", c->L, seen, at,
               c->lat);
    }
    if (c->lat != 9) {
        c->failed++;
        printf("FAIL: L%d: vpost_latency() %d, the documented LAT is 9\n", c->L, c->lat);
    }
    /* a reset in flight empties the pipeline */
    for (int k = 0; k < 3; k++) postlib_step(c->P, true, true, true, 1, acc, bias, &ov, out);
    postlib_reset(c->P);
    int after = 0;
    for (int k = 0; k < c->lat + 4; k++) {
        postlib_step(c->P, false, false, false, 0, NULL, NULL, &ov, out);
        after += ov;
    }
    c->checks++;
    if (after) {
        c->failed++;
        printf("FAIL: L%d: %d outputs after a reset\n", c->L, after);
    }
    postlib_reset(c->P);
    c->step = 0;
}

/* Directed corners: the requantizer's saturation on both sides of its 10-bit clamp (rq just
 * inside and outside [-512, 511], INT32_MIN/MAX), with zero points at both ends and ReLU,
 * the bypass saturation, and pooling that saturates (avg with a count smaller than the
 * beats, max of all -128) in every pool mode; windows back to back. */
static void corners(ctx_t *c)
{
    static const int32_t vs[] = {INT32_MIN, INT32_MAX, -1027, -1026, -1025, -1024, -1023,
                                 -1022, 1021, 1022, 1023, 1024, 1025, -300, 300, -257, 255,
                                 -129, 128, 0, -1, 1};
    const int nv = (int)(sizeof vs / sizeof vs[0]);
    static const int8_t zps[] = {-128, -5, 0, 127};
    int32_t acc[MAXL], bias[MAXL];
    int8_t ys[8][MAXL], y[MAXL];
    char what[96];
    memset(bias, 0, sizeof bias);
    for (int mode = 0; mode <= 2; mode++)
        for (int rq = 0; rq <= 1; rq++)
            for (int z = 0; z < 4; z++)
                for (int relu = 0; relu <= 1; relu++) {
                    vpost_cfg_t f = {.mult = 1u << 30, .shift = 0, .zp = zps[z], .rq_en = rq,
                                     .relu_en = relu, .pool_mode = mode};
                    configure(c, &f);
                    const int n = mode == 0 ? 1 : 4; /* beats per window */
                    const int count = mode == 2 ? 1 : n;
                    for (int w0 = 0; w0 < nv; w0++) {
                        for (int b = 0; b < n; b++) {
                            for (int l = 0; l < c->L; l++) {
                                acc[l] = vs[(w0 + l + (mode ? 0 : b)) % nv];
                                ys[b][l] = golden_y(c, acc[l], 0);
                            }
                            if (b == n - 1) {
                                for (int l = 0; l < c->L; l++) {
                                    int8_t col[8];
                                    for (int k = 0; k < n; k++) col[k] = ys[k][l];
                                    y[l] = mode == 0 ? col[0]
                                                     : golden_pool_window(col, n, mode, count);
                                }
                                snprintf(what, sizeof what,
                                         "corner mode %d rq %d zp %d relu %d v[0] %d", mode, rq,
                                         zps[z], relu, acc[0]);
                                expect_window(c, y, c->L, what);
                            }
                            step(c, true, b == 0, b == n - 1, count, acc, bias);
                        }
                    }
                    drain(c);
                }
}

static void coverage(ctx_t *c)
{
    int missing_counts = 0;
    for (int k = 1; k <= 255; k++) missing_counts += !c->count_seen[k];
    struct {
        const char *name;
        long n;
    } cov[] = {
        {"requant ties > 0", c->cov_tie_pos},      {"requant ties < 0", c->cov_tie_neg},
        {"avg ties > 0", c->cov_avg_tie_pos},      {"avg ties < 0", c->cov_avg_tie_neg},
        {"requant saturation high", c->cov_sat_hi}, {"requant saturation low", c->cov_sat_lo},
        {"bypass saturation high", c->cov_byp_hi}, {"bypass saturation low", c->cov_byp_lo},
        {"relu clamps", c->cov_relu},              {"zp -128", c->cov_zp_min},
        {"zp 127", c->cov_zp_max},                 {"max 2x2 windows", c->cov_max4},
        {"max 3x3 windows", c->cov_max9},          {"avg 2x2 windows", c->cov_avg4},
        {"avg 3x3 windows", c->cov_avg9},          {"avg count < beats", c->cov_count_lt},
        {"avg count > beats", c->cov_count_gt},    {"gaps inside windows", c->cov_gap_in},
        {"back-to-back windows", c->cov_b2b},      {"requant off", c->cov_rq_off},
        {"shift 32", c->cov_shift32},              {"feature maps", c->cov_maps},
        {"avg counts 1..255", missing_counts == 0},
    };
    printf("  coverage:");
    for (size_t i = 0; i < sizeof cov / sizeof cov[0]; i++) {
        printf("%s %s %ld", i ? "," : "", cov[i].name, cov[i].n);
        c->checks++;
        if (cov[i].n == 0) {
            c->failed++;
            printf(" <- FAIL: not covered");
        }
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    static ctx_t c;
    char err[1024];
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: test_postproc LANES [SEGMENTS]\n");
        return 2;
    }
    c.L = atoi(argv[1]);
    int segments = argc > 2 ? atoi(argv[2]) : 600;
    if (c.L < 1 || c.L > MAXL || segments < 1) {
        fprintf(stderr, "test_postproc: LANES must be 1..%d and SEGMENTS >= 1\n", MAXL);
        return 2;
    }
    const char *env = getenv("PECOS_SEED");
    c.seed = env && *env ? strtoull(env, NULL, 10) : 20261122u + (uint64_t)c.L;
    const char *wave = getenv("PECOS_WAVE");
    printf("test_postproc L%d: seed %" PRIu64 " (PECOS_SEED=%" PRIu64 " reproduces), %d segments\n",
           c.L, c.seed, c.seed, segments);
    if (postlib_open(&c.P, c.L, wave && *wave ? wave : NULL, stderr, err, sizeof err) != 0) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    c.lat = postlib_latency(c.P);
    rng_seed(&c.g, c.seed);

    latency(&c);
    for (int s = 0; s < segments; s++) random_segment(&c, s);
    counts_sweep(&c);
    corners(&c);
    maps(&c);
    coverage(&c);

    uint64_t steps = postlib_cycle(c.P), acyc = 0;
    c.checks++;
    if (postlib_assert_status(c.P, &acyc)) {
        c.failed++;
        printf("FAIL: L%d: RTL assertion failed at step %" PRIu64 " (seed %" PRIu64 ")\n", c.L,
               acyc, c.seed);
    }
    postlib_close(c.P);
    printf("%s: test_postproc L%d: %d checks, %d failed, %" PRIu64 " steps, seed %" PRIu64 "\n",
           c.failed ? "FAIL" : "PASS", c.L, c.checks, c.failed, steps, c.seed);
    return c.failed ? 1 : 0;
}
