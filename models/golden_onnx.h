/* golden_onnx.h - reference ONNX operators on dense tensors, written for clarity.
 *
 * The tensor type here is what the ONNX loader (host/onnx/onnx_load.h) produces and the
 * interpreter (host/onnx/onnx_exec.h) passes around: dtype, dims, C-order data in host order.
 *
 * Arithmetic. Float operators read their operands as double, accumulate in double and
 * round once to the output type (float32 unless the inputs are double). Integer operators
 * (ConvInteger, MatMulInteger, the accumulator of QLinearConv/QLinearMatMul) are exact: the
 * int32 accumulator is the exact sum (no wrap; the products are at most 2^16 and the
 * reductions here are far below 2^15 terms). Requantization follows ONNX:
 *   y = saturate(round_half_to_even(acc * (x_scale * w_scale / y_scale)) + y_zero_point)
 * with the scales multiplied in float32 (as the ONNX reference, numpy float32) and the
 * product acc * scale formed in float32 too (see golden_onnx_requantize()).
 *
 * Every operator allocates its output(s) (the caller frees them with golden_tensor_free()),
 * returns 0 or a negative PECOS_E* code and, on failure, writes a one-line reason (no file
 * name, no newline) into err; outputs are then left zeroed. Nothing is printed.
 */
#ifndef GOLDEN_ONNX_H
#define GOLDEN_ONNX_H

#include <stddef.h>
#include <stdint.h>

/* Element types; the values are ONNX TensorProto.DataType's. */
typedef enum {
    GOLDEN_DT_UNDEFINED = 0,
    GOLDEN_DT_FLOAT = 1,
    GOLDEN_DT_UINT8 = 2,
    GOLDEN_DT_INT8 = 3,
    GOLDEN_DT_UINT16 = 4,
    GOLDEN_DT_INT16 = 5,
    GOLDEN_DT_INT32 = 6,
    GOLDEN_DT_INT64 = 7,
    GOLDEN_DT_BOOL = 9,
    GOLDEN_DT_FLOAT16 = 10,
    GOLDEN_DT_DOUBLE = 11
} golden_dtype_t;

#define GOLDEN_MAX_DIMS 8

typedef struct {
    golden_dtype_t dtype;
    int ndim;                       /* 0 (scalar) .. GOLDEN_MAX_DIMS */
    int64_t dims[GOLDEN_MAX_DIMS];  /* dims[0..ndim-1], each >= 0 */
    int64_t count;                  /* product of dims (1 for a scalar, may be 0) */
    void *data;                     /* count elements, C order, host order; owned; never
                                       NULL after a successful alloc (even if count is 0) */
} golden_tensor_t;

/* Bytes per element, or 0 for an unsupported dtype. */
size_t golden_dtype_size(golden_dtype_t t);
/* "float", "uint8", ... ; "dtype N" style names are not produced: unknown -> "unsupported". */
const char *golden_dtype_name(golden_dtype_t t);
/* True for int8/uint8/int16/uint16/int32/int64/bool. */
int golden_dtype_is_int(golden_dtype_t t);

/* Allocates a zeroed tensor. Returns 0, PECOS_EDTYPE, PECOS_ESHAPE (rank or negative dim),
 * PECOS_EPARAM (size overflow: more than 2^31 elements) or PECOS_ENOMEM. */
int golden_tensor_alloc(golden_tensor_t *t, golden_dtype_t dtype, int ndim, const int64_t *dims);
/* Frees t's data and zeroes t; safe on a zeroed tensor. */
void golden_tensor_free(golden_tensor_t *t);
/* Element i as double (float16 converted exactly, int64 rounded above 2^53). */
double golden_tensor_get(const golden_tensor_t *t, int64_t i);
/* Element i as int64 (float types truncated toward zero). */
int64_t golden_tensor_get_i64(const golden_tensor_t *t, int64_t i);
/* Writes v into element i, rounded (float types, float16 RNE) or converted with
 * two's-complement wrap (integer types, v taken as an integer). */
