/* golden_onnx.c - reference ONNX operators; see golden_onnx.h. */
#include "golden_onnx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpconv.h"
#include "pecos_err.h"

#define MAX_ELEMS ((int64_t)1 << 31)

/* --- tensors ------------------------------------------------------------------------ */

size_t golden_dtype_size(golden_dtype_t t)
{
    switch (t) {
    case GOLDEN_DT_FLOAT: return 4;
    case GOLDEN_DT_UINT8: return 1;
    case GOLDEN_DT_INT8: return 1;
    case GOLDEN_DT_UINT16: return 2;
    case GOLDEN_DT_INT16: return 2;
    case GOLDEN_DT_INT32: return 4;
    case GOLDEN_DT_INT64: return 8;
    case GOLDEN_DT_BOOL: return 1;
    case GOLDEN_DT_FLOAT16: return 2;
    case GOLDEN_DT_DOUBLE: return 8;
    default: return 0;
    }
}

const char *golden_dtype_name(golden_dtype_t t)
{
    switch (t) {
    case GOLDEN_DT_FLOAT: return "float";
    case GOLDEN_DT_UINT8: return "uint8";
    case GOLDEN_DT_INT8: return "int8";
    case GOLDEN_DT_UINT16: return "uint16";
    case GOLDEN_DT_INT16: return "int16";
    case GOLDEN_DT_INT32: return "int32";
    case GOLDEN_DT_INT64: return "int64";
    case GOLDEN_DT_BOOL: return "bool";
    case GOLDEN_DT_FLOAT16: return "float16";
    case GOLDEN_DT_DOUBLE: return "double";
    default: return "unsupported";
    }
}

int golden_dtype_is_int(golden_dtype_t t)
{
    return golden_dtype_size(t) != 0 && t != GOLDEN_DT_FLOAT && t != GOLDEN_DT_FLOAT16 &&
           t != GOLDEN_DT_DOUBLE;
}

int golden_tensor_alloc(golden_tensor_t *t, golden_dtype_t dtype, int ndim, const int64_t *dims)
{
    memset(t, 0, sizeof *t);
    size_t es = golden_dtype_size(dtype);
    if (es == 0) return PECOS_EDTYPE;
    if (ndim < 0 || ndim > GOLDEN_MAX_DIMS) return PECOS_ESHAPE;
    int64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0) return PECOS_ESHAPE;
        if (dims[i] > 0 && count > MAX_ELEMS / dims[i]) return PECOS_EPARAM;
        count *= dims[i];
    }
    if (count > MAX_ELEMS) return PECOS_EPARAM;
    void *d = calloc(count ? (size_t)count : 1, es);
    if (!d) return PECOS_ENOMEM;
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->dims[i] = dims[i];
    t->count = count;
    t->data = d;
    return 0;
}

void golden_tensor_free(golden_tensor_t *t)
{
    if (!t) return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

double golden_tensor_get(const golden_tensor_t *t, int64_t i)
{
    switch (t->dtype) {
    case GOLDEN_DT_FLOAT: return ((const float *)t->data)[i];
    case GOLDEN_DT_UINT8: return ((const uint8_t *)t->data)[i];
    case GOLDEN_DT_INT8: return ((const int8_t *)t->data)[i];
    case GOLDEN_DT_UINT16: return ((const uint16_t *)t->data)[i];
    case GOLDEN_DT_INT16: return ((const int16_t *)t->data)[i];
    case GOLDEN_DT_INT32: return ((const int32_t *)t->data)[i];
    case GOLDEN_DT_INT64: return (double)((const int64_t *)t->data)[i];
    case GOLDEN_DT_BOOL: return ((const uint8_t *)t->data)[i] != 0;
    case GOLDEN_DT_FLOAT16: return fp_fp16_to_f32(((const uint16_t *)t->data)[i]);
    case GOLDEN_DT_DOUBLE: return ((const double *)t->data)[i];
    default: return 0;
    }
}

int64_t golden_tensor_get_i64(const golden_tensor_t *t, int64_t i)
{
    if (t->dtype == GOLDEN_DT_INT64) return ((const int64_t *)t->data)[i];
    double v = golden_tensor_get(t, i);
    if (!(v > -9.2e18 && v < 9.2e18)) return 0;
    return (int64_t)v;
}

void golden_tensor_set(golden_tensor_t *t, int64_t i, double v)
{
    int64_t iv = (v > -9.2e18 && v < 9.2e18) ? (int64_t)v : 0;
    switch (t->dtype) {
    case GOLDEN_DT_FLOAT: ((float *)t->data)[i] = (float)v; break;
    case GOLDEN_DT_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)(uint64_t)iv; break;
    case GOLDEN_DT_INT8: ((int8_t *)t->data)[i] = (int8_t)(uint8_t)(uint64_t)iv; break;
    case GOLDEN_DT_UINT16: ((uint16_t *)t->data)[i] = (uint16_t)(uint64_t)iv; break;
    case GOLDEN_DT_INT16: ((int16_t *)t->data)[i] = (int16_t)(uint16_t)(uint64_t)iv; break;
    case GOLDEN_DT_INT32: ((int32_t *)t->data)[i] = (int32_t)(uint32_t)(uint64_t)iv; break;
    case GOLDEN_DT_INT64: ((int64_t *)t->data)[i] = iv; break;
    case GOLDEN_DT_BOOL: ((uint8_t *)t->data)[i] = v != 0; break;
    case GOLDEN_DT_FLOAT16: ((uint16_t *)t->data)[i] = fp_f32_to_fp16((float)v); break;
    case GOLDEN_DT_DOUBLE: ((double *)t->data)[i] = v; break;
    default: break;
    }
}

int golden_tensor_copy(golden_tensor_t *dst, const golden_tensor_t *src)
{
    int rc = golden_tensor_alloc(dst, src->dtype, src->ndim, src->dims);
    if (rc) return rc;
    memcpy(dst->data, src->data, (size_t)src->count * golden_dtype_size(src->dtype));
    return 0;
}

