/* onnxrun.c - `pecos run --onnx`; see onnxrun.h. */
#define _POSIX_C_SOURCE 200809L
#include "onnxrun.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "accel.h"
#include "cmd_run.h"
#include "golden_onnx.h"
#include "golden_post.h"
#include "npy.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "onnx_map.h"
#include "pecos_err.h"
#include "rng.h"
#include "tiling.h"

#define WHO "pecos run"
#define MAX_FEEDS 16

/* One node as it ran. */
typedef struct {
    const onnx_node_t *n;
    const char *where;       /* "array+ppu", "array", "ppu", "golden" */
    char why[160];           /* a candidate that stayed (partly) on the golden path: why */
    bool on_array, has_post;
    layer_result_t arr;      /* the array's result (all batch items merged) */
    accel_post_res_t post;   /* the PPU's calls merged: cycles, beats, outputs, checks */
    int post_calls;
    int64_t outputs;         /* outputs compared with the golden node */
    int64_t diffs;           /* of those, how many differ (QLinear*: by 1 at near-ties) */
    int max_diff;            /* largest |RTL - golden| */
    bool ok;
} node_rec_t;

typedef struct {
    accel_t a;
    node_rec_t *rec;         /* per node of the model, by index */
    int *order;              /* node indices in execution order */
    int n_ran;
    bool printed;            /* a hook error was already printed */
} ctx_t;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *node_name(const onnx_node_t *n) { return n->name[0] ? n->name : n->outputs[0]; }

/* Adds one PPU call's result into the node's. */
static void post_merge(node_rec_t *R, const accel_post_res_t *p)
{
    if (R->post_calls++ == 0) {
        R->post = *p;
        return;
    }
    R->post.cycles += p->cycles;
    R->post.beats += p->beats;
    R->post.outputs += p->outputs;
    R->post.glb_rd += p->glb_rd;
    R->post.glb_wr += p->glb_wr;
    R->post.mismatches += p->mismatches;
    R->post.ok = R->post.ok && p->ok;
    R->post.sim_seconds += p->sim_seconds;
}

/* Writes the RTL's value v into out at o and counts its difference from the golden value. */
static void take(node_rec_t *R, golden_tensor_t *out, int64_t o, double v)
{
    const double g = golden_tensor_get(out, o);
    golden_tensor_set(out, o, v);
    const double d = fabs(golden_tensor_get(out, o) - g);
    R->outputs++;
    if (d != 0) {
        R->diffs++;
        const int di = d > 1e9 ? 1000000000 : (int)ceil(d);
        if (di > R->max_diff) R->max_diff = di;
    }
}

/* Whether every requantization scale of mp runs on the PPU; if not, why. */
static bool ppu_can_requant(const onnx_map_t *mp, char *why, size_t whylen)
{
    if (!onnx_map_scale_per_channel(mp)) {
        snprintf(why, whylen, "per-row a_scale: requantized on the host");
        return false;
    }
    if (mp->y_dtype != GOLDEN_DT_INT8 && mp->y_dtype != GOLDEN_DT_UINT8) {
        snprintf(why, whylen, "output %s: requantized on the host", golden_dtype_name(mp->y_dtype));
        return false;
    }
    const int32_t zp = onnx_map_y_zp(mp) - (mp->y_dtype == GOLDEN_DT_UINT8 ? 128 : 0);
    if (zp < -128 || zp > 127) {
        snprintf(why, whylen, "output zero point out of range: requantized on the host");
        return false;
    }
    for (int64_t k = 0; k < mp->cv.k; k++) {
        int32_t mult;
        int shift;
        const float s = onnx_map_scale(mp, k, 0);
        if (golden_quant_multiplier((double)s, &mult, &shift) != 0) {
            snprintf(why, whylen, "scale %.9g outside the PPU's range [2^-33, 1): requantized on the host", (double)s);
            return false;
        }
    }
    return true;
}

/* Requantizes batch item b's accumulators acc [K][P*Q] on the PPU, one call per group of
 * channels with equal scale, and writes the results into out. Returns 0 or a negative code
 * (printed). */