void golden_tensor_set(golden_tensor_t *t, int64_t i, double v);
/* Deep copy. Returns 0 or PECOS_ENOMEM. */
int golden_tensor_copy(golden_tensor_t *dst, const golden_tensor_t *src);
/* Formats dims as "[2,3,4]" into buf. Returns buf. */
const char *golden_tensor_shape_str(const golden_tensor_t *t, char *buf, size_t len);

/* Requantization of one accumulator, ONNX semantics: rounds acc * scale (float32
 * arithmetic) half to even, adds zp, saturates to the range of out (int8 or uint8). */
int32_t golden_onnx_requantize(int64_t acc, float scale, int32_t zp, golden_dtype_t out);

typedef enum {
    GOLDEN_AUTOPAD_NOTSET = 0,
    GOLDEN_AUTOPAD_SAME_UPPER,
    GOLDEN_AUTOPAD_SAME_LOWER,
    GOLDEN_AUTOPAD_VALID
} golden_autopad_t;

/* Sliding-window attributes of Conv*, MaxPool and AveragePool over 1..3 spatial dims. */
typedef struct {
    int nsp;                    /* spatial dims, 1..3 (set from the input by the operator) */
    int64_t kernel[3];          /* kernel_shape; conv: 0 = take it from W */
    int64_t strides[3];         /* >= 1 */
    int64_t dilations[3];       /* >= 1 */
    int64_t pads[6];            /* begins [0..nsp-1], ends [nsp..2*nsp-1]; >= 0 */
    golden_autopad_t auto_pad;
    int64_t group;              /* Conv*: >= 1 */
    int ceil_mode;              /* pools */
    int count_include_pad;      /* AveragePool */
    int storage_order;          /* MaxPool Indices: 0 row major, 1 column major */
} golden_window_t;

/* Defaults: kernel 0, strides and dilations 1, pads 0, NOTSET, group 1, flags 0. */
void golden_window_init(golden_window_t *win);

/* Conv: x [N,C,D...], w [M,C/group,k...], b [M] or NULL; float32 or double. */
int golden_onnx_conv(const golden_window_t *win, const golden_tensor_t *x,
                     const golden_tensor_t *w, const golden_tensor_t *b, golden_tensor_t *y,
                     char *err, size_t errlen);
/* ConvInteger: x, w int8/uint8; zero points scalar (w: or [M]) or NULL; y int32. */
int golden_onnx_conv_integer(const golden_window_t *win, const golden_tensor_t *x,
                             const golden_tensor_t *w, const golden_tensor_t *x_zp,
                             const golden_tensor_t *w_zp, golden_tensor_t *y, char *err,
                             size_t errlen);
/* QLinearConv: w_scale/w_zp per tensor or per output channel [M]; b int32 [M] or NULL;
 * y has y_zp's dtype (x's when y_zp is NULL). */
int golden_onnx_qlinear_conv(const golden_window_t *win, const golden_tensor_t *x,
                             const golden_tensor_t *x_scale, const golden_tensor_t *x_zp,
                             const golden_tensor_t *w, const golden_tensor_t *w_scale,
                             const golden_tensor_t *w_zp, const golden_tensor_t *y_scale,
                             const golden_tensor_t *y_zp, const golden_tensor_t *b,
                             golden_tensor_t *y, char *err, size_t errlen);
/* pecos_relu of a fused QDQ pattern (host/onnx/onnx_qdq.h): y = max(y, y_zp) element-wise on an
 * int8/uint8 y (y_zp scalar; NULL stands for 0). Exact for a Relu that sat before the
 * QuantizeLinear: round(max(v, 0) / s) + zp = max(round(v / s) + zp, zp). */
void golden_onnx_relu_zp(golden_tensor_t *y, const golden_tensor_t *y_zp);