const char *golden_tensor_shape_str(const golden_tensor_t *t, char *buf, size_t len)
{
    size_t o = 0;
    if (len == 0) return buf;
    buf[0] = '\0';
    o += (size_t)snprintf(buf + o, len - o, "[");
    for (int i = 0; i < t->ndim && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    if (o < len) snprintf(buf + o, len - o, "]");
    return buf;
}

int32_t golden_onnx_requantize(int64_t acc, float scale, int32_t zp, golden_dtype_t out)
{
    float v = (float)acc * scale;
    double r = nearbyint((double)v) + zp; /* default rounding mode: half to even */
    double lo = out == GOLDEN_DT_UINT8 ? 0 : -128, hi = out == GOLDEN_DT_UINT8 ? 255 : 127;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return (int32_t)r;
}

static int is_float(golden_dtype_t t)
{
    return t == GOLDEN_DT_FLOAT || t == GOLDEN_DT_DOUBLE || t == GOLDEN_DT_FLOAT16;
}

static int is_q8(golden_dtype_t t) { return t == GOLDEN_DT_INT8 || t == GOLDEN_DT_UINT8; }

/* Copies t into a fresh double array (NULL on allocation failure). */
static double *to_double(const golden_tensor_t *t)
{
    double *d = malloc((t->count ? (size_t)t->count : 1) * sizeof *d);
    if (!d) return NULL;
    for (int64_t i = 0; i < t->count; i++) d[i] = golden_tensor_get(t, i);
    return d;
}

/* A per-tensor or per-channel parameter (scale or zero point): count 1 or n. NULL t
 * stands for 0 (zero points). Returns 0 or PECOS_ESHAPE. */
static int param_ok(const golden_tensor_t *t, int64_t n)
{
    if (!t) return 0;
    if (t->count == 1) return 0;
    if (t->ndim == 1 && t->dims[0] == n) return 0;
    return PECOS_ESHAPE;
}

static double param_at(const golden_tensor_t *t, int64_t i)
{
    if (!t) return 0;
    return golden_tensor_get(t, t->count == 1 ? 0 : i);
}

/* --- sliding windows (Conv*, pools) --------------------------------------------------- */

void golden_window_init(golden_window_t *win)
{
    memset(win, 0, sizeof *win);
    for (int i = 0; i < 3; i++) win->strides[i] = win->dilations[i] = 1;
    win->group = 1;
}

/* The geometry of a window operator normalized to 3 spatial dims (leading dims of size 1
 * with kernel 1 when nsp < 3). */
typedef struct {
    int64_t n, c;                 /* batch, channels of x */
    int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
} geom_t;

/* Fills g from win and x's shape (x is [N, C, spatial...]) and the kernel in win->kernel.
 * pool: ceil_mode applies. Returns 0 or PECOS_EPARAM/PECOS_ESHAPE with err. */
static int geom_make(golden_window_t *win, const golden_tensor_t *x, int pool, geom_t *g,
                     char *err, size_t errlen)
{
    int nsp = x->ndim - 2;
    if (nsp < 1 || nsp > 3)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "input rank %d: 1 to 3 spatial dimensions supported", x->ndim);
    win->nsp = nsp;
    g->n = x->dims[0];
    g->c = x->dims[1];
    int off = 3 - nsp;
    for (int i = 0; i < 3; i++) {
        g->in[i] = 1; g->out[i] = 1; g->k[i] = 1; g->s[i] = 1; g->d[i] = 1; g->pb[i] = 0; g->pe[i] = 0;
    }
    for (int i = 0; i < nsp; i++) {
        int j = off + i;
        int64_t in = x->dims[2 + i], k = win->kernel[i], s = win->strides[i], d = win->dilations[i];
        if (k < 1 || s < 1 || d < 1 || win->pads[i] < 0 || win->pads[nsp + i] < 0)
            return pecos_fail(err, errlen, PECOS_EPARAM, "spatial dim %d: kernel %lld, stride %lld, dilation %lld, pads %lld/%lld out of range",
                        i, (long long)k, (long long)s, (long long)d, (long long)win->pads[i], (long long)win->pads[nsp + i]);
        if (k > 1 << 20 || s > 1 << 20 || d > 1 << 20 || win->pads[i] > 1 << 20 || win->pads[nsp + i] > 1 << 20)
            return pecos_fail(err, errlen, PECOS_EPARAM, "spatial dim %d: window parameter too large", i);
        int64_t ek = (k - 1) * d + 1, pb = win->pads[i], pe = win->pads[nsp + i], out;
        switch (win->auto_pad) {
        case GOLDEN_AUTOPAD_SAME_UPPER:
        case GOLDEN_AUTOPAD_SAME_LOWER: {
            out = (in + s - 1) / s;
            int64_t total = (out - 1) * s + ek - in;
            if (total < 0) total = 0;
            pb = win->auto_pad == GOLDEN_AUTOPAD_SAME_UPPER ? total / 2 : total - total / 2;
            pe = total - pb;
            break;
        }
        case GOLDEN_AUTOPAD_VALID:
            pb = pe = 0;
            out = in >= ek ? (in - ek) / s + 1 : 0;
            break;
        default: {
            int64_t span = in + pb + pe - ek;
            if (span < 0) {
                out = 0;
            } else if (pool && win->ceil_mode) {
                out = (span + s - 1) / s + 1;
                if ((out - 1) * s >= in + pb) out--; /* the last window must start inside */
            } else {
                out = span / s + 1;
            }
        }
        }
        if (out < 1)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "spatial dim %d: window %lld larger than the padded input %lld",
                        i, (long long)ek, (long long)(in + pb + pe));
        win->pads[i] = pb;
        win->pads[nsp + i] = pe;
        g->in[j] = in; g->out[j] = out; g->k[j] = k; g->s[j] = s; g->d[j] = d; g->pb[j] = pb; g->pe[j] = pe;
    }
    return 0;
}

static int out_alloc(golden_tensor_t *y, golden_dtype_t dt, int nsp, int64_t n, int64_t c,
                     const geom_t *g)
{
    int64_t dims[5] = {n, c};
    for (int i = 0; i < nsp; i++) dims[2 + i] = g->out[3 - nsp + i];
    return golden_tensor_alloc(y, dt, 2 + nsp, dims);
}

/* The convolution core: xd [N,C,in], wd [M,C/G,k], bd [M] or NULL, yd [N,M,out]; doubles.
 * zx: value of the padding (0 after zero-point subtraction). */
