/* test_fma.c - the verilated pecos_fma (sim/vfma.h) against the C library's fmaf().
 *
 * Built once per format: -DPECOS_FMA_FMT=0 (bfloat16) or 1 (IEEE binary16), and
 * -DPECOS_FMA_FTZ=0/1, linked with the matching pecos_fma_* library.
 *
 * Oracle: y = fmaf((float)a, (float)b, c). Every bf16 and fp16 value converts exactly to
 * float (h_to_f below, bit manipulation), and fmaf rounds the exact a*b + c once, so it is
 * the correctly rounded fp32 result the RTL must produce. Comparison is bit-exact (signed
 * zeros included); when the oracle is NaN the RTL must give exactly 0x7FC00000.
 * Ftz rule (the same as rtl/pecos_fma.sv): a subnormal a, b or c becomes a zero of the
 * same sign before fmaf; a subnormal fmaf result becomes a zero of the same sign after.
 *
 * Vector classes (the counts scale with the required total, 10 M, or 2 M with Ftz):
 *   special   every (a, b, c) combination of the special classes (+-0, +-min/max subnormal,
 *             +-min/max normal, +-1, +-inf, qNaN, sNaN, and random subnormal, normal, NaN)
 *   cancel    c = -(a*b) exactly, and c = -(a*b) +- 1..3 ulp
 *   tie       c chosen so that c + a*b falls exactly halfway between two fp32 values
 *   overflow  sums near the fp32 overflow threshold
 *   subnorm   products and sums in the fp32 subnormal range
 *   nearexp   c within +-26 binades of a*b (alignment, partial cancellation)
 *   random    uniformly random bit patterns of a, b, c
 *
 * Usage: test_fma [N]   (N: total vectors, default the required count; PECOS_SEED=n)
 * Exit 0 only if there is no mismatch, the valid protocol held and N >= the requirement.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "vfma.h"

#ifndef PECOS_FMA_FMT
#error "PECOS_FMA_FMT must be 0 (bf16) or 1 (fp16)"
#endif
#ifndef PECOS_FMA_FTZ
#error "PECOS_FMA_FTZ must be 0 or 1"
#endif

#if PECOS_FMA_FMT == 0
#define EB 8  /* exponent bits */
#define FB 7  /* fraction bits */
#define FMT_NAME "bf16"
#else
#define EB 5
#define FB 10
#define FMT_NAME "fp16"
#endif
#define BIAS ((1 << (EB - 1)) - 1)
#define EXPF_MAX ((1u << EB) - 1) /* all-ones exponent field: inf / NaN */
#define FMASK ((1u << FB) - 1)
#define EMIN (1 - BIAS) /* unbiased exponent of the smallest normal */
#define EMAX BIAS       /* ... and of the largest */

#if PECOS_FMA_FTZ
#define TEST_NAME FMT_NAME "_ftz"
#define REQUIRED 2000000ull
#else
#define TEST_NAME FMT_NAME
#define REQUIRED 10000000ull
#endif

#define QNAN32 0x7FC00000u
#define BATCH 65536
#define MAX_REPORT 10

enum { CAT_SPECIAL, CAT_CANCEL, CAT_TIE, CAT_OVERFLOW, CAT_SUBNORM, CAT_NEAREXP, CAT_RANDOM, NCAT };
static const char *const cat_name[NCAT] = {"special", "cancel",  "tie",   "overflow",
                                           "subnorm", "nearexp", "random"};

/* --- random numbers: common/rng.h (splitmix64; rng_range is uniform in [lo, hi]) ---------- */

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static uint32_t rng_below(rng_t *r, uint32_t n) { return (uint32_t)(rng_next(r) % n); }

static unsigned rng_bit(rng_t *r) { return (unsigned)(rng_next(r) >> 63); }

