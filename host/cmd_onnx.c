/* cmd_onnx.c - `pecos onnx-test DIR...`; see cmd_onnx.h.
 *
 * A case directory holds model.onnx and test_data_set_<n> directories with input_<i>.pb and
 * output_<i>.pb (the ONNX backend test layout). Each data set runs through the golden
 * interpreter (onnx_exec.h); every output is compared with the expected one: integer
 * dtypes exactly, float ones within |got - exp| <= atol + rtol * |exp| (ONNX backend
 * defaults rtol 1e-3, atol 1e-7; NaN equals NaN).
 */
#define _POSIX_C_SOURCE 200809L
#include "cmd_onnx.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accel.h"
#include "cmd_run.h"
#include "energy.h"
#include "golden_onnx.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_map.h"
#include "pecos_err.h"
#include "tiling.h"

#define WHO "pecos onnx-test"
#define MAX_SETS 64
#define MAX_TENSORS 32

void cmd_onnx_test_usage(FILE *f)
{
    fputs("usage: pecos onnx-test [options] DIR...\n"
          "Runs ONNX backend test cases (DIR/model.onnx, DIR/test_data_set_*/input_*.pb and\n"
          "output_*.pb) through the golden operators and compares every output with the\n"
          "expected one (integers exactly, floats within atol + rtol*|expected|).\n"
          "options:\n"
          "  --rtol X      relative tolerance for float outputs (default 1e-3)\n"
          "  --atol X      absolute tolerance for float outputs (default 1e-7)\n"
          "  --strict      a case skipped for an unsupported operator counts as a failure\n"
          "  --rtl RxC     also run Conv, ConvInteger, QLinearConv, MatMul, MatMulInteger,\n"
          "                QLinearMatMul and Gemm nodes whose operands are int8 after\n"
          "                zero-point subtraction (Conv, MatMul, Gemm: integer-valued) on the\n"
          "                verilated int8 RxC array\n"
          "                (pecos run's checks: bit-exact vs golden conv, cycles vs model) and\n"
          "                require the result to equal the golden node output\n"
          "  --dataflow D  ws (default), is or os, for --rtl\n"
          "  --fp-rtl bf16|fp16\n"
          "                with --rtl: also run float32 Conv, Gemm and MatMul nodes that map\n"
          "                on the bf16/fp16 RxC array (operands rounded to nearest even,\n"
          "                fp32 bias and accumulation; bit-exact vs the golden fp conv in\n"
          "                the array's order, cycles vs model) and require every output\n"
          "                within the derived error bound of the golden node output and of\n"
          "                the expected output (docs/ONNX.md)\n"
          "  --inject-fault CYCLE\n"
          "                checker self-test: flip one bit of the first array output at or\n"
          "                after CYCLE of each layer (the case must then FAIL)\n"
          "  --json FILE   write one record per case\n"
          "exit: 0 no case failed, 1 a case failed, 2 bad option, missing directory or a\n"
          "truncated/corrupted .onnx/.pb file\n",
          f);
}

typedef enum { CASE_PASS, CASE_FAIL, CASE_SKIP, CASE_ERROR } case_status_t;

static const char *status_name(case_status_t s)
{
    switch (s) {
    case CASE_PASS: return "PASS";
    case CASE_FAIL: return "FAIL";
    case CASE_SKIP: return "SKIP";
    default: return "ERROR";
    }
}

typedef struct {
    double rtol, atol;
    bool strict;
    const char *json_path;
    int rtl_rows, rtl_cols; /* 0: golden only */
    int df;
    uint64_t fault_cycle;   /* UINT64_MAX: none */
    const char *fp_rtl;     /* "bf16", "fp16" or NULL */
} opts_t;

/* --- the RTL paths --------------------------------------------------------------------- */

typedef struct {
    accel_t accel;          /* the int8 array */
    bool fp_on;             /* --fp-rtl: fp is open */
    accel_t fp;             /* the bf16/fp16 array */
    fp_fmt_t fmt;
    const char *fp_name;    /* "bf16" or "fp16" */
    int nodes_rtl;          /* nodes of the current case that ran on the int8 array */
    int nodes_golden;       /* mapped operator types that stayed on the golden path */
    char why_not[160];      /* why the first of those did */
    uint64_t cycles;        /* int8 array cycles of the case */
    int nodes_fp;           /* float nodes of the case that ran on the fp array */
    int nodes_fp_golden;    /* float candidates that did not */
    char fp_why_not[160];
    uint64_t fp_cycles;
    double fp_ratio;        /* largest |y_rtl - y_ref| / bound of the case */
    /* the case being run: its expected outputs, for nodes that produce a graph output */
    const onnx_model_t *m;
    const golden_tensor_t *exp;
    int n_exp;
} rtl_t;