static void conv_core(const geom_t *g, int64_t m, int64_t group, const double *xd,
                      const double *wd, const double *bd, double *yd)
{
    const int64_t cg = g->c / group, mg = m / group;
    const int64_t isz = g->in[0] * g->in[1] * g->in[2], ksz = g->k[0] * g->k[1] * g->k[2];
    const int64_t osz = g->out[0] * g->out[1] * g->out[2];
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t oc = 0; oc < m; oc++) {
            const int64_t gi = oc / mg;
            for (int64_t o0 = 0; o0 < g->out[0]; o0++)
                for (int64_t o1 = 0; o1 < g->out[1]; o1++)
                    for (int64_t o2 = 0; o2 < g->out[2]; o2++) {
                        double acc = bd ? bd[oc] : 0.0;
                        for (int64_t ic = 0; ic < cg; ic++) {
                            const double *xp = xd + (n * g->c + gi * cg + ic) * isz;
                            const double *wp = wd + (oc * cg + ic) * ksz;
                            for (int64_t k0 = 0; k0 < g->k[0]; k0++) {
                                int64_t i0 = o0 * g->s[0] - g->pb[0] + k0 * g->d[0];
                                if (i0 < 0 || i0 >= g->in[0]) continue;
                                for (int64_t k1 = 0; k1 < g->k[1]; k1++) {
                                    int64_t i1 = o1 * g->s[1] - g->pb[1] + k1 * g->d[1];
                                    if (i1 < 0 || i1 >= g->in[1]) continue;
                                    for (int64_t k2 = 0; k2 < g->k[2]; k2++) {
                                        int64_t i2 = o2 * g->s[2] - g->pb[2] + k2 * g->d[2];
                                        if (i2 < 0 || i2 >= g->in[2]) continue;
                                        acc += xp[(i0 * g->in[1] + i1) * g->in[2] + i2] *
                                               wp[(k0 * g->k[1] + k1) * g->k[2] + k2];
                                    }
                                }
                            }
                        }
                        yd[(n * m + oc) * osz + (o0 * g->out[1] + o1) * g->out[2] + o2] = acc;
                    }
        }
}

/* Checks x/w shapes and the group, fills the kernel from w, makes the geometry. */
static int conv_setup(const golden_window_t *win_in, const golden_tensor_t *x,
                      const golden_tensor_t *w, golden_window_t *win, geom_t *g, int64_t *m,
                      char *err, size_t errlen)
{
    *win = *win_in;
    if (x->ndim < 3 || x->ndim > 5 || w->ndim != x->ndim)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "X rank %d and W rank %d: need equal ranks 3..5", x->ndim, w->ndim);
    int nsp = x->ndim - 2;
    for (int i = 0; i < nsp; i++) {
        if (win->kernel[i] == 0) win->kernel[i] = w->dims[2 + i];
        if (win->kernel[i] != w->dims[2 + i])
            return pecos_fail(err, errlen, PECOS_ESHAPE, "kernel_shape[%d] %lld differs from W's %lld", i,
                        (long long)win->kernel[i], (long long)w->dims[2 + i]);
    }
    *m = w->dims[0];
    if (win->group < 1 || x->dims[1] % win->group || *m % win->group || *m < 1 ||
        w->dims[1] * win->group != x->dims[1])
        return pecos_fail(err, errlen, PECOS_ESHAPE, "group %lld does not fit X channels %lld and W [%lld,%lld,...]",
                    (long long)win->group, (long long)x->dims[1], (long long)w->dims[0], (long long)w->dims[1]);
    return geom_make(win, x, 0, g, err, errlen);
}

int golden_onnx_conv(const golden_window_t *win_in, const golden_tensor_t *x,
                     const golden_tensor_t *w, const golden_tensor_t *b, golden_tensor_t *y,
                     char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (!is_float(x->dtype) || w->dtype != x->dtype || (b && b->dtype != x->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "Conv: X %s, W %s: float tensors expected",
                    golden_dtype_name(x->dtype), golden_dtype_name(w->dtype));
    golden_window_t win;
    geom_t g;
    int64_t m;
    int rc = conv_setup(win_in, x, w, &win, &g, &m, err, errlen);
    if (rc) return rc;
    if (b && (b->ndim != 1 || b->dims[0] != m))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "Conv: B must be [%lld]", (long long)m);
    rc = out_alloc(y, x->dtype, win.nsp, g.n, m, &g);
    if (rc) return pecos_fail(err, errlen, rc, "Conv: cannot allocate the output");
    double *xd = to_double(x), *wd = to_double(w), *bd = b ? to_double(b) : NULL;
    double *yd = malloc((size_t)(y->count ? y->count : 1) * sizeof *yd);
    if (!xd || !wd || (b && !bd) || !yd) {
        rc = pecos_fail(err, errlen, PECOS_ENOMEM, "Conv: out of memory");
        golden_tensor_free(y);
        goto out_free;
    }
    conv_core(&g, m, win.group, xd, wd, bd, yd);
    for (int64_t i = 0; i < y->count; i++) golden_tensor_set(y, i, yd[i]);
out_free:
    free(xd);
    free(wd);
    free(bd);
    free(yd);
    return rc;
}

/* x - x_zp and w - w_zp[m] as doubles, then the conv core in exact integers. yd gets the
 * accumulators (bias included if b). */
