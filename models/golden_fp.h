/* golden_fp.h - floating-point convolution references.
 *
 * golden_conv_fp_ws: bf16/fp16 operands, fp32 accumulation, in exactly the order of the
 *   weight-stationary array with `rows` reduction lanes: for each output the accumulator
 *   starts at the bias (or +0), and the reduction index i = (c*R + ry)*S + sx runs in folds
 *   of `rows` lanes; each lane does acc = fmaf(x, w, acc) (one rounding), and lanes past
 *   C*R*S or outside the padded input contribute fmaf(+0, w or +0, acc) exactly as the array
 *   does (this matters for the sign of zero). A NaN result is the canonical 0x7FC00000.
 *   Written from the definition, not from the host's mapper.
 * golden_conv_f64: the same convolution in float64, the "exact math" to measure error against.
 */
#ifndef PECOS_GOLDEN_FP_H
#define PECOS_GOLDEN_FP_H

#include <stdint.h>

#include "fpconv.h"
#include "layer.h"

/* ifmap [C,H,W] and weights [K,C,R,S] are 16-bit patterns of fmt; bias [K] fp32 or NULL;
 * out [K,P,Q] fp32 bit patterns. Any strides, dilations and pads (padded cells are +0);
 * only groups=1 and pad_value 0. Returns 0 or PECOS_EPARAM. */
int golden_conv_fp_ws(const layer_t *cv, fp_fmt_t fmt, int rows, const uint16_t *ifmap,
                      const uint16_t *weights, const float *bias, uint32_t *out);
/* The same with the reduction cut the way a tiling with ct input channels per tile cuts
 * it: chunks of ct channels (the last one smaller), each chunk's ct*R*S lanes run in folds
 * of `rows` lanes of its own (padded at the chunk's end), chunks in order. */
int golden_conv_fp_ws_ct(const layer_t *cv, fp_fmt_t fmt, int rows, int ct,
                         const uint16_t *ifmap, const uint16_t *weights, const float *bias,
                         uint32_t *out);
/* Same inputs, float64 arithmetic; out [K,P,Q] doubles. Returns 0 or PECOS_EPARAM. */
int golden_conv_f64(const layer_t *cv, fp_fmt_t fmt, const uint16_t *ifmap,
                    const uint16_t *weights, const float *bias, double *out);

#endif
