/* device_post.c - the post-processing unit as a device call (device.h): the host feeds the
 * verilated PPU one window cell per cycle and checks what comes out against golden_post. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "device.h"
#include "golden_post.h"
#include "pecos_err.h"
#include "pecos_time.h"

static golden_pool_t to_pool(const device_post_t *pp)
{
    return (golden_pool_t){.mode = (int)pp->pool, .r = pp->r, .s = pp->s,
                           .stride_h = pp->stride, .stride_w = pp->stride, .pad_t = pp->pad_t,
                           .pad_l = pp->pad_l, .pad_b = pp->pad_b, .pad_r = pp->pad_r};
}

int device_post_out(const device_post_t *pp, int *p, int *q)
{
    if (pp->pool == ACCEL_POOL_NONE) {
        *p = pp->h;
        *q = pp->w;
        return 0;
    }
    const golden_pool_t gp = to_pool(pp);
    return golden_pool_dims(&gp, pp->h, pp->w, p, q);
}

/* The host's side of the unit's ports for one call. */
typedef struct {
    postlib_t *pl;
    int32_t *acc, *bias; /* the beat's lanes, set by the caller before step() */
    int8_t *o;           /* one result's lanes */
    int8_t *y;           /* [C, P*Q] results */
    uint64_t *ocyc;      /* the cycle each result left */
    size_t opl, got;     /* outputs per plane; results collected, in window order */
    int lanes, c;
} feed_t;

/* One clock cycle of the unit; a result that leaves goes to window f->got (group-major,
 * then p, q: the order the windows were fed). */
static void step(feed_t *f, bool valid, bool first, bool last, int count)
{
    bool ov;
    postlib_step(f->pl, valid, first, last, count, f->acc, f->bias, &ov, f->o);
    if (!ov) return;
    const size_t g = f->got / f->opl, pix = f->got % f->opl;
    const uint64_t cyc = postlib_cycle(f->pl);
    for (int l = 0; l < f->lanes && (int)g * f->lanes + l < f->c; l++) {
        const size_t k = ((size_t)g * f->lanes + (size_t)l) * f->opl + pix;
        f->y[k] = f->o[l];
        f->ocyc[k] = cyc;
    }
    f->got++;
}

int device_post_check(const device_post_t *pp, int *P, int *Q, char *err, size_t errlen)
{
    if (device_post_out(pp, P, Q) != 0)
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "%s: invalid pooling window %dx%d stride %d pads %d/%d/%d/%d on a "
                          "%dx%d map",
                          pp->name, pp->r, pp->s, pp->stride, pp->pad_t, pp->pad_l, pp->pad_b,
                          pp->pad_r, pp->h, pp->w);
    if (pp->pool != ACCEL_POOL_NONE && (uint64_t)pp->r * (uint64_t)pp->s > 255)
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "%s: a %dx%d pooling window has more than 255 cells, the "
                          "post-processing unit's limit",
                          pp->name, pp->r, pp->s);
    if (pp->rq_en && (pp->mult >= (1u << 31) || pp->shift < 0 || pp->shift > 32))
        return pecos_fail(err, errlen, PECOS_EPARAM,
                          "%s: requantization multiplier %u shift %d out of the unit's range "
                          "(mult < 2^31, shift 0..32)",
                          pp->name, pp->mult, pp->shift);
    return 0;
}

/* Whether pp is something the unit can run (else the reason is written). */
static int check_params(device_t *a, const device_post_t *pp, int *P, int *Q)
{
    char err[512];
    const int rc = device_post_check(pp, P, Q, err, sizeof err);
    if (rc != 0) device_say(a, "%s: %s\n", a->run.who, err);
    return rc;
}

/* Feeds every window of pp, one real cell per cycle (padded cells are skipped), channels in
 * groups of lanes; counts the beats and the GLB reads into res. */
