#include "device.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpconv.h"
#include "golden_gemm.h"
#include "pecos_err.h"
#include "replay.h"
#include "tiler.h"
#include "tiling.h"

void device_say(const device_t *a, const char *fmt, ...)
{
    if (!a->run.log) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(a->run.log, fmt, ap);
    va_end(ap);
}

int device_open(device_t *a, const layer_run_cfg_t *run, pecos_df_t df, int trace_enable,
               char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->run = *run;
    a->df = df;
    if (run->backend) return 0; /* the backend holds the models */
    return simlib_open(&a->sim, df, run->dtype, run->rows, run->cols, trace_enable, run->log,
                       err, errlen);
}

int device_open_wave(device_t *a, const layer_run_cfg_t *run, pecos_df_t df, const char *wave,
                     uint64_t from, uint64_t to, char *err, size_t errlen)
{
    if (wave && run->backend)
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "--wave %s: waveforms come from --backend c (the same cycles)", wave);
    int rc = device_open(a, run, df, wave != NULL, err, errlen);
    if (rc != 0 || !wave) return rc;
    if (simlib_trace_open(a->sim, wave, from, to) != 0) {
        device_close(a);
        return pecos_fail(err, errlen, PECOS_EIO, "--wave %s: cannot open the FST file", wave);
    }
    return 0;
}

int device_replay(device_t *a, const char *dir, char *err, size_t errlen)
{
    if (a->run.backend)
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "--replay-dump %s: replay dumps come from --backend c (the same cycles)",
                          dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.replay", dir, pecos_df_name(a->df));
    int rc = replay_attach(a->sim, path, err, errlen);
    if (rc == 0) a->replay_dir = dir;
    return rc;
}

int device_replay_post(device_t *a, char *err, size_t errlen)
{
    if (!a->replay_dir) return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/post.replay", a->replay_dir);
    return replay_attach_post(a->post, path, err, errlen);
}

int device_replay_end(device_t *a, char *err, size_t errlen)
{
    if (!a->replay_dir) return 0;
    char e2[512] = "";
    int rc = a->sim ? replay_detach(a->sim, err, errlen) : 0;
    const int rc2 = replay_detach_post(a->post, e2, sizeof e2);
    if (rc == 0 && rc2 != 0) {
        snprintf(err, errlen, "%s", e2);
        rc = rc2;
    }
    a->replay_dir = NULL;
    return rc;
}

void device_close(device_t *a)
{
    simlib_close(a->sim);
    a->sim = NULL;
    postlib_close(a->post);
    a->post = NULL;
}

int device_conv_out(const layer_t *cv, int *p, int *q)
{
    if (layer_check(cv, NULL, 0) != 0) return PECOS_EPARAM;
    return layer_out_hw(cv, p, q);
}

bool device_conv_maps(const layer_t *cv, char *why, size_t whylen)
{
    /* Strides, dilations and pads are address patterns of the mapper and the DMA, the pad
     * value is what the lanes carry in a padded cell, groups are run one by one: every
     * valid convolution maps. */
    if (device_conv_out(cv, &(int){0}, &(int){0}) != 0) {
        snprintf(why, whylen, "invalid convolution parameters");
        return false;
    }
    if (why && whylen) why[0] = '\0';
    return true;
}

/* Runs cv on the array group by group (the common part of the int8 and fp calls): x and w
 * are esz-byte operands, bias and y 32-bit words (int32, or fp32 bits). Strides, dilations,
 * the four pads and the pad value go to the array's mapper as they are (no host padding).
 * Fills res with all groups merged. */
static int run_groups(device_t *a, const layer_t *cv, size_t esz, const void *x,
                      const void *w, const int32_t *bias, int32_t *y, const layer_fuse_t *fuse,
                      layer_result_t *res)
{
    int p, q, rc = 0;
    if (device_conv_out(cv, &p, &q) != 0) {
        device_say(a, "%s: %s: invalid convolution parameters\n", a->run.who, cv->name);
        return PECOS_EPARAM;
    }
    const int G = cv->groups, cg = cv->c / G, kg = cv->k / G;
    layer_t L = *cv; /* one group */
    L.type = LAYER_CONV;
    L.c = cg;
    L.k = kg;
    L.groups = 1;
    L.p = p;
    L.q = q;
    const size_t hw = (size_t)cv->h * cv->w;
    layer_result_t part;
    for (int g = 0; g < G; g++) {
        if (G > 1)
            snprintf(L.name, sizeof L.name, "%.48s.g%d", cv->name, g);
        else
            snprintf(L.name, sizeof L.name, "%s", cv->name);
        layer_fuse_t fg; /* fused: the group's slice of the int8 output */
        if (fuse) {
            fg = *fuse;
            fg.out8 = fuse->out8 + (size_t)g * kg * p * q;
            a->run.fuse = &fg;
        }
        rc = layer_run(&a->run, a->sim, a->df, &L, (const uint8_t *)x + (size_t)g * cg * hw * esz,
                        (const uint8_t *)w + (size_t)g * kg * cg * cv->r * cv->s * esz,
                        bias ? bias + (size_t)g * kg : NULL, y + (size_t)g * kg * p * q,
                        g == 0 ? res : &part);
        a->run.fuse = NULL;
        if (rc != 0) return rc;
        /* The checker's self-test fault is one flipped output per run, not per group. */
        const layer_result_t *gr = g == 0 ? res : &part;
        if (gr->mismatches || gr->fused.mismatches) a->run.fault_cycle = UINT64_MAX;
        if (g > 0) layer_run_merge(res, &part, a->run.rows, a->run.cols);
    }
    /* The layer as a whole: C and K of all groups */
    res->layer.c = cv->c;
    res->layer.k = cv->k;
    snprintf(res->layer.name, sizeof res->layer.name, "%s", cv->name);
    return 0;
}

