#include "report_csv.h"

#include <stdio.h>
#include <string.h>

#include "pecos_err.h"

/* The header names three GLB partitions and four stall kinds (the row loops below). */
_Static_assert(sizeof ((layer_mem_t *)0)->glb_rd == 3 * sizeof(uint64_t), "GLB partitions");
_Static_assert(sizeof ((layer_mem_t *)0)->stall == 4 * sizeof(uint64_t), "stall kinds");

static const char *const csv_header =
    "index,name,type,c,h,w,k,r,s,stride,pad,p,q,macs,cycles,model_cycles,ideal_cycles,"
    "roofline_cycles,predicted_cycles,utilization,check,bitexact,cycles_match,counters_ok,"
    "traffic_ok,bounds_ok,mismatches,dram_bytes_read,dram_bytes_written,dram_bus_bytes,"
    "model_dram_bytes,compulsory_dram_bytes,glb_ifmap_bytes_read,glb_ifmap_bytes_written,"
    "glb_weight_bytes_read,glb_weight_bytes_written,glb_psum_bytes_read,"
    "glb_psum_bytes_written,rf_reads,rf_writes,stall_compute,stall_fill_drain,stall_dma,"
    "stall_glb_port,energy_dram_pj,energy_glb_pj,energy_rf_pj,energy_mac_pj,energy_total_pj,"
    "arithmetic_intensity,tiling,tiles,visits,start_cycle,max_abs_err,max_rel_err,"
    "sim_seconds,wall_seconds,sim_cycles_per_second,dataflow,dtype,rows,cols,dram_bw,"
    "dram_latency";

/* Writes s as one RFC 4180 field: quoted (with quotes doubled) when it holds a comma, a
 * quote, CR or LF, or starts or ends with a space; as it is otherwise. NULL is empty. */
static void csv_field(FILE *f, const char *s)
{
    if (!s) return;
    const size_t len = strlen(s);
    const bool quote = strpbrk(s, ",\"\r\n") != NULL ||
                       (len && (s[0] == ' ' || s[len - 1] == ' '));
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

typedef unsigned long long ull;

static void csv_row(FILE *f, const run_config_t *cfg, const layer_result_t *r, int index)
{
    const layer_t *L = &r->layer;
    const layer_mem_t *m = &r->mem;
    const double *e = m->energy_pj;
    fprintf(f, "%d,", index);
    csv_field(f, L->name);
    /* stride and pad: one number in the plain case, else "HxW" and "t/l/b/r" */
    char st[32], pd[64];
    if (L->stride_h == L->stride_w)
        snprintf(st, sizeof st, "%d", L->stride_h);
    else
        snprintf(st, sizeof st, "%dx%d", L->stride_h, L->stride_w);
    if (L->pad_t == L->pad_l && L->pad_t == L->pad_b && L->pad_t == L->pad_r)
        snprintf(pd, sizeof pd, "%d", L->pad_t);
    else
        snprintf(pd, sizeof pd, "%d/%d/%d/%d", L->pad_t, L->pad_l, L->pad_b, L->pad_r);
    fprintf(f, ",%s,%d,%d,%d,%d,%d,%d,%s,%s,%d,%d,", L->type == LAYER_FC ? "fc" : "conv", L->c,
            L->h, L->w, L->k, L->r, L->s, st, pd, L->p, L->q);
    fprintf(f, "%llu,%llu,%llu,%llu,%llu,%llu,%.6f,%s,%d,%d,%d,%d,%d,%llu,", (ull)r->macs,
            (ull)r->cycles, (ull)r->model_cycles, (ull)r->ideal_cycles, (ull)m->roofline_cycles,
            (ull)m->predicted_cycles, r->utilization, layer_result_ok(r) ? "pass" : "FAIL",
            r->bitexact, r->cycles_match, r->counters_ok, m->traffic_ok, m->bounds_ok,
            (ull)r->mismatches);
    fprintf(f, "%llu,%llu,%llu,%llu,%llu,", (ull)m->dram_rd, (ull)m->dram_wr, (ull)m->dram_bus,
            (ull)m->model_dram, (ull)m->compulsory);
    for (int j = 0; j < 3; j++) fprintf(f, "%llu,%llu,", (ull)m->glb_rd[j], (ull)m->glb_wr[j]);
    fprintf(f, "%llu,%llu,", (ull)m->rf_rd, (ull)m->rf_wr);
    for (int j = 0; j < 4; j++) fprintf(f, "%llu,", (ull)m->stall[j]);
    fprintf(f, "%.3f,%.3f,%.3f,%.3f,%.3f,%.6g,", e[ENERGY_DRAM], e[ENERGY_GLB], e[ENERGY_RF], e[ENERGY_MAC],
            e[ENERGY_DRAM] + e[ENERGY_GLB] + e[ENERGY_RF] + e[ENERGY_MAC], m->intensity);
    csv_field(f, m->tiling);
    fprintf(f, ",%llu,%llu,%llu,%.9g,%.9g,%.6f,%.6f,%.1f,", (ull)m->tiles, (ull)m->visits,
            (ull)r->start_cycle, r->max_abs_err, r->max_rel_err, r->sim_seconds,
            r->wall_seconds, r->sim_seconds > 0 ? (double)r->cycles / r->sim_seconds : 0.0);
    csv_field(f, cfg->dataflow);
    fputc(',', f);
    csv_field(f, cfg->dtype);
    fprintf(f, ",%d,%d,%g,%llu\r\n", cfg->rows, cfg->cols, cfg->dram_bw,
            (ull)cfg->dram_latency);
}

int report_csv(const char *path, const run_config_t *cfg, const layer_result_t *res, int n)
{
    if (!path || !cfg || (n > 0 && !res) || n < 0) return PECOS_EIO;
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    fprintf(f, "%s\r\n", csv_header);
    for (int i = 0; i < n; i++) csv_row(f, cfg, &res[i], i);
    const bool bad = ferror(f) != 0;
    return fclose(f) == 0 && !bad ? 0 : PECOS_EIO;
}