static void feed_windows(feed_t *f, const device_post_t *pp, int P, int Q, const int32_t *in,
                         const int32_t *b, bool b_per_elem, device_post_res_t *res)
{
    const int lanes = f->lanes, C = pp->c, H = pp->h, W = pp->w;
    const size_t plane = (size_t)H * W;
    const int groups = (C + lanes - 1) / lanes;
    const int R = pp->pool == ACCEL_POOL_NONE ? 1 : pp->r;
    const int S = pp->pool == ACCEL_POOL_NONE ? 1 : pp->s;
    const int st = pp->pool == ACCEL_POOL_NONE ? 1 : pp->stride;
    const int pt = pp->pool == ACCEL_POOL_NONE ? 0 : pp->pad_t;
    const int pl_ = pp->pool == ACCEL_POOL_NONE ? 0 : pp->pad_l;
    for (int g = 0; g < groups; g++) {
        const int cn = C - g * lanes < lanes ? C - g * lanes : lanes;
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) {
                /* the window's real cells, row-major; padded cells are skipped */
                int y0 = p * st - pt, x0 = q * st - pl_, cnt = 0;
                for (int i = 0; i < R; i++)
                    for (int j = 0; j < S; j++)
                        cnt += y0 + i >= 0 && y0 + i < H && x0 + j >= 0 && x0 + j < W;
                int seen = 0;
                for (int i = 0; i < R; i++)
                    for (int j = 0; j < S; j++) {
                        const int yy = y0 + i, xx = x0 + j;
                        if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                        for (int l = 0; l < lanes; l++) {
                            const size_t ch = (size_t)g * lanes + (size_t)l;
                            const size_t k = ch * plane + (size_t)yy * W + xx;
                            f->acc[l] = l < cn ? in[k] : 0;
                            f->bias[l] = l < cn && b ? (b_per_elem ? b[k] : b[ch]) : 0;
                        }
                        seen++;
                        step(f, true, seen == 1, seen == cnt, cnt);
                        res->beats++;
                        /* the real lanes' operands: int32 each, and a per-element b */
                        res->glb_rd += (uint64_t)cn * (b && b_per_elem ? 8 : 4);
                    }
            }
    }
}

int device_post_golden(const device_post_t *pp, const int32_t *in, const int32_t *b,
                       bool b_per_elem, int8_t *y)
{
    const size_t n = (size_t)pp->c * pp->h * pp->w;
    int32_t *v = NULL;
    const int32_t *gin = in, *gb = b_per_elem ? NULL : b;
    if (b && b_per_elem) {
        if (!(v = malloc(sizeof *v * (n ? n : 1)))) return PECOS_ENOMEM;
        for (size_t k = 0; k < n; k++) v[k] = (int32_t)((uint32_t)in[k] + (uint32_t)b[k]);
        gin = v;
    }
    const golden_rq_t rq = {.mult = pp->mult, .shift = pp->shift, .zp = pp->zp,
                            .rq_en = pp->rq_en, .relu = pp->relu};
    const golden_pool_t gp = to_pool(pp);
    const int rc = golden_post_map(gin, gb, pp->c, pp->h, pp->w, &rq, &gp, y);
    free(v);
    return rc;
}

/* The check: y against the golden post-processing of the same map; the first mismatch and
 * the cycles against the model go into res, with a FAIL line each. Returns 0, or
 * PECOS_ENOMEM or the golden model's code (written). */
static int check_post(device_t *a, const device_post_t *pp, int P, int Q, const int32_t *in,
                      const int32_t *b, bool b_per_elem, const int8_t *y, const uint64_t *ocyc,
                      device_post_res_t *res)
{
    const int C = pp->c;
    const size_t opl = (size_t)P * Q, out_n = (size_t)C * opl;
    const unsigned long long seed = a->run.seed;
    int8_t *ref = malloc(out_n ? out_n : 1);
    int rc = PECOS_ENOMEM;
    if (!ref || (rc = device_post_golden(pp, in, b, b_per_elem, ref)) == PECOS_ENOMEM)
        goto out_oom;
    if (rc != 0) {
        device_say(a, "%s: %s: the golden post-processing rejected the layer\n", a->run.who,
                  pp->name);
        goto out_free;
    }
    for (size_t k = 0; k < out_n; k++) {
        if (y[k] == ref[k]) continue;
        if (res->mismatches++ == 0) {
            res->bad_c = (int)(k / opl);
            res->bad_p = (int)(k % opl / (size_t)Q);
            res->bad_q = (int)(k % (size_t)Q);
            res->expected = ref[k];
            res->got = y[k];
            res->bad_cycle = ocyc[k];
        }
    }
    const int lat = res->latency;
    res->model_cycles = res->beats + (uint64_t)lat;
    res->ok = res->mismatches == 0 && res->cycles == res->model_cycles;
    if (res->cycles != res->model_cycles)
        device_say(a, "FAIL %s (post-processing): %llu cycles, the model says %llu (%llu beats "
                     "+ latency %d); seed %llu\n",
                  pp->name, (unsigned long long)res->cycles,
                  (unsigned long long)res->model_cycles, (unsigned long long)res->beats, lat,
                  seed);
    if (res->mismatches)
        device_say(a,
                  "FAIL %s (post-processing): %llu of %zu outputs differ; first at (c=%d, "
                  "p=%d, q=%d): expected %d, got %d; seed %llu; PPU cycle %llu\n",
                  pp->name, (unsigned long long)res->mismatches, out_n, res->bad_c, res->bad_p,
                  res->bad_q, res->expected, res->got, seed,
                  (unsigned long long)res->bad_cycle);
    rc = 0;
    goto out_free;
out_oom:
    device_say(a, "%s: %s: out of memory\n", a->run.who, pp->name);
out_free:
    free(ref);
    return rc;
}

