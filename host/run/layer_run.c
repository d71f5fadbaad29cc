#define _POSIX_C_SOURCE 200809L
#include "layer_run.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dma.h"
#include "fpconv.h"
#include "golden_conv.h"
#include "golden_gemm.h"
#include "golden_fp.h"
#include "mem_model.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "tiler.h"
#include "cycle_model.h"
#include "array_run.h"

/* Compares out with ref (bitwise) and records the first mismatch in res. */
static void compare(const layer_t *L, const int32_t *out,
                    const int32_t *ref, const uint64_t *out_cycle, layer_result_t *res)
{
    const size_t n = (size_t)L->p * L->q, out_n = (size_t)L->k * n;
    for (size_t i = 0; i < out_n; i++) {
        if (out[i] == ref[i]) continue;
        if (res->mismatches++ == 0) {
            res->bad_k = (int)(i / n);
            res->bad_p = (int)(i % n) / L->q;
            res->bad_q = (int)(i % n) % L->q;
            res->expected = ref[i];
            res->got = out[i];
            res->bad_cycle = out_cycle[i];
        }
    }
    res->bitexact = res->mismatches == 0;
}

/* Error of the fp32 result bits out against the float64 reference: the largest absolute
 * error, and the largest error relative to max(|ref|, 1e-3 * max|ref|) (the floor keeps
 * outputs that cancel to almost zero from dominating). */
static void fp_error(const int32_t *out, const double *ref64, size_t n, layer_result_t *res)
{
    double peak = 0;
    for (size_t i = 0; i < n; i++) peak = fmax(peak, fabs(ref64[i]));
    const double floor_ = peak > 0 ? 1e-3 * peak : 1e-30;
    for (size_t i = 0; i < n; i++) {
        const double y = (double)fp_bits_f32((uint32_t)out[i]), e = fabs(y - ref64[i]);
        res->max_abs_err = fmax(res->max_abs_err, e);
        res->max_rel_err = fmax(res->max_rel_err, e / fmax(fabs(ref64[i]), floor_));
    }
}

/* The memory-system results of a layer: traffic, accesses, stalls, energy, and the checks
 * of the cycles against the models. */