static int requant_ppu(ctx_t *c, node_rec_t *R, const onnx_map_t *mp, int64_t b, const int32_t *acc,
                       golden_tensor_t *out)
{
    const int K = mp->cv.k;
    const size_t pq = (size_t)mp->p * mp->q;
    const bool u8 = mp->y_dtype == GOLDEN_DT_UINT8;
    int *idx = malloc(sizeof *idx * (size_t)K);
    char *done = calloc((size_t)K + 1, 1);
    int32_t *in = malloc(sizeof *in * ((size_t)K * pq + 1)), *bias = malloc(sizeof *bias * ((size_t)K + 1));
    int8_t *y = malloc((size_t)K * pq + 1);
    int rc = 0;
    if (!idx || !done || !in || !bias || !y) {
        fprintf(stderr, WHO ": %s: out of memory\n", mp->cv.name);
        rc = PECOS_ENOMEM;
        goto out;
    }
    for (int k0 = 0; k0 < K && rc == 0; k0++) {
        if (done[k0]) continue;
        const float s = onnx_map_scale(mp, k0, 0);
        int cg = 0;
        for (int k = k0; k < K; k++)
            if (!done[k] && onnx_map_scale(mp, k, 0) == s) {
                done[k] = 1;
                idx[cg] = k;
                memcpy(in + (size_t)cg * pq, acc + (size_t)k * pq, pq * sizeof *in);
                bias[cg] = mp->bias ? mp->bias[k] : 0;
                cg++;
            }
        int32_t mult;
        int shift;
        golden_quant_multiplier((double)s, &mult, &shift); /* ppu_can_requant checked it */
        accel_post_t pp = {.c = cg, .h = mp->p, .w = mp->q, .rq_en = true, .mult = (uint32_t)mult,
                           .shift = shift, .zp = (int8_t)(onnx_map_y_zp(mp) - (u8 ? 128 : 0)),
                           .pool = ACCEL_POOL_NONE};
        snprintf(pp.name, sizeof pp.name, "%.50s.rq", mp->cv.name);
        accel_post_res_t pr;
        memset(&pr, 0, sizeof pr);
        if ((rc = accel_post(&c->a, &pp, in, bias, false, y, &pr)) != 0) break;
        post_merge(R, &pr);
        for (int j = 0; j < cg; j++)
            for (size_t pix = 0; pix < pq; pix++)
                take(R, out, onnx_map_y_index(mp, b, idx[j], (int64_t)pix),
                     (double)y[(size_t)j * pq + pix] + (u8 ? 128 : 0));
    }
out:
    free(idx);
    free(done);
    free(in);
    free(bias);
    free(y);
    return rc;
}