/* Compares the RTL-derived tensor with the golden node output, exactly. */
static int rtl_compare(const onnx_node_t *n, const golden_tensor_t *got, const golden_tensor_t *gold,
                       char *err, size_t errlen)
{
    if (got->count != gold->count)
        return snprintf(err, errlen, "RTL: %s: %lld outputs, golden %lld", n->op_type, (long long)got->count,
                        (long long)gold->count),
               PECOS_ESIM;
    for (int64_t i = 0; i < got->count; i++)
        if (golden_tensor_get(got, i) != golden_tensor_get(gold, i))
            return snprintf(err, errlen, "RTL: %s: output %lld of %lld differs from the golden operator: RTL %.9g, golden %.9g",
                            n->op_type, (long long)i, (long long)got->count, golden_tensor_get(got, i),
                            golden_tensor_get(gold, i)),
                   PECOS_ESIM;
    return 0;
}

static void golden_only(rtl_t *r, const onnx_node_t *n, const char *why)
{
    if (r->nodes_golden++ == 0) snprintf(r->why_not, sizeof r->why_not, "%.30s: %.120s", n->op_type, why);
}

static void fp_golden_only(rtl_t *r, const onnx_node_t *n, const char *why)
{
    if (r->nodes_fp_golden++ == 0) snprintf(r->fp_why_not, sizeof r->fp_why_not, "%.30s: %.120s", n->op_type, why);
}

static int check_failed(const char *path, const layer_result_t *res, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s: a pecos check failed: bit-exact %s, cycles %s (%llu vs model %llu), counters %s, traffic %s, bounds %s",
             path, res->layer.name, res->bitexact ? "yes" : "NO", res->cycles_match ? "match" : "DIFFER",
             (unsigned long long)res->cycles, (unsigned long long)res->model_cycles, res->counters_ok ? "ok" : "BAD",
             res->mem.traffic_ok ? "ok" : "BAD", res->mem.bounds_ok ? "ok" : "BAD");
    return PECOS_ESIM;
}

/* The int8 path of node n: the array's accumulators (bias included), requantized on the host
 * for QLinear*, must equal the golden node output gold. */
