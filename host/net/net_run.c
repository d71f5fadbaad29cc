#define _POSIX_C_SOURCE 200809L
#include "net_run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "errlist.h"
#include "golden_gemm.h"
#include "golden_post.h"
#include "json_out.h"
#include "layer_batch.h"
#include "npy.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "pecos_types.h"
#include "plot.h"
#include "procpool.h"
#include "rng.h"
#include "tiling.h"
#include "topo.h"

/* One layer of the network as it ran. */
typedef struct {
    const topo_layer_t *t;
    bool on_array;           /* conv/fc: arr is valid */
    bool pools;              /* conv, --fuse-ppu: the unit on its writeback path also ran the
                                max/avg pool of the layer after it (its output is that
                                layer's; its own map is never written) */
    bool pooled;             /* a pool that ran inside the conv before it (pools) */
    char note[160];          /* a pool after a fused conv that stayed its own pass: why */
    layer_result_t arr;      /* the array's result and checks */
    bool has_post;           /* the post-processing unit ran */
    device_post_res_t post;
    double scale;            /* requantization scale used (0: none) */
    uint64_t cycles;         /* array + post-processing */
    double energy_pj[ENERGY_N];
    double wall_seconds;
    bool ok;
} net_layer_t;

/* The state of one `--network` run across its phases (load, open, layers, reports). */
typedef struct {
    const layer_run_cfg_t *run;
    const net_run_opts_t *o;
    const char *df_name;
    topo_t t;
    device_t a;
    int nb;              /* images (--batch) */
    int8_t *x0;          /* the network's input, [nb][C,H,W] */
    int8_t **acts;       /* each layer's int8 output, [nb][K,P,Q] (t.n; NULL for a conv
                            whose pool ran fused) */
    net_layer_t *nl;     /* each layer as it ran (t.n) */
    int ran;             /* layers that ran, in file order */
    int n_run;           /* layers to run (--layers) */
    double wall;         /* seconds the layers took */
    bool *pass;          /* the caller's: false when a check failed */
    errlist_t e;         /* the errors: their reasons (the caller's buffer), the first code */
    bool golden;         /* the golden pass of --jobs: each layer on the golden models only */
    int jobs;            /* processes the layers ran on (net_par_layers; 0: this one, in order) */
    double golden_s;     /* seconds of the golden pass before them */
} net_run_t;

/* rc as an error of the user's input (exit status 2, as always here): the codes of a failed
 * run (ESIM, ENOMEM) become EPARAM. */
static int input_error(int rc)
{
    return rc == PECOS_ESIM || rc == PECOS_ENOMEM || rc >= 0 ? PECOS_EPARAM : rc;
}

/* The input shape of the network: that of the first layer reading it (fc: flattened). */
static void input_shape(const topo_t *t, int *c, int *h, int *w)
{
    for (int i = 0; i < t->n; i++)
        for (int j = 0; j < t->layers[i].ninputs; j++)
            if (t->layers[i].inputs[j] == -1) {
                *c = t->layers[i].c;
                *h = t->layers[i].h;
                *w = t->layers[i].w;
                return;
            }
    *c = *h = *w = 0;
}

/* Calibration: the scale that maps the largest |v| of the n values (v = in + b) to 127,
 * as a Q31 multiplier and shift. */
static int calibrate(const int32_t *in, const int32_t *b, bool b_per_elem, int c, size_t plane,
                     device_post_t *pp, double *scale)
{
    int64_t peak = 0;
    for (int ch = 0; ch < c; ch++)
        for (size_t i = 0; i < plane; i++) {
            const size_t k = (size_t)ch * plane + i;
            int64_t v = (int64_t)in[k] + (b ? (b_per_elem ? b[k] : b[ch]) : 0);
            v = (int32_t)(uint32_t)v; /* the PPU's 32-bit add wraps */
            if (llabs(v) > peak) peak = llabs(v);
        }
    double s = peak > 0 ? 127.0 / (double)peak : 1.0 / 256;
    if (s >= 1.0) s = 0.5;
    int32_t mult;
    int shift;
    if (golden_quant_multiplier(s, &mult, &shift) != 0) return PECOS_EPARAM;
    pp->rq_en = true;
    pp->mult = (uint32_t)mult;
    pp->shift = shift;
    pp->zp = 0;
    *scale = s;
    return 0;
}

static void print_progress(int i, int n, const char *name, uint64_t cycles, double t0,
                           uint64_t macs_done, uint64_t macs_total)
{
    const double el = pecos_now() - t0;
    const double frac = macs_total ? (double)macs_done / (double)macs_total : (double)i / n;
    const double eta = frac > 0 ? el * (1 - frac) / frac : 0;
    fprintf(stderr, "\r\033[K[%d/%d] %-24.24s %12llu cycles  %7.1f s elapsed  ETA %6.1f s", i,
            n, name, (unsigned long long)cycles, el, eta);
    fflush(stderr);
}

/* The network's totals, summed once for the table and the JSON. */
typedef struct {
    uint64_t macs, cycles, arr_cycles, post_cycles, dram;
    uint64_t slots, gated; /* the array's MAC slots, and those a zero operand gated */
    double e[ENERGY_N], e_total, sim_s;
    int failed;
} net_totals_t;

static net_totals_t totals(const net_layer_t *nl, int n)
{
    net_totals_t t = {0};
    for (int i = 0; i < n; i++) {
        const net_layer_t *L = &nl[i];
        if (L->on_array) {
            t.macs += L->arr.macs;
            t.arr_cycles += L->arr.cycles;
            t.dram += L->arr.mem.dram_rd + L->arr.mem.dram_wr;
            t.sim_s += L->arr.sim_seconds;
            t.slots += L->arr.rtl_mac_slots;
            t.gated += L->arr.rtl_gated;
        }
        t.cycles += L->cycles;
        t.post_cycles += L->post.cycles;
        t.sim_s += L->post.sim_seconds;
        for (int j = 0; j < ENERGY_N; j++) t.e[j] += L->energy_pj[j];
        t.failed += !L->ok;
    }
    for (int j = 0; j < ENERGY_N; j++) t.e_total += t.e[j];
    return t;
}

/* The share of the array's MAC slots whose multiplier a zero operand gated (int8). */
static double gated_share(const layer_result_t *r)
{
    return r->rtl_mac_slots ? (double)r->rtl_gated / (double)r->rtl_mac_slots : 0.0;
}

static double util(uint64_t macs, uint64_t cycles, const layer_run_cfg_t *run)
{
    return cycles ? (double)macs / ((double)cycles * run->rows * run->cols) : 0.0;
}

/* With a bounded DRAM bandwidth: the array layers that reach neither 90% of their bandwidth
 * roofline (max(ideal cycles, DRAM bytes / bandwidth)) nor 90% utilization, named on one line,
 * or a line that says every layer does. */
static void roofline_line(FILE *f, const layer_run_cfg_t *run, const net_layer_t *nl, int n)
{
    if (run->mem.dram.bw <= 0) return;
    int below = 0, on_array = 0;
    for (int i = 0; i < n; i++) {
        const layer_result_t *r = &nl[i].arr;
        if (!nl[i].on_array || !r->cycles) continue;
        on_array++;
        const double reach = (double)r->mem.roofline_cycles / (double)r->cycles;
        if (reach >= 0.9 || r->utilization >= 0.9) continue;
        fprintf(f, "%s%s (%.1f%%)", below++ ? ", " : "below 90% of the bandwidth roofline: ",
                nl[i].t->name, 100.0 * reach);
    }
    if (below)
        fprintf(f, "; %d of %d array layers\n", below, on_array);
    else if (on_array)
        fprintf(f, "every array layer at >= 90%% of its bandwidth roofline or utilization\n");
}

