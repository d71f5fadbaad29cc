/* onnx_map.c - ONNX nodes onto the accelerator's conv; see onnx_map.h. */
#include "onnx_map.h"

#include "device.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer_batch.h"
#include "onnx_exec.h"
#include "pecos_err.h"

bool onnx_map_op_i8(const char *op)
{
    return strcmp(op, "Conv") == 0 || strcmp(op, "ConvInteger") == 0 ||
           strcmp(op, "QLinearConv") == 0 || strcmp(op, "MatMul") == 0 ||
           strcmp(op, "MatMulInteger") == 0 || strcmp(op, "QLinearMatMul") == 0 ||
           strcmp(op, "Gemm") == 0;
}

bool onnx_map_op_fp(const char *op)
{
    return strcmp(op, "Conv") == 0 || strcmp(op, "MatMul") == 0 || strcmp(op, "Gemm") == 0;
}

void onnx_map_free(onnx_map_t *mp)
{
    free(mp->x);
    free(mp->w);
    free(mp->bias);
    free(mp->xf);
    free(mp->wf);
    free(mp->bias_f);
    free(mp->row_zp);
    free(mp->col_sum);
    free(mp->zw_res);
    memset(mp, 0, sizeof *mp);
}

static int no(char *why, size_t len, const char *msg)
{
    snprintf(why, len, "%s", msg);
    return 1;
}

void onnx_map_resolve_pads(golden_window_t *win, const golden_tensor_t *x)
{
    const int nsp = win->nsp;
    for (int i = 0; i < nsp; i++) {
        const int64_t in = x->dims[2 + i], s = win->strides[i];
        const int64_t ek = (win->kernel[i] - 1) * win->dilations[i] + 1;
        if (win->auto_pad == GOLDEN_AUTOPAD_SAME_UPPER || win->auto_pad == GOLDEN_AUTOPAD_SAME_LOWER) {
            int64_t out = (in + s - 1) / s, total = (out - 1) * s + ek - in;
            if (total < 0) total = 0;
            win->pads[i] = win->auto_pad == GOLDEN_AUTOPAD_SAME_UPPER ? total / 2 : total - total / 2;
            win->pads[nsp + i] = total - win->pads[i];
        } else if (win->auto_pad == GOLDEN_AUTOPAD_VALID) {
            win->pads[i] = win->pads[nsp + i] = 0;
        }
    }
}

/* Element i of t minus the zero point z[zi] (z NULL: 0; a scalar z: z[0]). */
static double zget(const golden_tensor_t *t, int64_t i, const golden_tensor_t *z, int64_t zi)
{
    return golden_tensor_get(t, i) - (z ? golden_tensor_get(z, z->count == 1 ? 0 : zi) : 0);
}

/* Stores v as operand element j of x (is_x) or w: fp as float, else int8 if v is an
 * integer in int8's range. Returns false if it does not fit. */
static bool put(onnx_map_t *mp, bool fp, bool is_x, size_t j, double v)
{
    if (fp) {
        (is_x ? mp->xf : mp->wf)[j] = (float)v;
        return true;
    }
    if (v != floor(v) || v < -128 || v > 127) return false;
    (is_x ? mp->x : mp->w)[j] = (int8_t)v;
    return true;
}

static bool all_float(const golden_tensor_t *a, const golden_tensor_t *b, const golden_tensor_t *c)
{
    return a->dtype == GOLDEN_DT_FLOAT && b->dtype == GOLDEN_DT_FLOAT && (!c || c->dtype == GOLDEN_DT_FLOAT);
}

