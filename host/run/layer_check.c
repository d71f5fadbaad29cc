#include "layer_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "golden_conv.h"
#include "golden_fp.h"
#include "golden_gemm.h"
#include "golden_post.h"
#include "pecos_err.h"
#include "postlib.h"

void layer_say(const layer_run_cfg_t *o, const char *fmt, ...)
{
    if (!o->log) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->log, fmt, ap);
    va_end(ap);
}

/* Compares out with ref (bitwise) and records the first mismatch in res. */
static void compare(const layer_t *L, const int32_t *out, const int32_t *ref,
                    const uint64_t *out_cycle, const uint16_t *out_lane, layer_result_t *res)
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
            res->bad_lane = out_lane[i];
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
    /* a gated MAC (an operand of zero, int8) is priced as idle */
    m->energy_pj[ENERGY_MAC] = (double)(st->rtl.macs - st->rtl.gated) * energy_mac_pj(e, fp);
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

/* Check 1: the outputs against the golden conv (bit-exact; for fp in the array's order, and
 * the error against float64). Returns 0, or PECOS_ENOMEM or the golden model's code
 * (printed). */
int layer_check_outputs(layer_run_t *r, const void *ifmap, const void *weights,
                          const int32_t *bias_v, const int32_t *out, layer_result_t *res)
{
    const layer_t *L = r->L;
    int rc;
    if (r->fp) {
        /* The bias travels as fp32 bit patterns; the golden models take floats. */
        float *bias_f = NULL;
        if (bias_v && !(bias_f = malloc(sizeof(float) * (size_t)L->k))) {
            layer_say(r->o, "%s: %s: out of memory\n", r->o->who, L->name);
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
        layer_say(r->o, "%s: %s: the golden model rejected the layer\n", r->o->who, L->name);
        return rc;
    }
    compare(L, out, r->ref, r->out_cycle, r->out_lane, res);
    if (r->fp) fp_error(out, r->ref64, r->out_n, res);
    return 0;
}

/* Checks 2 and 3: cycles and traffic against the analytical models, and the RTL's own
 * counters against what the host drove. Returns 0 or the model's code (printed). */
int layer_check_models(layer_run_t *r, layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    const layer_t *L = r->L;
    const ws_stats_t *st = &r->st;
    const array_cfg_t arr = {.rows = o->rows, .cols = o->cols, .df = r->df,
                             .fused = o->fuse != NULL,
                             .ppu_lat = o->fuse ? postlib_latency(o->fuse->ppu) : 0,
                             .pool_r = o->fuse && o->fuse->pool.mode != GOLDEN_POOL_NONE ? o->fuse->pool.r : 0,
                             .pool_s = o->fuse && o->fuse->pool.mode != GOLDEN_POOL_NONE ? o->fuse->pool.s : 0};
    int rc = mem_model_layer(L, &arr, (int)r->esz, &r->tiling, &o->mem.dram, o->mem.psum_ports,
                             &r->mm);
    if (rc != 0) {
        layer_say(o, "%s: %s: the cycle model rejected the layer\n", o->who, L->name);
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
    res->rtl_gated = st->rtl.gated;
    fill_mem(o, r->df, &r->tiling, &r->mm, st, r->esz, r->fp, res);
    res->counters_ok = st->rtl.beats == st->beats && st->rtl.wbeats == st->wbeats &&
                       st->rtl.macs == st->beats * (uint64_t)o->rows * (uint64_t)o->cols &&
                       st->rtl.busy <= st->cycles && st->rtl.busy == st->busy_pred &&
                       st->rtl.gated == st->gated_pred && st->rtl.gated <= st->rtl.macs &&
                       st->beats == r->mm.tr.beats;
    return 0;
}

int layer_check_fused(layer_run_t *r, layer_result_t *res)
{
    const layer_t *L = r->L;
    const layer_fuse_t *fu = r->o->fuse;
    layer_fused_res_t *f = &res->fused;
    int P = L->p, Q = L->q;
    if (fu->pool.mode != GOLDEN_POOL_NONE && golden_pool_dims(&fu->pool, L->p, L->q, &P, &Q) != 0)
        P = Q = 0;
    const size_t n8 = (size_t)L->k * P * Q;
    int8_t *ref8 = malloc(n8 ? n8 : 1);
    if (!ref8) {
        layer_say(r->o, "%s: %s: out of memory\n", r->o->who, L->name);
        return PECOS_ENOMEM;
    }
    const int rc = golden_post_map(r->ref, NULL, L->k, L->p, L->q, &fu->rq, &fu->pool, ref8);
    if (rc != 0) {
        layer_say(r->o, "%s: %s: the golden post-processing rejected the layer\n", r->o->who,
                  L->name);
        free(ref8);
        return rc;
    }
    f->on = true;
    f->latency = postlib_latency(fu->ppu);
    f->beats = r->st.ppu_beats;
    f->outputs = n8;
    f->late = r->st.ppu_late;
    const size_t pq = (size_t)P * Q;
    const int pr = fu->pool.mode != GOLDEN_POOL_NONE ? fu->pool.r : 1;
    const int ps = fu->pool.mode != GOLDEN_POOL_NONE ? fu->pool.s : 1;
    for (size_t i = 0; i < n8; i++) {
        if (fu->out8[i] == ref8[i]) continue;
        if (f->mismatches++ == 0) {
            f->bad_k = (int)(i / pq);
            f->bad_p = (int)(i % pq / (size_t)Q);
            f->bad_q = (int)(i % (size_t)Q);
            f->expected = ref8[i];
            f->got = fu->out8[i];
            /* the cycle the (window's last) accumulator left the array */
            f->bad_cycle = r->out_cycle[((size_t)f->bad_k * L->p + (size_t)(f->bad_p * pr + pr - 1)) * L->q +
                                        (size_t)(f->bad_q * ps + ps - 1)];
        }
    }
    f->ok = f->mismatches == 0 && f->late == 0 && r->st.ppu_results == r->st.ppu_windows;
    free(ref8);
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
    layer_say(o,
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
void layer_check_report(const layer_run_t *r, const layer_result_t *res)
{
    const layer_run_cfg_t *o = r->o;
    const char *name = r->L->name;
    const ws_stats_t *st = &r->st;
    const mem_model_t *mm = &r->mm;
    const unsigned long long seed = o->seed;
    if (!res->bitexact) report_mismatch(r, res);
    if (!res->cycles_match && res->mem.exact) {
        layer_say(o, "FAIL %s: %llu cycles, the model predicts %llu; seed %llu\n", name,
            (unsigned long long)st->cycles, (unsigned long long)mm->compute_cycles, seed);
        if (o->rerun) o->rerun(o->rerun_ctx, st->start_cycle, st->start_cycle + st->cycles);
    } else if (!res->cycles_match) {
        layer_say(o,
            "FAIL %s: %llu cycles, outside [roofline %llu, predicted %llu + 10%%]; seed "
            "%llu\n",
            name, (unsigned long long)st->cycles, (unsigned long long)mm->roofline_cycles,
            (unsigned long long)mm->predicted_cycles, seed);
    }
    if (!res->mem.traffic_ok)
        layer_say(o,
            "FAIL %s: DRAM traffic %llu bytes, the tiling's model says %llu (compulsory "
            "%llu); seed %llu\n",
            name, (unsigned long long)(res->mem.dram_rd + res->mem.dram_wr),
            (unsigned long long)res->mem.model_dram, (unsigned long long)res->mem.compulsory,
            seed);
    const layer_fused_res_t *f = &res->fused;
    if (f->on && f->mismatches)
        layer_say(o,
            "FAIL %s (fused post-processing): %llu of %llu int8 results differ from the golden "
            "chain; first at (k=%d, p=%d, q=%d): expected %d, got %d; seed %llu; its "
            "accumulator left the array at cycle %llu\n",
            name, (unsigned long long)f->mismatches, (unsigned long long)f->outputs, f->bad_k,
            f->bad_p, f->bad_q, f->expected, f->got, seed, (unsigned long long)f->bad_cycle);
    if (f->on && (f->late || st->ppu_results != st->ppu_windows))
        layer_say(o,
            "FAIL %s (fused post-processing): %llu vectors in closing %llu windows, %llu results "
            "out, %llu not %d cycles after their window's last vector; seed %llu\n",
            name, (unsigned long long)st->ppu_beats, (unsigned long long)st->ppu_windows,
            (unsigned long long)st->ppu_results, (unsigned long long)f->late, f->latency, seed);
    if (!res->counters_ok)
        layer_say(o,
            "FAIL %s: RTL counters disagree: beats %llu (host %llu), weight beats %llu "
            "(host %llu), MAC slots %llu (expected %llu), busy %llu of %llu cycles (host "
            "%llu), gated MACs %llu (host %llu); seed %llu\n",
            name, (unsigned long long)st->rtl.beats, (unsigned long long)st->beats,
            (unsigned long long)st->rtl.wbeats, (unsigned long long)st->wbeats,
            (unsigned long long)st->rtl.macs,
            (unsigned long long)(st->beats * (uint64_t)o->rows * (uint64_t)o->cols),
            (unsigned long long)st->rtl.busy, (unsigned long long)st->cycles,
            (unsigned long long)st->busy_pred, (unsigned long long)st->rtl.gated,
            (unsigned long long)st->gated_pred, seed);
}