static void summary(FILE *f, const topo_t *t, const layer_run_cfg_t *run, const char *df_name,
                    const net_layer_t *nl, int n, double wall, int nb, int jobs, double golden_s)
{
    const net_totals_t T = totals(nl, n);
    fprintf(f, "pecos run --network %s: %dx%d %s int8 array, %d layers", t->name, run->rows,
            run->cols, df_name, n);
    if (nb > 1) fprintf(f, ", batch of %d images", nb);
    fputc('\n', f);
    fprintf(f, "%-22s %-8s %-22s %13s %11s %9s %6s %7s %10s %6s\n", "layer", "type",
            "out (KxPxQ)", "MACs", "array cyc", "ppu cyc", "util%", "gated%", "energy uJ",
            "check");
    int fused = 0;
    for (int i = 0; i < n; i++) {
        const net_layer_t *L = &nl[i];
        char shape[32], ppu[24];
        snprintf(shape, sizeof shape, "%dx%dx%d", L->t->k, L->t->p, L->t->q);
        snprintf(ppu, sizeof ppu, "%llu", (unsigned long long)L->post.cycles);
        if (L->on_array && L->arr.fused.on) {
            snprintf(ppu, sizeof ppu, L->pools ? "fused+pool" : "fused");
            fused++;
        }
        if (L->pooled) snprintf(ppu, sizeof ppu, "fused");
        double el = 0;
        for (int j = 0; j < ENERGY_N; j++) el += L->energy_pj[j];
        fprintf(f, "%-22.22s %-8s %-22s %13llu %11llu %9s %6.2f %7.2f %10.3f %6s\n",
                L->t->name, topo_type_name(L->t->type), shape,
                (unsigned long long)(L->on_array ? L->arr.macs : 0),
                (unsigned long long)(L->on_array ? L->arr.cycles : 0), ppu,
                L->on_array ? 100.0 * L->arr.utilization : 0.0,
                L->on_array ? 100.0 * gated_share(&L->arr) : 0.0, el / 1e6,
                L->ok ? "PASS" : "FAIL");
    }
    fprintf(f, "%-22s %-8s %-22s %13llu %11llu %9llu %6.2f %7.2f %10.3f %6s\n", "total", "",
            "", (unsigned long long)T.macs, (unsigned long long)T.arr_cycles,
            (unsigned long long)T.post_cycles, 100.0 * util(T.macs, T.cycles, run),
            T.slots ? 100.0 * (double)T.gated / (double)T.slots : 0.0, T.e_total / 1e6,
            T.failed ? "FAIL" : "PASS");
    fprintf(f, "cycles %llu (array %llu + post-processing %llu); utilization %.2f%% of %d PEs "
               "over all cycles (%.2f%% over the array's)\n",
            (unsigned long long)T.cycles, (unsigned long long)T.arr_cycles,
            (unsigned long long)T.post_cycles, 100.0 * util(T.macs, T.cycles, run),
            run->rows * run->cols, 100.0 * util(T.macs, T.arr_cycles, run));
    roofline_line(f, run, nl, n);
    if (fused) {
        int pooled = 0;
        for (int i = 0; i < n; i++) pooled += nl[i].pooled;
        fprintf(f, "post-processing fused into the array's writeback on %d layers (--fuse-ppu), "
                   "%d of them with the pooling after them: int8 outputs to DRAM; DRAM traffic "
                   "%.3f MB\n",
                fused, pooled, (double)T.dram / 1e6);
        for (int i = 0; i < n; i++)
            if (nl[i].note[0]) fprintf(f, "note: %s: %s\n", nl[i].t->name, nl[i].note);
    }
    fprintf(f, "energy %s %.3f uJ: DRAM %.3f, GLB %.3f, RF %.3f, MAC %.3f\n",
            nb > 1 ? "of the batch" : "per inference", T.e_total / 1e6, T.e[ENERGY_DRAM] / 1e6, T.e[ENERGY_GLB] / 1e6, T.e[ENERGY_RF] / 1e6,
            T.e[ENERGY_MAC] / 1e6);
    if (nb > 1)
        fprintf(f, "batch %d (each conv/fc runs the images as one layer, each weight loaded once "
                   "for all): per image %.1f cycles, %.3f uJ (DRAM %.3f, GLB %.3f, RF %.3f, MAC "
                   "%.3f)\n",
                nb, (double)T.cycles / nb, T.e_total / 1e6 / nb, T.e[ENERGY_DRAM] / 1e6 / nb,
                T.e[ENERGY_GLB] / 1e6 / nb, T.e[ENERGY_RF] / 1e6 / nb, T.e[ENERGY_MAC] / 1e6 / nb);
    fprintf(f, "wall %.2f s", wall);
    if (jobs > 1)
        fprintf(f, " on %d processes (--jobs; each layer from the golden chain's input, which is "
                   "its predecessor's output when all pass; the golden chain first, %.2f s)",
                jobs, golden_s);
    fprintf(f, "; simulation %.2f s, %.3f M simulated cycles/s; %d of %d layers failed\n",
            T.sim_s, T.sim_s > 0 ? (double)T.cycles / T.sim_s / 1e6 : 0.0, T.failed, n);
}

/* Where layer L ran, as the JSON and CSV reports name it. */
static const char *where(const net_layer_t *L)
{
    if (L->pooled) return "fused-into-previous";
    if (L->on_array) return L->arr.fused.on ? "array+fused-ppu" : "array+ppu";
    return L->has_post ? "ppu" : "host";
}

