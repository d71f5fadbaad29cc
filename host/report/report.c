#include "report.h"

#include <string.h>

#include "json_out.h"
#include "pecos_err.h"

/* The table and the JSON name layer_mem_t's array entries one by one: four stall kinds,
 * three GLB partitions, ENERGY_N = four energy levels, five DRAM tensors. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(NELEM(((layer_mem_t *)0)->stall) == 4, "stall kinds named in the reports");
_Static_assert(NELEM(((layer_mem_t *)0)->glb_rd) == 3, "GLB partitions named in the reports");
_Static_assert(ENERGY_N == 4, "energy levels named in the reports");
_Static_assert(NELEM(((layer_mem_t *)0)->dram_rd_t) == 5, "DRAM tensors named in the JSON");

static double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

typedef struct {
    uint64_t macs, cycles, model, ideal, dram_rd, dram_wr;
    uint64_t stall[NELEM(((layer_mem_t *)0)->stall)];
    double energy[ENERGY_N];
    double sim_s, wall_s;
    int failed;
} totals_t;

static totals_t totals(const layer_result_t *res, int n)
{
    totals_t t = {0};
    for (int i = 0; i < n; i++) {
        t.macs += res[i].macs;
        t.cycles += res[i].cycles;
        t.model += res[i].model_cycles;
        t.ideal += res[i].ideal_cycles;
        t.sim_s += res[i].sim_seconds;
        t.wall_s += res[i].wall_seconds;
        t.failed += !layer_result_ok(&res[i]);
        t.dram_rd += res[i].mem.dram_rd;
        t.dram_wr += res[i].mem.dram_wr;
        for (size_t j = 0; j < NELEM(t.stall); j++) t.stall[j] += res[i].mem.stall[j];
        for (int j = 0; j < ENERGY_N; j++) t.energy[j] += res[i].mem.energy_pj[j];
    }
    return t;
}

void report_table(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n)
{
    char shape[128];
    const totals_t t = totals(res, n);
    fprintf(f, "pecos run: %dx%d %s %s array, %s\n", cfg->rows, cfg->cols, cfg->dataflow,
            cfg->dtype, cfg->from_files ? "tensors from files" : "random tensors");
    /* The shape column: 34 wide, wider when a layer's geometry makes its shape longer */
    int sw = 34;
    for (int i = 0; i < n; i++) {
        layer_shape_str(&res[i].layer, shape, sizeof shape);
        if ((int)strlen(shape) > sw) sw = (int)strlen(shape);
    }
    fprintf(f, "%-12s %-*s %12s %10s %10s %10s %6s %7s %6s\n", "layer", sw, "shape", "MACs",
            "cycles", "mem-free", "ideal", "util%", "Mcyc/s", "check");
    for (int i = 0; i < n; i++) {
        const layer_result_t *r = &res[i];
        layer_shape_str(&r->layer, shape, sizeof shape);
        fprintf(f, "%-12s %-*s %12llu %10llu %10llu %10llu %6.2f %7.3f %6s\n", r->layer.name,
                sw, shape, (unsigned long long)r->macs, (unsigned long long)r->cycles,
                (unsigned long long)r->model_cycles, (unsigned long long)r->ideal_cycles,
                100.0 * r->utilization, ratio((double)r->cycles, r->sim_seconds) / 1e6,
                layer_result_ok(r) ? "PASS" : "FAIL");
    }
    fprintf(f, "%-12s %-*s %12llu %10llu %10llu %10llu %6.2f %7.3f %6s\n", "total", sw, "",
            (unsigned long long)t.macs, (unsigned long long)t.cycles,
            (unsigned long long)t.model, (unsigned long long)t.ideal,
            100.0 * ratio((double)t.macs, (double)t.cycles * cfg->rows * cfg->cols),
            ratio((double)t.cycles, t.sim_s) / 1e6, t.failed ? "FAIL" : "PASS");
    for (int i = 0; i < n; i++)
        if (res[i].fp)
            fprintf(f, "%-12s error vs float64: max abs %.3g, max rel %.3g\n",
                    res[i].layer.name, res[i].max_abs_err, res[i].max_rel_err);
    char bw[48] = "unlimited bandwidth";
    if (cfg->dram_bw > 0) snprintf(bw, sizeof bw, "%g bytes/cycle", cfg->dram_bw);
    fprintf(f, "memory: DRAM %s, latency %llu cycles; GLB %s\n", bw,
            (unsigned long long)cfg->dram_latency, cfg->glb_desc);
    fprintf(f, "%-12s %-36s %10s %10s %10s %10s %9s %9s %9s %9s %9s %9s %9s %9s\n", "layer",
            "tiling", "DRAM rd", "DRAM wr", "roofline", "predicted", "compute", "fill", "dma",
            "port", "E DRAM", "E GLB", "E RF", "E MAC");
    for (int i = 0; i < n; i++) {
        const layer_mem_t *m = &res[i].mem;
        fprintf(f, "%-12s %-36s %10llu %10llu %10llu %10llu %9llu %9llu %9llu %9llu %9.2f "
                   "%9.2f %9.2f %9.2f\n",
                res[i].layer.name, m->tiling, (unsigned long long)m->dram_rd,
                (unsigned long long)m->dram_wr, (unsigned long long)m->roofline_cycles,
                (unsigned long long)m->predicted_cycles, (unsigned long long)m->stall[0],
                (unsigned long long)m->stall[1], (unsigned long long)m->stall[2],
                (unsigned long long)m->stall[3], m->energy_pj[ENERGY_DRAM] / 1e6,
                m->energy_pj[ENERGY_GLB] / 1e6, m->energy_pj[ENERGY_RF] / 1e6, m->energy_pj[ENERGY_MAC] / 1e6);
    }
    const double *e = t.energy;
    fprintf(f, "(bytes; cycles; energy in uJ) total energy %.2f uJ: DRAM %.2f, GLB %.2f, RF %.2f, "
               "MAC %.2f\n",
            (e[0] + e[1] + e[2] + e[3]) / 1e6, e[0] / 1e6, e[1] / 1e6, e[2] / 1e6, e[3] / 1e6);
    uint64_t slots = 0, gated = 0;
    for (int i = 0; i < n; i++) {
        slots += res[i].rtl_mac_slots;
        gated += res[i].rtl_gated;
    }
    if (!res[0].fp && slots)
        fprintf(f, "zero gating: %llu of %llu MAC slots gated by a zero operand (%.1f%%, priced "
                   "as idle)\n",
                (unsigned long long)gated, (unsigned long long)slots,
                100.0 * (double)gated / (double)slots);
    if (cfg->batch > 1)
        fprintf(f, "batch %d (each weight tile loaded once for all images): per image %.1f "
                   "cycles, %.3f uJ (DRAM %.3f, GLB %.3f, RF %.3f, MAC %.3f)\n",
                cfg->batch, (double)t.cycles / cfg->batch,
                (e[0] + e[1] + e[2] + e[3]) / 1e6 / cfg->batch, e[0] / 1e6 / cfg->batch,
                e[1] / 1e6 / cfg->batch, e[2] / 1e6 / cfg->batch, e[3] / 1e6 / cfg->batch);
    fprintf(f, "%d of %d layers passed (bit-exact against the golden conv; cycles equal to the "
               "model with unbounded DRAM, else between the roofline and predicted+10%%; DRAM "
               "bytes equal to the tiling's)\n",
            n - t.failed, n);
}