/* Allocates the operand buffers of mp (nx, nw elements, bias of k if has_bias). */
static int alloc_ops(onnx_map_t *mp, bool fp, size_t nx, size_t nw, bool has_bias, size_t k)
{
    if (fp) {
        mp->xf = malloc(sizeof *mp->xf * (nx + 1));
        mp->wf = malloc(sizeof *mp->wf * (nw + 1));
        if (has_bias) mp->bias_f = malloc(sizeof *mp->bias_f * (k + 1));
        return mp->xf && mp->wf && (!has_bias || mp->bias_f) ? 0 : PECOS_ENOMEM;
    }
    mp->x = malloc(nx + 1);
    mp->w = malloc(nw + 1);
    if (has_bias) mp->bias = calloc(k + 1, sizeof *mp->bias);
    return mp->x && mp->w && (!has_bias || mp->bias) ? 0 : PECOS_ENOMEM;
}

/* The bias b [K] (or a scalar broadcast to K, or NULL: 0): fp as float, else int32-valued,
 * repeated nrep times (one copy per batch item with its own weights). */
static bool put_bias(onnx_map_t *mp, bool fp, const golden_tensor_t *b, int k, int64_t nrep)
{
    for (int i = 0; i < k; i++) {
        const double v = b ? golden_tensor_get(b, b->count == 1 ? 0 : i) : 0;
        if (fp) {
            mp->bias_f[i] = (float)v;
            continue;
        }
        if (v != floor(v) || v < -2147483648.0 || v > 2147483647.0) return false;
        for (int64_t r = 0; r < nrep; r++) mp->bias[r * k + i] = (int32_t)v;
    }
    return true;
}

/* Whether t is an 8-bit integer tensor; *off = 128 for uint8 (it enters the array as
 * t - 128), 0 for int8. */
static bool q8(const golden_tensor_t *t, int *off)
{
    *off = t->dtype == GOLDEN_DT_UINT8 ? 128 : 0;
    return t->dtype == GOLDEN_DT_UINT8 || t->dtype == GOLDEN_DT_INT8;
}

/* bias[i] += -zx * sum (int32 wrap-around, as the array's accumulator). */
static void fold(int32_t *bias, int32_t zx, int64_t sum)
{
    bias[0] = (int32_t)((uint32_t)bias[0] - (uint32_t)((int64_t)zx * sum));
}

/* QLinearConv / QLinearMatMul share their input layout: x, x_scale, x_zp, w, w_scale, w_zp,
 * y_scale, y_zp[, bias]. */
static void set_qlinear(onnx_map_t *mp, const golden_tensor_t *const *in)
{
    mp->qlinear = true;
    mp->x_scale = in[1];
    mp->w_scale = in[4];
    mp->y_scale = in[6];
    mp->y_zp = in[7];
}

/* Where the integer weights of a conv ([K][per_m]) or a matmul (B [nbb][K][N] or, tb,
 * [nbb][N][K]: output channel j = column) sit in the node's w tensor. */
typedef struct {
    bool mm, tb;
    int64_t per_m, n_ch;    /* taps per output channel, output channels */
} wlay_t;

static int64_t wsrc(const wlay_t *L, int64_t bw, int64_t ch, int64_t i)
{
    if (!L->mm) return ch * L->per_m + i;
    return bw * L->per_m * L->n_ch + (L->tb ? ch * L->per_m + i : i * L->n_ch + ch);
}

/* The integer weights of an integer op onto the array: w'' = w - zw (per tensor or per
 * output channel) when that is an int8 for every weight; otherwise ("wide") w' = w - off
 * (always int8), the residual zero point zw' = zw - off kept per channel, and one all-ones
 * output channel per group appended (its result is sum x' over the window: the zw' * sum(x)
 * term). mp->bias must hold the node's bias, one [K] per weight set (nbb); it is rewritten in the
 * array's channel layout with -zx' * sum(w - zw) folded in (or, per_row, that sum kept in
 * col_sum). Returns 0 or PECOS_ENOMEM. */