static int conv_int_acc(const golden_window_t *win_in, const golden_tensor_t *x,
                        const golden_tensor_t *w, const golden_tensor_t *x_zp,
                        const golden_tensor_t *w_zp, const golden_tensor_t *b, geom_t *g,
                        golden_window_t *win, int64_t *m, double **yd_out, const char *op,
                        char *err, size_t errlen)
{
    *yd_out = NULL;
    if (!is_q8(x->dtype) || !is_q8(w->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: X %s, W %s: int8 or uint8 expected", op,
                    golden_dtype_name(x->dtype), golden_dtype_name(w->dtype));
    if ((x_zp && x_zp->dtype != x->dtype) || (w_zp && w_zp->dtype != w->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: zero point dtype differs from its tensor's", op);
    int rc = conv_setup(win_in, x, w, win, g, m, err, errlen);
    if (rc) return rc;
    if (x_zp && x_zp->count != 1)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: x_zero_point must be a scalar", op);
    if (param_ok(w_zp, *m))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: w_zero_point must be a scalar or [%lld]", op, (long long)*m);
    if (b && (b->dtype != GOLDEN_DT_INT32 || b->ndim != 1 || b->dims[0] != *m))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: B must be int32 [%lld]", op, (long long)*m);
    double *xd = to_double(x), *wd = to_double(w), *bd = b ? to_double(b) : NULL;
    int64_t ycount = g->n * *m * g->out[0] * g->out[1] * g->out[2];
    double *yd = malloc((size_t)(ycount ? ycount : 1) * sizeof *yd);
    if (!xd || !wd || (b && !bd) || !yd) {
        free(xd); free(wd); free(bd); free(yd);
        return pecos_fail(err, errlen, PECOS_ENOMEM, "%s: out of memory", op);
    }
    const double xz = param_at(x_zp, 0);
    for (int64_t i = 0; i < x->count; i++) xd[i] -= xz;
    const int64_t per_m = w->count / *m;
    for (int64_t i = 0; i < w->count; i++) wd[i] -= param_at(w_zp, i / per_m);
    conv_core(g, *m, win->group, xd, wd, bd, yd);
    free(xd); free(wd); free(bd);
    *yd_out = yd;
    return 0;
}

int golden_onnx_conv_integer(const golden_window_t *win_in, const golden_tensor_t *x,
                             const golden_tensor_t *w, const golden_tensor_t *x_zp,
                             const golden_tensor_t *w_zp, golden_tensor_t *y, char *err,
                             size_t errlen)
{
    memset(y, 0, sizeof *y);
    golden_window_t win;
    geom_t g;
    int64_t m;
    double *yd;
    int rc = conv_int_acc(win_in, x, w, x_zp, w_zp, NULL, &g, &win, &m, &yd, "ConvInteger", err, errlen);
    if (rc) return rc;
    rc = out_alloc(y, GOLDEN_DT_INT32, win.nsp, g.n, m, &g);
    if (rc) {
        free(yd);
        return pecos_fail(err, errlen, rc, "ConvInteger: cannot allocate the output");
    }
    for (int64_t i = 0; i < y->count; i++) ((int32_t *)y->data)[i] = (int32_t)yd[i];
    free(yd);
    return 0;
}

int golden_onnx_qlinear_conv(const golden_window_t *win_in, const golden_tensor_t *x,
                             const golden_tensor_t *x_scale, const golden_tensor_t *x_zp,
                             const golden_tensor_t *w, const golden_tensor_t *w_scale,
                             const golden_tensor_t *w_zp, const golden_tensor_t *y_scale,
                             const golden_tensor_t *y_zp, const golden_tensor_t *b,
                             golden_tensor_t *y, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (x_scale->dtype != GOLDEN_DT_FLOAT || w_scale->dtype != GOLDEN_DT_FLOAT ||
        y_scale->dtype != GOLDEN_DT_FLOAT)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QLinearConv: scales must be float");
    golden_dtype_t ydt = y_zp ? y_zp->dtype : x->dtype;
    if (!is_q8(ydt))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QLinearConv: y_zero_point %s: int8 or uint8 expected", golden_dtype_name(ydt));
    if (x_scale->count != 1 || y_scale->count != 1 || (y_zp && y_zp->count != 1))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "QLinearConv: x_scale, y_scale and y_zero_point must be scalars");
    golden_window_t win;
    geom_t g;
    int64_t m;
    double *yd;
    int rc = conv_int_acc(win_in, x, w, x_zp, w_zp, b, &g, &win, &m, &yd, "QLinearConv", err, errlen);
    if (rc) return rc;
    if (param_ok(w_scale, m)) {
        free(yd);
        return pecos_fail(err, errlen, PECOS_ESHAPE, "QLinearConv: w_scale must be a scalar or [%lld]", (long long)m);
    }
    rc = out_alloc(y, ydt, win.nsp, g.n, m, &g);
    if (rc) {
        free(yd);
        return pecos_fail(err, errlen, rc, "QLinearConv: cannot allocate the output");
    }
    const float xs = ((const float *)x_scale->data)[0], ys = ((const float *)y_scale->data)[0];
    const int32_t yz = (int32_t)param_at(y_zp, 0);
    const int64_t per_m = y->count / (g.n * m);
    for (int64_t i = 0; i < y->count; i++) {
        int64_t oc = (i / per_m) % m;
        float scale = xs * (float)param_at(w_scale, oc) / ys;
        golden_tensor_set(y, i, golden_onnx_requantize((int64_t)yd[i], scale, yz, ydt));
    }
    free(yd);
    return 0;
}

/* --- matrix products ---------------------------------------------------------------- */

int golden_onnx_gemm(const golden_tensor_t *a, const golden_tensor_t *b, const golden_tensor_t *c,
                     float alpha, float beta, int trans_a, int trans_b, golden_tensor_t *y,
                     char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (!is_float(a->dtype) || b->dtype != a->dtype || (c && c->dtype != a->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "Gemm: A %s, B %s: float tensors of one type expected",
                    golden_dtype_name(a->dtype), golden_dtype_name(b->dtype));
    if (a->ndim != 2 || b->ndim != 2)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "Gemm: A and B must be 2-D (ranks %d, %d)", a->ndim, b->ndim);
    int64_t M = trans_a ? a->dims[1] : a->dims[0], K = trans_a ? a->dims[0] : a->dims[1];
    int64_t Kb = trans_b ? b->dims[1] : b->dims[0], N = trans_b ? b->dims[0] : b->dims[1];
    if (K != Kb)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "Gemm: inner dimensions %lld and %lld differ", (long long)K, (long long)Kb);
    int64_t cr = 1, cc = 1; /* C's extent along M and N (1 = broadcast) */
    if (c) {
        if (c->ndim > 2)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "Gemm: C has rank %d", c->ndim);
        if (c->ndim == 2) { cr = c->dims[0]; cc = c->dims[1]; }
        if (c->ndim == 1) cc = c->dims[0];
        if ((cr != 1 && cr != M) || (cc != 1 && cc != N))
            return pecos_fail(err, errlen, PECOS_ESHAPE, "Gemm: C does not broadcast to [%lld,%lld]", (long long)M, (long long)N);
    }
    int64_t dims[2] = {M, N};
    int rc = golden_tensor_alloc(y, a->dtype, 2, dims);
    if (rc) return pecos_fail(err, errlen, rc, "Gemm: cannot allocate the output");
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += golden_tensor_get(a, trans_a ? k * M + i : i * K + k) *
                       golden_tensor_get(b, trans_b ? j * K + k : k * N + j);
            double v = (double)alpha * acc;
            if (c) v += (double)beta * golden_tensor_get(c, (cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j));
            golden_tensor_set(y, i * N + j, v);
        }
    return 0;
}

/* Batched matmul shape: a [..., M, K] x b [..., K, N] with numpy's rules. */
typedef struct {
    int64_t M, K, N;
    int bnd;                          /* batch rank */
    int64_t bdims[GOLDEN_MAX_DIMS];   /* broadcast batch dims */
    int64_t astr[GOLDEN_MAX_DIMS], bstr[GOLDEN_MAX_DIMS]; /* batch strides in matrices (0 = bcast) */
    int ydims_n;
    int64_t ydims[GOLDEN_MAX_DIMS];
} mm_t;