/* device_conv_i8(), with the post-processing unit on the writeback path when fuse is set. */
static int conv_i8(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                   const int32_t *bias, int32_t *y, const layer_fuse_t *fuse,
                   layer_result_t *res)
{
    int p, q;
    if (a->run.dtype != PECOS_INT8) return PECOS_ENOTSUP;
    int rc = run_groups(a, cv, 1, x, w, bias, y, fuse, res);
    if (rc != 0) return rc;
    device_conv_out(cv, &p, &q);
    if (cv->groups == 1) return 0; /* layer_run checked exactly this layer */
    /* Groups: check the assembled output once more against the golden conv of the layer as
     * given (grouped). */
    const size_t n = (size_t)cv->k * p * q, pq = (size_t)p * q;
    int32_t *ref = malloc(n * sizeof *ref);
    if (!ref) {
        device_say(a, "%s: %s: out of memory\n", a->run.who, cv->name);
        return PECOS_ENOMEM;
    }
    if ((rc = golden_gemm_conv_i8(cv, x, w, bias, ref)) != 0) {
        device_say(a, "%s: %s: the golden model rejected the layer\n", a->run.who, cv->name);
        free(ref);
        return rc;
    }
    uint64_t bad = 0;
    size_t first = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] != ref[i] && bad++ == 0) first = i;
    if (bad) {
        device_say(a,
                  "FAIL %s: the assembled output (%d groups) differs from the golden conv in "
                  "%llu of %zu outputs; first at (k=%zu, p=%zu, q=%zu): expected %d, got %d; "
                  "seed %llu\n",
                  cv->name, cv->groups, (unsigned long long)bad, n, first / pq, first % pq / q,
                  first % q, ref[first], y[first], (unsigned long long)a->run.seed);
        if (res->bitexact) {
            res->bitexact = false;
            res->mismatches = bad;
            res->bad_k = (int)(first / pq);
            res->bad_p = (int)(first % pq / q);
            res->bad_q = (int)(first % q);
            res->expected = ref[first];
            res->got = y[first];
        }
    }
    free(ref);
    return 0;
}

int device_conv_i8(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                  const int32_t *bias, int32_t *y, layer_result_t *res)
{
    return conv_i8(a, cv, x, w, bias, y, NULL, res);
}

bool device_fuse_pool_ok(const device_t *a, const layer_t *cv, const device_post_t *pp, char *why,
                         size_t whylen)
{
    int p, q;
    const char *no = NULL;
    if (pp->pool != ACCEL_POOL_MAX && pp->pool != ACCEL_POOL_AVG) no = "the fused unit pools max or avg windows";
    else if (a->df != DF_WS) no = "the fused pooling runs on the WS dataflow";
    else if (cv->groups != 1) no = "the fused pooling takes ungrouped layers";
    else if (pp->r != pp->stride || pp->s != pp->stride) no = "the fused pooling needs windows as large as their stride";
    else if (pp->pad_t || pp->pad_l || pp->pad_b || pp->pad_r) no = "the fused pooling takes unpadded windows";
    else if (device_conv_out(cv, &p, &q) != 0 || p < pp->r || q < pp->s) no = "the map is smaller than the window";
    if (!no) { /* the tiling layer_run() will take, aligned to the windows' rows */
        layer_t L = *cv;
        L.p = p;
        L.q = q;
        tiling_t t;
        char err[256];
        const layer_run_cfg_t *o = &a->run;
        const int rc = o->tile_forced ? tiler_force(&L, o->rows, o->cols, a->df, 1, &o->mem, &o->tile, &t, err, sizeof err)
                                      : tiler_choose(&L, o->rows, o->cols, a->df, 1, &o->mem, &t, err, sizeof err);
        if (rc != 0 || tiler_align_rows(&L, o->rows, o->cols, a->df, 1, &o->mem, pp->r, &t, err,
                                        sizeof err) != 0)
            no = "no tiling of whole pooling windows fits the GLB";
    }
    if (no) snprintf(why, whylen, "%s", no);
    return no == NULL;
}

