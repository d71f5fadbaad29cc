/* golden_conv.c - reference int8 convolution (see golden_conv.h for the exact semantics). */
#include "golden_conv.h"

#include <limits.h>

#include "pecos_err.h"

/* Low 32 bits of sum as a two's-complement int32, i.e. what a wrapping int32 accumulator
 * holds. Same value as (int32_t)(uint32_t)sum on gcc/clang, but without relying on the
 * implementation-defined unsigned-to-signed conversion. */
static int32_t wrap_i32(int64_t sum)
{
    uint32_t u = (uint32_t)sum; /* conversion to unsigned is modulo 2^32 */

    if (u <= INT32_MAX)
        return (int32_t)u;
    return (int32_t)(u - 0x80000000u) + INT32_MIN; /* u - 2^32 */
}

int golden_conv_i8(const layer_t *cv, const int8_t *ifmap, const int8_t *weights,
                   const int32_t *bias, int32_t *out)
{
    int P, Q;

    if (ifmap == NULL || weights == NULL || out == NULL)
        return PECOS_EPARAM;
    if (layer_check(cv, NULL, 0) || layer_out_hw(cv, &P, &Q))
        return PECOS_EPARAM;

    const int H = cv->h, W = cv->w, R = cv->r, S = cv->s;
    const int cpg = cv->c / cv->groups; /* input channels per group */
    const int kpg = cv->k / cv->groups; /* output channels per group */

    for (int k = 0; k < cv->k; k++) {
        const int g = k / kpg;
        const int8_t *in_g = ifmap + (size_t)g * cpg * H * W;   /* first channel of group g */
        const int8_t *w_k = weights + (size_t)k * cpg * R * S; /* w[k][0][0][0] */
        int32_t *out_k = out + (size_t)k * P * Q;

        for (int p = 0; p < P; p++) {
            for (int q = 0; q < Q; q++) {
                int64_t sum = bias != NULL ? bias[k] : 0;

                for (int c = 0; c < cpg; c++) {
                    const int8_t *in_c = in_g + (size_t)c * H * W;
                    const int8_t *w_c = w_k + (size_t)c * R * S;

                    for (int r = 0; r < R; r++) {
                        const int ih = p * cv->stride_h - cv->pad_t + r * cv->dil_h;
                        const int8_t *w_row = w_c + (size_t)r * S;

                        for (int s = 0; s < S; s++) {
                            const int iw = q * cv->stride_w - cv->pad_l + s * cv->dil_w;
                            /* a padded cell holds pad_value */
                            const int x = ih < 0 || ih >= H || iw < 0 || iw >= W
                                              ? cv->pad_value
                                              : in_c[(size_t)ih * W + iw];

                            sum += (int64_t)x * w_row[s];
                        }
                    }
                }
                out_k[(size_t)p * Q + q] = wrap_i32(sum);
            }
        }
    }
    return 0;
}