int device_post_exec(postlib_t *pl, const device_post_job_t *job, device_post_res_t *res,
                     char *err, size_t errlen)
{
    const device_post_t *pp = job->pp;
    const int lanes = postlib_lanes(pl), C = pp->c;
    const size_t opl = (size_t)job->P * job->Q, out_n = (size_t)C * opl;
    const int groups = (C + lanes - 1) / lanes;
    int32_t *acc = calloc((size_t)lanes, sizeof *acc), *bias = calloc((size_t)lanes, sizeof *bias);
    int8_t *o = calloc((size_t)lanes, 1);
    int rc = PECOS_ENOMEM;
    if (!acc || !bias || !o) {
        snprintf(err, errlen, "%s: out of memory", pp->name);
        goto out_free;
    }
    const vpost_cfg_t cfg = {.mult = pp->mult, .shift = pp->shift, .zp = pp->zp,
                             .rq_en = pp->rq_en, .relu_en = pp->relu,
                             .pool_mode = (int)pp->pool};
    postlib_config(pl, &cfg);
    const uint64_t c0 = postlib_cycle(pl);
    const double t0 = pecos_now();
    feed_t f = {.pl = pl, .acc = acc, .bias = bias, .o = o, .y = job->y, .ocyc = job->ocyc,
                .opl = opl, .lanes = lanes, .c = C};
    feed_windows(&f, pp, job->P, job->Q, job->in, job->b, job->b_per_elem, res);
    /* Drain: every window's result leaves LAT steps after its last beat. */
    for (int i = 0; i <= postlib_latency(pl) + 1 && f.got < (size_t)groups * opl; i++)
        step(&f, false, false, false, 0);
    res->cycles = postlib_cycle(pl) - c0;
    res->sim_seconds = pecos_now() - t0;
    res->outputs = out_n;
    res->latency = postlib_latency(pl);
    if (job->b && !job->b_per_elem) res->glb_rd += (uint64_t)C * 4; /* the bias, once per channel */
    res->glb_wr = out_n;
    uint64_t acyc = 0;
    rc = PECOS_ESIM;
    if (postlib_assert_status(pl, &acyc))
        snprintf(err, errlen,
                 "%s (post-processing): RTL assertion failed at cycle %llu (the PECOS_ASSERT "
                 "line on stdout names it)",
                 pp->name, (unsigned long long)acyc);
    else if (f.got != (size_t)groups * opl)
        snprintf(err, errlen, "%s: the post-processing unit returned %zu of %zu results",
                 pp->name, f.got, (size_t)groups * opl);
    else
        rc = 0;
out_free:
    free(acc);
    free(bias);
    free(o);
    return rc;
}

int device_post_open(device_t *a)
{
    char err[512];
    int rc;
    if (a->post) return 0;
    if (postlib_open(&a->post, a->run.cols, NULL, a->run.log, err, sizeof err) != 0) {
        device_say(a, "%s: %s\n", a->run.who, err);
        return PECOS_ENOSIM;
    }
    if ((rc = device_replay_post(a, err, sizeof err)) != 0) {
        device_say(a, "%s: --replay-dump: %s\n", a->run.who, err);
        return rc;
    }
    return 0;
}

int device_post(device_t *a, const device_post_t *pp, const int32_t *in, const int32_t *b,
               bool b_per_elem, int8_t *y, device_post_res_t *res)
{
    int P, Q, rc;
    char err[512];
    memset(res, 0, sizeof *res);
    if ((rc = check_params(a, pp, &P, &Q)) != 0) return rc;
    const layer_backend_t *be = a->run.backend;
    if (!be && (rc = device_post_open(a)) != 0) return rc;
    const size_t out_n = (size_t)pp->c * P * Q;
    uint64_t *ocyc = calloc(out_n ? out_n : 1, sizeof *ocyc);
    if (!ocyc) {
        device_say(a, "%s: %s: out of memory\n", a->run.who, pp->name);
        return PECOS_ENOMEM;
    }
    const device_post_job_t job = {.pp = pp, .P = P, .Q = Q, .in = in, .b = b,
                                   .b_per_elem = b_per_elem, .y = y, .ocyc = ocyc};
    rc = be ? be->post(be->ctx, &job, res, err, sizeof err)
            : device_post_exec(a->post, &job, res, err, sizeof err);
    if (rc == PECOS_ESIM)
        device_say(a, "FAIL %s; seed %llu\n", err, (unsigned long long)a->run.seed);
    else if (rc != 0)
        device_say(a, "%s: %s\n", a->run.who, err);
    else
        rc = check_post(a, pp, P, Q, in, b, b_per_elem, y, ocyc, res);
    free(ocyc);
    return rc;
}