static int put_int_weights(onnx_map_t *mp, const golden_tensor_t *w, const golden_tensor_t *wz, const wlay_t *L,
                           int64_t nbb, int groups, int woff, bool per_row)
{
    const int64_t K = L->n_ch, kg = K / groups, n = L->per_m;
    bool wide = false;
    for (int64_t bw = 0; bw < nbb && !wide; bw++)
        for (int64_t ch = 0; ch < K && !wide; ch++) {
            const int64_t z = wz ? golden_tensor_get_i64(wz, wz->count == 1 ? 0 : ch) : 0;
            for (int64_t i = 0; i < n && !wide; i++) {
                const int64_t v = golden_tensor_get_i64(w, wsrc(L, bw, ch, i)) - z;
                wide = v < -128 || v > 127;
            }
        }
    const int64_t KA = wide ? K + groups : K;
    mp->wide = wide;
    mp->kg = (int)kg;
    int8_t *wa = malloc((size_t)(nbb * KA * n) + 1);
    int32_t *ba = calloc((size_t)(nbb * KA) + 1, sizeof *ba);
    if (!wa || !ba || (wide && !(mp->zw_res = malloc(sizeof *mp->zw_res * ((size_t)K + 1))))) {
        free(wa);
        free(ba);
        return PECOS_ENOMEM;
    }
    for (int64_t r = 0; r < nbb; r++)
        for (int64_t ch = 0; ch < K; ch++) ba[r * KA + onnx_map_acc_row(mp, ch)] = mp->bias[r * K + ch];
    for (int64_t bw = 0; bw < nbb; bw++) {
        for (int64_t ch = 0; ch < K; ch++) {
            const int64_t z = wz ? golden_tensor_get_i64(wz, wz->count == 1 ? 0 : ch) : 0;
            const int64_t row = onnx_map_acc_row(mp, ch);
            int64_t sum = 0;
            for (int64_t i = 0; i < n; i++) {
                const int64_t v = golden_tensor_get_i64(w, wsrc(L, bw, ch, i));
                wa[(bw * KA + row) * n + i] = (int8_t)(wide ? v - woff : v - z);
                sum += v - z;
            }
            if (wide && bw == 0) mp->zw_res[ch] = (int32_t)(z - woff);
            /* one bias per weight set (per batch item when each has its own weights) */
            if (per_row) mp->col_sum[bw * K + ch] = (int32_t)(uint32_t)sum;
            else fold(&ba[bw * KA + row], mp->x_zp, sum);
            mp->zp_folded = mp->zp_folded || (mp->x_zp != 0 && sum != 0);
        }
        for (int g = 0; wide && g < groups; g++)
            for (int64_t i = 0; i < n; i++) wa[(bw * KA + g * (kg + 1) + kg) * n + i] = 1;
    }
    free(mp->w);
    free(mp->bias);
    mp->w = wa;
    mp->bias = ba;
    mp->cv.k = (int)KA;
    mp->w_len = (size_t)(KA * n);
    mp->y_len = (size_t)KA * (size_t)mp->p * (size_t)mp->q;
    return 0;
}

#define NO_FIT "operand values are not integers in int8's range"

static int64_t attr_int(const onnx_node_t *n, const char *name, int64_t def)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    return a && a->type == ONNX_ATTR_INT ? a->i : def;
}