int device_conv_i8_fused(device_t *a, const layer_t *cv, const int8_t *x, const int8_t *w,
                        const int32_t *bias, const device_post_t *pp, int32_t *y, int8_t *y8,
                        layer_result_t *res)
{
    int P, Q, rc;
    char err[512];
    if (a->run.dtype != PECOS_INT8) return PECOS_ENOTSUP;
    if (a->run.backend) {
        device_say(a, "%s: %s: the fused post-processing runs on --backend c\n", a->run.who,
                   cv->name);
        return PECOS_EPARAM;
    }
    golden_pool_t pool = {.mode = GOLDEN_POOL_NONE};
    if (pp->pool != ACCEL_POOL_NONE) {
        char why[160];
        if (!device_fuse_pool_ok(a, cv, pp, why, sizeof why)) {
            device_say(a, "%s: %s: %s\n", a->run.who, cv->name, why);
            return PECOS_EPARAM;
        }
        pool = (golden_pool_t){.mode = pp->pool == ACCEL_POOL_MAX ? GOLDEN_POOL_MAX : GOLDEN_POOL_AVG,
                               .r = pp->r, .s = pp->s, .stride_h = pp->stride, .stride_w = pp->stride};
    }
    if ((rc = device_post_check(pp, &P, &Q, err, sizeof err)) != 0) {
        device_say(a, "%s: %s\n", a->run.who, err);
        return rc;
    }
    if ((rc = device_post_open(a)) != 0) return rc;
    const vpost_cfg_t cfg = {.mult = pp->mult, .shift = pp->shift, .zp = pp->zp,
                             .rq_en = pp->rq_en, .relu_en = pp->relu, .pool_mode = (int)pp->pool};
    postlib_config(a->post, &cfg);
    const layer_fuse_t fuse = {.ppu = a->post,
                               .rq = {.mult = pp->mult, .shift = pp->shift, .zp = pp->zp,
                                      .rq_en = pp->rq_en, .relu = pp->relu},
                               .pool = pool, .out8 = y8};
    return conv_i8(a, cv, x, w, bias, y, &fuse, res);
}

void device_post_res_add(device_post_res_t *d, const device_post_res_t *r)
{
    if (!d->mismatches && r->mismatches) {
        d->bad_c = r->bad_c;
        d->bad_p = r->bad_p;
        d->bad_q = r->bad_q;
        d->expected = r->expected;
        d->got = r->got;
        d->bad_cycle = r->bad_cycle;
    }
    d->cycles += r->cycles;
    d->model_cycles += r->model_cycles;
    d->beats += r->beats;
    d->outputs += r->outputs;
    d->glb_rd += r->glb_rd;
    d->glb_wr += r->glb_wr;
    d->mismatches += r->mismatches;
    d->sim_seconds += r->sim_seconds;
    d->ok = d->ok && r->ok;
}

device_post_res_t device_fused_post_res(const layer_fused_res_t *f)
{
    return (device_post_res_t){.beats = f->beats, .outputs = f->outputs,
                               .mismatches = f->mismatches, .bad_c = f->bad_k,
                               .bad_p = f->bad_p, .bad_q = f->bad_q, .expected = f->expected,
                               .got = f->got, .bad_cycle = f->bad_cycle, .ok = f->ok,
                               .latency = f->latency};
}

int device_conv_fp(device_t *a, const layer_t *cv, const uint16_t *x, const uint16_t *w,
                  const float *bias, float *y, layer_result_t *res)
{
    int p, q, rc = PECOS_ENOMEM;
    if (!pecos_dtype_is_fp(a->run.dtype)) return PECOS_ENOTSUP;
    if (cv->pad_value != 0) {
        device_say(a, "%s: %s: pad value %d on a %s array (fp padded cells are +0)\n",
                  a->run.who, cv->name, cv->pad_value, pecos_dtype_name(a->run.dtype));
        return PECOS_EPARAM;
    }
    /* An invalid layer: run_groups() says so before it touches y. */
    if (device_conv_out(cv, &p, &q) != 0)
        return run_groups(a, cv, 2, x, w, NULL, NULL, NULL, res);
    /* layer_run takes the bias and returns the outputs as fp32 bit patterns */
    const size_t n_out = (size_t)cv->k * p * q;
    int32_t *bb = NULL, *yb = malloc(n_out * sizeof *yb + 1);
    if (!yb || (bias && !(bb = malloc((size_t)cv->k * sizeof *bb)))) {
        device_say(a, "%s: %s: out of memory\n", a->run.who, cv->name);
        goto out;
    }
    for (int k = 0; bias && k < cv->k; k++) bb[k] = (int32_t)fp_f32_bits(bias[k]);
    if ((rc = run_groups(a, cv, 2, x, w, bb, yb, NULL, res)) == 0)
        for (size_t i = 0; i < n_out; i++) y[i] = fp_bits_f32((uint32_t)yb[i]);
out:
    free(bb);
    free(yb);
    return rc;
}
