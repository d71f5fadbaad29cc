#include "report.h"

#include <string.h>

#include "pecos_err.h"

static double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

typedef struct {
    uint64_t macs, cycles, model, ideal;
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
    }
    return t;
}

void report_table(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n)
{
    char shape[128];
    const totals_t t = totals(res, n);
    fprintf(f, "pecos run: %dx%d %s %s array, %s\n", cfg->rows, cfg->cols, cfg->dataflow,
            cfg->dtype, cfg->from_files ? "tensors from files" : "random tensors");
    fprintf(f, "%-12s %-34s %12s %10s %10s %10s %6s %7s %6s\n", "layer", "shape", "MACs",
            "cycles", "model", "ideal", "util%", "Mcyc/s", "check");
    for (int i = 0; i < n; i++) {
        const layer_result_t *r = &res[i];
        layer_shape_str(&r->layer, shape, sizeof shape);
        fprintf(f, "%-12s %-34s %12llu %10llu %10llu %10llu %6.2f %7.3f %6s\n", r->layer.name,
                shape, (unsigned long long)r->macs, (unsigned long long)r->cycles,
                (unsigned long long)r->model_cycles, (unsigned long long)r->ideal_cycles,
                100.0 * r->utilization, ratio((double)r->cycles, r->sim_seconds) / 1e6,
                layer_result_ok(r) ? "PASS" : "FAIL");
    }
    fprintf(f, "%-12s %-34s %12llu %10llu %10llu %10llu %6.2f %7.3f %6s\n", "total", "",
            (unsigned long long)t.macs, (unsigned long long)t.cycles,
            (unsigned long long)t.model, (unsigned long long)t.ideal,
            100.0 * ratio((double)t.macs, (double)t.cycles * cfg->rows * cfg->cols),
            ratio((double)t.cycles, t.sim_s) / 1e6, t.failed ? "FAIL" : "PASS");
    for (int i = 0; i < n; i++)
        if (res[i].fp)
            fprintf(f, "%-12s error vs float64: max abs %.3g, max rel %.3g\n",
                    res[i].layer.name, res[i].max_abs_err, res[i].max_rel_err);
    fprintf(f, "%d of %d layers passed (bit-exact against the golden conv, cycles equal to the "
               "model)\n",
            n - t.failed, n);
}

/* Writes s as a JSON string literal. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

int report_json(const char *path, const run_config_t *cfg, const layer_result_t *res, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    const totals_t t = totals(res, n);
    fprintf(f, "{\n  \"tool\": \"pecos\",\n  \"config\": {\"rows\": %d, \"cols\": %d, "
               "\"dataflow\": ",
            cfg->rows, cfg->cols);
    json_str(f, cfg->dataflow);
    fprintf(f, ", \"dtype\": ");
    json_str(f, cfg->dtype);
    if (cfg->from_files)
        fprintf(f, ", \"data\": \"files\"},\n");
    else
        fprintf(f, ", \"data\": \"random\", \"seed\": %llu},\n", (unsigned long long)cfg->seed);
    fprintf(f, "  \"layers\": [\n");
    for (int i = 0; i < n; i++) {
        const layer_result_t *r = &res[i];
        const layer_t *L = &r->layer;
        char shape[128];
        layer_shape_str(L, shape, sizeof shape);
        fprintf(f, "    {\"name\": ");
        json_str(f, L->name);
        fprintf(f, ", \"type\": \"%s\", \"shape\": {\"c\": %d, \"h\": %d, \"w\": %d, \"k\": %d, "
                   "\"r\": %d, \"s\": %d, \"stride\": %d, \"pad\": %d, \"p\": %d, \"q\": %d}, "
                   "\"shape_str\": ",
                L->type == LAYER_FC ? "fc" : "conv", L->c, L->h, L->w, L->k, L->r, L->s,
                L->stride, L->pad, L->p, L->q);
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
        fprintf(f,
                "\n     \"rtl_busy_cycles\": %llu, \"rtl_mac_slots\": %llu, "
                "\"sim_wall_seconds\": %.6f, \"wall_seconds\": %.6f, "
                "\"sim_cycles_per_second\": %.1f}%s\n",
                (unsigned long long)r->rtl_busy, (unsigned long long)r->rtl_mac_slots,
                r->sim_seconds, r->wall_seconds, ratio((double)r->cycles, r->sim_seconds),
                i + 1 < n ? "," : "");
    }
    fprintf(f,
            "  ],\n  \"total\": {\"layers\": %d, \"failed\": %d, \"macs\": %llu, \"cycles\": "
            "%llu, \"model_cycles\": %llu, \"ideal_cycles\": %llu, \"utilization\": %.6f, "
            "\"sim_wall_seconds\": %.6f, \"wall_seconds\": %.6f, \"sim_cycles_per_second\": "
            "%.1f},\n  \"pass\": %s\n}\n",
            n, t.failed, (unsigned long long)t.macs, (unsigned long long)t.cycles,
            (unsigned long long)t.model, (unsigned long long)t.ideal,
            ratio((double)t.macs, (double)t.cycles * cfg->rows * cfg->cols), t.sim_s, t.wall_s,
            ratio((double)t.cycles, t.sim_s), t.failed ? "false" : "true");
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}