static int write_json(const char *path, const topo_t *t, const layer_run_cfg_t *run,
                      const char *df_name, const net_layer_t *nl, int n, double wall, bool fuse,
                      int nb)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    const net_totals_t T = totals(nl, n);
    fprintf(f, "{\n  \"network\": ");
    json_str(f, t->name);
    fprintf(f, ",\n  \"config\": {\"rows\": %d, \"cols\": %d, \"dataflow\": \"%s\", "
               "\"dtype\": \"int8\", \"seed\": %llu, \"dram_bw\": %g, \"dram_latency\": %llu, "
               "\"glb_bytes\": %llu, \"fuse_ppu\": %s, \"batch\": %d},\n  \"layers\": [",
            run->rows, run->cols, df_name, (unsigned long long)run->seed, run->mem.dram.bw,
            (unsigned long long)run->mem.dram.latency,
            (unsigned long long)run->mem.glb_total, fuse ? "true" : "false", nb);
    for (int i = 0; i < n; i++) {
        const net_layer_t *L = &nl[i];
        const layer_result_t *r = &L->arr;
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        json_str(f, L->t->name);
        fprintf(f, ", \"type\": \"%s\", \"in\": [%d, %d, %d], \"out\": [%d, %d, %d], "
                   "\"where\": \"%s\", \"pass\": %s, \"cycles\": %llu",
                topo_type_name(L->t->type), L->t->c, L->t->h, L->t->w, L->t->k, L->t->p,
                L->t->q, where(L),
                L->ok ? "true" : "false", (unsigned long long)L->cycles);
        if (L->on_array)
            fprintf(f, ", \"macs\": %llu, \"array_cycles\": %llu, \"model_cycles\": %llu, "
                       "\"ideal_cycles\": %llu, \"roofline_cycles\": %llu, "
                       "\"predicted_cycles\": %llu, \"utilization\": %.6f, \"groups\": %d, "
                       "\"tiling\": \"%s\", \"dram_read_bytes\": %llu, "
                       "\"dram_write_bytes\": %llu, \"intensity\": %.4f, \"bitexact\": %s, "
                       "\"cycles_match\": %s, \"traffic_ok\": %s, \"counters_ok\": %s, "
                       "\"stall_cycles\": {\"compute\": %llu, \"fill_drain\": %llu, "
                       "\"dma\": %llu, \"glb_port\": %llu}, \"mac_slots\": %llu, "
                       "\"gated_macs\": %llu, \"gated_share\": %.6f, \"sim_wall_seconds\": %.4f",
                    (unsigned long long)r->macs, (unsigned long long)r->cycles,
                    (unsigned long long)r->model_cycles, (unsigned long long)r->ideal_cycles,
                    (unsigned long long)r->mem.roofline_cycles,
                    (unsigned long long)r->mem.predicted_cycles, r->utilization,
                    L->t->groups, r->mem.tiling, (unsigned long long)r->mem.dram_rd,
                    (unsigned long long)r->mem.dram_wr, r->mem.intensity,
                    r->bitexact ? "true" : "false", r->cycles_match ? "true" : "false",
                    r->mem.traffic_ok ? "true" : "false", r->counters_ok ? "true" : "false",
                    (unsigned long long)r->mem.stall[0], (unsigned long long)r->mem.stall[1],
                    (unsigned long long)r->mem.stall[2], (unsigned long long)r->mem.stall[3],
                    (unsigned long long)r->rtl_mac_slots, (unsigned long long)r->rtl_gated,
                    gated_share(r), r->sim_seconds);
        if (L->has_post)
            fprintf(f, ", \"ppu\": {\"cycles\": %llu, \"model_cycles\": %llu, \"beats\": %llu, "
                       "\"outputs\": %llu, \"glb_read_bytes\": %llu, \"glb_write_bytes\": %llu, "
                       "\"bitexact\": %s, \"mismatches\": %llu, \"scale\": %.9g, "
                       "\"fused\": %s, \"late\": %llu}",
                    (unsigned long long)L->post.cycles, (unsigned long long)L->post.model_cycles,
                    (unsigned long long)L->post.beats, (unsigned long long)L->post.outputs,
                    (unsigned long long)L->post.glb_rd, (unsigned long long)L->post.glb_wr,
                    L->post.mismatches == 0 ? "true" : "false",
                    (unsigned long long)L->post.mismatches, L->scale,
                    L->arr.fused.on ? "true" : "false", (unsigned long long)L->arr.fused.late);
        fprintf(f, ", \"energy_pj\": {\"dram\": %.1f, \"glb\": %.1f, \"rf\": %.1f, "
                   "\"mac\": %.1f}}",
                L->energy_pj[ENERGY_DRAM], L->energy_pj[ENERGY_GLB], L->energy_pj[ENERGY_RF],
                L->energy_pj[ENERGY_MAC]);
    }
    fprintf(f, "\n  ],\n  \"total\": {\"layers\": %d, \"macs\": %llu, \"cycles\": %llu, "
               "\"array_cycles\": %llu, \"ppu_cycles\": %llu, \"utilization\": %.6f, "
               "\"dram_bytes\": %llu, \"mac_slots\": %llu, \"gated_macs\": %llu, "
               "\"energy_pj\": {\"dram\": %.1f, \"glb\": %.1f, "
               "\"rf\": %.1f, \"mac\": %.1f, \"total\": %.1f}, \"per_image\": {\"cycles\": %.1f, "
               "\"energy_pj\": %.1f}, \"wall_seconds\": %.3f, \"pass\": %s}\n}\n",
            n, (unsigned long long)T.macs, (unsigned long long)T.cycles,
            (unsigned long long)T.arr_cycles, (unsigned long long)T.post_cycles,
            util(T.macs, T.cycles, run), (unsigned long long)T.dram, (unsigned long long)T.slots,
            (unsigned long long)T.gated, T.e[ENERGY_DRAM], T.e[ENERGY_GLB],
            T.e[ENERGY_RF], T.e[ENERGY_MAC], T.e_total, (double)T.cycles / nb, T.e_total / nb, wall,
            T.failed ? "false" : "true");
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

static void csv_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const char *path, const net_layer_t *nl, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    fprintf(f, "name,type,where,in_c,in_h,in_w,out_c,out_h,out_w,groups,macs,cycles,"
               "array_cycles,model_cycles,ideal_cycles,roofline_cycles,predicted_cycles,"
               "ppu_cycles,utilization,dram_read_bytes,dram_write_bytes,intensity,"
               "stall_compute,stall_fill_drain,stall_dma,stall_glb_port,mac_slots,gated_macs,"
               "energy_dram_pj,"
               "energy_glb_pj,energy_rf_pj,energy_mac_pj,scale,check\n");
    for (int i = 0; i < n; i++) {
        const net_layer_t *L = &nl[i];
        const layer_result_t *r = &L->arr;
        const bool a = L->on_array;
        csv_str(f, L->t->name);
        fprintf(f, ",%s,%s,%d,%d,%d,%d,%d,%d,%d,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f,"
                   "%llu,%llu,%.4f,%llu,%llu,%llu,%llu,%llu,%llu,%.1f,%.1f,%.1f,%.1f,%.9g,%s\n",
                topo_type_name(L->t->type), where(L),
                L->t->c, L->t->h, L->t->w, L->t->k, L->t->p, L->t->q, L->t->groups,
                (unsigned long long)(a ? r->macs : 0), (unsigned long long)L->cycles,
                (unsigned long long)(a ? r->cycles : 0),
                (unsigned long long)(a ? r->model_cycles : 0),
                (unsigned long long)(a ? r->ideal_cycles : 0),
                (unsigned long long)(a ? r->mem.roofline_cycles : 0),
                (unsigned long long)(a ? r->mem.predicted_cycles : 0),
                (unsigned long long)L->post.cycles, a ? r->utilization : 0.0,
                (unsigned long long)(a ? r->mem.dram_rd : 0),
                (unsigned long long)(a ? r->mem.dram_wr : 0), a ? r->mem.intensity : 0.0,
                (unsigned long long)r->mem.stall[0], (unsigned long long)r->mem.stall[1],
                (unsigned long long)r->mem.stall[2], (unsigned long long)r->mem.stall[3],
                (unsigned long long)(a ? r->rtl_mac_slots : 0),
                (unsigned long long)(a ? r->rtl_gated : 0), L->energy_pj[ENERGY_DRAM], L->energy_pj[ENERGY_GLB], L->energy_pj[ENERGY_RF],
                L->energy_pj[ENERGY_MAC], L->scale, L->ok ? "PASS" : "FAIL");
    }
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

/* Layer i, a concat: its producers' maps side by side in y (a memory layout, on the host). */
static void run_concat(const net_run_t *s, const topo_layer_t *T, int8_t *y)
{
    const size_t in_n = (size_t)T->c * T->h * T->w;
    size_t off = 0;
    for (int img = 0; img < s->nb; img++)
        for (int j = 0; j < T->ninputs; j++) {
            const int src = T->inputs[j];
            const topo_layer_t *P = src < 0 ? NULL : &s->t.layers[src];
            const size_t n = P ? (size_t)P->k * P->p * P->q : in_n;
            memcpy(y + off, (src < 0 ? s->x0 : s->acts[src]) + (size_t)img * n, n);
            off += n;
        }
}

/* calibrate() for layer i (its scale into nl[i]); the error recorded. */
static int calibrate_layer(net_run_t *s, int i, const int32_t *in, const int32_t *b,
                           bool b_per_elem, int c, size_t plane, device_post_t *pp)
{
    const int rc = calibrate(in, b, b_per_elem, c, plane, pp, &s->nl[i].scale);
    if (rc != 0)
        errlist_add(&s->e, rc, "%s: layer '%s': no representable requantization scale",
                    s->t.path, s->t.layers[i].name);
    return rc;
}

