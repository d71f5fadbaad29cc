#define _POSIX_C_SOURCE 200809L
#include "layer_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dma.h"
#include "fpconv.h"
#include "mem_model.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "tiler.h"
#include "cycle_model.h"
#include "array_run.h"
#include "backend.h"
#include "layer_check.h"

/* Phase 1: the tiling for this GLB, and the RTL run behind the memory system. Returns 0,
 * PECOS_EPARAM, PECOS_ESIM or PECOS_ENOMEM (printed). */
static int run_rtl(layer_run_t *r, simlib_t *sim, const void *ifmap, const void *weights,
                   const int32_t *bias_v, int32_t *out, layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    const layer_t *L = r->L;
    char err[512];
    int rc = o->tile_forced ? tiler_force(L, o->rows, o->cols, r->df, (int)r->esz, &o->mem,
                                          &o->tile, &r->tiling, err, sizeof err)
                            : tiler_choose(L, o->rows, o->cols, r->df, (int)r->esz, &o->mem,
                                           &r->tiling, err, sizeof err);
    if (rc != 0) {
        layer_say(o, "%s: %s\n", o->who, err);
        return rc;
    }
    if (o->fuse && o->fuse->pool.mode != GOLDEN_POOL_NONE &&
        (rc = tiler_align_rows(L, o->rows, o->cols, r->df, (int)r->esz, &o->mem, o->fuse->pool.r,
                               &r->tiling, err, sizeof err)) != 0) {
        layer_say(o, "%s: %s\n", o->who, err);
        return rc;
    }
    ws_job_t job = {.layer = L,
                    .df = r->df,
                    .esz = r->esz,
                    .ifmap = ifmap,
                    .weights = weights,
                    .bias = bias_v,
                    .out = out,
                    .out_cycle = r->out_cycle,
                    .out_lane = r->out_lane,
                    .fault_cycle = o->fault_cycle,
                    .tiling = &r->tiling,
                    .mem = &o->mem,
                    .trace_dma = o->trace,
                    .ppu = o->fuse ? o->fuse->ppu : NULL,
                    .out8 = o->fuse ? o->fuse->out8 : NULL,
                    .pool_r = o->fuse && o->fuse->pool.mode != GOLDEN_POOL_NONE ? o->fuse->pool.r : 0,
                    .pool_s = o->fuse && o->fuse->pool.mode != GOLDEN_POOL_NONE ? o->fuse->pool.s : 0};
    const double ts = pecos_now();
    rc = o->backend ? o->backend->conv(o->backend->ctx, &job, &r->st, err, sizeof err)
                    : array_run_conv(sim, &job, &r->st, err, sizeof err);
    res->sim_seconds = pecos_now() - ts;
    if (rc == PECOS_EPARAM) {
        layer_say(o, "%s: %s\n", o->who, err);
        return rc;
    }
    if (rc != 0)
        layer_say(o, "FAIL %s: %s (seed %llu)\n", L->name, err, (unsigned long long)o->seed);
    return rc;
}

int layer_run(const layer_run_cfg_t *o, simlib_t *sim, pecos_df_t df, const layer_t *L,
              const void *ifmap, const void *weights, const int32_t *bias_v, int32_t *out,
              layer_result_t *res)
{
    const double t0 = pecos_now();
    layer_run_t r = {.o = o, .df = df, .L = L, .fp = pecos_dtype_is_fp(o->dtype),
                     .fmt = o->dtype == PECOS_BF16 ? FP_BF16 : FP_FP16,
                     .out_n = (size_t)L->k * L->p * L->q};
    r.esz = r.fp ? 2 : 1;
    int rc = PECOS_ENOMEM;

    memset(res, 0, sizeof *res);
    res->layer = *L;
    res->fp = r.fp;
    r.ref = calloc(r.out_n, sizeof *r.ref);
    r.out_cycle = calloc(r.out_n, sizeof *r.out_cycle);
    r.out_lane = calloc(r.out_n, sizeof *r.out_lane);
    if (r.fp) r.ref64 = calloc(r.out_n, sizeof *r.ref64);
    if (!r.ref || !r.out_cycle || !r.out_lane || (r.fp && !r.ref64)) goto out_oom;

    if ((rc = run_rtl(&r, sim, ifmap, weights, bias_v, out, res)) != 0) goto out_free;
    if ((rc = layer_check_outputs(&r, ifmap, weights, bias_v, out, res)) != 0) goto out_free;
    if ((rc = layer_check_models(&r, res)) != 0) goto out_free;
    if (o->fuse && (rc = layer_check_fused(&r, res)) != 0) goto out_free;
    layer_check_report(&r, res);
    res->wall_seconds = pecos_now() - t0;
    rc = 0;
    goto out_free;

out_oom:
    layer_say(o, "%s: %s: out of memory\n", o->who, L->name);
out_free:
    free(r.ref);
    free(r.ref64);
    free(r.out_cycle);
    free(r.out_lane);
    return rc;
}