static int i8_node(rtl_t *r, const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                   const golden_tensor_t *gold, char *err, size_t errlen)
{
    onnx_map_t mp;
    char why[160];
    int rc = onnx_map_i8(n, index, in, n_in, gold, &mp, why, sizeof why);
    if (rc == 1) {
        golden_only(r, n, why);
        return 0;
    }
    if (rc) return snprintf(err, errlen, "out of memory"), rc;
    golden_tensor_t y = {0};
    layer_result_t res;
    memset(&res, 0, sizeof res);
    int32_t *acc = malloc(sizeof *acc * ((size_t)mp.n_batch * mp.y_len + 1));
    if (!acc) {
        rc = PECOS_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = onnx_map_run_i8(&r->accel, &mp, true, acc, &res);
    if (rc == PECOS_ENOTSUP) {
        accel_conv_maps(&mp.cv, why, sizeof why);
        golden_only(r, n, why);
        rc = 0;
        goto out;
    }
    if (rc) {
        snprintf(err, errlen, "RTL: %s: %s", mp.cv.name, pecos_strerror(rc));
        goto out;
    }
    r->cycles += res.cycles;
    if (!layer_result_ok(&res)) {
        rc = check_failed("RTL", &res, err, errlen);
        goto out;
    }
    if ((rc = golden_tensor_alloc(&y, gold->dtype, gold->ndim, gold->dims)) != 0) goto out;
    const int64_t pq = (int64_t)mp.p * mp.q;
    const int32_t yz = mp.qlinear ? onnx_map_y_zp(&mp) : 0;
    for (int64_t b = 0; b < mp.n_batch; b++)
        for (int64_t k = 0; k < mp.cv.k; k++)
            for (int64_t pix = 0; pix < pq; pix++) {
                const int32_t v = acc[(size_t)b * mp.y_len + (size_t)(k * pq + pix)];
                const int64_t o = onnx_map_y_index(&mp, b, k, pix);
                golden_tensor_set(&y, o, mp.qlinear ? golden_onnx_requantize(v, onnx_map_scale(&mp, k, pix), yz, gold->dtype)
                                                    : v);
            }
    rc = rtl_compare(n, &y, gold, err, errlen);
    if (!rc) r->nodes_rtl++;
out:
    golden_tensor_free(&y);
    free(acc);
    onnx_map_free(&mp);
    return rc;
}

/* s[k][pix] = sum |x| |w| over the window of output (k, pix) of one batch item, in double
 * (each product exact, the sum within n 2^-53 of exact); *xmax, *wmax: the largest |x|, |w|. */
static void abs_conv(const accel_conv_t *cv, int p, int q, const float *x, const float *w, double *s,
                     double *xmax, double *wmax)
{
    const int G = cv->groups, cg = cv->c / G, kg = cv->k / G;
    *xmax = *wmax = 0;
    for (size_t i = 0; i < (size_t)cv->c * cv->h * cv->w; i++) *xmax = fmax(*xmax, fabs(x[i]));
    for (size_t i = 0; i < (size_t)cv->k * cg * cv->r * cv->s; i++) *wmax = fmax(*wmax, fabs(w[i]));
    for (int k = 0; k < cv->k; k++) {
        const int g = k / kg;
        for (int oh = 0; oh < p; oh++)
            for (int ow = 0; ow < q; ow++) {
                double acc = 0;
                for (int c = 0; c < cg; c++)
                    for (int ry = 0; ry < cv->r; ry++) {
                        const int ih = oh * cv->stride_h - cv->pad_t + ry;
                        if (ih < 0 || ih >= cv->h) continue;
                        for (int sx = 0; sx < cv->s; sx++) {
                            const int iw = ow * cv->stride_w - cv->pad_l + sx;
                            if (iw < 0 || iw >= cv->w) continue;
                            acc += fabs((double)x[((size_t)(g * cg + c) * cv->h + ih) * cv->w + iw]) *
                                   fabs((double)w[(((size_t)k * cg + c) * cv->r + ry) * cv->s + sx]);
                        }
                    }
                s[((size_t)k * p + oh) * q + ow] = acc;
            }
    }
}

/* The error bound of one fp RTL output against exact math on the float32 operands (see
 * docs/ONNX.md, "fp RTL error bound"): operand rounding to the format (unit roundoff u,
 * subnormal half-spacing eta), then n+1 fp32 roundings of the accumulation from the bias. */
static double fp_bound(fp_fmt_t fmt, double n, double s, double bias, double xmax, double wmax)
{
    const double u = fmt == FP_BF16 ? ldexp(1, -8) : ldexp(1, -11);
    const double eta = fmt == FP_BF16 ? ldexp(1, -134) : ldexp(1, -25);
    const double u32 = ldexp(1, -24), g = (n + 1) * u32 / (1 - (n + 1) * u32);
    s *= 1 + (n + 1) * ldexp(1, -52); /* the double sum of |x w| */
    const double e_eta = (1 + u) * eta * n * (xmax + wmax) + n * eta * eta;
    return (2 * u + u * u) * s + e_eta + g * (fabs(bias) + (1 + u) * (1 + u) * s + e_eta) + (n + 2) * ldexp(1, -149);
}

/* 1 if the fp RTL value yr is farther than allowed from yref (non-finite values must be
 * equal, NaN equals NaN), else 0; *ratio keeps the largest |yr - yref| / allowed. */
static int64_t fp_within(double yr, double yref, double allowed, double *ratio)
{
    if (!isfinite(yr) || !isfinite(yref)) return !(yr == yref || (isnan(yr) && isnan(yref)));
    const double e = fabs(yr - yref);
    if (allowed > 0) *ratio = fmax(*ratio, e / allowed);
    return !(e <= allowed);
}

/* The fp path of float node n: the bf16/fp16 array's result (bit-exact vs the golden fp conv
 * in the array's order, lrun's checks) must be within the derived bound of the golden node
 * output gold and, if n produces a graph output, of the case's expected output. */
static int fp_node(rtl_t *r, const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                   const golden_tensor_t *gold, char *err, size_t errlen)
{
    onnx_map_t mp;
    char why[160];
    int rc = onnx_map_fp(n, index, in, n_in, gold, &mp, why, sizeof why);
    if (rc == 1) {
        fp_golden_only(r, n, why);
        return 0;
    }
    if (rc) return snprintf(err, errlen, "out of memory"), rc;
    layer_result_t res;
    memset(&res, 0, sizeof res);
    const golden_tensor_t *exp = NULL;
    for (int i = 0; r->m && i < r->m->n_outputs && i < r->n_exp; i++)
        if (strcmp(r->m->outputs[i].name, n->outputs[0]) == 0 && r->exp[i].count == gold->count &&
            r->exp[i].dtype == GOLDEN_DT_FLOAT)
            exp = &r->exp[i];
    float *y = malloc(sizeof *y * ((size_t)mp.n_batch * mp.y_len + 1));
    double *s = malloc(sizeof *s * (mp.y_len + 1));
    if (!y || !s) {
        rc = PECOS_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = onnx_map_run_fp(&r->fp, r->fmt, &mp, y, &res);
    if (rc == PECOS_ENOTSUP) {
        accel_conv_maps(&mp.cv, why, sizeof why);
        fp_golden_only(r, n, why);
        rc = 0;
        goto out;
    }
    if (rc) {
        snprintf(err, errlen, "fp RTL: %s: %s", mp.cv.name, pecos_strerror(rc));
        goto out;
    }
    r->fp_cycles += res.cycles;
    if (!layer_result_ok(&res)) {
        rc = check_failed("fp RTL", &res, err, errlen);
        goto out;
    }
    const int64_t pq = (int64_t)mp.p * mp.q;
    const double nred = (double)(mp.cv.c / mp.cv.groups) * mp.cv.r * mp.cv.s;
    const double u32 = ldexp(1, -24), g = (nred + 1) * u32 / (1 - (nred + 1) * u32);
    int64_t bad = 0, first = -1;
    double ratio = 0, fy = 0, fref = 0, fb = 0;
    for (int64_t b = 0; b < mp.n_batch; b++) {
        double xmax, wmax;
        const float *wb = mp.wf + (mp.w_per_batch ? (size_t)b * mp.w_len : 0);
        abs_conv(&mp.cv, mp.p, mp.q, mp.xf + (size_t)b * mp.x_len, wb, s, &xmax, &wmax);
        for (int64_t k = 0; k < mp.cv.k; k++)
            for (int64_t pix = 0; pix < pq; pix++) {
                const size_t j = (size_t)(k * pq + pix);
                const int64_t o = onnx_map_y_index(&mp, b, k, pix);
                const double bias = mp.bias_f ? mp.bias_f[k] : 0;
                const double bnd = fp_bound(r->fmt, nred, s[j], bias, xmax, wmax);
                const double yr = y[(size_t)b * mp.y_len + j], yg = golden_tensor_get(gold, o);
                /* golden: exact math (double) rounded once to float32 */
                const double a_g = bnd + u32 * fabs(yg) + nred * ldexp(1, -53) * s[j];
                int64_t nb = fp_within(yr, yg, a_g, &ratio);
                double yref = yg, allowed = a_g;
                if (!nb && exp) {
                    /* the expected output: any float32 summation order of the same terms */
                    yref = golden_tensor_get(exp, o);
                    allowed = bnd + g * (fabs(bias) + s[j]) + u32 * fabs(yref);
                    nb = fp_within(yr, yref, allowed, &ratio);
                }
                if (nb && bad++ == 0) {
                    first = o;
                    fy = yr;
                    fref = yref;
                    fb = allowed;
                }
            }
    }
    if (bad) {
        rc = PECOS_ESIM;
        snprintf(err, errlen, "fp RTL %s: %s: %lld of %lld outputs outside the error bound, first at flat index %lld: RTL %.9g, reference %.9g, bound %.3g",
                 r->fp_name, mp.cv.name, (long long)bad, (long long)gold->count, (long long)first, fy, fref, fb);
        goto out;
    }
    r->fp_ratio = fmax(r->fp_ratio, ratio);
    r->nodes_fp++;
out:
    free(y);
    free(s);
    onnx_map_free(&mp);
    return rc;
}

/* onnx_exec hook: runs the mapped operators on the arrays and checks them. */
static int rtl_hook(void *ctx, const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                    golden_tensor_t *const *out, int n_out, char *err, size_t errlen)
{
    rtl_t *r = ctx;
    if (n_out < 1 || !out[0]) return 0;
    int rc = 0;
    if (r->fp_on && onnx_map_op_fp(n->op_type))
        rc = fp_node(r, n, index, in, n_in, out[0], err, errlen);
    if (!rc && onnx_map_op_i8(n->op_type)) rc = i8_node(r, n, index, in, n_in, out[0], err, errlen);
    return rc;
}

typedef struct {
    case_status_t status;
    char reason[2304];
    int data_sets;
    int outputs_checked;
    char paths[512]; /* "golden", "golden+rtl ...", "; fp-rtl ..." */
    int fp_nodes;    /* node runs on the fp array */
    double fp_ratio; /* their largest |error| / bound */
} case_result_t;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Sorted names of dir's subdirectories starting with test_data_set_ (at most MAX_SETS;
 * the caller frees each and the array). Returns the count or -1. */
static int list_sets(const char *dir, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **v = calloc(MAX_SETS, sizeof *v);
    int n = 0;
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL && n < MAX_SETS) {
        if (strncmp(e->d_name, "test_data_set_", 14) != 0) continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (!is_dir(p)) continue;
        v[n] = strdup(e->d_name);
        if (v[n]) n++;
    }
    closedir(d);
    if (!v) return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_names);
    *names = v;
    return n;
}