/* The error of a conv/fc layer that the array could not take. */
static int conv_error(net_run_t *s, const topo_layer_t *T, const layer_t *cv, int rc)
{
    if (rc != PECOS_ENOTSUP) return rc;
    char why[64];
    device_conv_maps(cv, why, sizeof why);
    return errlist_add(&s->e, PECOS_EPARAM, "%s: layer '%s' (line %d) does not map onto the array: %s",
                       s->t.path, T->name, T->line, why);
}

/* The array's conv of rl into acc (the bias is the PPU's) with its result in r; in the golden
 * pass the golden conv alone (nothing run, checked or counted). */
static int net_conv(net_run_t *s, const layer_t *rl, const int8_t *x, const int8_t *w,
                    int32_t *acc, layer_result_t *r)
{
    if (!s->golden) return device_conv_i8(&s->a, rl, x, w, NULL, acc, r);
    return golden_gemm_conv_i8(rl, x, w, NULL, acc) == 0 ? 0 : PECOS_EPARAM;
}

/* device_post(), or in the golden pass the golden post-processing alone. */
static int net_post(net_run_t *s, const device_post_t *pp, const int32_t *in, const int32_t *b,
                    bool b_per_elem, int8_t *y, device_post_res_t *r)
{
    if (!s->golden) return device_post(&s->a, pp, in, b, b_per_elem, y, r);
    memset(r, 0, sizeof *r);
    int P, Q; /* what the unit cannot take, the run in order reports (an input error) */
    char err[256];
    if (device_post_check(pp, &P, &Q, err, sizeof err) != 0) return PECOS_EPARAM;
    return device_post_golden(pp, in, b, b_per_elem, y);
}

/* Layer i (cv) fused (--fuse-ppu): the requantization scale is calibrated on the golden
 * accumulators before the run (the unit is configured before the first output leaves the
 * array); the array starts from the bias and the PPU (pp) requantizes every output on its
 * way out, so y8 is what the unfused chain gives. L->post holds the unit's share: no cycles
 * of its own (it works while the array does; its latency is in the array's cycles), no GLB
 * reads (its operands come from the array's edge). The array runs rl (cv, or the stacked
 * layer of a batch bt) on x; acc and y8 are in rl's output layout, acc_cm (a batch) gets the
 * images' accumulators [K][nb][P*Q]. */
static int run_fused(net_run_t *s, int i, const layer_t *cv, const layer_batch_t *bt,
                     const int8_t *x, const int8_t *w, const int32_t *bias, device_post_t *pp,
                     int32_t *acc, int32_t *acc_cm, int8_t *y8)
{
    const topo_layer_t *T = &s->t.layers[i];
    net_layer_t *L = &s->nl[i];
    const layer_t *rl = bt ? &bt->L : cv;
    int rc = golden_gemm_conv_i8(rl, x, w, bias, acc);
    if (rc != 0)
        return errlist_add(&s->e, PECOS_EPARAM, "%s: layer '%s': the golden conv rejected it",
                           s->t.path, T->name);
    if (bt) layer_batch_unstack(bt, cv, acc, sizeof *acc, acc_cm); /* the images' rows */
    if ((rc = calibrate_layer(s, i, bt ? acc_cm : acc, NULL, false, T->k,
                              (size_t)s->nb * T->p * T->q, pp)) != 0)
        return rc;
    if (s->golden) { /* the unit's chain on the golden accumulators (bias included) */
        device_post_t q = *pp;
        q.c = rl->k;
        q.h = rl->p;
        q.w = rl->q;
        return device_post_golden(&q, acc, NULL, false, y8) == 0 ? 0 : PECOS_EPARAM;
    }
    if ((rc = device_conv_i8_fused(&s->a, rl, x, w, bias, pp, acc, y8, &L->arr)) != 0)
        return conv_error(s, T, rl, rc);
    L->on_array = true;
    L->post = device_fused_post_res(&L->arr.fused);
    return 0;
}

/* Layer i, a conv or fc, on input in0 ([nb][C,H,W]): the array computes the accumulators
 * (a batch: the images stacked into one layer, layer_batch.h), the PPU (pp) adds the bias and
 * requantizes them into y ([nb][K,P,Q]). Weights and bias come from the seed and i. Returns
 * 0 or a negative code (recorded, or printed by the array's runner). */
static int run_array(net_run_t *s, int i, const int8_t *in0, device_post_t *pp, int8_t *y)
{
    const topo_layer_t *T = &s->t.layers[i];
    net_layer_t *L = &s->nl[i];
    const int nb = s->nb;
    const size_t out_n = (size_t)T->k * T->p * T->q, pq = (size_t)T->p * T->q;
    int8_t *w = NULL, *xs = NULL, *y8 = NULL, *ycm = NULL;
    int32_t *acc = NULL, *acc_cm = NULL, *bias = NULL;
    int rc;
    rng_t g;
    rng_seed(&g, s->run->seed * 0x9e3779b97f4a7c15ULL + 0x1000 + (uint64_t)i);
    layer_t cv;
    topo_to_layer(T, &cv);
    layer_batch_t bt;
    if (nb > 1 && layer_batch_layer(&cv, nb, &bt) != 0)
        return errlist_add(&s->e, PECOS_EPARAM, "%s: layer '%s': --batch %d is too large for it",
                           s->t.path, T->name, nb);
    const layer_t *rl = nb > 1 ? &bt.L : &cv; /* what the array runs */
    const size_t rl_out = (size_t)rl->k * rl->p * rl->q;
    const size_t wn = (size_t)cv.k * (cv.c / cv.groups) * cv.r * cv.s;
    if (!(w = malloc(wn ? wn : 1)) || !(bias = malloc(sizeof *bias * (size_t)T->k)) ||
        !(acc = malloc(sizeof *acc * (rl_out ? rl_out : 1))) ||
        (nb > 1 && (!(xs = malloc((size_t)rl->c * rl->h * rl->w + 1)) ||
                    !(acc_cm = malloc(sizeof *acc_cm * (out_n * nb + 1))) ||
                    !(ycm = malloc(out_n * nb + 1)))) ||
        (s->o->fuse_ppu && !(y8 = malloc(rl_out + 1)))) {
        rc = errlist_add(&s->e, PECOS_ENOMEM, "layer '%s': out of memory", T->name);
        goto out_free;
    }
    for (size_t j = 0; j < wn; j++) w[j] = (int8_t)rng_range(&g, -127, 127);
    for (int j = 0; j < T->k; j++) bias[j] = (int32_t)rng_range(&g, -4096, 4096);
    if (nb > 1) layer_batch_stack(&bt, &cv, in0, 1, xs);
    const int8_t *x = nb > 1 ? xs : in0;
    int8_t *yk = nb > 1 ? ycm : y; /* the int8 results, [K][nb][P*Q] */
    if (s->o->fuse_ppu) {
        if ((rc = run_fused(s, i, &cv, nb > 1 ? &bt : NULL, x, w, bias, pp, acc, acc_cm, y8)) != 0)
            goto out_free;
        if (nb > 1)
            layer_batch_unstack(&bt, &cv, y8, 1, ycm);
        else if (pp->pool != ACCEL_POOL_NONE) /* the pooled map (pool_next) */
            memcpy(y, y8, (size_t)T->k * (T->p / pp->r) * (T->q / pp->s));
        else
            memcpy(y, y8, out_n);
    } else {
        /* The array computes the accumulators; the bias is the PPU's to add. */
        rc = net_conv(s, rl, x, w, acc, &L->arr);
        if (rc != 0) {
            rc = conv_error(s, T, rl, rc);
            goto out_free;
        }
        L->on_array = true;
        if (nb > 1) layer_batch_unstack(&bt, &cv, acc, sizeof *acc, acc_cm);
        const int32_t *a = nb > 1 ? acc_cm : acc;
        if ((rc = calibrate_layer(s, i, a, bias, false, T->k, pq * nb, pp)) != 0) goto out_free;
        pp->h = T->p * nb; /* the images' rows one after the other: one pass of the unit */
        rc = net_post(s, pp, a, bias, false, yk, &L->post);
        if (rc != 0) goto out_free;
    }
    if (nb > 1) { /* [K][nb][P*Q] -> [nb][K][P*Q] */
        layer_batch_transpose(ycm, T->k, nb, pq, 1, y);
        layer_batch_counts(s->run, &L->arr, topo_macs(T) * (uint64_t)nb);
    }
out_free:
    free(w);
    free(acc);
    free(acc_cm);
    free(bias);
    free(xs);
    free(y8);
    free(ycm);
    return rc;
}