void layer_run_merge(layer_result_t *d, const layer_result_t *s, int rows, int cols)
{
    if (!d->mismatches && s->mismatches) {
        d->bad_k = s->bad_k;
        d->bad_p = s->bad_p;
        d->bad_q = s->bad_q;
        d->expected = s->expected;
        d->got = s->got;
        d->bad_cycle = s->bad_cycle;
        d->bad_lane = s->bad_lane;
    }
    d->mismatches += s->mismatches;
    d->bitexact = d->bitexact && s->bitexact;
    d->cycles_match = d->cycles_match && s->cycles_match;
    d->counters_ok = d->counters_ok && s->counters_ok;
    d->max_abs_err = fmax(d->max_abs_err, s->max_abs_err);
    d->max_rel_err = fmax(d->max_rel_err, s->max_rel_err);
    d->macs += s->macs;
    d->cycles += s->cycles;
    d->model_cycles += s->model_cycles;
    d->ideal_cycles += s->ideal_cycles;
    d->rtl_busy += s->rtl_busy;
    d->rtl_mac_slots += s->rtl_mac_slots;
    d->rtl_gated += s->rtl_gated;
    d->sim_seconds += s->sim_seconds;
    d->wall_seconds += s->wall_seconds;
    d->utilization = d->cycles ? (double)d->macs / ((double)d->cycles * rows * cols) : 0;
    layer_mem_t *m = &d->mem;
    const layer_mem_t *n = &s->mem;
    m->tiles += n->tiles;
    m->visits += n->visits;
    m->dram_rd += n->dram_rd;
    m->dram_wr += n->dram_wr;
    for (int i = 0; i < TENSOR_N; i++) {
        m->dram_rd_t[i] += n->dram_rd_t[i];
        m->dram_wr_t[i] += n->dram_wr_t[i];
    }
    m->dram_bus += n->dram_bus;
    m->descs += n->descs;
    m->model_dram += n->model_dram;
    m->compulsory += n->compulsory;
    for (int i = 0; i < GLB_N; i++) {
        m->glb_rd[i] += n->glb_rd[i];
        m->glb_wr[i] += n->glb_wr[i];
        if (n->glb_size[i] > m->glb_size[i]) m->glb_size[i] = n->glb_size[i];
    }
    m->rf_rd += n->rf_rd;
    m->rf_wr += n->rf_wr;
    m->rf_bytes += n->rf_bytes;
    for (int i = 0; i < STALL_N; i++) m->stall[i] += n->stall[i];
    for (int i = 0; i < ENERGY_N; i++) m->energy_pj[i] += n->energy_pj[i];
    m->roofline_cycles += n->roofline_cycles;
    m->predicted_cycles += n->predicted_cycles;
    const double dram = (double)(m->dram_rd + m->dram_wr);
    m->intensity = dram > 0 ? 2.0 * (double)d->macs / dram : 0;
    m->traffic_ok = m->traffic_ok && n->traffic_ok;
    m->bounds_ok = m->bounds_ok && n->bounds_ok;
    layer_fused_res_t *f = &d->fused;
    const layer_fused_res_t *g = &s->fused;
    if (!f->mismatches && g->mismatches) {
        f->bad_k = g->bad_k;
        f->bad_p = g->bad_p;
        f->bad_q = g->bad_q;
        f->expected = g->expected;
        f->got = g->got;
        f->bad_cycle = g->bad_cycle;
    }
    f->beats += g->beats;
    f->outputs += g->outputs;
    f->late += g->late;
    f->mismatches += g->mismatches;
    f->ok = f->ok && g->ok;
}
