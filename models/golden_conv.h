/* golden_conv.h - reference (oracle) int8 convolution for checking the RTL bit-exact.
 *
 * Semantics follow ONNX Conv (cross-correlation, no filter flip) on a single image:
 *
 *   out[k][p][q] = bias[k] + sum_{c < C/G, r < R, s < S}
 *                  in[g*C/G + c][p*stride_h - pad_top + r*dil_h][q*stride_w - pad_left + s*dil_w]
 *                  * w[k][c][r][s]
 *
 * with g = k / (K/G) the group of output channel k and in[][][] = pad_value outside the
 * image (0 by default: zero padding; a nonzero value is what an int8 tensor with a zero
 * point pads with). The sum is formed in int64 and stored as its low 32 bits (two's
 * complement), which is what an int32 hardware accumulator that wraps produces.
 *
 * Written for clarity, not speed: plain loops, no im2col/GEMM.
 */
#ifndef GOLDEN_CONV_H
#define GOLDEN_CONV_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int c, h, w;            /* input channels, height, width */
    int k, r, s;            /* output channels, filter height, filter width */
    int stride_h, stride_w; /* >= 1 */
    int pad_top, pad_left, pad_bottom, pad_right; /* >= 0 */
    int pad_value;          /* int8 value of a padded cell, -128..127 (fp models: 0 only) */
    int dil_h, dil_w;       /* dilation, >= 1 */
    int groups;             /* >= 1, divides c and k; weights are [K, C/groups, R, S] */
} golden_conv_t;

/* Output spatial size per ONNX Conv:
 *   P = floor((H + pad_top + pad_bottom - dil_h*(R-1) - 1) / stride_h) + 1, same for Q.
 * Checks only the spatial fields (h, w, r, s, strides, pads, dilations).
 * Returns 0 and writes *p, *q; or PECOS_EPARAM (bad field or output < 1), *p, *q untouched. */
int golden_conv_out_hw(const golden_conv_t *cv, int *p, int *q);

/* Validates every field: c, h, w, k, r, s, strides, dilations, groups >= 1; pads >= 0;
 * pad_value in -128..127;
 * groups divides c and k; output size >= 1; tensor sizes representable.
 * Returns 0 (err set to "" if given) or PECOS_EPARAM, in which case a one-line reason
 * naming the parameter is written into err (if err != NULL and errlen > 0). */
int golden_conv_check(const golden_conv_t *cv, char *err, size_t errlen);

/* int8 convolution.
 *   ifmap   [1, C, H, W]          int8, NCHW, contiguous
 *   weights [K, C/groups, R, S]   int8, contiguous
 *   bias    [K]                   int32, or NULL for no bias
 *   out     [1, K, P, Q]          int32, caller allocates K*P*Q elements
 * All buffers are owned by the caller; nothing is allocated.
 * Returns 0, or PECOS_EPARAM (invalid cv per golden_conv_check, or a NULL buffer other than
 * bias), in which case out is not written. */
int golden_conv_i8(const golden_conv_t *cv, const int8_t *ifmap, const int8_t *weights,
                   const int32_t *bias, int32_t *out);

#endif