static int map_conv(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                    const golden_tensor_t *out0, bool fp, onnx_map_t *mp, char *why, size_t whylen)
{
    const char *op = n->op_type;
    const bool qconv = strcmp(op, "QLinearConv") == 0, cint = strcmp(op, "ConvInteger") == 0;
    if (qconv && n_in < 8) return no(why, whylen, "QLinearConv with fewer than 8 inputs");
    const golden_tensor_t *x = in[0], *w = qconv ? in[3] : n_in > 1 ? in[1] : NULL;
    const golden_tensor_t *xz = NULL, *wz = NULL, *b = NULL;
    if (cint) {
        xz = n_in > 2 ? in[2] : NULL;
        wz = n_in > 3 ? in[3] : NULL;
    } else if (qconv) {
        xz = in[2];
        wz = in[5];
        b = n_in > 8 ? in[8] : NULL;
    } else {
        b = n_in > 2 ? in[2] : NULL;
    }
    if (!x || !w) return no(why, whylen, "an operand is missing");
    if (x->ndim != 3 && x->ndim != 4)
        return no(why, whylen, "only 1-D and 2-D convolutions map onto the array");
    if (w->ndim != x->ndim || w->dims[0] < 1) return no(why, whylen, "weights of another rank");
    if (fp && !all_float(x, w, b)) return no(why, whylen, "not float32");
    if (xz && xz->count != 1) return no(why, whylen, "x zero point is not a scalar");
    golden_window_t win;
    char e[160];
    if (onnx_exec_window(n, x->ndim, &win, e, sizeof e) != 0) return no(why, whylen, e);
    for (int i = 0; i < win.nsp; i++)
        if (win.kernel[i] == 0) win.kernel[i] = w->dims[2 + i];
    onnx_map_resolve_pads(&win, x);
    const bool two = x->ndim == 4;
    layer_t cv = {.c = (int)x->dims[1], .h = two ? (int)x->dims[2] : 1, .w = (int)x->dims[two ? 3 : 2],
                       .k = (int)w->dims[0], .r = two ? (int)w->dims[2] : 1, .s = (int)w->dims[two ? 3 : 2],
                       .stride_h = (int)win.strides[0], .stride_w = (int)win.strides[two ? 1 : 0],
                       .pad_t = two ? (int)win.pads[0] : 0, .pad_b = two ? (int)win.pads[2] : 0,
                       .pad_l = (int)win.pads[two ? 1 : 0], .pad_r = (int)win.pads[two ? 3 : 1],
                       .dil_h = two ? (int)win.dilations[0] : 1, .dil_w = (int)win.dilations[two ? 1 : 0],
                       .groups = (int)win.group};
    if (!two) cv.stride_h = cv.stride_w; /* one row: the vertical stride is irrelevant */
    snprintf(cv.name, sizeof cv.name, "node%d_%.40s", index, op);
    int p, q;
    if (!device_conv_maps(&cv, why, whylen)) return 1;
    if (device_conv_out(&cv, &p, &q) != 0) return no(why, whylen, "the accelerator's conv rejects the shape");
    const int64_t per_m = w->count / w->dims[0];
    if (w->count != (int64_t)cv.k * (cv.c / cv.groups) * cv.r * cv.s || out0->count != x->dims[0] * cv.k * p * q)
        return no(why, whylen, "operand sizes do not match the convolution");
    if (b && b->count != cv.k) return no(why, whylen, "bias is not [M]");
    const bool integer_op = qconv || cint;
    int off = 0, woff = 0;
    if (integer_op && (!q8(x, &off) || !q8(w, &woff)))
        return no(why, whylen, "x or w is neither int8 nor uint8");
    if (wz && wz->count != 1 && wz->count != cv.k) return no(why, whylen, "w zero point is neither a scalar nor [M]");
    mp->cv = cv;
    mp->k_node = cv.k;
    mp->n_batch = x->dims[0];
    mp->p = p;
    mp->q = q;
    mp->x_len = (size_t)cv.c * cv.h * cv.w;
    mp->w_len = (size_t)w->count;
    mp->y_len = (size_t)cv.k * p * q;
    mp->x_offset = off;
    mp->x_zp = integer_op && xz ? (int32_t)golden_tensor_get_i64(xz, 0) - off : 0;
    const bool need_bias = b != NULL || (!fp && integer_op);
    if (alloc_ops(mp, fp, (size_t)x->count, (size_t)w->count, need_bias, (size_t)cv.k) != 0) return PECOS_ENOMEM;
    if (integer_op) {
        for (int64_t i = 0; i < x->count; i++) mp->x[i] = (int8_t)(golden_tensor_get_i64(x, i) - off);
    } else {
        for (int64_t i = 0; i < x->count; i++)
            if (!put(mp, fp, true, (size_t)i, zget(x, i, NULL, 0))) return no(why, whylen, NO_FIT);
    }
    if (need_bias && !put_bias(mp, fp, b, cv.k, 1)) return no(why, whylen, "bias is not an int32 value");
    if (integer_op) {
        const wlay_t L = {.mm = false, .per_m = per_m, .n_ch = cv.k};
        if (put_int_weights(mp, w, wz, &L, 1, cv.groups, woff, false) != 0) return PECOS_ENOMEM;
    } else {
        for (int64_t i = 0; i < w->count; i++)
            if (!put(mp, fp, false, (size_t)i, zget(w, i, NULL, 0))) return no(why, whylen, NO_FIT);
    }
    if (qconv) set_qlinear(mp, in);
    mp->relu = attr_int(n, "pecos_relu", 0) == 1;
    mp->cv.pad_value = (int8_t)mp->x_zp; /* padded cells hold the shifted x zero point */
    return 0;
}

