/* golden_post.h - reference post-processing: bias, requantization, ReLU, max/avg pooling.
 *
 * Plain C, written for clarity and independent of rtl/pecos_postproc.sv and sim/. The
 * semantics (the PPU's contract) per value:
 *   1. v = acc + bias                       (int32, two's complement wrap)
 *   2. rq_en: y = clamp(zp + RHE(v * mult / 2^(31+shift)), -128, 127), exact (64-bit product)
 *      else:  y = clamp(v, -128, 127)
 *      RHE = round half to even. This is ONNX QLinearConv's requantization with the float
 *      scale x_scale*w_scale/y_scale represented as mult * 2^-(31+shift).
 *   3. relu: y = max(y, zp)                 (also when rq_en = 0)
 *   4. pooling over a window of y: none (y), max, or avg = clamp(RHE(sum / count), -128, 127)
 *      with count = the number of real (unpadded) cells (ONNX AveragePool
 *      count_include_pad = 0); padded cells are skipped by max and avg.
 *
 * Scale approximation: golden_quant_multiplier() gives the (mult, shift) nearest to a float
 * scale; its relative error is at most 2^-31 (half a unit of a 31-bit mult >= 2^30). The
 * exact fixed-point result can therefore differ from ONNX's float formula
 * (golden_requant_float: clamp(zp + nearbyint(v * scale))) only when v * scale lies within
 * |v * scale| * 2^-31 (+ double rounding, ~2^-52 relative) of a half-integer, and then by 1.
 * Callers that compare against float references count such disagreements.
 */
#ifndef PECOS_GOLDEN_POST_H
#define PECOS_GOLDEN_POST_H

#include <stdbool.h>
#include <stdint.h>

enum { GOLDEN_POOL_NONE = 0, GOLDEN_POOL_MAX = 1, GOLDEN_POOL_AVG = 2 };

/* Requantization parameters (the PPU's configuration minus pooling). */
typedef struct {
    uint32_t mult; /* Q31 multiplier, 0 .. 2^31-1 (normally 2^30 .. 2^31-1) */
    int shift;     /* 0..63; scale = mult * 2^-(31+shift) (the PPU takes 0..32) */
    int8_t zp;     /* output zero point */
    bool rq_en;    /* false: only saturate v to int8 */
    bool relu;     /* y = max(y, zp) */
} golden_rq_t;

/* Pooling window over an [H,W] plane. mode GOLDEN_POOL_NONE ignores the other fields
 * (output = input plane). Pads are per side and must be smaller than the window size on
 * that axis (as in ONNX), so every window has at least one real cell. */
typedef struct {
    int mode;             /* GOLDEN_POOL_NONE, _MAX, _AVG */
    int r, s;             /* window height, width (>= 1) */
    int stride_h, stride_w; /* >= 1 */
    int pad_t, pad_l, pad_b, pad_r; /* >= 0, pad_t,pad_b < r, pad_l,pad_r < s */
} golden_pool_t;

/* RHE(x / 2^n) for a signed 64-bit x, n >= 0, exact (the magnitude |x| must be < 2^63). */
int64_t golden_rshift_rhe(int64_t x, int n);

/* RHE(num / den) for den >= 1, exact. */
int64_t golden_div_rhe(int64_t num, int64_t den);

/* Steps 2-3 for one value v (= acc + bias, already wrapped): the int8 result. */
int8_t golden_requant(int32_t v, uint32_t mult, int shift, int8_t zp, bool rq_en, bool relu);

/* ONNX's float formula: clamp(zp + nearbyint(v * scale), -128, 127), ties to even. */
int8_t golden_requant_float(int32_t v, double scale, int8_t zp);

/* The (mult, shift) nearest to scale with mult in [2^30, 2^31) and shift in 0..32
 * (round to nearest, ties to even; at the top of the range scales within 2^-32 of 1 give
 * mult = 2^31-1, shift 0). Returns 0, or PECOS_EPARAM if scale is outside [2^-33, 1) or not
 * a number (then *mult and *shift are untouched). */
int golden_quant_multiplier(double scale, int32_t *mult, int *shift);

/* Step 4 for one window of n values y[0..n-1] (n >= 1): none (n must be 1) returns y[0];
 * max the maximum; avg clamp(RHE(sum / count), -128, 127) (count >= 1; normally n). */
int8_t golden_pool_window(const int8_t *y, int n, int mode, int count);

/* Output size of pooling an [H,W] plane. Returns 0, or PECOS_EPARAM for an invalid pool
 * (mode, sizes, strides, pads) or a window larger than the padded plane. */
int golden_pool_dims(const golden_pool_t *pool, int h, int w, int *p, int *q);

/* Pools an int8 map in [C,H,W] into out [C,P,Q] (caller-allocated, P,Q from
 * golden_pool_dims). Returns 0 or PECOS_EPARAM. */
int golden_pool_i8(const int8_t *in, int c, int h, int w, const golden_pool_t *pool,
                   int8_t *out);

/* The whole PPU on a feature map: acc [C,H,W] int32, bias [C] int32 (NULL = zeros), steps 1-3
 * per cell, then pooling into out [C,P,Q] (caller-allocated, P,Q from golden_pool_dims).
 * Returns 0, PECOS_EPARAM or PECOS_ENOMEM. */
int golden_post_map(const int32_t *acc, const int32_t *bias, int c, int h, int w,
                    const golden_rq_t *rq, const golden_pool_t *pool, int8_t *out);

#endif