/* The "config" object of a run report. */
static void json_config(FILE *f, const run_config_t *cfg)
{
    fprintf(f, "{\n  \"tool\": \"pecos\",\n  \"config\": {\"rows\": %d, \"cols\": %d, "
               "\"dram_bw\": %g, \"dram_latency\": %llu, \"glb\": ",
            cfg->rows, cfg->cols, cfg->dram_bw, (unsigned long long)cfg->dram_latency);
    json_str(f, cfg->glb_desc);
    fprintf(f, ", \"dataflow\": ");
    json_str(f, cfg->dataflow);
    fprintf(f, ", \"dtype\": ");
    json_str(f, cfg->dtype);
    fprintf(f, ", \"batch\": %d", cfg->batch > 1 ? cfg->batch : 1);
    if (cfg->from_files)
        fprintf(f, ", \"data\": \"files\"},\n");
    else
        fprintf(f, ", \"data\": \"random\", \"seed\": %llu},\n", (unsigned long long)cfg->seed);
}

/* A layer's shape and check fields (up to its first_mismatch / float errors). */
static void json_layer_check(FILE *f, const layer_result_t *r)
{
    const layer_t *L = &r->layer;
    char shape[128];
    layer_shape_str(L, shape, sizeof shape);
    fprintf(f, "    {\"name\": ");
    json_str(f, L->name);
    fprintf(f, ", \"type\": \"%s\", \"shape\": {\"c\": %d, \"h\": %d, \"w\": %d, \"k\": %d, "
               "\"r\": %d, \"s\": %d, \"stride\": %d, \"pad\": %d, ",
            L->type == LAYER_FC ? "fc" : "conv", L->c, L->h, L->w, L->k, L->r, L->s,
            L->stride_h, L->pad_t);
    /* Not the plain case: stride and pad above are the vertical / top ones; every axis
     * and side follows. */
    if (!layer_plain(L))
        fprintf(f, "\"stride_h\": %d, \"stride_w\": %d, \"dil_h\": %d, \"dil_w\": %d, "
                   "\"pad_t\": %d, \"pad_l\": %d, \"pad_b\": %d, \"pad_r\": %d, "
                   "\"pad_value\": %d, ",
                L->stride_h, L->stride_w, L->dil_h, L->dil_w, L->pad_t, L->pad_l, L->pad_b,
                L->pad_r, L->pad_value);
    fprintf(f, "\"p\": %d, \"q\": %d}, \"shape_str\": ", L->p, L->q);
    json_str(f, shape);
    fprintf(f,
            ",\n     \"macs\": %llu, \"cycles\": %llu, \"model_cycles\": %llu, "
            "\"ideal_cycles\": %llu, \"start_cycle\": %llu, \"utilization\": %.6f,\n"
            "     \"check\": \"%s\", \"bitexact\": %s, \"cycles_match\": %s, "
            "\"counters_ok\": %s, \"mismatches\": %llu,",
            (unsigned long long)r->macs, (unsigned long long)r->cycles,
            (unsigned long long)r->model_cycles, (unsigned long long)r->ideal_cycles,
            (unsigned long long)r->start_cycle, r->utilization,
            layer_result_ok(r) ? "pass" : "fail", r->bitexact ? "true" : "false",
            r->cycles_match ? "true" : "false", r->counters_ok ? "true" : "false",
            (unsigned long long)r->mismatches);
    if (r->mismatches)
        fprintf(f,
                " \"first_mismatch\": {\"k\": %d, \"p\": %d, \"q\": %d, \"expected\": %d, "
                "\"got\": %d, \"cycle\": %llu},",
                r->bad_k, r->bad_p, r->bad_q, r->expected, r->got,
                (unsigned long long)r->bad_cycle);
    if (r->fp)
        fprintf(f, " \"max_abs_err\": %.9g, \"max_rel_err\": %.9g,", r->max_abs_err,
                r->max_rel_err);
}