static int mm_shape(const golden_tensor_t *a, const golden_tensor_t *b, mm_t *s, const char *op,
                    char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (a->ndim < 1 || b->ndim < 1)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: operands must have rank >= 1", op);
    int a1 = a->ndim == 1, b1 = b->ndim == 1;
    s->M = a1 ? 1 : a->dims[a->ndim - 2];
    s->K = a->dims[a->ndim - 1];
    int64_t Kb = b1 ? b->dims[0] : b->dims[b->ndim - 2];
    s->N = b1 ? 1 : b->dims[b->ndim - 1];
    if (s->K != Kb)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: inner dimensions %lld and %lld differ", op, (long long)s->K, (long long)Kb);
    int an = a1 ? 0 : a->ndim - 2, bn = b1 ? 0 : b->ndim - 2;
    s->bnd = an > bn ? an : bn;
    if (s->bnd + 2 > GOLDEN_MAX_DIMS)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: rank too high", op);
    int64_t as = 1, bs = 1;
    for (int i = s->bnd - 1; i >= 0; i--) {
        int ai = i - (s->bnd - an), bi = i - (s->bnd - bn);
        int64_t ad = ai >= 0 ? a->dims[ai] : 1, bd = bi >= 0 ? b->dims[bi] : 1;
        if (ad != bd && ad != 1 && bd != 1)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: batch dimensions %lld and %lld do not broadcast", op, (long long)ad, (long long)bd);
        s->bdims[i] = ad > bd ? ad : bd;
        if (ad == 0 || bd == 0) s->bdims[i] = 0;
        s->astr[i] = ad == 1 ? 0 : as;
        s->bstr[i] = bd == 1 ? 0 : bs;
        as *= ad;
        bs *= bd;
    }
    for (int i = 0; i < s->bnd; i++) s->ydims[s->ydims_n++] = s->bdims[i];
    if (!a1) s->ydims[s->ydims_n++] = s->M;
    if (!b1) s->ydims[s->ydims_n++] = s->N;
    return 0;
}

/* y[batch, i, j] = sum_k ad[...] * bd[...], with ad/bd already zero-point adjusted. */
static void mm_core(const mm_t *s, const double *ad, const double *bd, double *yd)
{
    int64_t nb = 1;
    for (int i = 0; i < s->bnd; i++) nb *= s->bdims[i];
    for (int64_t bi = 0; bi < nb; bi++) {
        int64_t ao = 0, bo = 0, rem = bi;
        for (int i = s->bnd - 1; i >= 0; i--) {
            int64_t idx = rem % s->bdims[i];
            rem /= s->bdims[i];
            ao += idx * s->astr[i];
            bo += idx * s->bstr[i];
        }
        const double *ap = ad + ao * s->M * s->K, *bp = bd + bo * s->K * s->N;
        double *yp = yd + bi * s->M * s->N;
        for (int64_t i = 0; i < s->M; i++)
            for (int64_t j = 0; j < s->N; j++) {
                double acc = 0;
                for (int64_t k = 0; k < s->K; k++) acc += ap[i * s->K + k] * bp[k * s->N + j];
                yp[i * s->N + j] = acc;
            }
    }
}

int golden_onnx_matmul(const golden_tensor_t *a, const golden_tensor_t *b, golden_tensor_t *y,
                       char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (!is_float(a->dtype) || b->dtype != a->dtype)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "MatMul: A %s, B %s: float tensors of one type expected",
                    golden_dtype_name(a->dtype), golden_dtype_name(b->dtype));
    mm_t s;
    int rc = mm_shape(a, b, &s, "MatMul", err, errlen);
    if (rc) return rc;
    rc = golden_tensor_alloc(y, a->dtype, s.ydims_n, s.ydims);
    if (rc) return pecos_fail(err, errlen, rc, "MatMul: cannot allocate the output");
    double *ad = to_double(a), *bd = to_double(b);
    double *yd = malloc((size_t)(y->count ? y->count : 1) * sizeof *yd);
    if (!ad || !bd || !yd) {
        rc = pecos_fail(err, errlen, PECOS_ENOMEM, "MatMul: out of memory");
        golden_tensor_free(y);
    } else {
        mm_core(&s, ad, bd, yd);
        for (int64_t i = 0; i < y->count; i++) golden_tensor_set(y, i, yd[i]);
    }
    free(ad); free(bd); free(yd);
    return rc;
}