/* QuantizeLinear (opset 10-18 semantics for int8/uint8): y = saturate(round_half_to_even(x /
 * y_scale) + y_zero_point). x float32 (the division in float32, as ONNX's reference) or
 * int32 (division in double); y_scale float32 scalar, or 1-D [x.dims[axis]] per axis
 * (axis may be negative); y_zero_point int8 or uint8 with y_scale's shape, or NULL (uint8,
 * 0). NaN quantizes to the zero point; +-Inf saturates. */
int golden_onnx_quantize_linear(const golden_tensor_t *x, const golden_tensor_t *y_scale,
                                const golden_tensor_t *y_zp, int64_t axis, golden_tensor_t *y,
                                char *err, size_t errlen);
/* DequantizeLinear: y = ((float)x - (float)x_zero_point) * x_scale in float32; x int8,
 * uint8 or int32 (its zero point then must be 0); per tensor or per axis as above. */
int golden_onnx_dequantize_linear(const golden_tensor_t *x, const golden_tensor_t *x_scale,
                                  const golden_tensor_t *x_zp, int64_t axis, golden_tensor_t *y,
                                  char *err, size_t errlen);
/* Gemm: y = alpha * A' B' + beta * C, C (or NULL) unidirectionally broadcast to [M,N]. */
int golden_onnx_gemm(const golden_tensor_t *a, const golden_tensor_t *b, const golden_tensor_t *c,
                     float alpha, float beta, int trans_a, int trans_b, golden_tensor_t *y,
                     char *err, size_t errlen);
/* MatMul with numpy semantics (1-D promotion, batch broadcasting); float32 or double. */
int golden_onnx_matmul(const golden_tensor_t *a, const golden_tensor_t *b, golden_tensor_t *y,
                       char *err, size_t errlen);
/* MatMulInteger: a, b int8/uint8; a_zp scalar or per row [M], b_zp scalar or per column
 * [N], or NULL; y int32. */
int golden_onnx_matmul_integer(const golden_tensor_t *a, const golden_tensor_t *b,
                               const golden_tensor_t *a_zp, const golden_tensor_t *b_zp,
                               golden_tensor_t *y, char *err, size_t errlen);
/* QLinearMatMul: per-tensor scales/zero points (a: or per row, b: or per column). */
int golden_onnx_qlinear_matmul(const golden_tensor_t *a, const golden_tensor_t *a_scale,
                               const golden_tensor_t *a_zp, const golden_tensor_t *b,
                               const golden_tensor_t *b_scale, const golden_tensor_t *b_zp,
                               const golden_tensor_t *y_scale, const golden_tensor_t *y_zp,
                               golden_tensor_t *y, char *err, size_t errlen);
/* MaxPool; indices (int64, flat index into x per storage_order) if not NULL. */
int golden_onnx_maxpool(const golden_window_t *win, const golden_tensor_t *x, golden_tensor_t *y,
                        golden_tensor_t *indices, char *err, size_t errlen);
int golden_onnx_avgpool(const golden_window_t *win, const golden_tensor_t *x, golden_tensor_t *y,
                        char *err, size_t errlen);
int golden_onnx_global_avgpool(const golden_tensor_t *x, golden_tensor_t *y, char *err,
                               size_t errlen);
int golden_onnx_relu(const golden_tensor_t *x, golden_tensor_t *y, char *err, size_t errlen);
/* Add with numpy broadcasting; same dtype on both sides; integers wrap. */
int golden_onnx_add(const golden_tensor_t *a, const golden_tensor_t *b, golden_tensor_t *y,
                    char *err, size_t errlen);
/* Flatten to 2-D at axis (negative counts from the end). */
int golden_onnx_flatten(const golden_tensor_t *x, int64_t axis, golden_tensor_t *y, char *err,
                        size_t errlen);
/* Reshape to shape[0..n-1]: 0 copies the input dim (unless allowzero), one -1 is inferred. */
int golden_onnx_reshape(const golden_tensor_t *x, const int64_t *shape, int n, int allowzero,
                        golden_tensor_t *y, char *err, size_t errlen);

#endif
