#include "net_batch.h"

#include <limits.h>
#include <string.h>

#include "pecos_err.h"

int net_batch_layer(const layer_t *cv, int n, net_batch_t *b)
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

void net_batch_stack(const net_batch_t *b, const layer_t *cv, const int8_t *x, int8_t *xs)
{
    const size_t W = (size_t)cv->w, H = (size_t)cv->h, C = (size_t)cv->c;
    const size_t rows = (size_t)b->L.h;
    memset(xs, (unsigned char)cv->pad_value, C * rows * W);
    for (int n = 0; n < b->n; n++)
        for (size_t c = 0; c < C; c++)
            memcpy(xs + (c * rows + (size_t)n * b->hs + (size_t)cv->pad_t) * W,
                   x + (((size_t)n * C + c) * H) * W, H * W);
}

void net_batch_unstack(const net_batch_t *b, const layer_t *cv, const void *ys, size_t esz,
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

void net_batch_transpose(const void *x, int a, int b, size_t m, size_t esz, void *y)
{
    const unsigned char *src = x;
    unsigned char *dst = y;
    const size_t blk = m * esz;
    for (int i = 0; i < a; i++)
        for (int j = 0; j < b; j++)
            memcpy(dst + ((size_t)j * a + (size_t)i) * blk, src + ((size_t)i * b + (size_t)j) * blk,
                   blk);
}