/* a - a_zp (per row M) and b - b_zp (per column N), then the exact product. */
static int mm_int_acc(const golden_tensor_t *a, const golden_tensor_t *b,
                      const golden_tensor_t *a_zp, const golden_tensor_t *b_zp, mm_t *s,
                      double **yd_out, const char *op, char *err, size_t errlen)
{
    *yd_out = NULL;
    if (!is_q8(a->dtype) || !is_q8(b->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: A %s, B %s: int8 or uint8 expected", op,
                    golden_dtype_name(a->dtype), golden_dtype_name(b->dtype));
    if ((a_zp && a_zp->dtype != a->dtype) || (b_zp && b_zp->dtype != b->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: zero point dtype differs from its tensor's", op);
    int rc = mm_shape(a, b, s, op, err, errlen);
    if (rc) return rc;
    if (param_ok(a_zp, s->M) || param_ok(b_zp, s->N))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: zero points must be scalars, per row of A or per column of B", op);
    double *ad = to_double(a), *bd = to_double(b);
    int64_t yc = s->M * s->N;
    for (int i = 0; i < s->bnd; i++) yc *= s->bdims[i];
    double *yd = malloc((size_t)(yc ? yc : 1) * sizeof *yd);
    if (!ad || !bd || !yd) {
        free(ad); free(bd); free(yd);
        return pecos_fail(err, errlen, PECOS_ENOMEM, "%s: out of memory", op);
    }
    for (int64_t i = 0; i < a->count; i++) ad[i] -= param_at(a_zp, (i / s->K) % s->M);
    for (int64_t i = 0; i < b->count; i++) bd[i] -= param_at(b_zp, i % s->N);
    mm_core(s, ad, bd, yd);
    free(ad); free(bd);
    *yd_out = yd;
    return 0;
}

int golden_onnx_matmul_integer(const golden_tensor_t *a, const golden_tensor_t *b,
                               const golden_tensor_t *a_zp, const golden_tensor_t *b_zp,
                               golden_tensor_t *y, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    mm_t s;
    double *yd;
    int rc = mm_int_acc(a, b, a_zp, b_zp, &s, &yd, "MatMulInteger", err, errlen);
    if (rc) return rc;
    rc = golden_tensor_alloc(y, GOLDEN_DT_INT32, s.ydims_n, s.ydims);
    if (rc) {
        free(yd);
        return pecos_fail(err, errlen, rc, "MatMulInteger: cannot allocate the output");
    }
    for (int64_t i = 0; i < y->count; i++) ((int32_t *)y->data)[i] = (int32_t)yd[i];
    free(yd);
    return 0;
}

int golden_onnx_qlinear_matmul(const golden_tensor_t *a, const golden_tensor_t *a_scale,
                               const golden_tensor_t *a_zp, const golden_tensor_t *b,
                               const golden_tensor_t *b_scale, const golden_tensor_t *b_zp,
                               const golden_tensor_t *y_scale, const golden_tensor_t *y_zp,
                               golden_tensor_t *y, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (a_scale->dtype != GOLDEN_DT_FLOAT || b_scale->dtype != GOLDEN_DT_FLOAT ||
        y_scale->dtype != GOLDEN_DT_FLOAT)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QLinearMatMul: scales must be float");
    if (!y_zp || !is_q8(y_zp->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QLinearMatMul: y_zero_point must be int8 or uint8");
    if (y_scale->count != 1 || y_zp->count != 1)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "QLinearMatMul: y_scale and y_zero_point must be scalars");
    mm_t s;
    double *yd;
    int rc = mm_int_acc(a, b, a_zp, b_zp, &s, &yd, "QLinearMatMul", err, errlen);
    if (rc) return rc;
    if (param_ok(a_scale, s.M) || param_ok(b_scale, s.N)) {
        free(yd);
        return pecos_fail(err, errlen, PECOS_ESHAPE, "QLinearMatMul: scales must be scalars, per row of A or per column of B");
    }
    rc = golden_tensor_alloc(y, y_zp->dtype, s.ydims_n, s.ydims);
    if (rc) {
        free(yd);
        return pecos_fail(err, errlen, rc, "QLinearMatMul: cannot allocate the output");
    }
    const float ys = ((const float *)y_scale->data)[0];
    const int32_t yz = (int32_t)param_at(y_zp, 0);
    for (int64_t i = 0; i < y->count; i++) {
        int64_t row = (i / s.N) % s.M, col = i % s.N;
        float scale = (float)param_at(a_scale, row) * (float)param_at(b_scale, col) / ys;
        golden_tensor_set(y, i, golden_onnx_requantize((int64_t)yd[i], scale, yz, y_zp->dtype));
    }
    free(yd);
    return 0;
}

/* --- pools ---------------------------------------------------------------------------- */

static int pool_setup(const golden_window_t *win_in, const golden_tensor_t *x,
                      golden_window_t *win, geom_t *g, const char *op, char *err, size_t errlen)
{
    *win = *win_in;
    if (golden_dtype_size(x->dtype) == 0 || x->dtype == GOLDEN_DT_BOOL)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: X dtype %s not supported", op, golden_dtype_name(x->dtype));
    if (x->ndim < 3 || x->ndim > 5)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: X rank %d: 1 to 3 spatial dimensions supported", op, x->ndim);
    for (int i = 0; i < x->ndim - 2; i++)
        if (win->kernel[i] < 1)
            return pecos_fail(err, errlen, PECOS_EPARAM, "%s: kernel_shape missing or < 1", op);
    return geom_make(win, x, 1, g, err, errlen);
}

/* Max (avg = 0) or average pool over x; indices if not NULL. */
static int pool(const golden_window_t *win_in, const golden_tensor_t *x, golden_tensor_t *y,
                golden_tensor_t *indices, int avg, char *err, size_t errlen)
{
    const char *op = avg ? "AveragePool" : "MaxPool";
    memset(y, 0, sizeof *y);
    if (indices) memset(indices, 0, sizeof *indices);
    golden_window_t win;
    geom_t g;
    int rc = pool_setup(win_in, x, &win, &g, op, err, errlen);
    if (rc) return rc;
    if (avg && !is_float(x->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "AveragePool: X dtype %s: float expected", golden_dtype_name(x->dtype));
    rc = out_alloc(y, x->dtype, win.nsp, g.n, g.c, &g);
    if (!rc && indices) rc = out_alloc(indices, GOLDEN_DT_INT64, win.nsp, g.n, g.c, &g);
    if (rc) {
        golden_tensor_free(y);
        return pecos_fail(err, errlen, rc, "%s: cannot allocate the output", op);
    }
    const int64_t isz = g.in[0] * g.in[1] * g.in[2];
    int64_t oi = 0;
    for (int64_t nc = 0; nc < g.n * g.c; nc++)
        for (int64_t o0 = 0; o0 < g.out[0]; o0++)
            for (int64_t o1 = 0; o1 < g.out[1]; o1++)
                for (int64_t o2 = 0; o2 < g.out[2]; o2++, oi++) {
                    double best = -INFINITY, sum = 0;
                    int64_t best_i = -1, cnt = 0, cnt_pad = 0;
                    for (int64_t k0 = 0; k0 < g.k[0]; k0++) {
                        int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0];
                        int in0 = i0 >= 0 && i0 < g.in[0], pad0 = i0 < g.in[0] + g.pe[0];
                        for (int64_t k1 = 0; k1 < g.k[1]; k1++) {
                            int64_t i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1];
                            int in1 = i1 >= 0 && i1 < g.in[1], pad1 = i1 < g.in[1] + g.pe[1];
                            for (int64_t k2 = 0; k2 < g.k[2]; k2++) {
                                int64_t i2 = o2 * g.s[2] - g.pb[2] + k2 * g.d[2];
                                int in2 = i2 >= 0 && i2 < g.in[2], pad2 = i2 < g.in[2] + g.pe[2];
                                if (pad0 && pad1 && pad2) cnt_pad++;
                                if (!(in0 && in1 && in2)) continue;
                                int64_t sp = (i0 * g.in[1] + i1) * g.in[2] + i2;
                                double v = golden_tensor_get(x, nc * isz + sp);
                                cnt++;
                                sum += v;
                                if (best_i < 0 || v > best) {
                                    best = v;
                                    best_i = win.storage_order ? (i2 * g.in[1] + i1) * g.in[0] + i0 : sp;
                                }
                            }
                        }
                    }
                    if (avg) {
                        int64_t div = win.count_include_pad ? cnt_pad : cnt;
                        golden_tensor_set(y, oi, div ? sum / (double)div : 0.0);
                    } else {
                        golden_tensor_set(y, oi, best);
                        if (indices) ((int64_t *)indices->data)[oi] = nc * isz + (best_i < 0 ? 0 : best_i);
                    }
                }
    return 0;
}

int golden_onnx_maxpool(const golden_window_t *win, const golden_tensor_t *x, golden_tensor_t *y,
                        golden_tensor_t *indices, char *err, size_t errlen)
{
    return pool(win, x, y, indices, 0, err, errlen);
}

int golden_onnx_avgpool(const golden_window_t *win, const golden_tensor_t *x, golden_tensor_t *y,
                        char *err, size_t errlen)
{
    return pool(win, x, y, NULL, 1, err, errlen);
}

int golden_onnx_global_avgpool(const golden_tensor_t *x, golden_tensor_t *y, char *err,
                               size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (!is_float(x->dtype))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "GlobalAveragePool: X dtype %s: float expected", golden_dtype_name(x->dtype));
    if (x->ndim < 3)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "GlobalAveragePool: X rank %d < 3", x->ndim);
    int64_t dims[GOLDEN_MAX_DIMS], sp = 1;
    for (int i = 0; i < x->ndim; i++) {
        dims[i] = i < 2 ? x->dims[i] : 1;
        if (i >= 2) sp *= x->dims[i];
    }
    int rc = golden_tensor_alloc(y, x->dtype, x->ndim, dims);
    if (rc) return pecos_fail(err, errlen, rc, "GlobalAveragePool: cannot allocate the output");
    for (int64_t nc = 0; nc < y->count; nc++) {
        double sum = 0;
        for (int64_t i = 0; i < sp; i++) sum += golden_tensor_get(x, nc * sp + i);
        golden_tensor_set(y, nc, sp ? sum / (double)sp : 0.0);
    }
    return 0;
}

/* --- element-wise and shape operators -------------------------------------------------- */

int golden_onnx_relu(const golden_tensor_t *x, golden_tensor_t *y, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (golden_dtype_size(x->dtype) == 0)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "Relu: unsupported dtype");
    int rc = golden_tensor_copy(y, x);
    if (rc) return pecos_fail(err, errlen, rc, "Relu: cannot allocate the output");
    for (int64_t i = 0; i < y->count; i++) {
        double v = golden_tensor_get(x, i);
        if (v < 0) golden_tensor_set(y, i, 0.0);
    }
    return 0;
}