/* The unit's pass pp over each image of a batch (in_n operands and out_n results an image;
 * b per element, or NULL), into y; the passes' results summed into nl[i].post (the first
 * mismatch kept). Returns 0 or the first pass's error. */
static int post_images(net_run_t *s, int i, const device_post_t *pp, const int32_t *acc,
                       const int32_t *b, size_t in_n, size_t out_n, int8_t *y)
{
    device_post_res_t *d = &s->nl[i].post, r;
    for (int img = 0; img < s->nb; img++) {
        const size_t o = (size_t)img * in_n;
        const int rc = net_post(s, pp, acc + o, b ? b + o : NULL, b != NULL,
                                y + (size_t)img * out_n, img ? &r : d);
        if (rc != 0) return rc;
        if (img > 0) device_post_res_add(d, &r);
    }
    return 0;
}

/* Layer i, an add of in0 and its second input: the PPU (pp) takes one as the accumulator,
 * the other as a per-element bias, and requantizes the sum into y. Returns 0 or a negative
 * code (recorded, or printed by the PPU's runner). */
static int run_add(net_run_t *s, int i, const int8_t *in0, device_post_t *pp, int8_t *y)
{
    const topo_layer_t *T = &s->t.layers[i];
    const size_t in_n = (size_t)T->c * T->h * T->w, all = in_n * (size_t)s->nb;
    const int8_t *in1 = T->inputs[1] < 0 ? s->x0 : s->acts[T->inputs[1]];
    int32_t *acc = malloc(sizeof *acc * all), *b = malloc(sizeof *b * all);
    int rc;
    if (!acc || !b) {
        rc = errlist_add(&s->e, PECOS_ENOMEM, "layer '%s': out of memory", T->name);
        goto out_free;
    }
    for (size_t j = 0; j < all; j++) {
        acc[j] = in0[j];
        b[j] = in1[j];
    }
    pp->c = T->c;
    pp->h = T->h;
    pp->w = T->w;
    /* one scale for the batch: the images' channels as more channels (b is per element) */
    if ((rc = calibrate_layer(s, i, acc, b, true, T->c * s->nb, (size_t)T->h * T->w, pp)) != 0)
        goto out_free;
    rc = post_images(s, i, pp, acc, b, in_n, in_n, y);
out_free:
    free(acc);
    free(b);
    return rc;
}

/* Layer i, a maxpool, avgpool, gap or relu on in0: the PPU (pp) alone, requantization
 * bypassed, into y. Returns 0 or a negative code (recorded, or printed by the PPU's runner). */
static int run_pool(net_run_t *s, int i, const int8_t *in0, device_post_t *pp, int8_t *y)
{
    const topo_layer_t *T = &s->t.layers[i];
    const size_t in_n = (size_t)T->c * T->h * T->w, all = in_n * (size_t)s->nb;
    int32_t *acc = malloc(sizeof *acc * all);
    if (!acc) return errlist_add(&s->e, PECOS_ENOMEM, "layer '%s': out of memory", T->name);
    for (size_t j = 0; j < all; j++) acc[j] = in0[j];
    pp->c = T->c;
    pp->h = T->h;
    pp->w = T->w;
    pp->relu = T->relu || T->type == TOPO_RELU;
    if (T->type != TOPO_RELU) {
        pp->pool = T->type == TOPO_MAXPOOL ? ACCEL_POOL_MAX : ACCEL_POOL_AVG;
        pp->r = T->r;
        pp->s = T->s;
        pp->stride = T->type == TOPO_GAP ? 1 : T->stride;
        pp->pad_t = T->pad_t;
        pp->pad_l = T->pad_l;
        pp->pad_b = T->pad_b;
        pp->pad_r = T->pad_r;
    }
    const int rc = post_images(s, i, pp, acc, NULL, in_n, (size_t)T->k * T->p * T->q, y);
    free(acc);
    return rc;
}

/* The checks and energy of a layer whose post-processing (pp) ran. */
static void post_ran(const net_run_t *s, net_layer_t *L, const device_post_t *pp)
{
    const device_t *a = &s->a;
    L->has_post = true;
    L->ok = L->post.ok && (!L->on_array || layer_result_ok(&L->arr));
    if (L->on_array) memcpy(L->energy_pj, L->arr.mem.energy_pj, sizeof L->energy_pj);
    /* The PPU's operand reads and result writes are GLB accesses, priced at the unified GLB's
     * size, or (unbounded GLB) at the size of the SRAM that holds its int32 input map. */
    {
        const uint64_t glb = a->run.mem.glb_total ? a->run.mem.glb_total
                                                  : (uint64_t)pp->c * pp->h * pp->w * 4;
        L->energy_pj[ENERGY_GLB] += (double)(L->post.glb_rd + L->post.glb_wr) / 4.0 *
                               energy_sram_pj(a->run.etab, glb);
    }
}

/* --fuse-ppu: whether the max/avg pool after conv i (cv) runs on the unit on its writeback
 * path (device_fuse_pool_ok; the pool reads only layer i, nothing else does, no ReLU of its
 * own, one image); if so, pp gets the window. A pool after i that stays its own pass gets
 * the reason in its note. */
static bool pool_next(net_run_t *s, int i, int n, const layer_t *cv, device_post_t *pp)
{
    const topo_t *t = &s->t;
    if (!s->o->fuse_ppu || i + 1 >= n) return false;
    const topo_layer_t *P = &t->layers[i + 1];
    if ((P->type != TOPO_MAXPOOL && P->type != TOPO_AVGPOOL) || P->ninputs != 1 || P->inputs[0] != i)
        return false;
    const char *no = NULL;
    for (int j = 0; j < t->n && !no; j++)
        for (int k = 0; j != i + 1 && k < t->layers[j].ninputs; k++)
            if (t->layers[j].inputs[k] == i) no = "another layer reads the conv's map";
    if (!no && P->relu) no = "the pool has a ReLU of its own";
    if (!no && s->nb > 1) no = "a batch pools image by image";
    device_post_t q = *pp;
    q.pool = P->type == TOPO_MAXPOOL ? ACCEL_POOL_MAX : ACCEL_POOL_AVG;
    q.r = P->r;
    q.s = P->s;
    q.stride = P->stride;
    q.pad_t = P->pad_t;
    q.pad_l = P->pad_l;
    q.pad_b = P->pad_b;
    q.pad_r = P->pad_r;
    char why[160];
    if (!no && !device_fuse_pool_ok(&s->a, cv, &q, why, sizeof why)) no = why;
    if (no) {
        snprintf(s->nl[i + 1].note, sizeof s->nl[i + 1].note, "not fused into %.40s: %.70s",
                 t->layers[i].name, no);
        return false;
    }
    *pp = q;
    return true;
}

