/* golden_conv.h - reference (oracle) int8 convolution for checking the RTL bit-exact.
 *
 * Semantics follow ONNX Conv (cross-correlation, no filter flip) on a single image:
 *
 *   out[k][p][q] = bias[k] + sum_{c < C/G, r < R, s < S}
 *                  in[g*C/G + c][p*stride_h - pad_t + r*dil_h][q*stride_w - pad_l + s*dil_w]
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

#include <stdint.h>

#include "layer.h"

/* int8 convolution of cv (the layer's p, q and name are not read).
 *   ifmap   [1, C, H, W]          int8, NCHW, contiguous
 *   weights [K, C/groups, R, S]   int8, contiguous
 *   bias    [K]                   int32, or NULL for no bias
 *   out     [1, K, P, Q]          int32, caller allocates K*P*Q elements
 * All buffers are owned by the caller; nothing is allocated.
 * Returns 0, or PECOS_EPARAM (invalid cv per layer_check, or a NULL buffer other than
 * bias), in which case out is not written. */
int golden_conv_i8(const layer_t *cv, const int8_t *ifmap, const int8_t *weights,
                   const int32_t *bias, int32_t *out);

#endif