static void free_names(char **v, int n)
{
    for (int i = 0; i < n && v; i++) free(v[i]);
    free(v);
}

/* Reads prefix_0.pb, prefix_1.pb, ... from dir until one is missing. Returns the count
 * (>= 0) or a negative code with the file named in err. */
static int read_tensors(const char *dir, const char *prefix, golden_tensor_t *t, int max,
                        char *err, size_t errlen)
{
    int n = 0;
    for (; n < max; n++) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s_%d.pb", dir, prefix, n);
        if (!is_file(p)) break;
        char why[512];
        int rc = onnx_tensor_read(p, &t[n], NULL, 0, why, sizeof why);
        if (rc) {
            snprintf(err, errlen, "%s: %s", p, why);
            for (int i = 0; i < n; i++) golden_tensor_free(&t[i]);
            return rc;
        }
    }
    return n;
}

/* Compares got with exp; on the first difference writes why and returns false. */
static bool outputs_match(const opts_t *o, const char *name, const golden_tensor_t *got,
                          const golden_tensor_t *exp, char *why, size_t len)
{
    char a[96], b[96];
    if (got->dtype != exp->dtype) {
        snprintf(why, len, "output '%s': dtype %s, expected %s", name, golden_dtype_name(got->dtype), golden_dtype_name(exp->dtype));
        return false;
    }
    bool same_shape = got->ndim == exp->ndim;
    for (int i = 0; same_shape && i < got->ndim; i++) same_shape = got->dims[i] == exp->dims[i];
    if (!same_shape) {
        snprintf(why, len, "output '%s': shape %s, expected %s", name, golden_tensor_shape_str(got, a, sizeof a),
                 golden_tensor_shape_str(exp, b, sizeof b));
        return false;
    }
    const bool isint = golden_dtype_is_int(got->dtype);
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < got->count; i++) {
        bool ok;
        if (isint) {
            ok = golden_tensor_get_i64(got, i) == golden_tensor_get_i64(exp, i);
        } else {
            double g = golden_tensor_get(got, i), e = golden_tensor_get(exp, i);
            if (isnan(e) || isnan(g)) ok = isnan(e) && isnan(g);
            else if (isinf(e) || isinf(g)) ok = g == e;
            else ok = fabs(g - e) <= o->atol + o->rtol * fabs(e);
        }
        if (!ok) {
            if (first < 0) first = i;
            bad++;
        }
    }
    if (bad) {
        if (isint)
            snprintf(why, len, "output '%s': %lld of %lld elements differ, first at flat index %lld: got %lld, expected %lld (exact)",
                     name, (long long)bad, (long long)got->count, (long long)first, (long long)golden_tensor_get_i64(got, first),
                     (long long)golden_tensor_get_i64(exp, first));
        else
            snprintf(why, len, "output '%s': %lld of %lld elements differ, first at flat index %lld: got %.9g, expected %.9g (rtol %g, atol %g)",
                     name, (long long)bad, (long long)got->count, (long long)first, golden_tensor_get(got, first),
                     golden_tensor_get(exp, first), o->rtol, o->atol);
        return false;
    }
    return true;
}