static float attr_float(const onnx_node_t *n, const char *name, float def)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    return a && a->type == ONNX_ATTR_FLOAT ? a->f : def;
}

static int map_mm(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                  const golden_tensor_t *out0, bool fp, onnx_map_t *mp, char *why, size_t whylen)
{
    const char *op = n->op_type;
    const bool qmm = strcmp(op, "QLinearMatMul") == 0, gemm = strcmp(op, "Gemm") == 0;
    const bool mmi = strcmp(op, "MatMulInteger") == 0;
    if (qmm && n_in < 8) return no(why, whylen, "QLinearMatMul with fewer than 8 inputs");
    const golden_tensor_t *a = in[0], *bm = qmm ? in[3] : n_in > 1 ? in[1] : NULL;
    const golden_tensor_t *az = qmm ? in[2] : mmi && n_in > 2 ? in[2] : NULL;
    const golden_tensor_t *bz = qmm ? in[5] : mmi && n_in > 3 ? in[3] : NULL;
    const golden_tensor_t *c = gemm && n_in > 2 ? in[2] : NULL;
    if (!a || !bm) return no(why, whylen, "an operand is missing");
    const int ta = gemm && attr_int(n, "transA", 0) != 0, tb = gemm && attr_int(n, "transB", 0) != 0;
    if (gemm && attr_float(n, "alpha", 1.0f) != 1.0f)
        return no(why, whylen, "Gemm alpha != 1 is kept on the golden path");
    if (c && attr_float(n, "beta", 1.0f) != 1.0f)
        return no(why, whylen, "Gemm beta != 1 is kept on the golden path");
    if (a->ndim < 2 || bm->ndim < 2) return no(why, whylen, "1-D operands are kept on the golden path");
    if (gemm && (a->ndim != 2 || bm->ndim != 2)) return no(why, whylen, "Gemm operands are not 2-D");
    if (fp && !all_float(a, bm, c)) return no(why, whylen, "not float32");
    const int na = a->ndim, nbd = bm->ndim;
    const int64_t M = ta ? a->dims[na - 1] : a->dims[na - 2], K = ta ? a->dims[na - 2] : a->dims[na - 1];
    const int64_t Kb = tb ? bm->dims[nbd - 1] : bm->dims[nbd - 2], N = tb ? bm->dims[nbd - 2] : bm->dims[nbd - 1];
    if (K != Kb) return no(why, whylen, "inner dimensions differ");
    if (M * K == 0 || K * N == 0) return no(why, whylen, "empty operands");
    if (M > (1 << 24) || K > (1 << 24) || N > (1 << 24)) return no(why, whylen, "too large");
    const int64_t nb = a->count / (M * K), nbb = bm->count / (K * N);
    bool same_batch = nbb == 1;
    if (!same_batch && na == nbd) {
        same_batch = true;
        for (int i = 0; i < na - 2; i++) same_batch = same_batch && a->dims[i] == bm->dims[i];
    }
    if (!same_batch || out0->count != nb * M * N)
        return no(why, whylen, "broadcast batch dimensions are kept on the golden path");
    if (c && !(c->count == 1 || (c->count == N && (c->ndim == 1 || (c->ndim == 2 && c->dims[0] == 1)))))
        return no(why, whylen, "Gemm C is not a per-column bias");
    if ((az && az->count != 1 && az->count != M) || (bz && bz->count != 1 && bz->count != N))
        return no(why, whylen, "zero points are neither scalars nor per row/column");
    layer_t cv = {.c = (int)K, .h = 1, .w = (int)M, .k = (int)N, .r = 1, .s = 1, .stride_h = 1,
                       .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    snprintf(cv.name, sizeof cv.name, "node%d_%.40s", index, op);
    mp->matmul = true;
    mp->cv = cv;
    mp->k_node = (int)N;
    mp->M = M;
    mp->K = K;
    mp->N = N;
    mp->n_batch = nb;
    mp->w_per_batch = nbb != 1;
    mp->p = 1;
    mp->q = (int)M;
    mp->x_len = (size_t)(K * M);
    mp->w_len = (size_t)(N * K);
    mp->y_len = (size_t)(N * M);
    const bool integer_op = qmm || mmi;
    int off = 0, boff = 0;
    if (integer_op && (!q8(a, &off) || !q8(bm, &boff)))
        return no(why, whylen, "A or B is neither int8 nor uint8");
    mp->x_offset = off;
    /* a zero point: one value (folded into the bias) or per row (corrected by the caller) */
    bool per_row = false;
    if (integer_op && az) {
        mp->x_zp = (int32_t)golden_tensor_get_i64(az, 0) - off;
        for (int64_t i = 1; i < az->count; i++) per_row = per_row || golden_tensor_get_i64(az, i) - off != mp->x_zp;
    }
    const bool need_bias = c != NULL || (!fp && integer_op);
    const size_t nbias = (size_t)(mp->w_per_batch ? nb : 1) * (size_t)N;
    if (alloc_ops(mp, fp, (size_t)nb * mp->x_len, (size_t)nbb * mp->w_len, need_bias, fp ? (size_t)N : nbias) != 0)
        return PECOS_ENOMEM;
    if (per_row) {
        mp->row_zp = malloc(sizeof *mp->row_zp * ((size_t)M + 1));
        mp->col_sum = calloc(nbias + 1, sizeof *mp->col_sum);
        if (!mp->row_zp || !mp->col_sum) return PECOS_ENOMEM;
        for (int64_t i = 0; i < M; i++) mp->row_zp[i] = (int32_t)golden_tensor_get_i64(az, i) - off;
    }
    for (int64_t bi = 0; bi < nb; bi++)
        for (int64_t i = 0; i < M; i++)
            for (int64_t k = 0; k < K; k++) {
                const int64_t src = bi * M * K + (ta ? k * M + i : i * K + k);
                const size_t dst = (size_t)(bi * K * M + k * M + i);
                if (integer_op) mp->x[dst] = (int8_t)(golden_tensor_get_i64(a, src) - off);
                else if (!put(mp, fp, true, dst, zget(a, src, NULL, 0))) return no(why, whylen, NO_FIT);
            }
    if (need_bias && !put_bias(mp, fp, c, (int)N, mp->w_per_batch ? nb : 1))
        return no(why, whylen, "bias is not an int32 value");
    if (integer_op) {
        const wlay_t L = {.mm = true, .tb = tb, .per_m = K, .n_ch = N};
        if (put_int_weights(mp, bm, bz, &L, nbb, 1, boff, per_row) != 0)
            return PECOS_ENOMEM;
    } else {
        for (int64_t bw = 0; bw < nbb; bw++)
            for (int64_t j = 0; j < N; j++)
                for (int64_t k = 0; k < K; k++) {
                    const int64_t src = bw * K * N + (tb ? j * K + k : k * N + j);
                    if (!put(mp, fp, false, (size_t)(bw * N * K + j * K + k), zget(bm, src, NULL, 0)))
                        return no(why, whylen, NO_FIT);
                }
    }
    if (qmm) set_qlinear(mp, in);
    mp->relu = attr_int(n, "pecos_relu", 0) == 1;
    return 0;
}

static int map_node(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                    const golden_tensor_t *out0, bool fp, onnx_map_t *mp, char *why, size_t whylen)
{
    memset(mp, 0, sizeof *mp);
    if (why && whylen) why[0] = '\0';
    if (n_in < 1 || !in[0] || !out0) return no(why, whylen, "an operand is missing");
    mp->y_dtype = out0->dtype;
    const bool mm = strstr(n->op_type, "MatMul") != NULL || strcmp(n->op_type, "Gemm") == 0;
    int rc = mm ? map_mm(n, index, in, n_in, out0, fp, mp, why, whylen)
                : map_conv(n, index, in, n_in, out0, fp, mp, why, whylen);
    if (rc != 0) onnx_map_free(mp);
    return rc;
}

int onnx_map_i8(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                const golden_tensor_t *out0, onnx_map_t *mp, char *why, size_t whylen)
{
    if (!onnx_map_op_i8(n->op_type)) {
        memset(mp, 0, sizeof *mp);
        return no(why, whylen, "not a conv or matmul");
    }
    return map_node(n, index, in, n_in, out0, false, mp, why, whylen);
}

int onnx_map_fp(const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                const golden_tensor_t *out0, onnx_map_t *mp, char *why, size_t whylen)
{
    if (!onnx_map_op_fp(n->op_type)) {
        memset(mp, 0, sizeof *mp);
        return no(why, whylen, "not a float conv or matmul");
    }
    return map_node(n, index, in, n_in, out0, true, mp, why, whylen);
}

int64_t onnx_map_y_index(const onnx_map_t *mp, int64_t b, int64_t k, int64_t pix)
{
    if (mp->matmul) return (b * mp->M + pix) * mp->N + k;
    return (b * mp->k_node + k) * ((int64_t)mp->p * mp->q) + pix;
}

float onnx_map_scale(const onnx_map_t *mp, int64_t k, int64_t pix)
{
    const golden_tensor_t *xs = mp->x_scale, *ws = mp->w_scale;
    const float x = (float)golden_tensor_get(xs, xs->count == 1 || !mp->matmul ? 0 : pix);
    const float w = (float)golden_tensor_get(ws, ws->count == 1 ? 0 : k);
    const float y = (float)golden_tensor_get(mp->y_scale, 0);
    return x * w / y;
}

bool onnx_map_scale_per_channel(const onnx_map_t *mp)
{
    return !mp->matmul || mp->x_scale->count == 1;
}

int32_t onnx_map_y_zp(const onnx_map_t *mp)
{
    return mp->y_zp ? (int32_t)golden_tensor_get(mp->y_zp, 0) : 0;
}

int64_t onnx_map_acc_row(const onnx_map_t *mp, int64_t k)
{
    return mp->wide ? k / mp->kg * (mp->kg + 1) + k % mp->kg : k;
}

int32_t onnx_map_correction(const onnx_map_t *mp, int64_t b, int64_t k, int64_t pix, const int32_t *acc_b)
{
    uint32_t c = 0;
    if (mp->row_zp) c -= (uint32_t)((int64_t)mp->row_zp[pix] * mp->col_sum[(mp->w_per_batch ? b * mp->N : 0) + k]);
    if (mp->wide) {
        const int64_t sx = k / mp->kg * (mp->kg + 1) + mp->kg, pq = (int64_t)mp->p * mp->q;
        c -= (uint32_t)((int64_t)mp->zw_res[k] * acc_b[sx * pq + pix]);
    }
    return (int32_t)c;
}

const int32_t *onnx_map_bias(const onnx_map_t *mp, int64_t b)
{
    if (!mp->bias) return NULL;
    return mp->bias + (mp->w_per_batch ? (size_t)b * (size_t)mp->cv.k : 0);
}

uint64_t onnx_map_node_macs(const onnx_node_t *n, const golden_tensor_t *const *in, int n_in,
                            const golden_tensor_t *out0)
{
    const char *op = n->op_type;
    if (!out0 || n_in < 2) return 0;
    if (strstr(op, "MatMul") || strcmp(op, "Gemm") == 0) {
        const golden_tensor_t *a = in[0];
        if (!a || a->ndim < 1) return 0;
        const bool ta = strcmp(op, "Gemm") == 0 && attr_int(n, "transA", 0) != 0 && a->ndim == 2;
        const int64_t k = ta ? a->dims[0] : a->dims[a->ndim - 1];
        return (uint64_t)out0->count * (uint64_t)k;
    }
    const golden_tensor_t *w = strcmp(op, "QLinearConv") == 0 ? (n_in > 3 ? in[3] : NULL) : in[1];
    if (!w || w->ndim < 1 || w->dims[0] < 1) return 0;
    return (uint64_t)out0->count * (uint64_t)(w->count / w->dims[0]);
}

int onnx_map_run_i8(device_t *a, const onnx_map_t *mp, bool with_bias, int32_t *acc,
                    layer_result_t *res)
{
    if (!mp->w_per_batch && mp->n_batch > 1 && mp->n_batch <= INT_MAX) /* one weight load for all */
        return layer_batch_conv_i8(a, &mp->cv, (int)mp->n_batch, mp->x, mp->w,
                                   with_bias ? onnx_map_bias(mp, 0) : NULL, NULL, acc, NULL, res);
    layer_result_t part;
    for (int64_t b = 0; b < mp->n_batch; b++) {
        const int8_t *w = mp->w + (mp->w_per_batch ? (size_t)b * mp->w_len : 0);
        int rc = device_conv_i8(a, &mp->cv, mp->x + (size_t)b * mp->x_len, w, with_bias ? onnx_map_bias(mp, b) : NULL,
                               acc + (size_t)b * mp->y_len, b == 0 ? res : &part);
        if (rc != 0) return rc;
        if (b > 0) layer_run_merge(res, &part, a->run.rows, a->run.cols);
    }
    return 0;
}

int onnx_map_run_i8_fused(device_t *a, const onnx_map_t *mp, const device_post_t *pp, int32_t *acc,
                          int8_t *y8, layer_result_t *res)
{
    if ((mp->w_per_batch && mp->n_batch > 1) || mp->n_batch > INT_MAX) return PECOS_EPARAM;
    return layer_batch_conv_i8(a, &mp->cv, (int)mp->n_batch, mp->x, mp->w, onnx_map_bias(mp, 0), pp, acc,
                               y8, res);
}

int onnx_map_run_fp(device_t *a, fp_fmt_t fmt, const onnx_map_t *mp, float *y, layer_result_t *res)
{
    const size_t nw = (mp->w_per_batch ? (size_t)mp->n_batch : 1) * mp->w_len;
    uint16_t *xh = malloc(sizeof *xh * (mp->x_len + 1)), *wh = malloc(sizeof *wh * (nw + 1));
    int rc = PECOS_ENOMEM;
    layer_result_t part;
    if (!xh || !wh) {
        fprintf(stderr, "%s: %s: out of memory\n", a->run.who, mp->cv.name);
        goto out;
    }
    for (size_t i = 0; i < nw; i++) wh[i] = fp_f32_to_16x(fmt, mp->wf[i]);
    for (int64_t b = 0; b < mp->n_batch; b++) {
        const float *xb = mp->xf + (size_t)b * mp->x_len;
        for (size_t i = 0; i < mp->x_len; i++) xh[i] = fp_f32_to_16x(fmt, xb[i]);
        rc = device_conv_fp(a, &mp->cv, xh, wh + (mp->w_per_batch ? (size_t)b * mp->w_len : 0), mp->bias_f,
                           y + (size_t)b * mp->y_len, b == 0 ? res : &part);
        if (rc != 0) goto out;
        if (b > 0) layer_run_merge(res, &part, a->run.rows, a->run.cols);
    }
    rc = 0;
out:
    free(xh);
    free(wh);
    return rc;
}
