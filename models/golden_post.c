/* golden_post.c - reference post-processing (see golden_post.h for the semantics).
 * Rounding is done in sign-magnitude: RHE is symmetric, RHE(-x) = -RHE(x). */
#include "golden_post.h"

#include <math.h>
#include <stdlib.h>

#include "pecos_err.h"

static int8_t clamp_i8(int64_t x)
{
    return (int8_t)(x > 127 ? 127 : x < -128 ? -128 : x);
}

int64_t golden_rshift_rhe(int64_t x, int n)
{
    uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    uint64_t q;
    if (n == 0) return x;
    if (n >= 64) {
        /* m < 2^63 <= half of 2^n: below one half, rounds to 0 */
        q = 0;
    } else {
        uint64_t rem = m & ((UINT64_C(1) << n) - 1);
        uint64_t half = UINT64_C(1) << (n - 1);
        q = m >> n;
        if (rem > half || (rem == half && (q & 1))) q++;
    }
    return x < 0 ? -(int64_t)q : (int64_t)q;
}

int64_t golden_div_rhe(int64_t num, int64_t den)
{
    int64_t m = num < 0 ? -num : num;
    int64_t q = m / den, r = m % den;
    if (2 * r > den || (2 * r == den && (q & 1))) q++;
    return num < 0 ? -q : q;
}

int8_t golden_requant(int32_t v, uint32_t mult, int shift, int8_t zp, bool rq_en, bool relu)
{
    int8_t y;
    if (rq_en) {
        int64_t p = (int64_t)v * (int64_t)mult; /* |p| < 2^63 for mult < 2^32 */
        y = clamp_i8((int64_t)zp + golden_rshift_rhe(p, 31 + shift));
    } else {
        y = clamp_i8(v);
    }
    if (relu && y < zp) y = zp;
    return y;
}

int8_t golden_requant_float(int32_t v, double scale, int8_t zp)
{
    double x = nearbyint((double)v * scale);
    if (x > 1000.0) x = 1000.0;
    if (x < -1000.0) x = -1000.0;
    return clamp_i8((int64_t)zp + (int64_t)x);
}

int golden_quant_multiplier(double scale, int32_t *mult, int *shift)
{
    if (!(scale >= ldexp(1.0, -33) && scale < 1.0)) return PECOS_EPARAM;
    int e;
    double f = frexp(scale, &e); /* scale = f * 2^e, f in [0.5, 1), e in -32..0 */
    double m = nearbyint(ldexp(f, 31));
    int s = -e;
    if (m >= ldexp(1.0, 31)) {
        /* rounded up to 2^31: the next binade */
        if (s == 0) {
            m = ldexp(1.0, 31) - 1.0;
        } else {
            m = ldexp(1.0, 30);
            s--;
        }
    }
    *mult = (int32_t)m;
    *shift = s;
    return 0;
}

int8_t golden_pool_window(const int8_t *y, int n, int mode, int count)
{
    if (mode == GOLDEN_POOL_MAX) {
        int8_t m = y[0];
        for (int i = 1; i < n; i++)
            if (y[i] > m) m = y[i];
        return m;
    }
    if (mode == GOLDEN_POOL_AVG) {
        int64_t sum = 0;
        for (int i = 0; i < n; i++) sum += y[i];
        return clamp_i8(golden_div_rhe(sum, count));
    }
    return y[0];
}

static bool pool_valid(const golden_pool_t *pool)
{
    if (pool->mode == GOLDEN_POOL_NONE) return true;
    if (pool->mode != GOLDEN_POOL_MAX && pool->mode != GOLDEN_POOL_AVG) return false;
    return pool->r >= 1 && pool->s >= 1 && pool->stride_h >= 1 && pool->stride_w >= 1 &&
           pool->pad_t >= 0 && pool->pad_b >= 0 && pool->pad_l >= 0 && pool->pad_r >= 0 &&
           pool->pad_t < pool->r && pool->pad_b < pool->r && pool->pad_l < pool->s &&
           pool->pad_r < pool->s;
}

int golden_pool_dims(const golden_pool_t *pool, int h, int w, int *p, int *q)
{
    if (h < 1 || w < 1 || !pool_valid(pool)) return PECOS_EPARAM;
    if (pool->mode == GOLDEN_POOL_NONE) {
        *p = h;
        *q = w;
        return 0;
    }
    int hp = h + pool->pad_t + pool->pad_b, wp = w + pool->pad_l + pool->pad_r;
    if (hp < pool->r || wp < pool->s) return PECOS_EPARAM;
    *p = (hp - pool->r) / pool->stride_h + 1;
    *q = (wp - pool->s) / pool->stride_w + 1;
    return 0;
}

int golden_pool_i8(const int8_t *in, int c, int h, int w, const golden_pool_t *pool,
                   int8_t *out)
{
    int p, q;
    if (c < 1) return PECOS_EPARAM;
    int rc = golden_pool_dims(pool, h, w, &p, &q);
    if (rc) return rc;
    if (pool->mode == GOLDEN_POOL_NONE) {
        for (long i = 0; i < (long)c * h * w; i++) out[i] = in[i];
        return 0;
    }
    int8_t win[65536];
    if ((long)pool->r * pool->s > (long)(sizeof win)) return PECOS_EPARAM;
    for (int k = 0; k < c; k++) {
        for (int op = 0; op < p; op++) {
            for (int oq = 0; oq < q; oq++) {
                int n = 0;
                for (int i = 0; i < pool->r; i++) {
                    int ih = op * pool->stride_h - pool->pad_t + i;
                    if (ih < 0 || ih >= h) continue;
                    for (int j = 0; j < pool->s; j++) {
                        int iw = oq * pool->stride_w - pool->pad_l + j;
                        if (iw < 0 || iw >= w) continue;
                        win[n++] = in[((long)k * h + ih) * w + iw];
                    }
                }
                /* n >= 1: pads are smaller than the window */
                out[((long)k * p + op) * q + oq] = golden_pool_window(win, n, pool->mode, n);
            }
        }
    }
    return 0;
}

int golden_post_map(const int32_t *acc, const int32_t *bias, int c, int h, int w,
                    const golden_rq_t *rq, const golden_pool_t *pool, int8_t *out)
{
    int p, q;
    if (c < 1 || rq->shift < 0 || rq->shift > 63) return PECOS_EPARAM;
    int rc = golden_pool_dims(pool, h, w, &p, &q);
    if (rc) return rc;
    size_t n = (size_t)c * h * w;
    int8_t *y = malloc(n);
    if (!y) return PECOS_ENOMEM;
    for (int k = 0; k < c; k++) {
        uint32_t b = bias ? (uint32_t)bias[k] : 0;
        for (long i = 0; i < (long)h * w; i++) {
            long at = (long)k * h * w + i;
            int32_t v = (int32_t)((uint32_t)acc[at] + b); /* wraps */
            y[at] = golden_requant(v, rq->mult, rq->shift, rq->zp, rq->rq_en, rq->relu);
        }
    }
    rc = golden_pool_i8(y, c, h, w, pool, out);
    free(y);
    return rc;
}