/* Runs one case directory into *r; rtl (or NULL) adds the RTL path. */
static void run_case(const opts_t *o, rtl_t *rtl, const char *dir, case_result_t *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->paths, sizeof r->paths, "golden");
    char path[1024];
    if (!is_dir(dir)) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: not a directory", dir);
        return;
    }
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    onnx_model_t m;
    char why[512];
    int rc = onnx_model_read(path, &m, why, sizeof why);
    if (rc) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: %s", path, why);
        return;
    }
    const onnx_node_t *uns = onnx_exec_first_unsupported(&m);
    if (uns) {
        r->status = CASE_SKIP;
        snprintf(r->reason, sizeof r->reason, "unsupported op %s%s%s", uns->domain, uns->domain[0] ? "." : "", uns->op_type);
        onnx_model_free(&m);
        return;
    }
    char **sets = NULL;
    int nsets = list_sets(dir, &sets);
    if (nsets <= 0) {
        r->status = CASE_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s: no test_data_set_* directory", dir);
        free_names(sets, nsets);
        onnx_model_free(&m);
        return;
    }
    r->status = CASE_PASS;
    for (int s = 0; s < nsets && r->status == CASE_PASS; s++) {
        char sdir[1024];
        snprintf(sdir, sizeof sdir, "%s/%s", dir, sets[s]);
        golden_tensor_t in[MAX_TENSORS], exp[MAX_TENSORS], got[MAX_TENSORS];
        int nin = read_tensors(sdir, "input", in, MAX_TENSORS, r->reason, sizeof r->reason);
        if (nin < 0) {
            r->status = CASE_ERROR;
            break;
        }
        int nexp = read_tensors(sdir, "output", exp, MAX_TENSORS, r->reason, sizeof r->reason);
        if (nexp < 0) {
            for (int i = 0; i < nin; i++) golden_tensor_free(&in[i]);
            r->status = CASE_ERROR;
            break;
        }
        if (nexp != m.n_outputs || m.n_outputs > MAX_TENSORS) {
            r->status = CASE_ERROR;
            snprintf(r->reason, sizeof r->reason, "%s: %d output_*.pb files, the model has %d outputs", sdir, nexp, m.n_outputs);
        } else {
            const onnx_exec_opts_t xo = {.hook = rtl_hook, .ctx = rtl};
            if (rtl) {
                rtl->m = &m;
                rtl->exp = exp;
                rtl->n_exp = nexp;
            }
            rc = onnx_exec_run(&m, rtl ? &xo : NULL, in, nin, got, why, sizeof why);
            if (rc == PECOS_ENOTSUP) {
                r->status = CASE_SKIP;
                snprintf(r->reason, sizeof r->reason, "%s", why);
            } else if (rc) {
                r->status = CASE_FAIL;
                snprintf(r->reason, sizeof r->reason, "%s: %s", sets[s], why);
            } else {
                for (int i = 0; i < nexp && r->status == CASE_PASS; i++) {
                    if (!outputs_match(o, m.outputs[i].name, &got[i], &exp[i], why, sizeof why)) {
                        r->status = CASE_FAIL;
                        snprintf(r->reason, sizeof r->reason, "%s: %s", sets[s], why);
                    }
                    r->outputs_checked++;
                }
                for (int i = 0; i < m.n_outputs; i++) golden_tensor_free(&got[i]);
            }
        }
        for (int i = 0; i < nin; i++) golden_tensor_free(&in[i]);
        for (int i = 0; i < nexp; i++) golden_tensor_free(&exp[i]);
        if (r->status == CASE_PASS) r->data_sets++;
    }
    free_names(sets, nsets);
    onnx_model_free(&m);
    if (rtl && r->status == CASE_PASS) {
        if (rtl->nodes_rtl && rtl->nodes_golden)
            snprintf(r->paths, sizeof r->paths, "golden+rtl (%d node runs)", rtl->nodes_rtl);
        else if (rtl->nodes_rtl)
            snprintf(r->paths, sizeof r->paths, "golden+rtl (%d node runs, %llu cycles)", rtl->nodes_rtl,
                     (unsigned long long)rtl->cycles);
        if (rtl->nodes_golden) {
            size_t l = strlen(r->paths);
            snprintf(r->paths + l, sizeof r->paths - l, "; golden only for %.100s", rtl->why_not);
        }
        size_t l = strlen(r->paths);
        if (rtl->nodes_fp)
            snprintf(r->paths + l, sizeof r->paths - l, "; fp-rtl %s (%d node run%s, %llu cycles, max |err|/bound %.3g)",
                     rtl->fp_name, rtl->nodes_fp, rtl->nodes_fp == 1 ? "" : "s", (unsigned long long)rtl->fp_cycles,
                     rtl->fp_ratio);
        l = strlen(r->paths);
        if (rtl->nodes_fp_golden)
            snprintf(r->paths + l, sizeof r->paths - l, "; fp-rtl golden only for %.100s", rtl->fp_why_not);
        r->fp_nodes = rtl->nodes_fp;
        r->fp_ratio = rtl->fp_ratio;
    }
    if (rtl) {
        rtl->m = NULL;
        rtl->exp = NULL;
        rtl->n_exp = 0;
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* A short name for a case: its last two path components ("node/test_conv"). */
static const char *case_name(const char *dir, char *buf, size_t len)
{
    snprintf(buf, len, "%s", dir);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
    char *last = strrchr(buf, '/');
    if (!last) return buf;
    *last = '\0';
    char *prev = strrchr(buf, '/');
    *last = '/';
    return prev ? prev + 1 : buf;
}

int cmd_onnx_test(int argc, char **argv)
{
    opts_t o = {.rtol = 1e-3, .atol = 1e-7, .fault_cycle = UINT64_MAX};
    int first_dir = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_onnx_test_usage(stdout);
            return PECOS_EXIT_PASS;
        }
        if (strcmp(a, "--strict") == 0) {
            o.strict = true;
            continue;
        }
        if (strcmp(a, "--inject-fault") == 0) {
            char *end;
            errno = 0;
            unsigned long long c = i + 1 < argc ? strtoull(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || errno || end == argv[i + 1] || *end || argv[i + 1][0] == '-') {
                fprintf(stderr, WHO ": --inject-fault %s: must be a cycle number\n", i + 1 < argc ? argv[i + 1] : "");
                return PECOS_EXIT_USAGE;
            }
            o.fault_cycle = c;
            i++;
            continue;
        }
        if (strcmp(a, "--fp-rtl") == 0) {
            if (i + 1 >= argc || (strcmp(argv[i + 1], "bf16") != 0 && strcmp(argv[i + 1], "fp16") != 0)) {
                fprintf(stderr, WHO ": --fp-rtl %s: bf16 or fp16\n", i + 1 < argc ? argv[i + 1] : "");
                return PECOS_EXIT_USAGE;
            }
            o.fp_rtl = argv[++i];
            continue;
        }
        if (strcmp(a, "--rtl") == 0 || strcmp(a, "--dataflow") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, WHO ": %s needs a value\n", a);
                return PECOS_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (a[2] == 'r') {
                char tail;
                if (sscanf(v, "%dx%d%c", &o.rtl_rows, &o.rtl_cols, &tail) != 2 || o.rtl_rows < 1 ||
                    o.rtl_cols < 1 || o.rtl_rows > 256 || o.rtl_cols > 256) {
                    fprintf(stderr, WHO ": --rtl %s: expected ROWSxCOLS, e.g. 4x4\n", v);
                    return PECOS_EXIT_USAGE;
                }
            } else if (strcmp(v, "ws") == 0 || strcmp(v, "is") == 0 || strcmp(v, "os") == 0) {
                o.df = v[0] == 'w' ? DF_WS : v[0] == 'i' ? DF_IS : DF_OS;
            } else {
                fprintf(stderr, WHO ": --dataflow %s: ws, is or os\n", v);
                return PECOS_EXIT_USAGE;
            }
            continue;
        }
        if (strcmp(a, "--rtol") == 0 || strcmp(a, "--atol") == 0 || strcmp(a, "--json") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, WHO ": %s needs a value\n", a);
                return PECOS_EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--json") == 0) {
                o.json_path = v;
                continue;
            }
            char *end;
            errno = 0;
            double x = strtod(v, &end);
            if (errno || end == v || *end || !(x >= 0) || isinf(x)) {
                fprintf(stderr, WHO ": %s %s: must be a number >= 0\n", a, v);
                return PECOS_EXIT_USAGE;
            }
            if (a[2] == 'r') o.rtol = x;
            else o.atol = x;
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, WHO ": unknown option %s (see pecos onnx-test --help)\n", a);
            return PECOS_EXIT_USAGE;
        }
        first_dir = i;
        break;
    }
    if (first_dir >= argc) {
        fprintf(stderr, WHO ": no case directory given (see pecos onnx-test --help)\n");
        return PECOS_EXIT_USAGE;
    }
    static energy_table_t etab;
    static rtl_t rtl;
    rtl_t *rp = NULL;
    if (o.rtl_rows) {
        energy_table_default(&etab);
        lrun_cfg_t lc = {.rows = o.rtl_rows, .cols = o.rtl_cols, .dtype = "int8", .etab = &etab,
                         .fault_cycle = o.fault_cycle, .who = WHO};
        lc.mem.dram.burst = 64;
        lc.mem.dram_capacity = 4096ull << 20;
        lc.mem.psum_ports = 2;
        char err[512];
        if (accel_open(&rtl.accel, &lc, o.df, 0, err, sizeof err) != 0) {
            fprintf(stderr, WHO ": --rtl %dx%d: %s\n", o.rtl_rows, o.rtl_cols, err);
            return PECOS_EXIT_USAGE;
        }
        if (o.fp_rtl) {
            lrun_cfg_t fc = lc;
            fc.dtype = o.fp_rtl;
            if (accel_open(&rtl.fp, &fc, o.df, 0, err, sizeof err) != 0) {
                fprintf(stderr, WHO ": --fp-rtl %s --rtl %dx%d: %s\n", o.fp_rtl, o.rtl_rows, o.rtl_cols, err);
                accel_close(&rtl.accel);
                return PECOS_EXIT_USAGE;
            }
            rtl.fp_on = true;
            rtl.fmt = strcmp(o.fp_rtl, "bf16") == 0 ? FP_BF16 : FP_FP16;
            rtl.fp_name = o.fp_rtl;
        }
        rp = &rtl;
    } else if (o.fp_rtl) {
        fprintf(stderr, WHO ": --fp-rtl needs --rtl RxC (the array size)\n");
        return PECOS_EXIT_USAGE;
    }
    FILE *jf = NULL;
    if (o.json_path) {
        jf = fopen(o.json_path, "w");
        if (!jf) {
            fprintf(stderr, WHO ": --json %s: cannot write: %s\n", o.json_path, strerror(errno));
            if (rp) accel_close(&rp->accel);
            if (rp && rp->fp_on) accel_close(&rp->fp);
            return PECOS_EXIT_USAGE;
        }
        fputs("{\"cases\": [", jf);
    }
    int npass = 0, nfail = 0, nskip = 0, nerr = 0;
    for (int i = first_dir; i < argc; i++) {
        case_result_t r;
        if (rp) {
            rp->nodes_rtl = rp->nodes_golden = rp->nodes_fp = rp->nodes_fp_golden = 0;
            rp->cycles = rp->fp_cycles = 0;
            rp->fp_ratio = 0;
            rp->why_not[0] = rp->fp_why_not[0] = '\0';
        }
        run_case(&o, rp, argv[i], &r);
        for (char *c = r.reason; *c; c++) /* one line, whatever the file's names hold */
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
        char nb[512];
        const char *name = case_name(argv[i], nb, sizeof nb);
        if (r.status == CASE_SKIP && o.strict) r.status = CASE_FAIL;
        switch (r.status) {
        case CASE_PASS:
            npass++;
            printf("PASS %s (%d data set%s, %d output%s, path: %s)\n", name, r.data_sets, r.data_sets == 1 ? "" : "s",
                   r.outputs_checked, r.outputs_checked == 1 ? "" : "s", r.paths);
            break;
        case CASE_SKIP:
            nskip++;
            printf("SKIP %s (%s)\n", name, r.reason);
            break;
        case CASE_FAIL:
            nfail++;
            printf("FAIL %s: %s\n", name, r.reason);
            break;
        default:
            nerr++;
            fprintf(stderr, WHO ": %s\n", r.reason);
            printf("ERROR %s\n", name);
            break;
        }
        if (jf) {
            fprintf(jf, "%s\n  {\"case\": ", i == first_dir ? "" : ",");
            json_str(jf, argv[i]);
            fprintf(jf, ", \"status\": \"%s\", \"data_sets\": %d, \"outputs\": %d, \"paths\": ", status_name(r.status),
                    r.data_sets, r.outputs_checked);
            json_str(jf, r.paths);
            if (o.fp_rtl)
                fprintf(jf, ", \"fp_rtl\": {\"dtype\": \"%s\", \"nodes\": %d, \"max_err_over_bound\": %.6g}", o.fp_rtl,
                        r.fp_nodes, r.fp_ratio);
            fputs(", \"reason\": ", jf);
            json_str(jf, r.reason);
            fputs("}", jf);
        }
    }
    printf("onnx-test: %d passed, %d failed, %d skipped, %d bad input (of %d)\n", npass, nfail, nskip, nerr,
           argc - first_dir);
    if (jf) {
        fprintf(jf, "\n], \"passed\": %d, \"failed\": %d, \"skipped\": %d, \"bad_input\": %d}\n", npass, nfail, nskip, nerr);
        if (fclose(jf) != 0) {
            fprintf(stderr, WHO ": --json %s: cannot write\n", o.json_path);
            return PECOS_EXIT_USAGE;
        }
    }
    if (rp) accel_close(&rp->accel);
    if (rp && rp->fp_on) accel_close(&rp->fp);
    if (nerr) return PECOS_EXIT_USAGE;
    return nfail ? PECOS_EXIT_FAIL : PECOS_EXIT_PASS;
}
