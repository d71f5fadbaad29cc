/* onnx_rtl.c - ONNX nodes on the RTL; see onnx_rtl.h. */
#include "onnx_rtl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "golden_post.h"
#include "json_out.h"
#include "onnx_exec.h"
#include "onnx_map.h"
#include "pecos_err.h"

int onnx_rtl_init(onnx_rtl_t *r, int n_nodes)
{
    r->cap = n_nodes;
    r->rec = calloc((size_t)n_nodes + 1, sizeof *r->rec);
    r->order = calloc((size_t)n_nodes + 1, sizeof *r->order);
    r->n_ran = 0;
    r->pend.y = NULL;
    return r->rec && r->order ? 0 : PECOS_ENOMEM;
}

void onnx_rtl_reset(onnx_rtl_t *r)
{
    r->n_ran = 0;
    r->printed = false;
    free(r->pend.y);
    r->pend.y = NULL;
}

void onnx_rtl_free(onnx_rtl_t *r)
{
    free(r->rec);
    free(r->order);
    free(r->pend.y);
    r->pend.y = NULL;
    r->rec = NULL;
    r->order = NULL;
    r->cap = r->n_ran = 0;
}

static void fail(onnx_rtl_rec_t *R, const char *fmt_prefix, const char *msg)
{
    if (R->ok) {
        const size_t l = strlen(fmt_prefix) < sizeof R->fail ? strlen(fmt_prefix) : 0;
        memcpy(R->fail, fmt_prefix, l);
        snprintf(R->fail + l, sizeof R->fail - l, "%.*s", (int)(sizeof R->fail - l - 1), msg);
    }
    R->ok = false;
}

static void check_failed(onnx_rtl_rec_t *R, const char *path, const layer_result_t *res)
{
    char m[400];
    snprintf(m, sizeof m, "%s: %s: a pecos check failed: bit-exact %s, cycles %s (%llu vs model %llu), counters %s, traffic %s, bounds %s",
             path, R->name, res->bitexact ? "yes" : "NO", res->cycles_match ? "match" : "DIFFER",
             (unsigned long long)res->cycles, (unsigned long long)res->model_cycles, res->counters_ok ? "ok" : "BAD",
             res->mem.traffic_ok ? "ok" : "BAD", res->mem.bounds_ok ? "ok" : "BAD");
    fail(R, "", m);
}

/* Adds one PPU call's result into the node's. */
static void post_merge(onnx_rtl_rec_t *R, const device_post_res_t *p)
{
    R->has_post = true;
    if (R->post_calls++ == 0)
        R->post = *p;
    else
        device_post_res_add(&R->post, p);
}

/* The RTL's value v for output element o: counted against the golden value, written back
 * when r->write_back. */
static void take(const onnx_rtl_t *r, onnx_rtl_rec_t *R, golden_tensor_t *out, int64_t o, double v)
{
    const double g = golden_tensor_get(out, o);
    if (r->write_back) golden_tensor_set(out, o, v);
    R->outputs++;
    const double d = fabs(v - g);
    if (d != 0) {
        R->diffs++;
        const int di = d > 1e9 ? 1000000000 : (int)ceil(d);
        if (di > R->max_diff) R->max_diff = di;
    }
}