/* A conv/matmul node: the array, then (QLinear*) the PPU. */
static int run_mapped(ctx_t *c, node_rec_t *R, const onnx_node_t *n, int index, const golden_tensor_t *const *in,
                      int n_in, golden_tensor_t *out, char *err, size_t errlen)
{
    onnx_map_t mp;
    int rc = onnx_map_i8(n, index, in, n_in, out, &mp, R->why, sizeof R->why);
    if (rc == 1) return 0;
    if (rc) return snprintf(err, errlen, "out of memory"), rc;
    int32_t *acc = malloc(sizeof *acc * ((size_t)mp.n_batch * mp.y_len + 1));
    if (!acc) {
        rc = PECOS_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    snprintf(mp.cv.name, sizeof mp.cv.name, "%.60s", node_name(n));
    const bool ppu = mp.qlinear && ppu_can_requant(&mp, R->why, sizeof R->why);
    /* QLinear* on the PPU: the bias is the PPU's to add (as in pecos run --network) */
    rc = onnx_map_run_i8(&c->a, &mp, !ppu, acc, &R->arr);
    if (rc == PECOS_ENOTSUP) {
        accel_conv_maps(&mp.cv, R->why, sizeof R->why);
        memset(&R->arr, 0, sizeof R->arr);
        rc = 0;
        goto out;
    }
    if (rc) {
        c->printed = true; /* accel_conv_i8 and lrun_layer print their errors */
        snprintf(err, errlen, "node '%s': %s", node_name(n), pecos_strerror(rc));
        goto out;
    }
    R->on_array = true;
    R->where = ppu ? "array+ppu" : "array";
    const int64_t pq = (int64_t)mp.p * mp.q;
    const int32_t yz = mp.qlinear ? onnx_map_y_zp(&mp) : 0;
    for (int64_t b = 0; b < mp.n_batch && rc == 0; b++) {
        const int32_t *ab = acc + (size_t)b * mp.y_len;
        if (ppu) {
            R->has_post = true;
            if ((rc = requant_ppu(c, R, &mp, b, ab, out)) != 0) {
                c->printed = true;
                snprintf(err, errlen, "node '%s': the post-processing unit: %s", node_name(n), pecos_strerror(rc));
            }
            continue;
        }
        for (int64_t k = 0; k < mp.cv.k; k++)
            for (int64_t pix = 0; pix < pq; pix++) {
                const int32_t v = ab[k * pq + pix];
                take(R, out, onnx_map_y_index(&mp, b, k, pix),
                     mp.qlinear ? golden_onnx_requantize(v, onnx_map_scale(&mp, k, pix), yz, out->dtype) : v);
            }
    }
    /* the array's and the PPU's own checks; then against ONNX: exact, or +-1 after the PPU */
    R->ok = layer_result_ok(&R->arr) && (!R->has_post || R->post.ok) &&
            (R->has_post ? R->max_diff <= 1 : R->diffs == 0);
out:
    free(acc);
    onnx_map_free(&mp);
    return rc;
}

/* MaxPool on int8 data: the PPU with requantization bypassed. */
static int run_maxpool(ctx_t *c, node_rec_t *R, const onnx_node_t *n, const golden_tensor_t *x,
                       golden_tensor_t *const *outs, int n_out, char *err, size_t errlen)
{
    golden_tensor_t *y = outs[0];
    if (x->dtype != GOLDEN_DT_INT8 || (x->ndim != 3 && x->ndim != 4)) {
        snprintf(R->why, sizeof R->why, "MaxPool runs on the PPU for int8 1-D/2-D maps only");
        return 0;
    }
    if (n_out > 1 && outs[1]) {
        snprintf(R->why, sizeof R->why, "the Indices output is the golden operator's");
        return 0;
    }
    golden_window_t win;
    char e[160];
    if (onnx_exec_window(n, x->ndim, &win, e, sizeof e) != 0) {
        snprintf(R->why, sizeof R->why, "%s", e);
        return 0;
    }
    onnx_map_resolve_pads(&win, x);
    const bool two = x->ndim == 4;
    accel_post_t pp = {.c = (int)x->dims[1], .h = two ? (int)x->dims[2] : 1, .w = (int)x->dims[two ? 3 : 2],
                       .pool = ACCEL_POOL_MAX, .r = two ? (int)win.kernel[0] : 1, .s = (int)win.kernel[two ? 1 : 0],
                       .stride = (int)win.strides[0], .pad_t = two ? (int)win.pads[0] : 0,
                       .pad_l = (int)win.pads[two ? 1 : 0], .pad_b = two ? (int)win.pads[2] : 0,
                       .pad_r = (int)win.pads[two ? 3 : 1]};
    snprintf(pp.name, sizeof pp.name, "%.60s", node_name(n));
    int p, q;
    if (win.ceil_mode || win.dilations[0] != 1 || (two && win.dilations[1] != 1) ||
        (two && win.strides[0] != win.strides[1]) || (int64_t)pp.r * pp.s > 255 || pp.pad_t >= pp.r ||
        pp.pad_b >= pp.r || pp.pad_l >= pp.s || pp.pad_r >= pp.s || accel_post_out(&pp, &p, &q) != 0 ||
        y->count != x->dims[0] * pp.c * p * q) {
        snprintf(R->why, sizeof R->why, "ceil_mode, dilation, unequal strides, a window over 255 cells or its pads do not map onto the PPU");
        return 0;
    }
    const size_t in_n = (size_t)pp.c * pp.h * pp.w, out_n = (size_t)pp.c * p * q;
    int32_t *in = malloc(sizeof *in * (in_n + 1));
    int8_t *yb = malloc(out_n + 1);
    int rc = 0;
    if (!in || !yb) {
        rc = PECOS_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    R->where = "ppu";
    R->has_post = true;
    for (int64_t b = 0; b < x->dims[0]; b++) {
        const int8_t *xb = (const int8_t *)x->data + (size_t)b * in_n;
        for (size_t i = 0; i < in_n; i++) in[i] = xb[i];
        accel_post_res_t pr;
        memset(&pr, 0, sizeof pr);
        if ((rc = accel_post(&c->a, &pp, in, NULL, false, yb, &pr)) != 0) {
            c->printed = true;
            snprintf(err, errlen, "node '%s': the post-processing unit: %s", node_name(n), pecos_strerror(rc));
            goto out;
        }
        post_merge(R, &pr);
        for (size_t i = 0; i < out_n; i++) take(R, y, (int64_t)(b * (int64_t)out_n + (int64_t)i), yb[i]);
    }
    R->ok = R->post.ok && R->diffs == 0;
out:
    free(in);
    free(yb);
    return rc;
}

static int hook(void *vc, const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                golden_tensor_t *const *out, int n_out, char *err, size_t errlen)
{
    ctx_t *c = vc;
    node_rec_t *R = &c->rec[index];
    memset(R, 0, sizeof *R);
    R->n = n;
    R->where = "golden";
    R->ok = true;
    c->order[c->n_ran++] = index;
    if (n_out < 1 || !out[0] || n_in < 1 || !in[0]) return 0;
    if (onnx_map_op_i8(n->op_type)) return run_mapped(c, R, n, index, in, n_in, out[0], err, errlen);
    if (strcmp(n->op_type, "MaxPool") == 0) return run_maxpool(c, R, n, in[0], out, n_out, err, errlen);
    return 0;
}

/* --- inputs and outputs ------------------------------------------------------------------ */

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int npy_to_golden(npy_dtype_t d, golden_dtype_t *g)
{
    switch (d) {
    case NPY_INT8: *g = GOLDEN_DT_INT8; return 0;
    case NPY_UINT8: *g = GOLDEN_DT_UINT8; return 0;
    case NPY_INT32: *g = GOLDEN_DT_INT32; return 0;
    case NPY_INT64: *g = GOLDEN_DT_INT64; return 0;
    case NPY_FLOAT16: *g = GOLDEN_DT_FLOAT16; return 0;
    case NPY_FLOAT32: *g = GOLDEN_DT_FLOAT; return 0;
    case NPY_UINT16: *g = GOLDEN_DT_UINT16; return 0;
    default: return PECOS_EDTYPE;
    }
}

static int golden_to_npy(golden_dtype_t g, npy_dtype_t *d)
{
    switch (g) {
    case GOLDEN_DT_INT8: *d = NPY_INT8; return 0;
    case GOLDEN_DT_UINT8: *d = NPY_UINT8; return 0;
    case GOLDEN_DT_INT32: *d = NPY_INT32; return 0;
    case GOLDEN_DT_INT64: *d = NPY_INT64; return 0;
    case GOLDEN_DT_FLOAT16: *d = NPY_FLOAT16; return 0;
    case GOLDEN_DT_FLOAT: *d = NPY_FLOAT32; return 0;
    case GOLDEN_DT_UINT16: *d = NPY_UINT16; return 0;
    default: return PECOS_EDTYPE;
    }
}

static void dims_str(const int64_t *d, int n, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    l += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < n && l < len; i++) l += (size_t)snprintf(buf + l, len - l, "%s%lld", i ? "," : "", (long long)d[i]);
    if (l < len) snprintf(buf + l, len - l, "]");
}

/* The graph inputs that are fed (not initializers), in order. */
static int feed_infos(const onnx_model_t *m, const onnx_value_info_t **vi, int max)
{
    int n = 0;
    for (int i = 0; i < m->n_inputs && n < max; i++)
        if (!onnx_model_init(m, m->inputs[i].name)) vi[n++] = &m->inputs[i];
    return n;
}

/* Reads --input into feed 0 after checking it against the model's input vi. Prints. */
static int load_input(const char *path, const onnx_value_info_t *vi, golden_tensor_t *t)
{
    char err[256], a[128], b[128];
    npy_array_t arr;
    golden_dtype_t gd;
    int rc = npy_read(path, &arr, err, sizeof err);
    if (rc) {
        fprintf(stderr, WHO ": --input %s: %s\n", path, err);
        return rc;
    }
    if (npy_to_golden(arr.dtype, &gd) != 0 || (vi->dtype != GOLDEN_DT_UNDEFINED && gd != vi->dtype)) {
        fprintf(stderr, WHO ": --input %s: dtype %s, the model's input '%.60s' is %s\n", path, npy_dtype_name(arr.dtype),
                vi->name, golden_dtype_name(vi->dtype));
        npy_free(&arr);
        return PECOS_EDTYPE;
    }
    bool same = vi->ndim < 0 || vi->ndim == arr.ndim;
    for (int i = 0; same && vi->ndim >= 0 && i < arr.ndim; i++) same = vi->dims[i] < 0 || vi->dims[i] == arr.shape[i];
    if (!same) {
        dims_str(arr.shape, arr.ndim, a, sizeof a);
        dims_str(vi->dims, vi->ndim, b, sizeof b);
        fprintf(stderr, WHO ": --input %s: shape %s, the model's input '%.60s' is %s\n", path, a, vi->name, b);
        npy_free(&arr);
        return PECOS_ESHAPE;
    }
    if ((rc = golden_tensor_alloc(t, gd, arr.ndim, arr.shape)) != 0) {
        fprintf(stderr, WHO ": --input %s: %s\n", path, pecos_strerror(rc));
        npy_free(&arr);
        return rc;
    }
    memcpy(t->data, arr.data, npy_nbytes(&arr));
    npy_free(&arr);
    return 0;
}

/* Random data for the model's input vi from the seed. Prints. */
static int random_input(const onnx_value_info_t *vi, int idx, uint64_t seed, golden_tensor_t *t)
{
    if (vi->ndim < 0 || vi->dtype == GOLDEN_DT_UNDEFINED) {
        fprintf(stderr, WHO ": the model's input '%.60s' has no known type and shape: give --input X.npy\n", vi->name);
        return PECOS_ESHAPE;
    }
    for (int i = 0; i < vi->ndim; i++)
        if (vi->dims[i] < 0) {
            fprintf(stderr, WHO ": the model's input '%.60s' has a symbolic dimension: give --input X.npy\n", vi->name);
            return PECOS_ESHAPE;
        }
    int rc = golden_tensor_alloc(t, vi->dtype, vi->ndim, vi->dims);
    if (rc) {
        fprintf(stderr, WHO ": the model's input '%.60s': %s\n", vi->name, pecos_strerror(rc));
        return rc;
    }
    rng_t g;
    rng_seed(&g, seed * 0x100000001b3ULL + 0x0a7e + (uint64_t)idx);
    for (int64_t i = 0; i < t->count; i++) {
        double v;
        switch (t->dtype) {
        case GOLDEN_DT_INT8: v = rng_range(&g, -128, 127); break;
        case GOLDEN_DT_UINT8: v = rng_range(&g, 0, 255); break;
        case GOLDEN_DT_FLOAT:
        case GOLDEN_DT_FLOAT16:
        case GOLDEN_DT_DOUBLE: v = (double)(rng_next(&g) >> 40) / 8388608.0 - 1.0; break;
        default: v = rng_range(&g, -128, 127); break;
        }
        golden_tensor_set(t, i, v);
    }
    return 0;
}

/* --- reports ----------------------------------------------------------------------------- */

typedef struct {
    int nodes, on_array, on_ppu, golden;
    int array_ppu, ppu_only;     /* on the array and the PPU; on the PPU alone */
    uint64_t macs, arr_cycles, ppu_cycles;
    int64_t outputs, diffs;
    int max_diff;
    bool pass;
} totals_t;

static totals_t totals(const ctx_t *c)
{
    totals_t t = {.pass = true};
    for (int i = 0; i < c->n_ran; i++) {
        const node_rec_t *R = &c->rec[c->order[i]];
        t.nodes++;
        t.on_array += R->on_array;
        t.on_ppu += R->has_post;
        t.golden += !R->on_array && !R->has_post;
        t.array_ppu += R->on_array && R->has_post;
        t.ppu_only += !R->on_array && R->has_post;
        t.macs += R->on_array ? R->arr.macs : 0;
        t.arr_cycles += R->on_array ? R->arr.cycles : 0;
        t.ppu_cycles += R->post.cycles;
        t.outputs += R->outputs;
        t.diffs += R->diffs;
        if (R->max_diff > t.max_diff) t.max_diff = R->max_diff;
        t.pass = t.pass && R->ok;
    }
    return t;
}

static const char *check_str(const node_rec_t *R)
{
    if (!R->on_array && !R->has_post) return "-";
    return R->ok ? "PASS" : "FAIL";
}

static void summary(FILE *f, const ctx_t *c, const char *model, const lrun_cfg_t *run, const char *df_name,
                    const char *src)
{
    const totals_t t = totals(c);
    fprintf(f, "pecos run --onnx %s: %dx%d %s int8 array, %d nodes (input: %s)\n", model, run->rows, run->cols,
            df_name, t.nodes, src);
    fprintf(f, "%-20s %-14s %-10s %11s %10s %9s %9s %6s\n", "node", "op", "where", "MACs", "array cyc",
            "ppu cyc", "diffs", "check");
    for (int i = 0; i < c->n_ran; i++) {
        const node_rec_t *R = &c->rec[c->order[i]];
        char d[32] = "-";
        if (R->outputs) snprintf(d, sizeof d, "%lld/%lld", (long long)R->diffs, (long long)R->outputs);
        fprintf(f, "%-20.20s %-14.14s %-10s %11llu %10llu %9llu %9s %6s\n", node_name(R->n), R->n->op_type, R->where,
                (unsigned long long)(R->on_array ? R->arr.macs : 0),
                (unsigned long long)(R->on_array ? R->arr.cycles : 0), (unsigned long long)R->post.cycles, d,
                check_str(R));
    }
    fprintf(f, "%-20s %-14s %-10s %11llu %10llu %9llu %9lld %6s\n", "total", "", "", (unsigned long long)t.macs,
            (unsigned long long)t.arr_cycles, (unsigned long long)t.ppu_cycles, (long long)t.diffs,
            t.pass ? "PASS" : "FAIL");
    for (int i = 0; i < c->n_ran; i++) {
        const node_rec_t *R = &c->rec[c->order[i]];
        if (R->why[0]) fprintf(f, "note: %s (%s): %s\n", node_name(R->n), R->n->op_type, R->why);
        if (R->on_array && !layer_result_ok(&R->arr))
            fprintf(f, "FAIL %s: array checks: bit-exact %s, cycles %llu vs model %llu, counters %s, traffic %s\n",
                    node_name(R->n), R->arr.bitexact ? "yes" : "NO", (unsigned long long)R->arr.cycles,
                    (unsigned long long)R->arr.model_cycles, R->arr.counters_ok ? "ok" : "BAD",
                    R->arr.mem.traffic_ok ? "ok" : "BAD");
        if (R->has_post && !R->post.ok)
            fprintf(f, "FAIL %s: the post-processing unit differs from golden_post in %llu outputs\n",
                    node_name(R->n), (unsigned long long)R->post.mismatches);
        if (R->max_diff > (R->has_post && R->on_array ? 1 : 0))
            fprintf(f, "FAIL %s: %lld of %lld outputs differ from the golden ONNX operator, by up to %d\n",
                    node_name(R->n), (long long)R->diffs, (long long)R->outputs, R->max_diff);
    }
    fprintf(f, "nodes: %d on the array (%d of them requantized on the PPU), %d on the PPU alone, %d golden\n",
            t.on_array, t.array_ppu, t.ppu_only, t.golden);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static int write_json(const char *path, const ctx_t *c, const char *model, const lrun_cfg_t *run,
                      const char *df_name, const char *src, int64_t exp_n, int64_t exp_bad, double wall)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    const totals_t t = totals(c);
    fputs("{\n  \"model\": ", f);
    json_str(f, model);
    fprintf(f, ",\n  \"config\": {\"rows\": %d, \"cols\": %d, \"dataflow\": \"%s\", \"dtype\": \"int8\", \"seed\": %llu, "
               "\"input\": ",
            run->rows, run->cols, df_name, (unsigned long long)run->seed);
    json_str(f, src);
    fputs("},\n  \"nodes\": [", f);
    for (int i = 0; i < c->n_ran; i++) {
        const node_rec_t *R = &c->rec[c->order[i]];
        const layer_result_t *r = &R->arr;
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_str(f, node_name(R->n));
        fputs(", \"op\": ", f);
        json_str(f, R->n->op_type);
        fprintf(f, ", \"where\": \"%s\", \"why\": ", R->where);
        json_str(f, R->why);
        fprintf(f, ", \"macs\": %llu, \"array_cycles\": %llu, \"model_cycles\": %llu, \"ppu_cycles\": %llu, "
                   "\"bitexact\": %s, \"cycles_match\": %s, \"counters_ok\": %s, \"traffic_ok\": %s, "
                   "\"ppu_calls\": %d, \"ppu_bitexact\": %s, \"outputs\": %lld, \"diffs\": %lld, \"max_diff\": %d, "
                   "\"pass\": %s}",
                (unsigned long long)(R->on_array ? r->macs : 0), (unsigned long long)(R->on_array ? r->cycles : 0),
                (unsigned long long)(R->on_array ? r->model_cycles : 0), (unsigned long long)R->post.cycles,
                R->on_array ? (r->bitexact ? "true" : "false") : "null",
                R->on_array ? (r->cycles_match ? "true" : "false") : "null",
                R->on_array ? (r->counters_ok ? "true" : "false") : "null",
                R->on_array ? (r->mem.traffic_ok ? "true" : "false") : "null", R->post_calls,
                R->has_post ? (R->post.ok ? "true" : "false") : "null", (long long)R->outputs, (long long)R->diffs,
                R->max_diff, R->ok ? "true" : "false");
    }
    fprintf(f, "\n  ],\n  \"total\": {\"nodes\": %d, \"array_nodes\": %d, \"ppu_nodes\": %d, \"golden_nodes\": %d, "
               "\"macs\": %llu, \"array_cycles\": %llu, \"ppu_cycles\": %llu, \"cycles\": %llu, \"outputs\": %lld, "
               "\"diffs\": %lld, \"max_diff\": %d, \"wall_seconds\": %.3f, \"pass\": %s},\n  \"expected\": ",
            t.nodes, t.on_array, t.on_ppu, t.golden, (unsigned long long)t.macs, (unsigned long long)t.arr_cycles,
            (unsigned long long)t.ppu_cycles, (unsigned long long)(t.arr_cycles + t.ppu_cycles), (long long)t.outputs,
            (long long)t.diffs, t.max_diff, wall, t.pass ? "true" : "false");
    if (exp_n >= 0)
        fprintf(f, "{\"elements\": %lld, \"differ\": %lld}\n}\n", (long long)exp_n, (long long)exp_bad);
    else
        fputs("null\n}\n", f);
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

/* Elements of got that differ from exp (integers exactly, floats beyond 1e-7 + 1e-3|exp|,
 * as pecos onnx-test); -1 if dtype or shape differ. */
static int64_t count_differ(const golden_tensor_t *got, const golden_tensor_t *exp)
{
    if (got->dtype != exp->dtype || got->ndim != exp->ndim || got->count != exp->count) return -1;
    for (int i = 0; i < got->ndim; i++)
        if (got->dims[i] != exp->dims[i]) return -1;
    int64_t bad = 0;
    const bool isint = golden_dtype_is_int(got->dtype);
    for (int64_t i = 0; i < got->count; i++) {
        const double g = golden_tensor_get(got, i), e = golden_tensor_get(exp, i);
        if (isint ? g != e : !(fabs(g - e) <= 1e-7 + 1e-3 * fabs(e) || (isnan(g) && isnan(e)))) bad++;
    }
    return bad;
}

int onnxrun(const lrun_cfg_t *run, int df, const onnxrun_opts_t *o)
{
    static const char *const df_names[3] = {"ws", "is", "os"};
    const char *df_name = df_names[df];
    char err[1024], src[1200], dir[1024];
    onnx_model_t m;
    golden_tensor_t feeds[MAX_FEEDS], outs[MAX_FEEDS], exp[MAX_FEEDS];
    const onnx_value_info_t *vi[MAX_FEEDS];
    int nfeeds = 0, nexp = 0, exit_code = PECOS_EXIT_PASS, rc;
    bool have_outs = false, accel_opened = false;
    ctx_t c;
    memset(&c, 0, sizeof c);
    memset(feeds, 0, sizeof feeds);
    memset(outs, 0, sizeof outs);
    memset(exp, 0, sizeof exp);

    if (strcmp(run->dtype, "int8") != 0) {
        fprintf(stderr, WHO ": --onnx runs on the int8 array only (--dtype %s)\n", run->dtype);
        return PECOS_EXIT_USAGE;
    }
    if ((rc = onnx_model_read(o->model, &m, err, sizeof err)) != 0) {
        fprintf(stderr, WHO ": --onnx %s: %s\n", o->model, err);
        return PECOS_EXIT_USAGE;
    }
    const onnx_node_t *uns = onnx_exec_first_unsupported(&m);
    if (uns) {
        fprintf(stderr, WHO ": --onnx %s: unsupported operator %s%s%.60s (node '%.60s')\n", o->model, uns->domain,
                uns->domain[0] ? "." : "", uns->op_type, uns->name);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    if (m.n_outputs > MAX_FEEDS) {
        fprintf(stderr, WHO ": --onnx %s: more than %d graph outputs\n", o->model, MAX_FEEDS);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    const int want = onnx_exec_n_feeds(&m);
    if (want > MAX_FEEDS || feed_infos(&m, vi, MAX_FEEDS) != want) {
        fprintf(stderr, WHO ": --onnx %s: more than %d graph inputs\n", o->model, MAX_FEEDS);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    snprintf(dir, sizeof dir, "%s", o->model);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");

    /* The inputs: --input, the model directory's test data set, or random */
    char p0[1100];
    snprintf(p0, sizeof p0, "%s/test_data_set_0/input_0.pb", dir);
    if (o->input_path) {
        if (want != 1) {
            fprintf(stderr, WHO ": --input %s: the model takes %d inputs, --input feeds one\n", o->input_path, want);
            exit_code = PECOS_EXIT_USAGE;
            goto out;
        }
        if (load_input(o->input_path, vi[0], &feeds[0]) != 0) {
            exit_code = PECOS_EXIT_USAGE;
            goto out;
        }
        nfeeds = 1;
        snprintf(src, sizeof src, "%s", o->input_path);
    } else if (want > 0 && is_file(p0)) {
        for (; nfeeds < want; nfeeds++) {
            char p[1100];
            snprintf(p, sizeof p, "%s/test_data_set_0/input_%d.pb", dir, nfeeds);
            if ((rc = onnx_tensor_read(p, &feeds[nfeeds], NULL, 0, err, sizeof err)) != 0) {
                fprintf(stderr, WHO ": %s: %s\n", p, is_file(p) ? err : "missing (the model takes more inputs)");
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        }
        for (; nexp < m.n_outputs; nexp++) {
            char p[1100];
            snprintf(p, sizeof p, "%s/test_data_set_0/output_%d.pb", dir, nexp);
            if (!is_file(p)) break;
            if ((rc = onnx_tensor_read(p, &exp[nexp], NULL, 0, err, sizeof err)) != 0) {
                fprintf(stderr, WHO ": %s: %s\n", p, err);
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        }
        snprintf(src, sizeof src, "%s/test_data_set_0", dir);
    } else {
        for (; nfeeds < want; nfeeds++)
            if (random_input(vi[nfeeds], nfeeds, run->seed, &feeds[nfeeds]) != 0) {
                exit_code = PECOS_EXIT_USAGE;
                goto out;
            }
        snprintf(src, sizeof src, "random, seed %llu", (unsigned long long)run->seed);
    }

    if (!(c.rec = calloc((size_t)m.n_nodes + 1, sizeof *c.rec)) || !(c.order = calloc((size_t)m.n_nodes + 1, sizeof *c.order))) {
        fprintf(stderr, WHO ": out of memory\n");
        exit_code = PECOS_EXIT_FAIL;
        goto out;
    }
    if (accel_open(&c.a, run, df, o->wave_path != NULL, err, sizeof err) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    accel_opened = true;
    if (o->wave_path && c.a.sim.trace_open(c.a.sim.v, o->wave_path, o->wave_from, o->wave_to) != 0) {
        fprintf(stderr, WHO ": --wave %s: cannot open the FST file\n", o->wave_path);
        exit_code = PECOS_EXIT_USAGE;
        goto out;
    }
    const double t0 = now_seconds();
    const onnx_exec_opts_t xo = {.hook = hook, .ctx = &c};
    rc = onnx_exec_run(&m, &xo, feeds, nfeeds, outs, err, sizeof err);
    const double wall = now_seconds() - t0;
    if (o->wave_path) c.a.sim.trace_close(c.a.sim.v);
    if (rc) {
        if (!c.printed || rc == PECOS_ENOMEM) fprintf(stderr, WHO ": --onnx %s: %s\n", o->model, err);
        exit_code = rc == PECOS_ESIM || rc == PECOS_ENOMEM ? PECOS_EXIT_FAIL : PECOS_EXIT_USAGE;
        if (c.n_ran > 0 && exit_code == PECOS_EXIT_FAIL) summary(stdout, &c, o->model, run, df_name, src);
        goto out;
    }
    have_outs = true;
    const totals_t t = totals(&c);
    summary(stdout, &c, o->model, run, df_name, src);
    printf("RTL vs the golden ONNX operators: %lld outputs compared, %lld differ (by at most %d; a QLinear* "
           "requantization may differ by 1 at a near-tie)\n",
           (long long)t.outputs, (long long)t.diffs, t.max_diff);
    if (!t.pass) exit_code = PECOS_EXIT_FAIL;
    int64_t exp_n = -1, exp_bad = 0;
    for (int i = 0; i < nexp; i++) {
        const int64_t bad = count_differ(&outs[i], &exp[i]);
        char a[128], b[128];
        if (bad < 0) {
            golden_tensor_shape_str(&outs[i], a, sizeof a);
            golden_tensor_shape_str(&exp[i], b, sizeof b);
            printf("FAIL output '%s': %s %s, expected %s %s\n", m.outputs[i].name, golden_dtype_name(outs[i].dtype), a,
                   golden_dtype_name(exp[i].dtype), b);
            exit_code = PECOS_EXIT_FAIL;
            continue;
        }
        exp_n = (exp_n < 0 ? 0 : exp_n) + outs[i].count;
        exp_bad += bad;
        /* With no near-tie difference the RTL's run is the golden run: it must match. */
        const bool fail = bad > 0 && t.diffs == 0;
        printf("%soutput '%s': %lld of %lld elements differ from the expected output_%d.pb%s\n", fail ? "FAIL " : "",
               m.outputs[i].name, (long long)bad, (long long)outs[i].count, i,
               bad && !fail ? " (after near-tie differences upstream)" : "");
        if (fail) exit_code = PECOS_EXIT_FAIL;
    }
    printf("cycles %llu (array %llu + post-processing %llu); wall %.2f s; %s\n",
           (unsigned long long)(t.arr_cycles + t.ppu_cycles), (unsigned long long)t.arr_cycles,
           (unsigned long long)t.ppu_cycles, wall, exit_code == PECOS_EXIT_PASS ? "PASS" : "FAIL");
    if (o->json_path && write_json(o->json_path, &c, o->model, run, df_name, src, exp_n, exp_bad, wall) != 0) {
        fprintf(stderr, WHO ": --json %s: cannot write: %s\n", o->json_path, strerror(errno));
        if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
    }
    if (o->out_path && m.n_outputs > 0) {
        npy_array_t y = {.ndim = outs[0].ndim, .count = outs[0].count, .data = outs[0].data};
        for (int i = 0; i < outs[0].ndim; i++) y.shape[i] = outs[0].dims[i];
        if (golden_to_npy(outs[0].dtype, &y.dtype) != 0) {
            fprintf(stderr, WHO ": --out %s: the output's dtype %s has no .npy type here\n", o->out_path,
                    golden_dtype_name(outs[0].dtype));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        } else if (npy_write(o->out_path, &y) != 0) {
            fprintf(stderr, WHO ": --out %s: cannot write: %s\n", o->out_path, strerror(errno));
            if (exit_code == PECOS_EXIT_PASS) exit_code = PECOS_EXIT_USAGE;
        }
    }
    if (o->wave_path)
        printf("waveform: %s (cycles %llu..%llu)\n", o->wave_path, (unsigned long long)o->wave_from,
               (unsigned long long)o->wave_to);
out:
    if (accel_opened) accel_close(&c.a);
    for (int i = 0; i < MAX_FEEDS; i++) {
        golden_tensor_free(&feeds[i]);
        golden_tensor_free(&exp[i]);
        if (have_outs) golden_tensor_free(&outs[i]);
    }
    free(c.rec);
    free(c.order);
    onnx_model_free(&m);
    return exit_code;
}