/* A layer's memory-system fields: tiling, DRAM, GLB, RF, stalls, energy, bounds. */
static void json_layer_mem(FILE *f, const layer_mem_t *m)
{
    fprintf(f,
            "\n     \"tiling\": \"%s\", \"tiles\": %llu, \"visits\": %llu, "
            "\"dram_bytes_read\": %llu, \"dram_bytes_written\": %llu, "
            "\"dram_read_by_tensor\": {\"ifmap\": %llu, \"weight\": %llu, \"bias\": %llu, "
            "\"psum\": %llu}, \"dram_written_by_tensor\": {\"psum\": %llu, \"out\": %llu}, "
            "\"dram_bus_bytes\": %llu, \"dma_descriptors\": %llu, "
            "\"model_dram_bytes\": %llu, \"compulsory_dram_bytes\": %llu,\n"
            "     \"glb\": {\"unified_bytes\": %llu, \"ifmap\": {\"bytes\": %llu, \"reads\": "
            "%llu, \"writes\": %llu}, \"weight\": {\"bytes\": %llu, \"reads\": %llu, "
            "\"writes\": %llu}, \"psum\": {\"bytes\": %llu, \"reads\": %llu, \"writes\": "
            "%llu}},\n"
            "     \"rf_reads\": %llu, \"rf_writes\": %llu, \"rf_bytes\": %llu, "
            "\"stall_cycles\": {\"compute\": %llu, \"fill_drain\": %llu, \"dma\": %llu, "
            "\"glb_port\": %llu},\n"
            "     \"energy_pj\": {\"dram\": %.1f, \"glb\": %.1f, \"rf\": %.1f, \"mac\": %.1f, "
            "\"total\": %.1f}, \"arithmetic_intensity\": %.4f, \"roofline_cycles\": %llu, "
            "\"predicted_cycles\": %llu, \"cycles_exact\": %s, \"traffic_ok\": %s, "
            "\"bounds_ok\": %s,",
            m->tiling, (unsigned long long)m->tiles, (unsigned long long)m->visits,
            (unsigned long long)m->dram_rd, (unsigned long long)m->dram_wr,
            (unsigned long long)m->dram_rd_t[0], (unsigned long long)m->dram_rd_t[1],
            (unsigned long long)m->dram_rd_t[2], (unsigned long long)m->dram_rd_t[3],
            (unsigned long long)m->dram_wr_t[3], (unsigned long long)m->dram_wr_t[4],
            (unsigned long long)m->dram_bus, (unsigned long long)m->descs,
            (unsigned long long)m->model_dram, (unsigned long long)m->compulsory,
            (unsigned long long)m->glb_unified, (unsigned long long)m->glb_size[0],
            (unsigned long long)m->glb_rd[0], (unsigned long long)m->glb_wr[0],
            (unsigned long long)m->glb_size[1], (unsigned long long)m->glb_rd[1],
            (unsigned long long)m->glb_wr[1], (unsigned long long)m->glb_size[2],
            (unsigned long long)m->glb_rd[2], (unsigned long long)m->glb_wr[2],
            (unsigned long long)m->rf_rd, (unsigned long long)m->rf_wr,
            (unsigned long long)m->rf_bytes, (unsigned long long)m->stall[0],
            (unsigned long long)m->stall[1], (unsigned long long)m->stall[2],
            (unsigned long long)m->stall[3], m->energy_pj[0], m->energy_pj[1],
            m->energy_pj[2], m->energy_pj[3],
            m->energy_pj[0] + m->energy_pj[1] + m->energy_pj[2] + m->energy_pj[3],
            m->intensity, (unsigned long long)m->roofline_cycles,
            (unsigned long long)m->predicted_cycles, m->exact ? "true" : "false",
            m->traffic_ok ? "true" : "false", m->bounds_ok ? "true" : "false");
}