/* --- the int8 array and the PPU ---------------------------------------------------------- */

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
    for (int64_t k = 0; k < mp->k_node; k++) {
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

/* Requantizes batch item b's accumulators acc [K][P*Q] (no bias yet) on the PPU, one call
 * per group of channels with equal scale; the bias (and any per-row zero-point correction)
 * is the PPU's to add. uint8 outputs: zero point - 128 on the unit, + 128 after (exact).
 * Returns 0 or a negative code (printed by device_post). */
static int requant_ppu(onnx_rtl_t *r, onnx_rtl_rec_t *R, const onnx_map_t *mp, int64_t b, const int32_t *acc,
                       golden_tensor_t *out)
{
    const int K = mp->k_node;
    const size_t pq = (size_t)mp->p * mp->q;
    const bool u8 = mp->y_dtype == GOLDEN_DT_UINT8, per_elem = mp->row_zp != NULL || mp->wide;
    const int32_t *bias = onnx_map_bias(mp, b);
    int *idx = malloc(sizeof *idx * ((size_t)K + 1));
    char *done = calloc((size_t)K + 1, 1);
    int32_t *in = malloc(sizeof *in * ((size_t)K * pq + 1));
    int32_t *bb = malloc(sizeof *bb * ((per_elem ? (size_t)K * pq : (size_t)K) + 1));
    int8_t *y = malloc((size_t)K * pq + 1);
    int rc = 0;
    if (!idx || !done || !in || !bb || !y) {
        rc = PECOS_ENOMEM;
        goto out;
    }
    for (int k0 = 0; k0 < K && rc == 0; k0++) {
        if (done[k0]) continue;
        const float s = onnx_map_scale(mp, k0, 0);
        int cg = 0;
        for (int k = k0; k < K; k++) {
            if (done[k] || onnx_map_scale(mp, k, 0) != s) continue;
            done[k] = 1;
            idx[cg] = k;
            const int64_t row = onnx_map_acc_row(mp, k);
            memcpy(in + (size_t)cg * pq, acc + (size_t)row * pq, pq * sizeof *in);
            const int32_t bk = bias ? bias[row] : 0;
            if (per_elem)
                for (size_t pix = 0; pix < pq; pix++)
                    bb[(size_t)cg * pq + pix] =
                        (int32_t)((uint32_t)bk + (uint32_t)onnx_map_correction(mp, b, k, (int64_t)pix, acc));
            else
                bb[cg] = bk;
            cg++;
        }
        int32_t mult;
        int shift;
        golden_quant_multiplier((double)s, &mult, &shift); /* ppu_can_requant checked it */
        device_post_t pp = {.c = cg, .h = mp->p, .w = mp->q, .rq_en = true, .mult = (uint32_t)mult,
                           .shift = shift, .zp = (int8_t)(onnx_map_y_zp(mp) - (u8 ? 128 : 0)),
                           .relu = mp->relu, .pool = ACCEL_POOL_NONE};
        snprintf(pp.name, sizeof pp.name, "%.50s.rq", mp->cv.name);
        device_post_res_t pr;
        memset(&pr, 0, sizeof pr);
        if ((rc = device_post(r->i8, &pp, in, bb, per_elem, y, &pr)) != 0) break;
        post_merge(R, &pr);
        for (int j = 0; j < cg; j++)
            for (size_t pix = 0; pix < pq; pix++)
                take(r, R, out, onnx_map_y_index(mp, b, idx[j], (int64_t)pix),
                     (double)y[(size_t)j * pq + pix] + (u8 ? 128 : 0));
    }
out:
    free(idx);
    free(done);
    free(in);
    free(bb);
    free(y);
    return rc;
}

/* --fuse-ppu: whether node mp can run with the PPU on the array's writeback path (the unit
 * holds one requantization for the layer, and the array's bias is all the correction);
 * if not, why. */
static bool can_fuse(const onnx_map_t *mp, char *why, size_t whylen)
{
    const char *no = NULL;
    if (mp->row_zp || mp->wide) no = "a per-pixel zero-point correction";
    else if (mp->w_per_batch && mp->n_batch > 1) no = "weights per batch item";
    for (int64_t k = 1; !no && k < mp->k_node; k++)
        if (onnx_map_scale(mp, k, 0) != onnx_map_scale(mp, 0, 0)) no = "per-channel requantization scales (the fused unit holds one)";
    if (no) snprintf(why, whylen, "not fused: %s", no);
    return no == NULL;
}

/* The unit's configuration for a fused node mp (can_fuse; its scale in the unit's range,
 * ppu_can_requant). */
static device_post_t fused_pp(const onnx_map_t *mp)
{
    int32_t mult;
    int shift;
    golden_quant_multiplier((double)onnx_map_scale(mp, 0, 0), &mult, &shift);
    const bool u8 = mp->y_dtype == GOLDEN_DT_UINT8;
    device_post_t pp = {.c = mp->k_node, .h = mp->p, .w = mp->q, .rq_en = true,
                        .mult = (uint32_t)mult, .shift = shift,
                        .zp = (int8_t)(onnx_map_y_zp(mp) - (u8 ? 128 : 0)), .relu = mp->relu,
                        .pool = ACCEL_POOL_NONE};
    snprintf(pp.name, sizeof pp.name, "%.50s.fused", mp->cv.name);
    return pp;
}

/* --fuse-ppu: the MaxPool node that alone reads node n's output y (not a graph output), when
 * the unit can pool its windows on n's writeback path (one image; 2-D windows as large as
 * their stride, unpadded, no ceil_mode, dilation or Indices; device_fuse_pool_ok()); then pp
 * gets the window. Returns its index, or -1 (why says why when there is such a MaxPool). */
static int pool_consumer(const onnx_rtl_t *r, const onnx_node_t *n, const golden_tensor_t *y,
                         const onnx_map_t *mp, device_post_t *pp, char *why, size_t whylen)
{
    const onnx_model_t *m = r->graph;
    if (!m || n->n_outputs < 1) return -1;
    const char *name = n->outputs[0];
    int j0 = -1, uses = 0;
    for (int j = 0; j < m->n_nodes; j++)
        for (int k = 0; k < m->nodes[j].n_inputs; k++)
            if (strcmp(m->nodes[j].inputs[k], name) == 0) {
                uses++;
                j0 = j;
            }
    for (int i = 0; i < m->n_outputs; i++)
        if (strcmp(m->outputs[i].name, name) == 0) uses++;
    if (uses != 1 || j0 < 0 || strcmp(m->nodes[j0].op_type, "MaxPool") != 0) return -1;
    const onnx_node_t *p = &m->nodes[j0];
    golden_window_t win;
    char e[160];
    const char *no = NULL;
    if (y->ndim != 4 || onnx_exec_window(p, y->ndim, &win, e, sizeof e) != 0) no = "not a 2-D pool";
    if (!no) {
        onnx_map_resolve_pads(&win, y);
        if (p->n_outputs > 1 && p->outputs[1][0]) no = "its Indices output";
        else if (mp->n_batch != 1) no = "a batch pools image by image";
        else if (win.ceil_mode || win.dilations[0] != 1 || win.dilations[1] != 1) no = "ceil_mode or dilation";
        else if (win.kernel[0] != win.strides[0] || win.kernel[1] != win.strides[1] ||
                 win.kernel[0] != win.kernel[1])
            no = "windows other than square and as large as their stride";
        else if (win.pads[0] || win.pads[1] || win.pads[2] || win.pads[3]) no = "padded windows";
    }
    device_post_t q = *pp;
    q.pool = ACCEL_POOL_MAX;
    q.r = q.s = q.stride = no ? 1 : (int)win.kernel[0];
    char w2[160];
    if (!no && !device_fuse_pool_ok(r->i8, &mp->cv, &q, w2, sizeof w2)) no = w2;
    if (no) {
        snprintf(why, whylen, "MaxPool %.40s not fused: %.90s", p->name, no);
        return -1;
    }
    *pp = q;
    return j0;
}

/* QLinear*: the array's accumulators acc (with mp's bias if acc_has_bias, else plus it) (the node's bias and the
 * zero-point correction) and any per-row correction must equal the golden integer
 * accumulator of the original operands, ConvInteger/MatMulInteger on x, zx, w, zw, plus the
 * node's bias: an exact check of the zero-point folding that the requantized output (within
 * 1 at near-ties) cannot give. Returns 0, or 1 with the first difference in m, or a code. */
static int check_acc(const onnx_node_t *n, const golden_tensor_t *const *in, int n_in, const onnx_map_t *mp,
                     const int32_t *acc, bool acc_has_bias, char *m, size_t mlen)
{
    golden_tensor_t ref = {0};
    char e[200];
    int rc;
    if (mp->matmul) {
        rc = golden_onnx_matmul_integer(in[0], in[3], in[2], in[5], &ref, e, sizeof e);
    } else {
        golden_window_t win;
        rc = onnx_exec_window(n, in[0]->ndim, &win, e, sizeof e);
        if (!rc) rc = golden_onnx_conv_integer(&win, in[0], in[3], in[2], in[5], &ref, e, sizeof e);
    }
    if (rc) {
        snprintf(m, mlen, "the golden integer accumulator: %s", e);
        return 1;
    }
    const golden_tensor_t *b = !mp->matmul && n_in > 8 ? in[8] : NULL;
    const int64_t pq = (int64_t)mp->p * mp->q;
    int bad = 0;
    for (int64_t bi = 0; bi < mp->n_batch && !bad; bi++) {
        const int32_t *bias = onnx_map_bias(mp, bi), *ab = acc + (size_t)bi * mp->y_len;
        for (int64_t k = 0; k < mp->k_node && !bad; k++)
            for (int64_t pix = 0; pix < pq && !bad; pix++) {
                const int64_t o = onnx_map_y_index(mp, bi, k, pix), row = onnx_map_acc_row(mp, k);
                const uint32_t got = (uint32_t)ab[row * pq + pix] + (uint32_t)(bias && !acc_has_bias ? bias[row] : 0) +
                                     (uint32_t)onnx_map_correction(mp, bi, k, pix, ab);
                const uint32_t want = (uint32_t)golden_tensor_get_i64(&ref, o) +
                                      (uint32_t)(b ? golden_tensor_get_i64(b, b->count == 1 ? 0 : k) : 0);
                if (got != want) {
                    snprintf(m, mlen, "accumulator %lld (channel %lld, pixel %lld) after zero-point folding is %d, the golden integer accumulator %d",
                             (long long)o, (long long)k, (long long)pix, (int)(int32_t)got, (int)(int32_t)want);
                    bad = 1;
                }
            }
    }
    golden_tensor_free(&ref);
    return bad;
}

/* A conv/matmul node on the int8 array (then, QLinear*, the PPU or the host). Returns 0
 * (R says what ran and whether it passed) or a code that stops the run (err). */
static int i8_node(onnx_rtl_t *r, onnx_rtl_rec_t *R, const onnx_node_t *n, int index,
                   const golden_tensor_t *const *in, int n_in, golden_tensor_t *out, char *why, size_t whylen,
                   char *err, size_t errlen)
{
    onnx_map_t mp;
    int rc = onnx_map_i8(n, index, in, n_in, out, &mp, why, whylen);
    if (rc == 1) return 0;
    if (rc) return snprintf(err, errlen, "%s: out of memory", R->name), rc;
    snprintf(mp.cv.name, sizeof mp.cv.name, "%s", R->name);
    int32_t *acc = malloc(sizeof *acc * ((size_t)mp.n_batch * mp.y_len + 1));
    int8_t *y8 = NULL;
    layer_result_t res;
    memset(&res, 0, sizeof res);
    char rq_why[200] = "", fz_why[120] = "";
    const bool ppu = mp.qlinear && ppu_can_requant(&mp, rq_why, sizeof rq_why);
    const bool fuse = ppu && r->fuse && can_fuse(&mp, fz_why, sizeof fz_why);
    if (!acc || (fuse && !(y8 = malloc((size_t)mp.n_batch * mp.y_len + 1)))) {
        rc = PECOS_ENOMEM;
        snprintf(err, errlen, "%s: out of memory", R->name);
        goto out;
    }
    int pool_node = -1;
    char pl_why[200] = "";
    if (fuse) { /* the array adds the bias, the PPU requantizes each output as it leaves */
        device_post_t fpp = fused_pp(&mp);
        pool_node = pool_consumer(r, n, out, &mp, &fpp, pl_why, sizeof pl_why);
        rc = onnx_map_run_i8_fused(r->i8, &mp, &fpp, acc, y8, &res);
    } else { /* QLinear* on the PPU: the bias (and the zero-point correction) is the PPU's to add */
        rc = onnx_map_run_i8(r->i8, &mp, !ppu, acc, &res);
    }
    if (rc == PECOS_ENOTSUP) {
        device_conv_maps(&mp.cv, why, whylen);
        rc = 0;
        goto out;
    }
    if (rc) {
        r->printed = true; /* device_conv_i8 and layer_run print their errors */
        snprintf(err, errlen, "RTL: %s: %s", R->name, pecos_strerror(rc));
        goto out;
    }
    R->on_array = true;
    R->arr = res;
    R->where = ppu ? "array+ppu" : "array";
    R->fused = fuse;
    if (!layer_result_ok(&res)) check_failed(R, "RTL", &res);
    if (mp.qlinear) {
        char m[300];
        if (check_acc(n, in, n_in, &mp, acc, !ppu || fuse, m, sizeof m)) {
            char f[400];
            snprintf(f, sizeof f, "%s: %s", R->name, m);
            fail(R, "RTL: ", f);
        }
    }
    if (mp.qlinear && !ppu) {
        R->host_rq = true;
        snprintf(R->why, sizeof R->why, "%s", rq_why);
    }
    if (r->fuse && mp.qlinear && !fuse) {
        size_t l = strlen(R->why);
        snprintf(R->why + l, sizeof R->why - l, "%s%s", l ? "; " : "", ppu ? fz_why : "not fused");
    }
    if (pl_why[0]) {
        size_t l = strlen(R->why);
        snprintf(R->why + l, sizeof R->why - l, "%s%s", l ? "; " : "", pl_why);
    }
    if (mp.zp_folded || mp.row_zp || mp.wide) {
        size_t l = strlen(R->why);
        snprintf(R->why + l, sizeof R->why - l, "%sx zero point %d folded into the bias%s%s%s", l ? "; " : "",
                 (int)mp.x_zp, mp.row_zp ? "; per-row a zero points" : "",
                 mp.wide ? "; w - w_zero_point leaves int8: w - offset fed, sum(x) per window from an all-ones channel" : "",
                 !mp.row_zp && !mp.wide ? "" : ppu ? "; per-pixel correction on the PPU" : "; per-pixel correction added on the host");
    }
    const int64_t pq = (int64_t)mp.p * mp.q;
    const int32_t yz = mp.qlinear ? onnx_map_y_zp(&mp) : 0;
    if (fuse && pool_node >= 0) { /* the MaxPool node after it takes the pooled map */
        const device_post_res_t pr = device_fused_post_res(&res.fused);
        post_merge(R, &pr);
        free(r->pend.y);
        r->pend.node = pool_node;
        r->pend.y = y8;
        r->pend.n = (size_t)pr.outputs;
        r->pend.u8 = mp.y_dtype == GOLDEN_DT_UINT8 ? 128 : 0;
        y8 = NULL;
        size_t l = strlen(R->why);
        snprintf(R->why + l, sizeof R->why - l, "%sMaxPool %.40s fused: its output checked there", l ? "; " : "",
                 r->graph->nodes[pool_node].name);
    } else if (fuse) {
        const device_post_res_t pr = device_fused_post_res(&res.fused);
        post_merge(R, &pr);
        const int u8 = mp.y_dtype == GOLDEN_DT_UINT8 ? 128 : 0;
        for (int64_t b = 0; b < mp.n_batch; b++)
            for (int64_t k = 0; k < mp.k_node; k++)
                for (int64_t pix = 0; pix < pq; pix++)
                    take(r, R, out, onnx_map_y_index(&mp, b, k, pix),
                         (double)y8[(size_t)b * mp.y_len + (size_t)(onnx_map_acc_row(&mp, k) * pq + pix)] + u8);
    }
    for (int64_t b = 0; b < mp.n_batch && rc == 0 && !fuse; b++) {
        const int32_t *ab = acc + (size_t)b * mp.y_len;
        if (ppu) {
            if ((rc = requant_ppu(r, R, &mp, b, ab, out)) != 0) {
                r->printed = rc != PECOS_ENOMEM;
                snprintf(err, errlen, "node '%s': the post-processing unit: %s", R->name, pecos_strerror(rc));
            }
            continue;
        }
        for (int64_t k = 0; k < mp.k_node; k++)
            for (int64_t pix = 0; pix < pq; pix++) {
                const int32_t v = (int32_t)((uint32_t)ab[onnx_map_acc_row(&mp, k) * pq + pix] +
                                            (uint32_t)onnx_map_correction(&mp, b, k, pix, ab));
                double y = v;
                if (mp.qlinear) {
                    int32_t q = golden_onnx_requantize(v, onnx_map_scale(&mp, k, pix), yz, out->dtype);
                    if (mp.relu && q < yz) q = yz;
                    y = q;
                }
                take(r, R, out, onnx_map_y_index(&mp, b, k, pix), y);
            }
    }
    if (rc) goto out;
    if (R->has_post && !R->post.ok) {
        char m[200];
        snprintf(m, sizeof m, "the post-processing unit differs from golden_post in %llu outputs or in cycles (%llu vs model %llu)",
                 (unsigned long long)R->post.mismatches, (unsigned long long)R->post.cycles,
                 (unsigned long long)R->post.model_cycles);
        fail(R, "RTL: ", m);
    }
    /* against ONNX: exact, or within 1 after the PPU (a near-tie of the float formula) */
    if (R->max_diff > (ppu ? 1 : 0)) {
        char m[300];
        snprintf(m, sizeof m, "%s: %lld of %lld outputs differ from the golden operator %s, by up to %d", R->name,
                 (long long)R->diffs, (long long)R->outputs, n->op_type, R->max_diff);
        fail(R, "RTL: ", m);
    }
out:
    free(acc);
    free(y8);
    onnx_map_free(&mp);
    return rc;
}

/* --- the fp array ------------------------------------------------------------------------ */

/* s[k][pix] = sum |x| |w| over the window of output (k, pix) of one batch item, in double
 * (each product exact, the sum within n 2^-53 of exact); *xmax, *wmax: the largest |x|, |w|. */
static void abs_conv(const layer_t *cv, int p, int q, const float *x, const float *w, double *s,
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
                        const int ih = oh * cv->stride_h - cv->pad_t + ry * cv->dil_h;
                        if (ih < 0 || ih >= cv->h) continue;
                        for (int sx = 0; sx < cv->s; sx++) {
                            const int iw = ow * cv->stride_w - cv->pad_l + sx * cv->dil_w;
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

/* A float node on the bf16/fp16 array: bit-exact vs the golden fp conv in the array's order
 * (lrun's checks), and within the derived bound of the golden node output gold and, if the
 * node makes a graph output, of the expected output. */
static int fp_node(onnx_rtl_t *r, onnx_rtl_rec_t *R, const onnx_node_t *n, int index, const golden_tensor_t *const *in,
                   int n_in, golden_tensor_t *gold, char *why, size_t whylen, char *err, size_t errlen)
{
    onnx_map_t mp;
    int rc = onnx_map_fp(n, index, in, n_in, gold, &mp, why, whylen);
    if (rc == 1) return 0;
    if (rc) return snprintf(err, errlen, "%s: out of memory", R->name), rc;
    snprintf(mp.cv.name, sizeof mp.cv.name, "%s", R->name);
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
        snprintf(err, errlen, "%s: out of memory", R->name);
        goto out;
    }
    rc = onnx_map_run_fp(r->fp, r->fmt, &mp, y, &res);
    if (rc == PECOS_ENOTSUP) {
        device_conv_maps(&mp.cv, why, whylen);
        rc = 0;
        goto out;
    }
    if (rc) {
        r->printed = true;
        snprintf(err, errlen, "fp RTL: %s: %s", R->name, pecos_strerror(rc));
        goto out;
    }
    R->on_fp = true;
    R->fpr = res;
    if (!layer_result_ok(&res)) check_failed(R, "fp RTL", &res);
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
    R->fp_ratio = ratio;
    if (bad) {
        char m[400];
        snprintf(m, sizeof m, "fp RTL %s: %s: %lld of %lld outputs outside the error bound, first at flat index %lld: RTL %.9g, reference %.9g, bound %.3g",
                 r->fmt == FP_BF16 ? "bf16" : "fp16", R->name, (long long)bad, (long long)gold->count, (long long)first,
                 fy, fref, fb);
        fail(R, "", m);
    } else if (r->write_back && !R->on_array) {
        for (int64_t b = 0; b < mp.n_batch; b++)
            for (int64_t k = 0; k < mp.cv.k; k++)
                for (int64_t pix = 0; pix < pq; pix++)
                    golden_tensor_set(gold, onnx_map_y_index(&mp, b, k, pix), y[(size_t)b * mp.y_len + (size_t)(k * pq + pix)]);
    }
out:
    free(y);
    free(s);
    onnx_map_free(&mp);
    return rc;
}

/* --- MaxPool on the PPU ------------------------------------------------------------------ */

static int maxpool_node(onnx_rtl_t *r, onnx_rtl_rec_t *R, const onnx_node_t *n, const golden_tensor_t *x,
                        golden_tensor_t *const *outs, int n_out, char *err, size_t errlen)
{
    golden_tensor_t *y = outs[0];
    const bool u8 = x->dtype == GOLDEN_DT_UINT8;
    if ((x->dtype != GOLDEN_DT_INT8 && !u8) || (x->ndim != 3 && x->ndim != 4)) {
        snprintf(R->why, sizeof R->why, "MaxPool runs on the PPU for int8/uint8 1-D/2-D maps only");
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
    device_post_t pp = {.c = (int)x->dims[1], .h = two ? (int)x->dims[2] : 1, .w = (int)x->dims[two ? 3 : 2],
                       .pool = ACCEL_POOL_MAX, .r = two ? (int)win.kernel[0] : 1, .s = (int)win.kernel[two ? 1 : 0],
                       .stride = (int)win.strides[0], .pad_t = two ? (int)win.pads[0] : 0,
                       .pad_l = (int)win.pads[two ? 1 : 0], .pad_b = two ? (int)win.pads[2] : 0,
                       .pad_r = (int)win.pads[two ? 3 : 1]};
    snprintf(pp.name, sizeof pp.name, "%s", R->name);
    int p, q;
    if (win.ceil_mode || win.dilations[0] != 1 || (two && win.dilations[1] != 1) ||
        (two && win.strides[0] != win.strides[1]) || (int64_t)pp.r * pp.s > 255 || pp.pad_t >= pp.r ||
        pp.pad_b >= pp.r || pp.pad_l >= pp.s || pp.pad_r >= pp.s || device_post_out(&pp, &p, &q) != 0 ||
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
        snprintf(err, errlen, "%s: out of memory", R->name);
        goto out;
    }
    R->where = "ppu";
    for (int64_t b = 0; b < x->dims[0]; b++) {
        /* uint8 enters as x - 128 (max commutes with the shift) */
        for (size_t i = 0; i < in_n; i++)
            in[i] = (int32_t)golden_tensor_get_i64(x, b * (int64_t)in_n + (int64_t)i) - (u8 ? 128 : 0);
        device_post_res_t pr;
        memset(&pr, 0, sizeof pr);
        if ((rc = device_post(r->i8, &pp, in, NULL, false, yb, &pr)) != 0) {
            r->printed = rc != PECOS_ENOMEM;
            snprintf(err, errlen, "node '%s': the post-processing unit: %s", R->name, pecos_strerror(rc));
            goto out;
        }
        post_merge(R, &pr);
        for (size_t i = 0; i < out_n; i++)
            take(r, R, y, (int64_t)(b * (int64_t)out_n + (int64_t)i), (double)yb[i] + (u8 ? 128 : 0));
    }
    if (!R->post.ok) fail(R, "RTL: ", "MaxPool: the post-processing unit differs from golden_post");
    if (R->diffs) fail(R, "RTL: ", "MaxPool: the post-processing unit differs from the golden operator");
out:
    free(in);
    free(yb);
    return rc;
}

/* --- the hook ---------------------------------------------------------------------------- */

int onnx_rtl_hook(void *ctx, const onnx_node_t *n, int index, const golden_tensor_t *const *in, int n_in,
                  golden_tensor_t *const *out, int n_out, char *err, size_t errlen)
{
    onnx_rtl_t *r = ctx;
    if (index < 0 || index >= r->cap || r->n_ran >= r->cap)
        return snprintf(err, errlen, "node %d: more nodes than the model has", index), PECOS_EPARAM;
    onnx_rtl_rec_t *R = &r->rec[index];
    memset(R, 0, sizeof *R);
    R->n = n;
    R->index = index;
    R->where = "golden";
    R->ok = true;
    if (n->name[0]) snprintf(R->name, sizeof R->name, "%.63s", n->name);
    else snprintf(R->name, sizeof R->name, "node%d_%.40s", index, n->op_type);
    r->order[r->n_ran++] = index;
    if (n_out < 1 || !out[0] || n_in < 1 || !in[0]) return 0;
    int rc = 0;
    if (onnx_map_op_i8(n->op_type)) {
        R->candidate = true;
        R->macs = onnx_map_node_macs(n, in, n_in, out[0]);
        char why8[200] = "no int8 array", whyf[200] = "";
        if (r->i8) rc = i8_node(r, R, n, index, in, n_in, out[0], why8, sizeof why8, err, errlen);
        /* then the fp array (with write_back its values flow only if the int8 array did not run) */
        if (!rc && r->fp && onnx_map_op_fp(n->op_type)) {
            R->fp_tried = true;
            rc = fp_node(r, R, n, index, in, n_in, out[0], whyf, sizeof whyf, err, errlen);
            if (!R->on_fp) snprintf(R->fp_why, sizeof R->fp_why, "%s", whyf);
        }
        if (R->on_array && R->on_fp) R->where = "array+fp-array";
        else if (R->on_fp) R->where = "fp-array";
        if (!R->on_array && !R->on_fp) {
            if (whyf[0]) snprintf(R->why, sizeof R->why, "int8 array: %.85s; fp array: %.85s", why8, whyf);
            else snprintf(R->why, sizeof R->why, "%s", why8);
        }
        return rc;
    }
    if (r->pend.y && r->pend.node == index) { /* pooled on the conv's writeback path */
        R->where = "fused-into-previous";
        R->pooled = true;
        const golden_tensor_t *y = out[0];
        if ((size_t)y->count != r->pend.n) {
            fail(R, "RTL: ", "the fused MaxPool's output has another size than the conv's pooled map");
        } else {
            for (size_t i = 0; i < r->pend.n; i++)
                take(r, R, out[0], (int64_t)i, (double)r->pend.y[i] + r->pend.u8);
            if (R->diffs) fail(R, "RTL: ", "MaxPool on the conv's writeback path differs from the golden operator");
        }
        free(r->pend.y);
        r->pend.y = NULL;
        return 0;
    }
    if (r->i8 && strcmp(n->op_type, "MaxPool") == 0) return maxpool_node(r, R, n, in[0], out, n_out, err, errlen);
    return 0;
}

/* --- totals and reports ------------------------------------------------------------------ */

onnx_rtl_totals_t onnx_rtl_totals(const onnx_rtl_t *r)
{
    onnx_rtl_totals_t t = {.pass = true};
    for (int i = 0; i < r->n_ran; i++) {
        const onnx_rtl_rec_t *R = &r->rec[r->order[i]];
        t.nodes++;
        t.ppu_nodes += R->has_post;
        t.host_rq += R->host_rq;
        t.fused_nodes += R->fused;
        if (R->candidate) {
            t.candidates++;
            t.macs += R->macs;
            if (R->on_array || R->on_fp) {
                t.rtl_nodes++;
                t.macs_rtl += R->macs;
            } else {
                t.golden_nodes++;
                t.macs_golden += R->macs;
                if (!t.first_golden) t.first_golden = R;
            }
        }
        if (R->on_array) {
            t.dram_bytes += R->arr.mem.dram_rd + R->arr.mem.dram_wr;
            t.arr_cycles += R->arr.cycles;
            t.arr_model_cycles += R->arr.model_cycles;
            for (int e = 0; e < ENERGY_N; e++) t.energy_pj += R->arr.mem.energy_pj[e];
        }
        if (R->on_fp) {
            t.dram_bytes += R->fpr.mem.dram_rd + R->fpr.mem.dram_wr;
            t.fp_cycles += R->fpr.cycles;
            for (int e = 0; e < ENERGY_N; e++) t.energy_pj += R->fpr.mem.energy_pj[e];
        }
        t.ppu_cycles += R->post.cycles;
        t.outputs += R->outputs;
        t.diffs += R->diffs;
        if (R->max_diff > t.max_diff) t.max_diff = R->max_diff;
        t.fp_ratio = fmax(t.fp_ratio, R->fp_ratio);
        if (!R->ok) {
            t.pass = false;
            if (!t.first_fail) t.first_fail = R;
        }
    }
    return t;
}

double onnx_rtl_share(const onnx_rtl_totals_t *t)
{
    return t->macs ? (double)t->macs_rtl / (double)t->macs : (t->golden_nodes ? 0 : 1);
}

int onnx_rtl_print_golden(FILE *f, const onnx_rtl_t *r, const char *prefix)
{
    int k = 0;
    for (int i = 0; i < r->n_ran; i++) {
        const onnx_rtl_rec_t *R = &r->rec[r->order[i]];
        if (!R->candidate || R->on_array || R->on_fp) continue;
        fprintf(f, "%s: node '%s' (%s) ran on the golden models only: %s\n", prefix, R->name, R->n->op_type, R->why);
        k++;
    }
    return k;
}

static const char *jb(bool on, bool v) { return on ? (v ? "true" : "false") : "null"; }

void onnx_rtl_json_nodes(FILE *f, const onnx_rtl_t *r)
{
    fputc('[', f);
    for (int i = 0; i < r->n_ran; i++) {
        const onnx_rtl_rec_t *R = &r->rec[r->order[i]];
        const layer_result_t *a = R->on_array ? &R->arr : &R->fpr;
        const bool on = R->on_array || R->on_fp;
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_str(f, R->name);
        fputs(", \"op\": ", f);
        json_str(f, R->n->op_type);
        fprintf(f, ", \"where\": \"%s\", \"conv_or_matmul\": %s, \"rtl\": %s, \"why\": ", R->where,
                R->candidate ? "true" : "false", on || R->has_post || R->pooled ? "true" : "false");
        json_str(f, R->why);
        fprintf(f, ", \"macs\": %llu, \"array_macs\": %llu, \"array_cycles\": %llu, \"model_cycles\": %llu, "
                   "\"fp_cycles\": %llu, \"ppu_cycles\": %llu, \"requant\": \"%s\", "
                   "\"bitexact\": %s, \"cycles_match\": %s, \"counters_ok\": %s, \"traffic_ok\": %s, "
                   "\"fused\": %s, \"dram_bytes\": %llu, \"ppu_calls\": %d, \"ppu_bitexact\": %s, \"outputs\": %lld, \"diffs\": %lld, \"max_diff\": %d, "
                   "\"fp_err_over_bound\": %.6g, \"pass\": %s, \"fail\": ",
                (unsigned long long)R->macs, (unsigned long long)(R->on_array ? R->arr.macs : 0),
                (unsigned long long)(R->on_array ? R->arr.cycles : 0),
                (unsigned long long)(R->on_array ? R->arr.model_cycles : 0),
                (unsigned long long)(R->on_fp ? R->fpr.cycles : 0), (unsigned long long)R->post.cycles,
                R->host_rq ? "host" : R->on_array && R->has_post ? "ppu" : "none", jb(on, a->bitexact),
                jb(on, a->cycles_match), jb(on, a->counters_ok), jb(on, a->mem.traffic_ok),
                R->fused ? "true" : "false", (unsigned long long)(on ? a->mem.dram_rd + a->mem.dram_wr : 0),
                R->post_calls,
                jb(R->has_post, R->post.ok), (long long)R->outputs, (long long)R->diffs, R->max_diff, R->fp_ratio,
                R->ok ? "true" : "false");
        json_str(f, R->fail);
        fputc('}', f);
    }
    fputs("\n  ]", f);
}

void onnx_rtl_json_totals(FILE *f, const onnx_rtl_totals_t *t)
{
    fprintf(f, "{\"nodes\": %d, \"conv_matmul_nodes\": %d, \"rtl_nodes\": %d, \"golden_only_nodes\": %d, "
               "\"ppu_nodes\": %d, \"host_requant_nodes\": %d, \"macs\": %llu, \"rtl_macs\": %llu, "
               "\"golden_only_macs\": %llu, \"rtl_mac_share\": %.6f, \"array_cycles\": %llu, \"fp_cycles\": %llu, "
               "\"ppu_cycles\": %llu, \"cycles\": %llu, \"energy_pj\": %.1f, \"outputs\": %lld, \"diffs\": %lld, "
               "\"max_diff\": %d, \"fused_nodes\": %d, \"dram_bytes\": %llu, \"pass\": %s}",
            t->nodes, t->candidates, t->rtl_nodes, t->golden_nodes, t->ppu_nodes, t->host_rq,
            (unsigned long long)t->macs, (unsigned long long)t->macs_rtl, (unsigned long long)t->macs_golden,
            onnx_rtl_share(t), (unsigned long long)t->arr_cycles, (unsigned long long)t->fp_cycles,
            (unsigned long long)t->ppu_cycles, (unsigned long long)(t->arr_cycles + t->fp_cycles + t->ppu_cycles),
            t->energy_pj, (long long)t->outputs, (long long)t->diffs, t->max_diff, t->fused_nodes,
            (unsigned long long)t->dram_bytes, t->pass ? "true" : "false");
}

int onnx_rtl_npy_dtype(npy_dtype_t d, golden_dtype_t *g)
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