int golden_onnx_add(const golden_tensor_t *a, const golden_tensor_t *b, golden_tensor_t *y,
                    char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (golden_dtype_size(a->dtype) == 0 || a->dtype != b->dtype || a->dtype == GOLDEN_DT_BOOL)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "Add: A %s and B %s: one numeric dtype expected",
                    golden_dtype_name(a->dtype), golden_dtype_name(b->dtype));
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t dims[GOLDEN_MAX_DIMS], as[GOLDEN_MAX_DIMS], bs[GOLDEN_MAX_DIMS], sa = 1, sb = 1;
    for (int i = nd - 1; i >= 0; i--) {
        int ai = i - (nd - a->ndim), bi = i - (nd - b->ndim);
        int64_t ad = ai >= 0 ? a->dims[ai] : 1, bd = bi >= 0 ? b->dims[bi] : 1;
        if (ad != bd && ad != 1 && bd != 1)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "Add: dimensions %lld and %lld do not broadcast", (long long)ad, (long long)bd);
        dims[i] = ad == 1 ? bd : ad;
        as[i] = ad == 1 ? 0 : sa;
        bs[i] = bd == 1 ? 0 : sb;
        sa *= ad;
        sb *= bd;
    }
    int rc = golden_tensor_alloc(y, a->dtype, nd, dims);
    if (rc) return pecos_fail(err, errlen, rc, "Add: cannot allocate the output");
    const int isint = golden_dtype_is_int(a->dtype);
    for (int64_t i = 0; i < y->count; i++) {
        int64_t rem = i, ao = 0, bo = 0;
        for (int d = nd - 1; d >= 0; d--) {
            int64_t idx = rem % dims[d];
            rem /= dims[d];
            ao += idx * as[d];
            bo += idx * bs[d];
        }
        if (isint) {
            uint64_t s = (uint64_t)golden_tensor_get_i64(a, ao) + (uint64_t)golden_tensor_get_i64(b, bo);
            if (a->dtype == GOLDEN_DT_INT64) ((int64_t *)y->data)[i] = (int64_t)s;
            else golden_tensor_set(y, i, (double)(int64_t)s); /* exact; set wraps */
        } else if (a->dtype == GOLDEN_DT_DOUBLE) {
            golden_tensor_set(y, i, golden_tensor_get(a, ao) + golden_tensor_get(b, bo));
        } else {
            golden_tensor_set(y, i, (double)(float)(golden_tensor_get(a, ao) + golden_tensor_get(b, bo)));
        }
    }
    return 0;
}

int golden_onnx_flatten(const golden_tensor_t *x, int64_t axis, golden_tensor_t *y, char *err,
                        size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (axis < 0) axis += x->ndim;
    if (axis < 0 || axis > x->ndim)
        return pecos_fail(err, errlen, PECOS_EPARAM, "Flatten: axis out of range for rank %d", x->ndim);
    int64_t dims[2] = {1, 1};
    for (int i = 0; i < x->ndim; i++) dims[i < axis ? 0 : 1] *= x->dims[i];
    int rc = golden_tensor_copy(y, x);
    if (rc) return pecos_fail(err, errlen, rc, "Flatten: cannot allocate the output");
    y->ndim = 2;
    y->dims[0] = dims[0];
    y->dims[1] = dims[1];
    return 0;
}

int golden_onnx_reshape(const golden_tensor_t *x, const int64_t *shape, int n, int allowzero,
                        golden_tensor_t *y, char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (n < 0 || n > GOLDEN_MAX_DIMS)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: target rank %d not supported", n);
    int64_t dims[GOLDEN_MAX_DIMS], known = 1;
    int infer = -1;
    for (int i = 0; i < n; i++) {
        dims[i] = shape[i];
        if (dims[i] == 0 && !allowzero) {
            if (i >= x->ndim)
                return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: shape[%d] = 0 copies a dimension the input lacks", i);
            dims[i] = x->dims[i];
        }
        if (dims[i] == -1) {
            if (infer >= 0) return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: more than one -1 in the shape");
            infer = i;
            continue;
        }
        if (dims[i] < 0) return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: shape[%d] = %lld", i, (long long)dims[i]);
        if (dims[i] > MAX_ELEMS) return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: shape[%d] too large", i);
        known *= dims[i];
        if (known > MAX_ELEMS) return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: shape too large");
    }
    if (infer >= 0) {
        if (known == 0 || x->count % known)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: cannot infer the -1 dimension for %lld elements", (long long)x->count);
        dims[infer] = x->count / known;
        known *= dims[infer];
    }
    if (known != x->count)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "Reshape: %lld elements cannot take a shape of %lld", (long long)x->count, (long long)known);
    int rc = golden_tensor_copy(y, x);
    if (rc) return pecos_fail(err, errlen, rc, "Reshape: cannot allocate the output");
    y->ndim = n;
    for (int i = 0; i < n; i++) y->dims[i] = dims[i];
    return 0;
}