static void fill_mem(const layer_run_cfg_t *o, pecos_df_t df, const tiling_t *t,
                     const mem_model_t *mm, const ws_stats_t *st, size_t esz, bool fp,
                     layer_result_t *res)
{
    layer_mem_t *m = &res->mem;
    const energy_table_t *e = o->etab;
    tiling_str(t, m->tiling, sizeof m->tiling);
    m->tiles = mm->tr.tiles;
    m->visits = mm->tr.visits;
    for (int i = 0; i < TENSOR_N; i++) {
        m->dram_rd_t[i] = st->dram_rd[i];
        m->dram_wr_t[i] = st->dram_wr[i];
        m->dram_rd += st->dram_rd[i];
        m->dram_wr += st->dram_wr[i];
    }
    m->dram_bus = st->dram_bus;
    m->descs = st->descs;
    m->model_dram = mm->tr.dram_rd + mm->tr.dram_wr;
    m->compulsory = mm->tr.compulsory;
    m->glb_unified = o->mem.glb_total;
    const uint64_t cfg_part[GLB_N] = {o->mem.glb_ifmap, o->mem.glb_weight, o->mem.glb_psum};
    for (int i = 0; i < GLB_N; i++) {
        m->glb_rd[i] = st->glb_rd[i];
        m->glb_wr[i] = st->glb_wr[i];
        /* The SRAM the partition is: its configured size, else the two banks in use. */
        m->glb_size[i] = cfg_part[i] ? cfg_part[i] : 2 * st->glb_bank[i];
    }
    /* PE registers, from the RTL's counters.
     * WS/IS (held operand): per held-operand beat one PE per row stores it and every PE of
     * the row latches the lane; per MAC slot the PE reads its held operand, latches the
     * operand it passes right and its 32-bit partial sum.
     * OS: per MAC slot the PE latches the input it passes right and the weight it passes
     * down, and reads and writes its accumulator; per block every PE latches the 32-bit
     * initial accumulator (first beat), writes its result register and loads the drain
     * chain, and the chain shifts each result down to the bottom row (Rows(Rows-1)/2
     * shifts per column). */
    const uint64_t rows = (uint64_t)o->rows, cols = (uint64_t)o->cols;
    if (df == DF_OS) {
        const uint64_t pes = rows * cols, nblk = st->os_blocks;
        const uint64_t drain = nblk * (3 * pes + cols * rows * (rows - 1) / 2);
        m->rf_rd = st->rtl.macs + nblk * pes;   /* accumulator reads; result -> chain */
        m->rf_wr = 3 * st->rtl.macs + drain;    /* input, weight, accumulator; init, drain */
        m->rf_bytes = st->rtl.macs * (2 * esz + 8) + 4 * drain + 4 * nblk * pes;
    } else {
        m->rf_rd = st->rtl.macs;
        m->rf_wr = st->rtl.wbeats * rows + st->rtl.wbeats * rows * cols + 2 * st->rtl.macs;
        m->rf_bytes = (st->rtl.wbeats * rows * (1 + cols) + 2 * st->rtl.macs) * esz +
                      st->rtl.macs * 4;
    }
    memcpy(m->stall, st->stall, sizeof m->stall);
    m->energy_pj[ENERGY_DRAM] = (double)(m->dram_rd + m->dram_wr) / 4.0 * e->dram;
    m->energy_pj[ENERGY_GLB] = 0;
    for (int i = 0; i < GLB_N; i++)
        m->energy_pj[ENERGY_GLB] += (double)(m->glb_rd[i] + m->glb_wr[i]) / 4.0 *
                               energy_sram_pj(e, o->mem.glb_total ? o->mem.glb_total
                                                                  : m->glb_size[i]);
    m->energy_pj[ENERGY_RF] = (double)m->rf_bytes / 4.0 * e->rf;
    m->energy_pj[ENERGY_MAC] = (double)st->rtl.macs * energy_mac_pj(e, fp);
    m->intensity = mm->intensity;
    m->roofline_cycles = mm->roofline_cycles;
    m->predicted_cycles = mm->predicted_cycles;
    m->exact = o->mem.dram.bw == 0 && o->mem.dram.latency == 0 && o->mem.psum_ports == 2;
    m->traffic_ok = m->dram_rd == mm->tr.dram_rd && m->dram_wr == mm->tr.dram_wr &&
                    m->dram_rd + m->dram_wr >= m->compulsory;
    const double pred = (double)mm->predicted_cycles;
    m->bounds_ok = st->cycles >= mm->roofline_cycles;
    if (m->exact) {
        res->cycles_match = st->cycles == mm->compute_cycles &&
                            mm->predicted_cycles == mm->compute_cycles;
    } else {
        res->cycles_match = m->bounds_ok && (double)st->cycles <= 1.1 * pred &&
                            (double)st->cycles >= 0.9 * pred;
    }
}

/* Prints one line to the caller's log (nothing without one). */
static void say(const layer_run_cfg_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const layer_run_cfg_t *o, const char *fmt, ...)
{
    if (!o->log) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->log, fmt, ap);
    va_end(ap);
}

/* One layer's run: the tiling, the RTL's outputs and when each came out, the references. */
typedef struct {
    const layer_run_cfg_t *o;
    pecos_df_t df;
    const layer_t *L;
    bool fp;
    fp_fmt_t fmt;
    size_t esz, out_n;
    tiling_t tiling;
    ws_stats_t st;
    mem_model_t mm;
    int32_t *ref;          /* the golden conv (int32, or fp32 bits in the array's order) */
    double *ref64;         /* fp: the float64 reference */
    uint64_t *out_cycle;   /* global cycle each output last came out */
} layer_run_t;

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
        say(o, "%s: %s\n", o->who, err);
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
                    .fault_cycle = o->fault_cycle,
                    .tiling = &r->tiling,
                    .mem = &o->mem,
                    .trace_dma = o->trace};
    const double ts = pecos_now();
    rc = array_run_conv(sim, &job, &r->st, err, sizeof err);
    res->sim_seconds = pecos_now() - ts;
    if (rc == PECOS_EPARAM) {
        say(o, "%s: %s\n", o->who, err);
        return rc;
    }
    if (rc != 0)
        say(o, "FAIL %s: %s (seed %llu)\n", L->name, err, (unsigned long long)o->seed);
    return rc;
}

