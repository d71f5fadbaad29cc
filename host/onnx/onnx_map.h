/* onnx_map.h - which ONNX nodes the accelerator runs, and their operands as the array takes
 * them. Shared by `pecos onnx-test --rtl/--fp-rtl` (cmd_onnx.c) and `pecos run --onnx`
 * (onnx_run.c).
 *
 * Integer path (onnx_map_i8): Conv, MatMul and Gemm with integer-valued data in int8's
 * range; ConvInteger, QLinearConv, MatMulInteger and QLinearMatMul with int8 or uint8
 * operands and any zero points (docs/ONNX.md, "Zero points on the array"):
 *   x enters the array as it is (int8) or as x - 128 (uint8); the shifted x zero point
 *   zx' = zx - off is the value of padded cells (layer_t.pad_value), so that
 *     sum (x - zx)(w - zw) = sum x' w'' - zx' * sum w''     (w'' = w - zw, per channel)
 *   holds at the borders too; the correction -zx' * sum w'' is one int32 per output channel
 *   added to the bias (int32 wrap-around, as the array's accumulator). When some w'' leaves
 *   int8 ("wide"), w - off is fed instead, and sum (x - zx)(w - zw) = sum x'(w - off)
 *   - zx' sum (w - zw) - zw' sum x' with zw' = zw - off: sum x' over each window comes
 *   from one extra all-ones output channel per group on the array, and -zw' * that is a
 *   per-pixel correction (onnx_map_correction()). MatMul with per-row a zero points (not
 *   all equal): -za'[m] * sum_k (b - zb)[k][n] depends on the row and is per-pixel too.
 * Float path (onnx_map_fp): float32 Conv, MatMul and Gemm, operands as they are.
 * Shapes: a 1-D or 2-D conv per batch item (layer_t; device_conv_maps decides strides and
 * dilations); a matmul [..,M,K] x [..,K,N] per batch as a 1x1 conv with C = K input channels,
 * W = M pixels (H = 1) and K = N output channels. Gemm maps when alpha = 1 and C is absent or
 * (beta = 1 and C is a per-column bias: [N], [1,N] or a scalar).
 *
 * The array's result of batch item b is acc [K][P*Q] (matmul: [N][M]); onnx_map_y_index()
 * places an element in the node's output.
 */
#ifndef PECOS_ONNX_MAP_H
#define PECOS_ONNX_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "fpconv.h"
#include "golden_onnx.h"
#include "onnx_load.h"

typedef struct {
    bool matmul;            /* MatMul/MatMulInteger/QLinearMatMul/Gemm (else a conv) */
    bool qlinear;           /* QLinearConv/QLinearMatMul: the accumulator is requantized */
    layer_t cv;             /* one batch item */
    int64_t n_batch;        /* conv: N; matmul: batch count */
    int p, q;               /* output plane of one item (matmul: 1 x M) */
    int64_t M, K, N;        /* matmul */
    bool w_per_batch;       /* matmul: one B per batch (else one B for all) */
    size_t x_len, w_len, y_len; /* elements of one item's x, w and acc */
    int8_t *x, *w;          /* i8: n_batch * x_len; (w_per_batch ? n_batch : 1) * w_len */
    int32_t *bias;          /* i8: [(w_per_batch ? n_batch : 1) * K] or NULL: the node's bias
                             * plus the zero-point correction (int32 wrap-around) */
    int x_offset;           /* i8: 128 if x is uint8 (x enters as x - 128), else 0 */
    int32_t x_zp;           /* i8: the shifted x zero point zx' (conv: the padded cells' value) */
    bool zp_folded;         /* i8: a nonzero correction -zx' * sum(w'') is in bias */
    int32_t *row_zp;        /* i8 matmul, per-row a zero points: za'[m] [M], else NULL */
    int32_t *col_sum;       /* with row_zp: sum_k b''[k][n], [(w_per_batch ? n_batch : 1) * N] */
    bool relu;              /* QLinear*: attribute pecos_relu = 1 (y = max(y, y_zero_point)) */
    int k_node;             /* the node's output channels (matmul: N); cv.k is the array's */
    bool wide;              /* i8: some w - zw leaves int8: w - off fed, one all-ones channel
                             * per group appended after each group's channels (cv.k = k_node
                             * + groups); its result, sum x' over the window, times zw' is
                             * the per-pixel correction */
    int kg;                 /* i8: the node's output channels per group */
    int32_t *zw_res;        /* wide: zw' = zw - off per output channel [k_node] */
    float *xf, *wf, *bias_f; /* fp: the same layouts, float32 */
    /* QLinear*: borrowed from the node's inputs (y_zp may be NULL) */
    const golden_tensor_t *x_scale, *w_scale, *y_scale, *y_zp;
    golden_dtype_t y_dtype; /* the node output's dtype */
} onnx_map_t;

