/* golden_gemm.c - im2col + blocked integer GEMM int8 convolution (see golden_gemm.h). */
#include "golden_gemm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* Taps summed in int32 before folding: 2^16 products of at most 128*128 = 2^14 in magnitude
 * stay below 2^30. A multiple of the padding unit. */
#define GEMM_CHUNK 65536
/* Reduction length padded (with zeros on both sides) to a multiple of this: whole vectors. */
#define GEMM_PAD 16
/* Output channels computed together against one im2col row. */
#define GEMM_KB 4
/* im2col elements built at a time (a block of output rows): 256 KiB of int16. */
#define GEMM_COL_ELEMS (128 * 1024)

/* Low 32 bits of u as a two's-complement int32 (as golden_conv.c's wrap_i32). */
static int32_t wrap_u32(uint32_t u)
{
    if (u <= INT32_MAX)
        return (int32_t)u;
    return (int32_t)(u - 0x80000000u) + INT32_MIN;
}

/* s[j] = sum_{i < n} w[j][i] * x[i] for GEMM_KB weight rows of stride ws, folded modulo 2^32
 * chunk by chunk. n is a multiple of GEMM_PAD. */
static void dot_kb(const int16_t *w, size_t ws, const int16_t *x, size_t n, uint32_t s[GEMM_KB])
{
    for (int j = 0; j < GEMM_KB; j++)
        s[j] = 0;
    for (size_t c0 = 0; c0 < n; c0 += GEMM_CHUNK) {
        const size_t c1 = n - c0 < GEMM_CHUNK ? n : c0 + GEMM_CHUNK;
        const int16_t *w0 = w, *w1 = w + ws, *w2 = w + 2 * ws, *w3 = w + 3 * ws;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;

        for (size_t i = c0; i < c1; i++) {
            const int32_t xi = x[i];

            a0 += w0[i] * xi;
            a1 += w1[i] * xi;
            a2 += w2[i] * xi;
            a3 += w3[i] * xi;
        }
        s[0] += (uint32_t)a0;
        s[1] += (uint32_t)a1;
        s[2] += (uint32_t)a2;
        s[3] += (uint32_t)a3;
    }
}

/* One output channel's dot product (the tail of a channel block). */
static uint32_t dot_1(const int16_t *w, const int16_t *x, size_t n)
{
    uint32_t s = 0;

    for (size_t c0 = 0; c0 < n; c0 += GEMM_CHUNK) {
        const size_t c1 = n - c0 < GEMM_CHUNK ? n : c0 + GEMM_CHUNK;
        int32_t a = 0;

        for (size_t i = c0; i < c1; i++)
            a += w[i] * (int32_t)x[i];
        s += (uint32_t)a;
    }
    return s;
}

int golden_gemm_conv_i8(const layer_t *cv, const int8_t *ifmap, const int8_t *weights,
                        const int32_t *bias, int32_t *out)
{
    if (ifmap == NULL || weights == NULL || out == NULL)
        return PECOS_EPARAM;
    if (layer_check(cv, NULL, 0))
        return PECOS_EPARAM;

    int P, Q;

    if (layer_out_hw(cv, &P, &Q))
        return PECOS_EPARAM;

    const int H = cv->h, W = cv->w, R = cv->r, S = cv->s, K = cv->k;
    const int cpg = cv->c / cv->groups, kpg = cv->k / cv->groups;
    const size_t taps = (size_t)cpg * R * S;           /* reduction length */
    const size_t kpad = (taps + GEMM_PAD - 1) / GEMM_PAD * GEMM_PAD;
    size_t rows_blk = GEMM_COL_ELEMS / ((size_t)Q * kpad); /* output rows per im2col block */

    if (rows_blk < 1)
        rows_blk = 1;
    if (rows_blk > (size_t)P)
        rows_blk = (size_t)P;
    if (kpad > SIZE_MAX / sizeof(int16_t) / (size_t)K ||
        rows_blk * Q > SIZE_MAX / sizeof(int16_t) / kpad)
        return PECOS_ENOMEM;

    int16_t *wk = calloc((size_t)K * kpad, sizeof *wk);
    int16_t *col = calloc(rows_blk * (size_t)Q * kpad, sizeof *col);

    if (wk == NULL || col == NULL) {
        free(wk);
        free(col);
        return PECOS_ENOMEM;
    }
    /* Weights widened to int16, one padded row per output channel ([C/G][R][S] order). */
    for (int k = 0; k < K; k++)
        for (size_t i = 0; i < taps; i++)
            wk[(size_t)k * kpad + i] = weights[(size_t)k * taps + i];

    for (int g = 0; g < cv->groups; g++) {
        const int8_t *in_g = ifmap + (size_t)g * cpg * H * W;

        for (int p0 = 0; p0 < P; p0 += (int)rows_blk) {
            const int np = P - p0 < (int)rows_blk ? P - p0 : (int)rows_blk;

            /* im2col: row (p - p0) * Q + q holds the window of output pixel (p, q), pad_value
             * outside the image, zero in the padding to kpad. */
            for (int pp = 0; pp < np; pp++) {
                const int p = p0 + pp;

                for (int q = 0; q < Q; q++) {
                    int16_t *x = col + ((size_t)pp * Q + q) * kpad;
                    size_t i = 0;

                    for (int c = 0; c < cpg; c++) {
                        const int8_t *in_c = in_g + (size_t)c * H * W;

                        for (int r = 0; r < R; r++) {
                            const int ih = p * cv->stride_h - cv->pad_t + r * cv->dil_h;

                            for (int s = 0; s < S; s++, i++) {
                                const int iw = q * cv->stride_w - cv->pad_l + s * cv->dil_w;

                                x[i] = (ih < 0 || ih >= H || iw < 0 || iw >= W)
                                           ? (int16_t)cv->pad_value
                                           : in_c[(size_t)ih * W + iw];
                            }
                        }
                    }
                    memset(x + taps, 0, (kpad - taps) * sizeof *x);
                }
            }
            /* GEMM: this group's output channels against the block's windows. */
            const size_t npq = (size_t)np * Q;

            for (int k = g * kpg; k < (g + 1) * kpg; k += GEMM_KB) {
                const int nk = (g + 1) * kpg - k;

                for (size_t j = 0; j < npq; j++) {
                    const int16_t *x = col + j * kpad;
                    const size_t o = (size_t)p0 * Q + j; /* pixel index within a channel */

                    if (nk >= GEMM_KB) {
                        uint32_t s[GEMM_KB];

                        dot_kb(wk + (size_t)k * kpad, kpad, x, kpad, s);
                        for (int t = 0; t < GEMM_KB; t++) {
                            const uint32_t b = bias != NULL ? (uint32_t)bias[k + t] : 0;

                            out[(size_t)(k + t) * P * Q + o] = wrap_u32(s[t] + b);
                        }
                    } else {
                        for (int t = 0; t < nk; t++) {
                            const uint32_t b = bias != NULL ? (uint32_t)bias[k + t] : 0;
                            const uint32_t s = dot_1(wk + (size_t)(k + t) * kpad, x, kpad);

                            out[(size_t)(k + t) * P * Q + o] = wrap_u32(s + b);
                        }
                    }
                }
            }
        }
    }
    free(wk);
    free(col);
    return 0;
}