/* Check 1: the outputs against the golden conv (bit-exact; for fp in the array's order, and
 * the error against float64). Returns 0, or PECOS_ENOMEM or the golden model's code
 * (printed). */
static int check_outputs(layer_run_t *r, const void *ifmap, const void *weights,
                         const int32_t *bias_v, const int32_t *out, layer_result_t *res)
{
    const layer_t *L = r->L;
    int rc;
    if (r->fp) {
        /* The bias travels as fp32 bit patterns; the golden models take floats. */
        float *bias_f = NULL;
        if (bias_v && !(bias_f = malloc(sizeof(float) * (size_t)L->k))) {
            say(r->o, "%s: %s: out of memory\n", r->o->who, L->name);
            return PECOS_ENOMEM;
        }
        if (bias_v) memcpy(bias_f, bias_v, sizeof(float) * (size_t)L->k);
        /* WS/IS: folds of Rows lanes per c tile; OS: one lane at a time, no padding */
        rc = golden_conv_fp_ws_ct(L, r->fmt, r->df == DF_OS ? 1 : r->o->rows, r->tiling.ct,
                                  ifmap, weights, bias_f, (uint32_t *)r->ref);
        if (rc == 0) rc = golden_conv_f64(L, r->fmt, ifmap, weights, bias_f, r->ref64);
        free(bias_f);
    } else {
        rc = golden_gemm_conv_i8(L, ifmap, weights, bias_v, r->ref); /* == golden_conv_i8 */
    }
    if (rc != 0) {
        say(r->o, "%s: %s: the golden model rejected the layer\n", r->o->who, L->name);
        return rc;
    }
    compare(L, out, r->ref, r->out_cycle, res);
    if (r->fp) fp_error(out, r->ref64, r->out_n, res);
    return 0;
}

/* Checks 2 and 3: cycles and traffic against the analytical models, and the RTL's own
 * counters against what the host drove. Returns 0 or the model's code (printed). */
static int check_models(layer_run_t *r, layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    const layer_t *L = r->L;
    const ws_stats_t *st = &r->st;
    const array_cfg_t arr = {.rows = o->rows, .cols = o->cols, .df = r->df};
    int rc = mem_model_layer(L, &arr, (int)r->esz, &r->tiling, &o->mem.dram, o->mem.psum_ports,
                             &r->mm);
    if (rc != 0) {
        say(o, "%s: %s: the cycle model rejected the layer\n", o->who, L->name);
        return rc;
    }
    res->macs = layer_macs(L);
    res->cycles = st->cycles;
    res->start_cycle = st->start_cycle;
    res->model_cycles = r->mm.compute_cycles;
    res->ideal_cycles = r->mm.ideal_cycles;
    res->utilization = (double)res->macs / ((double)st->cycles * o->rows * o->cols);
    res->rtl_busy = st->rtl.busy;
    res->rtl_mac_slots = st->rtl.macs;
    fill_mem(o, r->df, &r->tiling, &r->mm, st, r->esz, r->fp, res);
    res->counters_ok = st->rtl.beats == st->beats && st->rtl.wbeats == st->wbeats &&
                       st->rtl.macs == st->beats * (uint64_t)o->rows * (uint64_t)o->cols &&
                       st->rtl.busy <= st->cycles && st->beats == r->mm.tr.beats;
    return 0;
}

/* The first mismatch's FAIL line (layer, index, expected, got, seed, cycle), then the re-run
 * hook with a waveform window around it. */