/* The "total" object and the run's pass flag. */
static void json_total(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n)
{
    const totals_t t = totals(res, n);
    fprintf(f,
            "  ],\n  \"total\": {\"layers\": %d, \"failed\": %d, \"macs\": %llu, \"cycles\": "
            "%llu, \"model_cycles\": %llu, \"ideal_cycles\": %llu, \"utilization\": %.6f, "
            "\"sim_wall_seconds\": %.6f, \"wall_seconds\": %.6f, \"sim_cycles_per_second\": "
            "%.1f, \"dram_bytes_read\": %llu, \"dram_bytes_written\": %llu, \"stall_cycles\": "
            "{\"compute\": %llu, \"fill_drain\": %llu, \"dma\": %llu, \"glb_port\": %llu}, "
            "\"energy_pj\": {\"dram\": %.1f, \"glb\": %.1f, \"rf\": %.1f, \"mac\": %.1f, "
            "\"total\": %.1f}},\n  \"pass\": %s\n}\n",
            n, t.failed, (unsigned long long)t.macs, (unsigned long long)t.cycles,
            (unsigned long long)t.model, (unsigned long long)t.ideal,
            ratio((double)t.macs, (double)t.cycles * cfg->rows * cfg->cols), t.sim_s, t.wall_s,
            ratio((double)t.cycles, t.sim_s), (unsigned long long)t.dram_rd,
            (unsigned long long)t.dram_wr, (unsigned long long)t.stall[0],
            (unsigned long long)t.stall[1], (unsigned long long)t.stall[2],
            (unsigned long long)t.stall[3], t.energy[0], t.energy[1], t.energy[2], t.energy[3],
            t.energy[0] + t.energy[1] + t.energy[2] + t.energy[3], t.failed ? "false" : "true");
}

/* Writes one run's JSON object (no trailing newline) to f. */
static void json_run(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n)
{
    json_config(f, cfg);
    fprintf(f, "  \"layers\": [\n");
    for (int i = 0; i < n; i++) {
        const layer_result_t *r = &res[i];
        json_layer_check(f, r);
        json_layer_mem(f, &r->mem);
        fprintf(f,
                "\n     \"rtl_busy_cycles\": %llu, \"rtl_mac_slots\": %llu, "
                "\"rtl_gated_macs\": %llu, \"gated_share\": %.6f, "
                "\"sim_wall_seconds\": %.6f, \"wall_seconds\": %.6f, "
                "\"sim_cycles_per_second\": %.1f}%s\n",
                (unsigned long long)r->rtl_busy, (unsigned long long)r->rtl_mac_slots,
                (unsigned long long)r->rtl_gated,
                r->rtl_mac_slots ? (double)r->rtl_gated / (double)r->rtl_mac_slots : 0.0,
                r->sim_seconds, r->wall_seconds, ratio((double)r->cycles, r->sim_seconds),
                i + 1 < n ? "," : "");
    }
    json_total(f, cfg, res, n);
}