/* --- formats ----------------------------------------------------------------------------- */
static float u_to_f(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t f_to_u(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static uint16_t mk16(unsigned sign, unsigned expf, unsigned frac)
{
    return (uint16_t)((sign << 15) | (expf << FB) | (frac & FMASK));
}

static uint32_t mk32(unsigned sign, unsigned expf, uint32_t frac)
{
    return ((uint32_t)sign << 31) | ((uint32_t)expf << 23) | (frac & 0x7FFFFFu);
}

/* Exact conversion of a bf16/fp16 bit pattern to float: zeros, subnormals (which may become
 * float normals (fp16) or stay subnormal (bf16)), inf, and NaN with its payload and its
 * quiet bit in the same place. */
static float h_to_f(uint16_t h)
{
    uint32_t s = (uint32_t)(h >> 15) << 31;
    uint32_t e = (h >> FB) & EXPF_MAX;
    uint32_t f = h & FMASK;
    if (e == EXPF_MAX) return u_to_f(s | 0x7F800000u | (f << (23 - FB)));
    if (e == 0 && f == 0) return u_to_f(s);
    int ex = (int)e - BIAS; /* unbiased exponent of the hidden bit */
    uint32_t sig = f | (1u << FB);
    if (e == 0) { /* subnormal: normalize */
        ex = EMIN;
        sig = f;
        while (!(sig & (1u << FB))) {
            sig <<= 1;
            ex--;
        }
    }
    uint32_t sig24 = sig << (23 - FB); /* hidden bit at 23 */
    int be = ex + 127;
    if (be >= 1) return u_to_f(s | ((uint32_t)be << 23) | (sig24 & 0x7FFFFFu));
    return u_to_f(s | (sig24 >> (1 - be))); /* float subnormal; no bit is lost */
}

static bool is_sub16(uint16_t h) { return ((h >> FB) & EXPF_MAX) == 0 && (h & FMASK) != 0; }
static bool is_sub32(uint32_t u) { return ((u >> 23) & 0xFFu) == 0 && (u & 0x7FFFFFu) != 0; }

/* The expected result bits (see the file comment for the Ftz rule). */
static uint32_t oracle(uint16_t a, uint16_t b, uint32_t c)
{
    if (PECOS_FMA_FTZ) {
        if (is_sub16(a)) a &= 0x8000u;
        if (is_sub16(b)) b &= 0x8000u;
        if (is_sub32(c)) c &= 0x80000000u;
    }
    float r = fmaf(h_to_f(a), h_to_f(b), u_to_f(c));
    if (PECOS_FMA_FTZ && fpclassify(r) == FP_SUBNORMAL) r = copysignf(0.0f, r);
    return f_to_u(r);
}

/* Checks h_to_f on all 2^16 patterns against the value computed in double. */
static int check_conversion(void)
{
    for (uint32_t h = 0; h < 65536; h++) {
        unsigned e = (h >> FB) & EXPF_MAX, f = h & FMASK;
        float got = h_to_f((uint16_t)h);
        if (e == EXPF_MAX) {
            if (f ? !isnan(got) : !isinf(got)) return -1;
            if ((f_to_u(got) >> 31) != (h >> 15)) return -1;
            if (f && ((f_to_u(got) >> 22) & 1u) != ((f >> (FB - 1)) & 1u)) return -1;
            continue;
        }
        double mag = e ? ldexp((double)(f | (1u << FB)), (int)e - BIAS - FB)
                       : ldexp((double)f, EMIN - FB);
        double want = (h >> 15) ? -mag : mag;
        if ((double)got != want || !signbit(got) != !signbit(want)) {
            fprintf(stderr, "test_fma %s: h_to_f(0x%04x) = %a, expected %a\n", TEST_NAME,
                    (unsigned)h, (double)got, want);
            return -1;
        }
    }
    return 0;
}

/* --- operand classes -------------------------------------------------------------------- */
/* 0..15: +-0, +-min sub, +-max sub, +-min normal, +-max normal, +-1, +-inf, qNaN, sNaN;
 * 16..18: random subnormal, random normal, random NaN (random sign each). */
#define NCLASS 19

static uint16_t rand_sub16(rng_t *r) { return mk16(rng_bit(r), 0, 1u + rng_below(r, FMASK)); }

static uint16_t rand_norm16(rng_t *r)
{
    return mk16(rng_bit(r), 1u + rng_below(r, EXPF_MAX - 1), rng_below(r, FMASK + 1));
}

/* Random finite nonzero value, one in eight subnormal. */
static uint16_t rand_finite16(rng_t *r) { return rng_below(r, 8) ? rand_norm16(r) : rand_sub16(r); }

static uint16_t class16(rng_t *r, int cls)
{
    unsigned s = (unsigned)cls & 1u;
    switch (cls) {
    case 0: case 1: return mk16(s, 0, 0);
    case 2: case 3: return mk16(s, 0, 1);
    case 4: case 5: return mk16(s, 0, FMASK);
    case 6: case 7: return mk16(s, 1, 0);
    case 8: case 9: return mk16(s, EXPF_MAX - 1, FMASK);
    case 10: case 11: return mk16(s, BIAS, 0);
    case 12: case 13: return mk16(s, EXPF_MAX, 0);
    case 14: return mk16(0, EXPF_MAX, 1u << (FB - 1));
    case 15: return mk16(0, EXPF_MAX, 1);
    case 16: return rand_sub16(r);
    case 17: return rand_norm16(r);
    default: return mk16(rng_bit(r), EXPF_MAX, 1u + rng_below(r, FMASK));
    }
}

static uint32_t class32(rng_t *r, int cls)
{
    unsigned s = (unsigned)cls & 1u;
    switch (cls) {
    case 0: case 1: return mk32(s, 0, 0);
    case 2: case 3: return mk32(s, 0, 1);
    case 4: case 5: return mk32(s, 0, 0x7FFFFFu);
    case 6: case 7: return mk32(s, 1, 0);
    case 8: case 9: return mk32(s, 254, 0x7FFFFFu);
    case 10: case 11: return mk32(s, 127, 0);
    case 12: case 13: return mk32(s, 255, 0);
    case 14: return QNAN32;
    case 15: return 0x7F800001u;
    case 16: return mk32(rng_bit(r), 0, 1u + rng_below(r, 0x7FFFFFu));
    case 17: return mk32(rng_bit(r), 1u + rng_below(r, 254), (uint32_t)rng_next(r));
    default: return mk32(rng_bit(r), 255, 1u + rng_below(r, 0x7FFFFFu));
    }
}

/* Uniform exponent sum in [lo, hi] intersected with what two normals of the format reach
 * (the nearest reachable sum if the intersection is empty). */
static int rand_esum(rng_t *r, int lo, int hi)
{
    if (lo < 2 * EMIN) lo = 2 * EMIN;
    if (hi > 2 * EMAX) hi = 2 * EMAX;
    if (lo > hi) return hi < 2 * EMIN ? 2 * EMIN : lo;
    return (int)rng_range(r, lo, hi);
}

/* a, b normal with random significands and unbiased exponents summing to esum (clamped to
 * what the format can reach). */
static void pick_pair(rng_t *r, int esum, uint16_t *a, uint16_t *b)
{
    if (esum < 2 * EMIN) esum = 2 * EMIN;
    if (esum > 2 * EMAX) esum = 2 * EMAX;
    int lo = esum - EMAX > EMIN ? esum - EMAX : EMIN;
    int hi = esum - EMIN < EMAX ? esum - EMIN : EMAX;
    int ea = (int)rng_range(r, lo, hi);
    *a = mk16(rng_bit(r), (unsigned)(ea + BIAS), rng_below(r, FMASK + 1));
    *b = mk16(rng_bit(r), (unsigned)(esum - ea + BIAS), rng_below(r, FMASK + 1));
}

/* Exact a*b (exact in double: at most 22 significant bits, exponent within +-300). */
static double exact_product(uint16_t a, uint16_t b)
{
    return (double)h_to_f(a) * (double)h_to_f(b);
}

/* Exponent of the lowest set bit of a finite nonzero double. */
static int lowest_bit_exp(double p)
{
    int e;
    double m = frexp(fabs(p), &e); /* p = m * 2^e, m in [0.5, 1) */
    uint64_t M = (uint64_t)ldexp(m, 53);
    return e - 53 + __builtin_ctzll(M);
}

/* Tie: finds a, b and c such that a*b has its lowest bit exactly half an ulp of c, so that
 * c + a*b is halfway between two fp32 values whenever the sum stays in c's binade; c's last
 * bit is random (both parities), so are the signs. The result ulp 2^u is drawn from
 * [umin, umax] (within [-149, 104]). Returns false if the format cannot reach that range;
 * otherwise *tie is 0 (no tie: the sum left c's binade), 1 (tie, the candidate below has an
 * even last bit) or 2 (tie, odd). */
static bool gen_tie(rng_t *r, int umin, int umax, uint16_t *a, uint16_t *b, uint32_t *c,
                    int *tie)
{
    for (int tries = 0; tries < 64; tries++) {
        /* u = esum - 2*FB + 1 + (trailing zeros of the significand product, 0..2*FB) */
        int lo = umin - 1 > 2 * EMIN ? umin - 1 : 2 * EMIN;
        int hi = umax - 1 + 2 * FB < 2 * EMAX ? umax - 1 + 2 * FB : 2 * EMAX;
        if (lo > hi) return false;
        pick_pair(r, (int)rng_range(r, lo, hi), a, b);
        if (rng_below(r, 16) == 0) *a = rand_sub16(r);
        double p = exact_product(*a, *b);
        if (p == 0) continue;
        int u = lowest_bit_exp(p) + 1;
        if (u < umin || u > umax || u < -149 || u > 104) continue;
        if (u == -149) { /* c = k * 2^-149, subnormal or in the lowest binade */
            *c = ((uint32_t)rng_bit(r) << 31) | (1u + rng_below(r, 0xFFFFFFu));
        } else {
            *c = mk32(rng_bit(r), (unsigned)(u + 150), (uint32_t)rng_next(r));
        }
        /* The sum spans bits u-1 .. u+24: exact in double. It is a tie iff its ulp is 2^u. */
        double sum = fabs((double)u_to_f(*c) + p);
        bool in_binade = sum < ldexp(1.0, u + 24) && (u == -149 || sum >= ldexp(1.0, u + 23));
        *tie = in_binade ? 1 + (int)(fmod(floor(ldexp(sum, -u)), 2.0) != 0) : 0;
        return true;
    }
    return false;
}

/* Cancellation: c = -(a*b) rounded to fp32 (exact when a*b is in the fp32 normal range),
 * or, with near, moved by 1..3 ulp either way. */
static void gen_cancel(rng_t *r, bool near, uint16_t *a, uint16_t *b, uint32_t *c)
{
    for (;;) {
        pick_pair(r, rand_esum(r, -140, 126), a, b);
        if (rng_below(r, 8) == 0) *a = rand_sub16(r);
        if (rng_below(r, 8) == 0) *b = rand_sub16(r);
        float pf = (float)exact_product(*a, *b);
        if (pf == 0 || isinf(pf)) continue;
        uint32_t u = f_to_u(-pf);
        if (near) {
            uint32_t k = 1u + rng_below(r, 3);
            if (rng_bit(r)) {
                u += k;
                if (((u >> 23) & 0xFFu) == 0xFFu) continue;
            } else {
                if ((u & 0x7FFFFFFFu) < k) continue;
                u -= k;
            }
        }
        *c = u;
        return;
    }
}

/* Near overflow: c in the top binades and/or a product around 2^128. */
static void gen_overflow(rng_t *r, uint16_t *a, uint16_t *b, uint32_t *c)
{
    int tie;
    if (rng_bit(r) && gen_tie(r, 95, 104, a, b, c, &tie)) return;
    pick_pair(r, rand_esum(r, 2 * EMAX - 60, 2 * EMAX), a, b);
    if (rng_below(r, 4) == 0) *a = mk16(rng_bit(r), EXPF_MAX - 1, FMASK);
    uint32_t frac = rng_below(r, 4) ? (uint32_t)rng_next(r) : 0x7FFFFFu;
    *c = mk32(rng_bit(r), 254u - rng_below(r, 4), frac);
}

/* fp32 subnormal range: tiny products, subnormal or tiny c. */
static void gen_subnorm(rng_t *r, uint16_t *a, uint16_t *b, uint32_t *c)
{
    int tie;
    if (rng_below(r, 4) == 0 && gen_tie(r, -149, -140, a, b, c, &tie)) return;
    pick_pair(r, rand_esum(r, -200, -100), a, b);
    if (rng_below(r, 4) == 0) *a = rand_sub16(r);
    if (rng_below(r, 4) == 0) *b = rand_sub16(r);
    switch (rng_below(r, 4)) {
    case 0: *c = mk32(rng_bit(r), 0, (uint32_t)rng_next(r)); break;
    case 1: *c = mk32(rng_bit(r), 1u + rng_below(r, 4), (uint32_t)rng_next(r)); break;
    case 2: *c = mk32(rng_bit(r), 0, 0); break;
    default: { /* c = -(a*b) + a few subnormal ulps: the sum lands in the subnormal range */
        double p = exact_product(*a, *b);
        float pf = (float)p;
        *c = f_to_u(-pf) + rng_below(r, 3);
    }
    }
}

/* c within +-26 binades of a*b: alignment and partial cancellation. */
static void gen_nearexp(rng_t *r, uint16_t *a, uint16_t *b, uint32_t *c)
{
    pick_pair(r, rand_esum(r, -150, 128), a, b);
    if (rng_below(r, 8) == 0) *a = rand_finite16(r);
    if (rng_below(r, 8) == 0) *b = rand_finite16(r);
    double p = exact_product(*a, *b);
    int pe = 0;
    if (p != 0) frexp(p, &pe);
    int ce = pe - 1 + (int)rng_range(r, -26, 26); /* unbiased exponent of c */
    if (ce > 127) ce = 127;
    if (ce < -126) { /* subnormal c with its top bit at 2^ce (at least the lowest bit) */
        int pos = ce + 149 > 0 ? ce + 149 : 0;
        uint32_t frac = (1u << pos) | ((uint32_t)rng_next(r) & ((1u << pos) - 1u));
        *c = mk32(rng_bit(r), 0, frac);
    } else {
        *c = mk32(rng_bit(r), (unsigned)(ce + 127), (uint32_t)rng_next(r));
    }
}

/* --- the run ------------------------------------------------------------------------------ */
typedef struct {
    vfma_t *v;
    uint16_t a[BATCH], b[BATCH];
    uint32_t c[BATCH], y[BATCH];
    uint8_t cat[BATCH];
    size_t n;                  /* queued vectors */
    uint64_t total;            /* vectors checked */
    uint64_t mismatches;       /* of them wrong */
    uint64_t per_cat[NCAT];    /* checked per class */
    uint64_t bad_cat[NCAT];    /* wrong per class */
    uint64_t protocol_errors;  /* vfma_run() failures */
    uint64_t res[6];           /* expected results: NaN, inf, +0, -0, subnormal, normal */
} ctx_t;

static const char *const res_name[6] = {"NaN", "inf", "+0", "-0", "subnormal", "normal"};

static int res_class(uint32_t u)
{
    float f = u_to_f(u);
    if (isnan(f)) return 0;
    if (isinf(f)) return 1;
    if (f == 0) return signbit(f) ? 3 : 2;
    return fpclassify(f) == FP_SUBNORMAL ? 4 : 5;
}

static void flush(ctx_t *t)
{
    if (!t->n) return;
    if (vfma_run(t->v, t->a, t->b, t->c, t->y, t->n) != 0) {
        if (!t->protocol_errors)
            fprintf(stderr, "test_fma %s: valid protocol broken at vector %" PRIu64 "\n",
                    TEST_NAME, t->total);
        t->protocol_errors++;
    }
    for (size_t i = 0; i < t->n; i++) {
        uint32_t want = oracle(t->a[i], t->b[i], t->c[i]);
        bool ok = isnan(u_to_f(want)) ? t->y[i] == QNAN32 : t->y[i] == want;
        t->per_cat[t->cat[i]]++;
        t->res[res_class(want)]++;
        if (ok) continue;
        t->bad_cat[t->cat[i]]++;
        if (t->mismatches++ < MAX_REPORT)
            printf("MISMATCH %s #%" PRIu64 " [%s]: a=0x%04x b=0x%04x c=0x%08x expected=0x%08x "
                   "got=0x%08x (%a * %a + %a = %a)\n",
                   TEST_NAME, t->total + i, cat_name[t->cat[i]], t->a[i], t->b[i], t->c[i], want,
                   t->y[i], (double)h_to_f(t->a[i]), (double)h_to_f(t->b[i]),
                   (double)u_to_f(t->c[i]), (double)u_to_f(want));
    }
    t->total += t->n;
    t->n = 0;
}

static void push(ctx_t *t, int cat, uint16_t a, uint16_t b, uint32_t c)
{
    t->a[t->n] = a;
    t->b[t->n] = b;
    t->c[t->n] = c;
    t->cat[t->n] = (uint8_t)cat;
    if (++t->n == BATCH) flush(t);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    uint64_t seed = 0x9EC05F3Aull;
    const char *env = getenv("PECOS_SEED");
    if (env && *env) seed = strtoull(env, NULL, 0);
    uint64_t want_total = REQUIRED;
    if (argc > 1) want_total = strtoull(argv[1], NULL, 0);

    printf("test_fma %s: seed %" PRIu64 " (PECOS_SEED=%" PRIu64 " reproduces), %" PRIu64
           " vectors, latency %d\n",
           TEST_NAME, seed, seed, want_total, vfma_latency());
    if (vfma_fmt() != PECOS_FMA_FMT || vfma_ftz() != PECOS_FMA_FTZ) {
        fprintf(stderr, "test_fma %s: linked model has Fmt=%d Ftz=%d\n", TEST_NAME, vfma_fmt(),
                vfma_ftz());
        return 1;
    }
    if (vfma_latency() != 2) {
        fprintf(stderr, "test_fma %s: latency %d, expected 2\n", TEST_NAME, vfma_latency());
        return 1;
    }
    if (check_conversion() != 0) {
        fprintf(stderr, "test_fma %s: FAIL: h_to_f is wrong\n", TEST_NAME);
        return 1;
    }

    ctx_t *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "test_fma %s: out of memory\n", TEST_NAME);
        return 1;
    }
    t->v = vfma_open();
    if (!t->v) {
        fprintf(stderr, "test_fma %s: vfma_open failed\n", TEST_NAME);
        free(t);
        return 1;
    }
    rng_t r;
    rng_seed(&r, seed);
    double t0 = now_s();
    uint16_t a, b;
    uint32_t c;

    /* special: all class combinations, 16 rounds (fixed classes repeat, random ones vary) */
    for (int round = 0; round < 16; round++)
        for (int ia = 0; ia < NCLASS; ia++)
            for (int ib = 0; ib < NCLASS; ib++)
                for (int ic = 0; ic < NCLASS; ic++)
                    push(t, CAT_SPECIAL, class16(&r, ia), class16(&r, ib), class32(&r, ic));
    uint64_t special = (uint64_t)16 * NCLASS * NCLASS * NCLASS;
    uint64_t rest = want_total > special ? want_total - special : 0;
    uint64_t n_cancel = rest * 15 / 100, n_tie = rest * 15 / 100, n_over = rest * 5 / 100;
    uint64_t n_sub = rest * 10 / 100, n_near = rest * 25 / 100;
    uint64_t n_rand = rest - n_cancel - n_tie - n_over - n_sub - n_near;

    for (uint64_t i = 0; i < n_cancel; i++) {
        gen_cancel(&r, i & 1, &a, &b, &c);
        push(t, CAT_CANCEL, a, b, c);
    }
    uint64_t ties[3] = {0, 0, 0};
    for (uint64_t i = 0; i < n_tie;) {
        int tie;
        if (!gen_tie(&r, -149, 104, &a, &b, &c, &tie)) continue;
        ties[tie]++;
        push(t, CAT_TIE, a, b, c);
        i++;
    }
    for (uint64_t i = 0; i < n_over; i++) {
        gen_overflow(&r, &a, &b, &c);
        push(t, CAT_OVERFLOW, a, b, c);
    }
    for (uint64_t i = 0; i < n_sub; i++) {
        gen_subnorm(&r, &a, &b, &c);
        push(t, CAT_SUBNORM, a, b, c);
    }
    for (uint64_t i = 0; i < n_near; i++) {
        gen_nearexp(&r, &a, &b, &c);
        push(t, CAT_NEAREXP, a, b, c);
    }
    for (uint64_t i = 0; i < n_rand; i++) {
        uint64_t x = rng_next(&r);
        push(t, CAT_RANDOM, (uint16_t)x, (uint16_t)(x >> 16), (uint32_t)(x >> 32));
    }
    flush(t);
    double dt = now_s() - t0;

    for (int k = 0; k < NCAT; k++)
        printf("  %-8s %10" PRIu64 " vectors, %" PRIu64 " mismatches\n", cat_name[k], t->per_cat[k],
               t->bad_cat[k]);
    printf("  expected results:");
    for (int k = 0; k < 6; k++)
        printf(" %s %" PRIu64 "%s", res_name[k], t->res[k], k < 5 ? "," : "\n");
    printf("  tie class: %" PRIu64 " exact ties (%" PRIu64 " from an even, %" PRIu64
           " from an odd last bit), %" PRIu64 " left the binade\n",
           ties[1] + ties[2], ties[1], ties[2], ties[0]);
    printf("test_fma %s: %" PRIu64 " vectors, %" PRIu64 " mismatches, %.0f vectors/s\n", TEST_NAME,
           t->total, t->mismatches, dt > 0 ? (double)t->total / dt : 0.0);

    bool pass = t->mismatches == 0 && t->protocol_errors == 0 && t->total >= REQUIRED;
    if (t->total < REQUIRED)
        printf("test_fma %s: only %" PRIu64 " vectors, %llu required\n", TEST_NAME, t->total,
               REQUIRED);
    if (t->protocol_errors)
        printf("test_fma %s: %" PRIu64 " batches broke the valid protocol\n", TEST_NAME,
               t->protocol_errors);
    printf("%s test_fma %s (seed %" PRIu64 ")\n", pass ? "PASS" : "FAIL", TEST_NAME, seed);
    if (!pass)
        printf("re-run: PECOS_SEED=%" PRIu64 " %s %" PRIu64 "\n", seed, argv[0], want_total);
    vfma_close(t->v);
    free(t);
    return pass ? 0 : 1;
}