/* --- quantization ----------------------------------------------------------------------- */

void golden_onnx_relu_zp(golden_tensor_t *y, const golden_tensor_t *y_zp)
{
    const int32_t zp = y_zp && y_zp->count == 1 ? (int32_t)golden_tensor_get(y_zp, 0) : 0;
    for (int64_t i = 0; i < y->count; i++)
        if (golden_tensor_get(y, i) < zp) golden_tensor_set(y, i, zp);
}

/* Checks a Q/DQ scale and zero point against x and axis; sets *ax (normalised axis, or -1
 * for per tensor) and *per (elements of x per step of the axis). */
static int qdq_params(const char *op, const golden_tensor_t *x, const golden_tensor_t *scale,
                      const golden_tensor_t *zp, int64_t axis, int64_t *ax, int64_t *per,
                      char *err, size_t errlen)
{
    *ax = -1;
    *per = 1;
    if (scale->dtype != GOLDEN_DT_FLOAT)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%s: scale is %s, float expected", op, golden_dtype_name(scale->dtype));
    if (scale->ndim > 1 || (zp && zp->ndim > 1))
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: scale and zero point must be scalars or 1-D", op);
    if (zp && zp->count != scale->count)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: zero point has %lld values, scale %lld", op,
                          (long long)zp->count, (long long)scale->count);
    if (scale->count == 1) return 0; /* per tensor (a scalar or a 1-element 1-D) */
    int64_t a = axis < 0 ? axis + x->ndim : axis;
    if (a < 0 || a >= x->ndim)
        return pecos_fail(err, errlen, PECOS_EPARAM, "%s: axis %lld is out of range for rank %d", op, (long long)axis, x->ndim);
    if (scale->count != x->dims[a])
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%s: scale has %lld values, x has %lld along axis %lld", op,
                          (long long)scale->count, (long long)x->dims[a], (long long)a);
    *ax = a;
    for (int i = (int)a + 1; i < x->ndim; i++) *per *= x->dims[i];
    return 0;
}

int golden_onnx_quantize_linear(const golden_tensor_t *x, const golden_tensor_t *y_scale,
                                const golden_tensor_t *y_zp, int64_t axis, golden_tensor_t *y,
                                char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (x->dtype != GOLDEN_DT_FLOAT && x->dtype != GOLDEN_DT_INT32)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QuantizeLinear: x is %s, float or int32 expected", golden_dtype_name(x->dtype));
    const golden_dtype_t ydt = y_zp ? y_zp->dtype : GOLDEN_DT_UINT8;
    if (!is_q8(ydt))
        return pecos_fail(err, errlen, PECOS_EDTYPE, "QuantizeLinear: y_zero_point is %s, int8 or uint8 expected", golden_dtype_name(ydt));
    int64_t ax, per;
    int rc = qdq_params("QuantizeLinear", x, y_scale, y_zp, axis, &ax, &per, err, errlen);
    if (rc) return rc;
    rc = golden_tensor_alloc(y, ydt, x->ndim, x->dims);
    if (rc) return pecos_fail(err, errlen, rc, "QuantizeLinear: cannot allocate the output");
    const double lo = ydt == GOLDEN_DT_UINT8 ? 0 : -128, hi = ydt == GOLDEN_DT_UINT8 ? 255 : 127;
    for (int64_t i = 0; i < x->count; i++) {
        const int64_t c = ax < 0 ? 0 : (i / per) % x->dims[ax];
        const float s = ((const float *)y_scale->data)[c];
        const double zp = param_at(y_zp, c);
        double q;
        if (x->dtype == GOLDEN_DT_FLOAT) {
            const float v = ((const float *)x->data)[i] / s; /* float32 division */
            q = v != v ? 0.0 : nearbyint((double)v);
        } else {
            const double v = (double)((const int32_t *)x->data)[i] / (double)s;
            q = v != v ? 0.0 : nearbyint(v);
        }
        q += zp;
        if (q < lo) q = lo;
        if (q > hi) q = hi;
        golden_tensor_set(y, i, q);
    }
    return 0;
}

int golden_onnx_dequantize_linear(const golden_tensor_t *x, const golden_tensor_t *x_scale,
                                  const golden_tensor_t *x_zp, int64_t axis, golden_tensor_t *y,
                                  char *err, size_t errlen)
{
    memset(y, 0, sizeof *y);
    if (!is_q8(x->dtype) && x->dtype != GOLDEN_DT_INT32)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "DequantizeLinear: x is %s, int8, uint8 or int32 expected", golden_dtype_name(x->dtype));
    if (x_zp && x_zp->dtype != x->dtype)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "DequantizeLinear: x_zero_point is %s, x %s", golden_dtype_name(x_zp->dtype), golden_dtype_name(x->dtype));
    int64_t ax, per;
    int rc = qdq_params("DequantizeLinear", x, x_scale, x_zp, axis, &ax, &per, err, errlen);
    if (rc) return rc;
    if (x->dtype == GOLDEN_DT_INT32 && x_zp)
        for (int64_t i = 0; i < x_zp->count; i++)
            if (((const int32_t *)x_zp->data)[i] != 0)
                return pecos_fail(err, errlen, PECOS_EPARAM, "DequantizeLinear: an int32 x needs a zero point of 0");
    rc = golden_tensor_alloc(y, GOLDEN_DT_FLOAT, x->ndim, x->dims);
    if (rc) return pecos_fail(err, errlen, rc, "DequantizeLinear: cannot allocate the output");
    float *yd = y->data;
    for (int64_t i = 0; i < x->count; i++) {
        const int64_t c = ax < 0 ? 0 : (i / per) % x->dims[ax];
        const float s = ((const float *)x_scale->data)[c];
        const float d = (float)golden_tensor_get(x, i) - (float)param_at(x_zp, c);
        yd[i] = d * s;
    }
    return 0;
}