static void report_mismatch(const layer_run_t *r, const layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    char e[64], g[64];
    if (r->fp) {
        snprintf(e, sizeof e, "0x%08x (%.9g)", (uint32_t)res->expected,
                 fp_bits_f32((uint32_t)res->expected));
        snprintf(g, sizeof g, "0x%08x (%.9g)", (uint32_t)res->got,
                 fp_bits_f32((uint32_t)res->got));
    } else {
        snprintf(e, sizeof e, "%d", res->expected);
        snprintf(g, sizeof g, "%d", res->got);
    }
    say(o,
        "FAIL %s: %llu of %zu outputs differ; first at (k=%d, p=%d, q=%d): expected %s, "
        "got %s; seed %llu; cycle %llu\n",
        r->L->name, (unsigned long long)res->mismatches, r->out_n, res->bad_k, res->bad_p,
        res->bad_q, e, g, (unsigned long long)o->seed, (unsigned long long)res->bad_cycle);
    uint64_t span = 4ull * (uint64_t)(o->rows + o->cols) + 64;
    if (o->rerun)
        o->rerun(o->rerun_ctx, res->bad_cycle > span ? res->bad_cycle - span : 0,
                 res->bad_cycle + 16);
}

/* One FAIL line per failed check (and the re-run hook where a waveform helps). */
static void report_failures(const layer_run_t *r, const layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    const char *name = r->L->name;
    const ws_stats_t *st = &r->st;
    const mem_model_t *mm = &r->mm;
    const unsigned long long seed = o->seed;
    if (!res->bitexact) report_mismatch(r, res);
    if (!res->cycles_match && res->mem.exact) {
        say(o, "FAIL %s: %llu cycles, the model predicts %llu; seed %llu\n", name,
            (unsigned long long)st->cycles, (unsigned long long)mm->compute_cycles, seed);
        if (o->rerun) o->rerun(o->rerun_ctx, st->start_cycle, st->start_cycle + st->cycles);
    } else if (!res->cycles_match) {
        say(o,
            "FAIL %s: %llu cycles, outside [roofline %llu, predicted %llu + 10%%]; seed "
            "%llu\n",
            name, (unsigned long long)st->cycles, (unsigned long long)mm->roofline_cycles,
            (unsigned long long)mm->predicted_cycles, seed);
    }
    if (!res->mem.traffic_ok)
        say(o,
            "FAIL %s: DRAM traffic %llu bytes, the tiling's model says %llu (compulsory "
            "%llu); seed %llu\n",
            name, (unsigned long long)(res->mem.dram_rd + res->mem.dram_wr),
            (unsigned long long)res->mem.model_dram, (unsigned long long)res->mem.compulsory,
            seed);
    if (!res->counters_ok)
        say(o,
            "FAIL %s: RTL counters disagree: beats %llu (host %llu), weight beats %llu "
            "(host %llu), MAC slots %llu (expected %llu), busy %llu of %llu cycles\n",
            name, (unsigned long long)st->rtl.beats, (unsigned long long)st->beats,
            (unsigned long long)st->rtl.wbeats, (unsigned long long)st->wbeats,
            (unsigned long long)st->rtl.macs,
            (unsigned long long)(st->beats * (uint64_t)o->rows * (uint64_t)o->cols),
            (unsigned long long)st->rtl.busy, (unsigned long long)st->cycles);
}

int layer_run_layer(const layer_run_cfg_t *o, simlib_t *sim, pecos_df_t df, const layer_t *L,
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
    if (r.fp) r.ref64 = calloc(r.out_n, sizeof *r.ref64);
    if (!r.ref || !r.out_cycle || (r.fp && !r.ref64)) goto out_oom;

    if ((rc = run_rtl(&r, sim, ifmap, weights, bias_v, out, res)) != 0) goto out_free;
    if ((rc = check_outputs(&r, ifmap, weights, bias_v, out, res)) != 0) goto out_free;
    if ((rc = check_models(&r, res)) != 0) goto out_free;
    report_failures(&r, res);
    res->wall_seconds = pecos_now() - t0;
    rc = 0;
    goto out_free;

out_oom:
    say(o, "%s: %s: out of memory\n", o->who, L->name);
out_free:
    free(r.ref);
    free(r.ref64);
    free(r.out_cycle);
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
}