/* Whether op is one the integer (float) path considers. */
bool onnx_map_op_i8(const char *op);
bool onnx_map_op_fp(const char *op);

/* Fills *mp (owned buffers; free with onnx_map_free) for node n (index names the layer
 * "node<index>_<op>") with inputs in[0..n_in-1] and golden output out0. Returns 0 (mapped),
 * 1 (not mapped: a short reason in why), or PECOS_ENOMEM. */
int onnx_map_i8(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                const golden_tensor_t *out0, onnx_map_t *mp, char *why, size_t whylen);
int onnx_map_fp(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                const golden_tensor_t *out0, onnx_map_t *mp, char *why, size_t whylen);
void onnx_map_free(onnx_map_t *mp);

/* Resolves win->auto_pad (SAME_UPPER/SAME_LOWER/VALID) for input x [N,C,D...] into
 * win->pads, as the golden operators do; win->kernel must be set. */
void onnx_map_resolve_pads(golden_window_t *win, const golden_tensor_t *x);

/* Flat index into the node output of batch item b, output channel k, pixel pix. */
int64_t onnx_map_y_index(const onnx_map_t *mp, int64_t b, int64_t k, int64_t pix);

/* QLinear*: x_scale * w_scale / y_scale in float32 (as ONNX) for output channel k and pixel
 * pix (matmul: a_scale may be per row = pix); the output zero point. */
float onnx_map_scale(const onnx_map_t *mp, int64_t k, int64_t pix);
bool onnx_map_scale_per_channel(const onnx_map_t *mp); /* the scale does not depend on pix */
int32_t onnx_map_y_zp(const onnx_map_t *mp);

/* The array's output channel of node channel k (acc [cv.k][P*Q] per batch item). */
int64_t onnx_map_acc_row(const onnx_map_t *mp, int64_t k);

/* The per-pixel correction of node element (b, k, pix) that is not in bias, from batch
 * item b's array result acc_b: -za'[pix] * sum_k (b - zb) (per-row a zero points) and
 * -zw'[k] * (sum of x' over the window, the all-ones channel) when wide; int32 wrap-around. */
int32_t onnx_map_correction(const onnx_map_t *mp, int64_t b, int64_t k, int64_t pix, const int32_t *acc_b);

/* The bias of batch item b (mp->bias + b * K when w_per_batch), or NULL. */
const int32_t *onnx_map_bias(const onnx_map_t *mp, int64_t b);

/* MACs of a Conv/ConvInteger/QLinearConv/MatMul/MatMulInteger/QLinearMatMul/Gemm node from
 * its operands' shapes and its output (0 if they do not say). */
uint64_t onnx_map_node_macs(const onnx_node_t *n, const golden_tensor_t *const *in, int n_in,
                            const golden_tensor_t *out0);

/* Runs every batch item on the int8 array a: acc [n_batch][y_len] in the array's layout;
 * with_bias adds mp->bias on the array. Items that share the weights run as one stacked
 * layer (layer_batch.h: one weight load for all; res is that layer's run, counted with the
 * items' MACs); per-item weights (a batched MatMul) run item by item, res merged. Returns device_conv_i8's
 * code (0: ran; res says whether every check passed). */
/* onnx_map_run_i8() with the post-processing unit pp on the array's writeback path
 * (device_conv_i8_fused; the array adds the bias): acc as there, the int8 results y8
 * [n_batch][y_len]. Only for items that share the weights (not w_per_batch). */
int onnx_map_run_i8_fused(device_t *a, const onnx_map_t *mp, const device_post_t *pp, int32_t *acc,
                          int8_t *y8, layer_result_t *res);

int onnx_map_run_i8(device_t *a, const onnx_map_t *mp, bool with_bias, int32_t *acc,
                    layer_result_t *res);

/* The same on the fp array a (run.dtype bf16/fp16 = fmt): operands rounded to fmt (RNE),
 * bias fp32; y [n_batch][y_len]. Returns device_conv_fp's code. */
int onnx_map_run_fp(device_t *a, fp_fmt_t fmt, const onnx_map_t *mp, float *y,
                    layer_result_t *res);

#endif