int report_json(const char *path, const run_config_t *cfg, const layer_result_t *res, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    json_run(f, cfg, res, n);
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

int report_json_compare(const char *path, const run_config_t *cfg, const layer_result_t *res,
                        int n, const int *ran, int ndf)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    int failed = 0;
    fprintf(f, "{\n\"tool\": \"pecos\",\n\"dataflows\": {\n");
    for (int d = 0; d < ndf; d++) {
        const totals_t t = totals(res + (size_t)d * (size_t)n, ran[d]);
        failed += t.failed + (ran[d] < n);
        json_str(f, cfg[d].dataflow);
        fputs(": ", f);
        json_run(f, &cfg[d], res + (size_t)d * (size_t)n, ran[d]);
        fputs(d + 1 < ndf ? ",\n" : "\n", f);
    }
    fprintf(f, "},\n\"pass\": %s\n}\n", failed ? "false" : "true");
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

static double energy_total(const layer_mem_t *m)
{
    double e = 0;
    for (int j = 0; j < ENERGY_N; j++) e += m->energy_pj[j];
    return e;
}

void report_compare(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n,
                    const int *ran, int ndf)
{
    char bw[48] = "unlimited bandwidth";
    if (cfg->dram_bw > 0) snprintf(bw, sizeof bw, "%g bytes/cycle", cfg->dram_bw);
    fprintf(f, "dataflow comparison: %dx%d %s array; DRAM %s, latency %llu; GLB %s\n",
            cfg->rows, cfg->cols, cfg->dtype, bw, (unsigned long long)cfg->dram_latency,
            cfg->glb_desc);
    fprintf(f, "%-12s %-4s %11s %6s %12s %12s %12s %11s %10s %9s %9s %9s %9s %5s\n", "layer",
            "df", "cycles", "util%", "GLB ifmap", "GLB weight", "GLB psum", "DRAM", "E total",
            "E DRAM", "E GLB", "E RF", "E MAC", "check");
    for (int i = 0; i <= n; i++) { /* i == n: totals */
        uint64_t best_c = UINT64_MAX;
        double best_e = 1e300;
        for (int d = 0; d < ndf; d++) {
            if (i < n && i >= ran[d]) continue;
            const totals_t t = totals(res + (size_t)d * (size_t)n, ran[d]);
            const layer_result_t *r = &res[(size_t)d * (size_t)n + (size_t)(i < n ? i : 0)];
            const uint64_t c = i < n ? r->cycles : t.cycles;
            const double e = i < n ? energy_total(&r->mem)
                                   : t.energy[0] + t.energy[1] + t.energy[2] + t.energy[3];
            if (c < best_c) best_c = c;
            if (e < best_e) best_e = e;
        }
        for (int d = 0; d < ndf; d++) {
            if (i < n && i >= ran[d]) continue;
            const layer_result_t *rs = res + (size_t)d * (size_t)n;
            uint64_t g[3] = {0, 0, 0}, dram = 0, cycles = 0, macs = 0;
            double e[ENERGY_N] = {0}, et = 0;
            int ok = 1;
            for (int k = i < n ? i : 0; k < (i < n ? i + 1 : ran[d]); k++) {
                const layer_mem_t *m = &rs[k].mem;
                for (int j = 0; j < 3; j++) g[j] += m->glb_rd[j] + m->glb_wr[j];
                dram += m->dram_rd + m->dram_wr;
                cycles += rs[k].cycles;
                macs += rs[k].macs;
                for (int j = 0; j < ENERGY_N; j++) e[j] += m->energy_pj[j];
                ok &= layer_result_ok(&rs[k]);
            }
            for (int j = 0; j < ENERGY_N; j++) et += e[j];
            fprintf(f, "%-12s %-4s %10llu%s %6.2f %12llu %12llu %12llu %11llu %9.2f%s %9.2f "
                       "%9.2f %9.2f %9.2f %5s\n",
                    i < n ? rs[i].layer.name : "total", cfg[d].dataflow,
                    (unsigned long long)cycles, cycles == best_c ? "*" : " ",
                    100.0 * ratio((double)macs, (double)cycles * cfg->rows * cfg->cols),
                    (unsigned long long)g[0], (unsigned long long)g[1], (unsigned long long)g[2],
                    (unsigned long long)dram, et / 1e6, et == best_e ? "*" : " ", e[ENERGY_DRAM] / 1e6,
                    e[ENERGY_GLB] / 1e6, e[ENERGY_RF] / 1e6, e[ENERGY_MAC] / 1e6,
                    ok && (i < n || ran[d] == n) ? "PASS" : "FAIL");
        }
    }
    fprintf(f, "(GLB: bytes read + written per partition; DRAM: bytes; energy in uJ; * fewest "
               "cycles / least energy)\n");
}