/* Runs layer i: its inputs are the acts[] of its producers (int8, [C,H,W] each); writes
 * acts[i] (allocated here) and nl[i]. Returns 0 when it ran, else a negative code (recorded
 * in err, or printed by the array's or the PPU's runner). */
static int run_one(net_run_t *s, int i)
{
    const topo_layer_t *T = &s->t.layers[i];
    net_layer_t *L = &s->nl[i];
    const double t0 = pecos_now();
    const bool pooled = L->pooled; /* set by the conv before it, with its output */
    char note[sizeof L->note];
    memcpy(note, L->note, sizeof note);
    memset(L, 0, sizeof *L);
    L->t = T;
    memcpy(L->note, note, sizeof note);
    if (pooled) { /* it ran on the unit on the conv's writeback path */
        L->pooled = L->ok = true;
        L->wall_seconds = pecos_now() - t0;
        return 0;
    }
    /* a conv whose pool runs fused writes the pool's output */
    layer_t cv;
    device_post_t pp = {.c = T->k, .h = T->p, .w = T->q, .relu = T->relu};
    snprintf(pp.name, sizeof pp.name, "%s", T->name);
    const bool pools = (T->type == TOPO_CONV || T->type == TOPO_FC) &&
                       (topo_to_layer(T, &cv), pool_next(s, i, s->n_run, &cv, &pp));
    const topo_layer_t *O = pools ? &s->t.layers[i + 1] : T;
    const size_t out_n = (size_t)O->k * O->p * O->q * (size_t)s->nb;
    int8_t *y = malloc(out_n ? out_n : 1);
    if (!y) return errlist_add(&s->e, PECOS_ENOMEM, "layer '%s': out of memory", T->name);

    /* The input: one producer's map, or a concat of several (host: a memory layout) */
    const int8_t *in0 = T->inputs[0] < 0 ? s->x0 : s->acts[T->inputs[0]];
    if (T->type == TOPO_CONCAT) {
        run_concat(s, T, y);
        L->ok = true;
    } else {
        int rc;
        if (T->type == TOPO_CONV || T->type == TOPO_FC)
            rc = run_array(s, i, in0, &pp, y);
        else if (T->type == TOPO_ADD)
            rc = run_add(s, i, in0, &pp, y);
        else
            rc = run_pool(s, i, in0, &pp, y);
        if (rc != 0) {
            free(y);
            return rc;
        }
        post_ran(s, L, &pp);
    }
    L->cycles = (L->on_array ? L->arr.cycles : 0) + L->post.cycles;
    L->wall_seconds = pecos_now() - t0;
    if (pools) {
        L->pools = true;
        s->nl[i + 1].pooled = true;
        s->acts[i + 1] = y;
    } else {
        s->acts[i] = y;
    }
    return 0;
}

/* The plots: every layer that ran on the array or the PPU. Returns 0 or a negative code
 * with the reason in err (empty when memory ran out here). */
static int make_plots(const char *dir, const net_run_t *s, char *err, size_t errlen)
{
    const layer_run_cfg_t *run = s->run;
    const int n = s->ran;
    plot_layer_t *pl = calloc((size_t)n, sizeof *pl);
    char title[160];
    if (!pl) return PECOS_ENOMEM;
    int m = 0;
    for (int i = 0; i < n; i++) {
        const net_layer_t *L = &s->nl[i];
        if (!L->on_array && !L->has_post) continue;
        plot_layer_t *p = &pl[m++];
        p->name = L->t->name;
        p->macs = L->on_array ? L->arr.macs : 0;
        p->cycles = L->cycles;
        p->ideal_cycles = L->on_array ? L->arr.ideal_cycles : 0;
        p->roofline_cycles = L->on_array ? L->arr.mem.roofline_cycles : 0;
        p->dram_bytes = L->on_array ? L->arr.mem.dram_rd + L->arr.mem.dram_wr : 0;
        p->utilization = L->cycles && L->on_array
                             ? (double)L->arr.macs / ((double)L->cycles * run->rows * run->cols)
                             : 0;
        memcpy(p->energy_pj, L->energy_pj, sizeof p->energy_pj);
    }
    snprintf(title, sizeof title, "%s on %dx%d int8 %s", s->t.name, run->rows, run->cols,
             s->df_name);
    const plot_cfg_t pc = {.title = title, .rows = run->rows, .cols = run->cols,
                           .dram_bw = run->mem.dram.bw};
    int rc = plot_network(dir, &pc, pl, m, err, errlen);
    free(pl);
    return rc;
}

/* The topology and the network's input (--ifmap, or random from the seed). Returns 0 or a
 * negative code (recorded). */
static int net_load(net_run_t *s)
{
    const layer_run_cfg_t *run = s->run;
    const net_run_opts_t *o = s->o;
    char err[1024];
    if (run->dtype != PECOS_INT8)
        return errlist_add(&s->e, PECOS_EDTYPE, "--network runs int8 only (--dtype %s)",
                           pecos_dtype_name(run->dtype));
    if (topo_load(o->network, &s->t, err, sizeof err) != 0 ||
        topo_check_chain(&s->t, err, sizeof err) != 0)
        return errlist_add(&s->e, PECOS_EFORMAT, "--network %s", err);
    int c0, h0, w0;
    input_shape(&s->t, &c0, &h0, &w0);
    const int nb = s->nb;
    const size_t n0 = (size_t)c0 * h0 * w0 * (size_t)nb;
    if (o->ifmap_path) {
        npy_array_t arr;
        int rc = npy_read(o->ifmap_path, &arr, err, sizeof err);
        if (rc != 0) return errlist_add(&s->e, input_error(rc), "--ifmap %s: %s", o->ifmap_path, err);
        if (arr.dtype != NPY_INT8 || arr.ndim != 4 || arr.shape[0] != nb || arr.shape[1] != c0 ||
            arr.shape[2] != h0 || arr.shape[3] != w0) {
            errlist_add(&s->e, PECOS_ESHAPE, "--ifmap %s: expected int8 [%d,%d,%d,%d] for network %s, "
                                     "got %s with %d dimensions",
                    o->ifmap_path, nb, c0, h0, w0, s->t.name, npy_dtype_name(arr.dtype), arr.ndim);
            npy_free(&arr);
            return PECOS_ESHAPE;
        }
        s->x0 = arr.data;
    } else {
        rng_t g;
        rng_seed(&g, run->seed * 0x100000001b3ULL + 0xfeed);
        if (!(s->x0 = malloc(n0 ? n0 : 1))) return errlist_add(&s->e, PECOS_ENOMEM, "out of memory");
        for (size_t j = 0; j < n0; j++) s->x0[j] = (int8_t)rng_range(&g, -128, 127);
    }
    return 0;
}

/* The per-layer buffers and the array (with its waveform, if asked for). Returns 0 or a
 * negative code (recorded); on 0 the array is open. */
static int net_open(net_run_t *s, int df)
{
    const net_run_opts_t *o = s->o;
    device_t *a = &s->a;
    char err[1024];
    int rc;
    if (!(s->acts = calloc((size_t)s->t.n, sizeof *s->acts)) ||
        !(s->nl = calloc((size_t)s->t.n, sizeof *s->nl)))
        return errlist_add(&s->e, PECOS_ENOMEM, "out of memory");
    if ((rc = device_open_wave(a, s->run, df, o->wave_path, o->wave_from, o->wave_to, err,
                               sizeof err)) != 0)
        return errlist_add(&s->e, input_error(rc), "%s", err);
    if (o->replay_dir && (rc = device_replay(a, o->replay_dir, err, sizeof err)) != 0) {
        device_close(a);
        return errlist_add(&s->e, input_error(rc), "--replay-dump: %s", err);
    }
    return 0;
}

