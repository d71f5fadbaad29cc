#include "layer_batch.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

int layer_batch_layer(const layer_t *cv, int n, layer_batch_t *b)
{
    const int s = cv->stride_h;
    const int64_t hp = (int64_t)cv->h + cv->pad_t + cv->pad_b;
    const int64_t hs = (hp + s - 1) / s * s;
    if (n < 1 || hs * n > INT_MAX / 2) return PECOS_EPARAM;
    b->n = n;
    b->hs = (int)hs;
    b->ps = (int)(hs / s);
    b->L = *cv;
    b->L.type = LAYER_CONV; /* an fc is the 1x1 conv of its flattened input */
    b->L.h = (int)hs * n;
    b->L.pad_t = b->L.pad_b = 0;
    if (layer_out_hw(&b->L, &b->L.p, &b->L.q) != 0 || b->L.q != cv->q ||
        b->L.p < (n - 1) * b->ps + cv->p)
        return PECOS_EPARAM; /* not reached for a valid cv */
    return 0;
}

void layer_batch_stack(const layer_batch_t *b, const layer_t *cv, const void *x, size_t esz, void *xs)
{
    const size_t W = (size_t)cv->w * esz, H = (size_t)cv->h, C = (size_t)cv->c;
    const size_t rows = (size_t)b->L.h;
    const unsigned char *src = x;
    unsigned char *dst = xs;
    memset(dst, esz == 1 ? (unsigned char)cv->pad_value : 0, C * rows * W);
    for (int n = 0; n < b->n; n++)
        for (size_t c = 0; c < C; c++)
            memcpy(dst + (c * rows + (size_t)n * b->hs + (size_t)cv->pad_t) * W,
                   src + (((size_t)n * C + c) * H) * W, H * W);
}

void layer_batch_unstack(const layer_batch_t *b, const layer_t *cv, const void *ys, size_t esz,
                       void *y)
{
    const size_t Q = (size_t)cv->q, P = (size_t)cv->p, K = (size_t)cv->k;
    const size_t ps = (size_t)b->L.p, row = Q * esz;
    const unsigned char *src = ys;
    unsigned char *dst = y;
    for (size_t k = 0; k < K; k++)
        for (int n = 0; n < b->n; n++)
            memcpy(dst + ((k * (size_t)b->n + (size_t)n) * P) * row,
                   src + (k * ps + (size_t)n * (size_t)b->ps) * row, P * row);
}

void layer_batch_transpose(const void *x, int a, int b, size_t m, size_t esz, void *y)
{
    const unsigned char *src = x;
    unsigned char *dst = y;
    const size_t blk = m * esz;
    for (int i = 0; i < a; i++)
        for (int j = 0; j < b; j++)
            memcpy(dst + ((size_t)j * a + (size_t)i) * blk, src + ((size_t)i * b + (size_t)j) * blk,
                   blk);
}

void layer_batch_counts(const layer_run_cfg_t *run, layer_result_t *r, uint64_t useful)
{
    const uint64_t pes = (uint64_t)run->rows * (uint64_t)run->cols;
    const uint64_t bytes = r->mem.dram_rd + r->mem.dram_wr;
    r->macs = useful;
    r->utilization = r->cycles ? (double)useful / ((double)r->cycles * (double)pes) : 0;
    r->ideal_cycles = (useful + pes - 1) / pes;
    r->mem.intensity = bytes ? 2.0 * (double)useful / (double)bytes : 0;
    r->mem.roofline_cycles = r->ideal_cycles;
    if (run->mem.dram.bw > 0) {
        const uint64_t mc = (uint64_t)ceil((double)bytes / run->mem.dram.bw);
        if (mc > r->mem.roofline_cycles) r->mem.roofline_cycles = mc;
    }
}

/* The device call of one (stacked) layer: fused when pp is given. */
static int conv_call(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                     const int32_t *bias, const device_post_t *pp, int32_t *y, int8_t *y8,
                     layer_result_t *res)
{
    return pp ? device_conv_i8_fused(a, cv, x, w, bias, pp, y, y8, res)
              : device_conv_i8(a, cv, x, w, bias, y, res);
}

int layer_batch_conv_i8(device_t *a, const layer_t *cv, int n, const int8_t *x, const int8_t *w,
                        const int32_t *bias, const device_post_t *pp, int32_t *y, int8_t *y8,
                        layer_result_t *res)
{
    layer_t one = *cv;
    if (n == 1 || device_conv_out(&one, &one.p, &one.q) != 0)
        return conv_call(a, cv, x, w, bias, pp, y, y8, res); /* an invalid cv: it says so */
    layer_batch_t bt;
    if (layer_batch_layer(&one, n, &bt) != 0) {
        device_say(a, "%s: --batch %d: the stacked layer of %s is too large\n", a->run.who, n, cv->name);
        return PECOS_EPARAM;
    }
    const size_t out_n = (size_t)one.k * one.p * one.q, pq = (size_t)one.p * one.q;
    const size_t st_out = (size_t)bt.L.k * bt.L.p * bt.L.q;
    int8_t *xs = malloc((size_t)bt.L.c * bt.L.h * bt.L.w + 1);
    int32_t *ys = malloc(sizeof *ys * (st_out + 1)), *cm = malloc(sizeof *cm * (out_n * (size_t)n + 1));
    int8_t *y8s = pp ? malloc(st_out + 1) : NULL;
    int rc = PECOS_ENOMEM;
    if (xs && ys && cm && (!pp || y8s)) {
        layer_batch_stack(&bt, &one, x, 1, xs);
        rc = conv_call(a, &bt.L, xs, w, bias, pp, ys, y8s, res);
        if (rc == 0) { /* [K][n*Ps][Q] -> [K][n][P*Q] -> [n][K][P*Q] */
            layer_batch_unstack(&bt, &one, ys, sizeof *ys, cm);
            layer_batch_transpose(cm, one.k, n, pq, sizeof *cm, y);
            if (pp) {
                layer_batch_unstack(&bt, &one, y8s, 1, cm);
                layer_batch_transpose(cm, one.k, n, pq, 1, y8);
            }
            layer_batch_counts(&a->run, res, layer_macs(&one) * (uint64_t)n);
        }
    } else {
        device_say(a, "%s: %s: out of memory\n", a->run.who, cv->name);
    }
    free(xs);
    free(ys);
    free(cm);
    free(y8s);
    return rc;
}
