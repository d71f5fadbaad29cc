#include "golden_fp.h"

#include <math.h>
#include <stdlib.h>

#include "pecos_err.h"

static int supported(const layer_t *cv)
{
    return layer_check(cv, NULL, 0) == 0 && cv->groups == 1 && cv->pad_value == 0;
}

/* Input element at reduction index (c, ry, sx) for output (p, q), as a float (+0 outside). */
static float in_at(const layer_t *cv, fp_fmt_t fmt, const uint16_t *ifmap, int c, int ry,
                   int sx, int p, int q)
{
    const int ih = p * cv->stride_h - cv->pad_t + ry * cv->dil_h;
    const int iw = q * cv->stride_w - cv->pad_l + sx * cv->dil_w;
    if (ih < 0 || ih >= cv->h || iw < 0 || iw >= cv->w) return 0.0f;
    return fp16x_to_f32(fmt, ifmap[((size_t)c * cv->h + ih) * cv->w + iw]);
}

int golden_conv_fp_ws_ct(const layer_t *cv, fp_fmt_t fmt, int rows, int ct,
                         const uint16_t *ifmap, const uint16_t *weights, const float *bias,
                         uint32_t *out)
{
    int P, Q;
    if (rows < 1 || ct < 1 || !supported(cv) || layer_out_hw(cv, &P, &Q) != 0)
        return PECOS_EPARAM;
    const int rs = cv->r * cv->s, crs = cv->c * rs;
    for (int k = 0; k < cv->k; k++) {
        const uint16_t *wk = weights + (size_t)k * crs;
        for (int p = 0; p < P; p++) {
            for (int q = 0; q < Q; q++) {
                float acc = bias ? bias[k] : 0.0f;
                /* Chunks of ct input channels; each chunk's ct*R*S lanes padded to folds. */
                for (int c0 = 0; c0 < cv->c; c0 += ct) {
                    const int n = (c0 + ct <= cv->c ? ct : cv->c - c0) * rs;
                    const int lanes = (n + rows - 1) / rows * rows;
                    for (int l = 0; l < lanes; l++) {
                        float x = 0.0f, w = 0.0f;
                        if (l < n) {
                            const int i = c0 * rs + l;
                            const int c = i / rs, ry = (i / cv->s) % cv->r, sx = i % cv->s;
                            x = in_at(cv, fmt, ifmap, c, ry, sx, p, q);
                            w = fp16x_to_f32(fmt, wk[i]);
                        }
                        acc = fmaf(x, w, acc);
                    }
                }
                out[((size_t)k * P + p) * Q + q] = isnan(acc) ? FP32_CANONICAL_NAN : fp_f32_bits(acc);
            }
        }
    }
    return 0;
}

int golden_conv_fp_ws(const layer_t *cv, fp_fmt_t fmt, int rows, const uint16_t *ifmap,
                      const uint16_t *weights, const float *bias, uint32_t *out)
{
    return golden_conv_fp_ws_ct(cv, fmt, rows, cv->c > 0 ? cv->c : 1, ifmap, weights, bias,
                                out);
}

int golden_conv_f64(const layer_t *cv, fp_fmt_t fmt, const uint16_t *ifmap,
                    const uint16_t *weights, const float *bias, double *out)
{
    int P, Q;
    if (!supported(cv) || layer_out_hw(cv, &P, &Q) != 0) return PECOS_EPARAM;
    const int crs = cv->c * cv->r * cv->s;
    for (int k = 0; k < cv->k; k++)
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                double acc = bias ? (double)bias[k] : 0.0;
                for (int c = 0; c < cv->c; c++)
                    for (int ry = 0; ry < cv->r; ry++)
                        for (int sx = 0; sx < cv->s; sx++) {
                            const int i = (c * cv->r + ry) * cv->s + sx;
                            acc += (double)in_at(cv, fmt, ifmap, c, ry, sx, p, q) *
                                   (double)fp16x_to_f32(fmt, weights[(size_t)k * crs + i]);
                        }
                out[((size_t)k * P + p) * Q + q] = acc;
            }
    return 0;
}