/* Runs the layers in file order on this process until one cannot run. Returns 0 or the code
 * of the layer that could not run. */
static int net_seq_layers(net_run_t *s, uint64_t macs_total)
{
    const topo_t *t = &s->t;
    const net_run_opts_t *o = s->o;
    uint64_t macs_done = 0, cycles = 0;
    int rc = 0;
    const double t0 = pecos_now();
    for (int i = 0; i < s->n_run; i++) {
        if (o->progress) print_progress(i, t->n, t->layers[i].name, cycles, t0, macs_done, macs_total);
        if ((rc = run_one(s, i)) != 0) break;
        s->ran++;
        cycles += s->nl[i].cycles;
        macs_done += topo_macs(&t->layers[i]);
    }
    if (o->progress) {
        print_progress(s->ran, t->n, "done", cycles, t0, macs_done, macs_total);
        fputc('\n', stderr);
    }
    return rc;
}

/* --- --jobs: the layers on several processes -------------------------------------------
 * Every layer is checked bit-exact against the golden models on its own input, so when all
 * pass, each layer's input is the golden chain's. The parallel run computes that chain first
 * (the golden pass: the same layer code with the golden models in place of the device), then
 * runs each layer on the RTL, with every check, from its golden input on one of the worker
 * processes (procpool.h; each has its own copy of the open models). When every layer ran and
 * passed, the reports are those of the run in order (the global cycle a layer started at is
 * not in them). Otherwise the parallel results are dropped and the network runs again in
 * order, as one process, so a failure reads exactly as it always has: later layers take the
 * failing layer's output, the FAIL lines and the --wave-on-fail window name global cycles. */

/* The units: a layer, with the pool after it when that pool runs fused into it. */
typedef struct {
    net_run_t *s;
    int *first;          /* [units] the unit's layer */
    size_t *size;        /* [units] its result's bytes: nl[] entries, then the output map */
    int units;
    uint64_t macs_total, macs_done, cycles;
    double t0;
} net_par_t;

/* The index of the map unit's layer i writes (the pool's when it pools), and its bytes. */
static int unit_map(const net_run_t *s, int i, size_t *bytes)
{
    const int j = s->nl[i].pools ? i + 1 : i;
    const topo_layer_t *O = &s->t.layers[j];
    *bytes = (size_t)O->k * O->p * O->q * (size_t)s->nb;
    return j;
}

static void par_child_init(void *ctx)
{
    net_run_t *s = ((net_par_t *)ctx)->s;
    s->golden = false;
    s->a.run.log = NULL;   /* a failure is reported by the run in order that follows */
    s->a.run.rerun = NULL;
}

/* par_run_unit()'s code for a unit that ran and failed a check (the PECOS_E* codes are
 * negative): the other workers stop, the network runs again in order. */
#define PAR_FAILED 1

/* In a worker: unit u on the RTL, its nl[] entries and output map into out. Returns 0, a
 * negative code (a layer could not run) or PAR_FAILED. */
static int par_run_unit(void *ctx, int u, void *out)
{
    net_par_t *P = ctx;
    net_run_t *s = P->s;
    const int i = P->first[u];
    const bool pools = s->nl[i].pools; /* as the golden pass found */
    int rc = run_one(s, i);
    if (rc == 0 && s->nl[i].pools != pools) rc = PECOS_EPARAM;
    if (rc == 0 && pools) rc = run_one(s, i + 1);
    if (rc != 0) return rc;
    size_t bytes;
    const int j = unit_map(s, i, &bytes);
    unsigned char *o = out;
    bool ok = true;
    for (int k = i; k <= j; k++, o += sizeof *s->nl) {
        memcpy(o, &s->nl[k], sizeof *s->nl);
        ok = ok && s->nl[k].ok;
    }
    memcpy(o, s->acts[j], bytes);
    return ok ? 0 : PAR_FAILED;
}

static void par_done(void *ctx, int u, const void *out, int ndone)
{
    net_par_t *P = ctx;
    const net_run_t *s = P->s;
    const int i = P->first[u];
    net_layer_t L;
    memcpy(&L, out, sizeof L);
    P->cycles += L.cycles;
    P->macs_done += topo_macs(&s->t.layers[i]) + (L.pools ? topo_macs(&s->t.layers[i + 1]) : 0);
    if (s->o->progress)
        print_progress(ndone, P->units, s->t.layers[i].name, P->cycles, P->t0, P->macs_done,
                       P->macs_total);
}

/* Orders the units longest first (their MACs and output elements). */
static void order_units(const net_par_t *P, int *order)
{
    const net_run_t *s = P->s;
    uint64_t *cost = malloc(sizeof *cost * (size_t)(P->units + 1));
    for (int u = 0; u < P->units; u++) order[u] = u;
    if (!cost) return;
    for (int u = 0; u < P->units; u++) {
        const topo_layer_t *T = &s->t.layers[P->first[u]];
        cost[u] = topo_macs(T) + (uint64_t)T->k * T->p * T->q;
    }
    for (int a = 1; a < P->units; a++) /* insertion sort: a network has few layers */
        for (int b = a; b > 0 && cost[order[b]] > cost[order[b - 1]]; b--) {
            const int x = order[b];
            order[b] = order[b - 1];
            order[b - 1] = x;
        }
    free(cost);
}

/* The workers' results (res) into s. Returns true when every unit ran and passed; false when
 * one failed a check (why names the first in file order) or could not run (why empty: the
 * run in order reports it). */
static bool par_collect(net_run_t *s, const net_par_t *P, const procpool_res_t *res, char *why,
                        size_t whylen)
{
    int failed = -1;
    bool lost = false; /* could not run, or was not taken after a unit that stopped the pool */
    for (int u = 0; u < P->units; u++) {
        if (res->rc[u] == PAR_FAILED && (failed < 0 || P->first[u] < failed)) failed = P->first[u];
        lost = lost || (res->rc[u] != 0 && res->rc[u] != PAR_FAILED);
    }
    if (failed >= 0) {
        snprintf(why, whylen, "layer '%s' failed", s->t.layers[failed].name);
        return false;
    }
    if (lost) return false;
    for (int u = 0; u < P->units; u++) {
        const int i = P->first[u];
        size_t bytes;
        const int j = unit_map(s, i, &bytes);
        const unsigned char *o = res->out[u];
        for (int k = i; k <= j; k++, o += sizeof *s->nl) {
            const topo_layer_t *T = s->nl[k].t;
            memcpy(&s->nl[k], o, sizeof *s->nl);
            if (s->nl[k].t != T || !s->nl[k].ok) {
                snprintf(why, whylen, "layer '%s' came back failed or as another layer",
                         s->t.layers[k].name);
                return false;
            }
        }
        memcpy(s->acts[j], o, bytes);
    }
    return true;
}

/* Whether the run may go on several processes: more than one, and nothing that needs one
 * process in order (a waveform, a replay dump, a DMA trace, an injected fault at a global
 * cycle, a backend). */
static int par_jobs(const net_run_t *s)
{
    const net_run_opts_t *o = s->o;
    const layer_run_cfg_t *r = s->run;
    int jobs = o->jobs > 0 ? o->jobs : procpool_cpus();
    if (o->wave_path || o->replay_dir || o->quiet || r->trace || r->backend ||
        r->fault_cycle != UINT64_MAX)
        jobs = 1;
    return jobs;
}

/* Drops what the golden pass and a parallel run left: the maps, the layers' entries, the
 * errors (e0: as they were before). */
static void par_reset(net_run_t *s, const errlist_t *e0)
{
    for (int i = 0; i < s->t.n; i++) {
        free(s->acts[i]);
        s->acts[i] = NULL;
    }
    memset(s->nl, 0, sizeof *s->nl * (size_t)s->t.n);
    s->e = *e0;
    if (s->e.buf && s->e.len) s->e.buf[0] = '\0';
    s->golden = false;
    s->ran = 0;
    s->jobs = 0;
}

/* The parallel run. Returns true when it ran every layer and every one passed (the results
 * in s, as the run in order gives them), false when the network is to run in order (s as
 * before, the reason printed to the log when a parallel run was dropped). */
static bool net_par_layers(net_run_t *s, uint64_t macs_total)
{
    const int jobs = par_jobs(s);
    if (jobs < 2 || s->n_run < 2) return false;
    const errlist_t e0 = s->e;
    net_par_t P = {.s = s, .macs_total = macs_total, .t0 = pecos_now()};
    procpool_res_t res = {0};
    int *order = NULL;
    bool ok = false;
    char err[256] = "", why[256] = "";

    s->golden = true; /* the golden chain: every layer's input */
    for (int i = 0; i < s->n_run; i++)
        if (run_one(s, i) != 0) goto out; /* the run in order reports it */
    s->golden = false;
    s->golden_s = pecos_now() - P.t0;
    if (device_post_open(&s->a) != 0) goto out; /* once here, not built by each worker */
    if (!(P.first = malloc(sizeof *P.first * (size_t)s->n_run)) ||
        !(P.size = malloc(sizeof *P.size * (size_t)s->n_run)) ||
        !(order = malloc(sizeof *order * (size_t)s->n_run)))
        goto out;
    for (int i = 0; i < s->n_run; i++) {
        if (s->nl[i].pooled) continue;
        size_t bytes;
        const int j = unit_map(s, i, &bytes);
        if (j >= s->n_run) goto out;
        P.first[P.units] = i;
        P.size[P.units++] = sizeof *s->nl * (size_t)(j - i + 1) + bytes;
    }
    order_units(&P, order);
    const procpool_t pool = {.jobs = jobs, .n = P.units, .order = order, .size = P.size,
                             .run = par_run_unit, .child_init = par_child_init,
                             .done = par_done, .ctx = &P};
    const int prc = procpool_run(&pool, &res, err, sizeof err);
    if (s->o->progress) fputc('\n', stderr);
    if (prc != 0) {
        snprintf(why, sizeof why, "%s", err);
        goto out;
    }
    ok = par_collect(s, &P, &res, why, sizeof why);
out:
    if (ok) {
        s->ran = s->n_run;
        s->jobs = P.units < jobs ? P.units : jobs;
    } else {
        if (why[0] && s->run->log)
            fprintf(s->run->log, "%s: --jobs %d: %s; running the network again in order, on "
                                 "one process, for its report\n",
                    s->run->who, jobs, why);
        par_reset(s, &e0);
    }
    procpool_free(&res);
    free(order);
    free(P.first);
    free(P.size);
    return ok;
}

/* Runs the layers (on several processes when it may, net_par_layers), then closes the
 * array. Returns 0 or the code of the layer that could not run; clears *pass when a layer's
 * check failed. */
static int net_layers(net_run_t *s)
{
    const topo_t *t = &s->t;
    const net_run_opts_t *o = s->o;
    uint64_t macs_total = 0;
    int rc = 0;
    for (int i = 0; i < t->n; i++) macs_total += topo_macs(&t->layers[i]);
    const double t0 = pecos_now();
    s->n_run = o->layers > 0 && o->layers < t->n ? o->layers : t->n;
    if (!net_par_layers(s, macs_total)) rc = net_seq_layers(s, macs_total);
    for (int i = 0; i < s->ran; i++)
        if (!s->nl[i].ok) *s->pass = false;
    if (o->wave_path) simlib_trace_close(s->a.sim);
    char err[1024];
    const int rrc = device_replay_end(&s->a, err, sizeof err);
    if (rrc != 0) {
        errlist_add(&s->e, rrc, "--replay-dump: %s", err);
        if (!rc) rc = rrc;
    }
    device_close(&s->a);
    s->wall = pecos_now() - t0;
    if (o->bad_index) *o->bad_index = -1;
    if (o->bad) memset(o->bad, 0, sizeof *o->bad);
    for (int i = 0; i < s->ran; i++)
        if (s->nl[i].arr.mismatches > 0) {
            if (o->bad) *o->bad = s->nl[i].arr;
            if (o->bad_index) *o->bad_index = i;
            break;
        }
    return rc;
}

/* The reports of the layers that ran: the summary table on stdout, --json, --csv, --plot,
 * and --out when every layer ran. Records the error of each output it cannot write. */
static void net_reports(net_run_t *s)
{
    const net_run_opts_t *o = s->o;
    const topo_t *t = &s->t;
    const int ran = s->ran;
    char err[512] = "";
    int rc;
    if (ran > 0 && !o->quiet) summary(stdout, t, s->run, s->df_name, s->nl, ran, s->wall, s->nb,
                                    s->jobs, s->golden_s);
    if (ran > 0 && o->json_path && write_json(o->json_path, t, s->run, s->df_name, s->nl, ran, s->wall, o->fuse_ppu, s->nb) != 0)
        errlist_add(&s->e, PECOS_EIO, "--json %s: cannot write: %s", o->json_path, strerror(errno));
    if (ran > 0 && o->csv_path && write_csv(o->csv_path, s->nl, ran) != 0)
        errlist_add(&s->e, PECOS_EIO, "--csv %s: cannot write: %s", o->csv_path, strerror(errno));
    if (ran > 0 && o->plot_dir) {
        if ((rc = make_plots(o->plot_dir, s, err, sizeof err)) != 0 && err[0])
            errlist_add(&s->e, input_error(rc), "--plot %s: %s", o->plot_dir, err);
        else if (rc != 0)
            s->e.rc = s->e.rc ? s->e.rc : PECOS_EPARAM; /* out of memory here: no reason */
        else
            printf("plots: %s/roofline.svg, utilization.svg, energy.svg (and .png)\n", o->plot_dir);
    }
    if (ran == t->n && o->out_path) {
        const topo_layer_t *T = &t->layers[t->n - 1];
        npy_array_t yv = {.dtype = NPY_INT8, .ndim = 4, .shape = {s->nb, T->k, T->p, T->q},
                          .count = (int64_t)s->nb * T->k * T->p * T->q, .data = s->acts[t->n - 1]};
        if (npy_write(o->out_path, &yv) != 0)
            errlist_add(&s->e, PECOS_EIO, "--out %s: cannot write: %s", o->out_path, strerror(errno));
    }
    if (o->wave_path && !o->quiet)
        printf("waveform: %s (cycles %llu..%llu)\n", o->wave_path,
               (unsigned long long)o->wave_from, (unsigned long long)o->wave_to);
}

int net_run(const layer_run_cfg_t *run, int df, const net_run_opts_t *o, bool *pass, char *err,
           size_t errlen)
{
    net_run_t s = {.run = run, .o = o, .df_name = pecos_df_name((pecos_df_t)df), .pass = pass,
                   .nb = o->batch > 1 ? o->batch : 1};
    errlist_init(&s.e, err, errlen, run->who);
    *pass = true;
    if (net_load(&s) == 0 && net_open(&s, df) == 0) {
        /* An error that stops the run decides the exit status, not a check that failed
         * before it: *pass stays true then. */
        const int rc = net_layers(&s);
        if (rc != 0) {
            if (!s.e.rc) s.e.rc = rc;
            *pass = true;
        }
        net_reports(&s);
    }
    if (s.acts)
        for (int i = 0; i < s.t.n; i++) free(s.acts[i]);
    free(s.acts);
    free(s.nl);
    free(s.x0);
    topo_free(&s.t);
    return s.e.rc;
}
