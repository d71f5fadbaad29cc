/* cmd_analyze.c - `pecos analyze NETWORK.csv`: loads a topology, checks its chain, prints the
 * per-layer analysis (analyze.h) as a table and optionally as JSON and CSV. */
#include "cmd_analyze.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"
#include "cli_opts.h"
#include "json_out.h"
#include "pecos_err.h"
#include "topo.h"

void cmd_analyze_usage(FILE *f)
{
    fputs("usage: pecos analyze NETWORK.csv [options]\n"
          "  Per layer and in total: MACs, weights (bias apart), activations, bytes moved,\n"
          "  FLOPs, arithmetic intensity (FLOP/B), roofline cycles and bound. No simulation.\n"
          "options:\n"
          "  --dtype int8|fp16|bf16|fp32  bytes per element (default int8)\n"
          "  --peak-macs N   MACs per cycle (default 256, a 16x16 array)\n"
          "  --bw B          DRAM bytes per cycle (default 16)\n"
          "  --batch N       images (default 1)\n"
          "  --json FILE     write {network, config, layers, total}\n"
          "  --csv FILE      write one row per layer\n",
          f);
}

typedef unsigned long long ull;

/* Writes "a+b" (producer names, "input" for the network input) into buf. */
static void inputs_str(const topo_t *t, const topo_layer_t *L, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < L->ninputs && o < len; k++) {
        const int j = L->inputs[k];
        const int n = snprintf(buf + o, len - o, "%s%s", k ? "+" : "",
                               j < 0 ? "input" : t->layers[j].name);
        if (n < 0) break;
        o += (size_t)n;
    }
}

static void print_table(FILE *f, const analyze_cfg_t *cfg, const topo_t *t,
                        const analyze_row_t *rows, const analyze_total_t *tot)
{
    fprintf(f,
            "pecos analyze: %s (%s): %d layers, %s, batch %llu, peak %llu MACs/cycle, %llu B/cycle, "
            "ridge %.4g FLOP/B\n",
            t->name, t->path, t->n, cfg->dtype, (ull)cfg->batch, (ull)cfg->peak_macs,
            (ull)cfg->bw, analyze_ridge(cfg));
    fprintf(f, "%-18s %-7s %-14s %-14s %14s %11s %15s %13s %9s %12s %s\n", "layer", "type",
            "in CxHxW", "out KxPxQ", "MACs", "weights", "FLOPs", "bytes", "FLOP/B", "cycles",
            "bound");
    for (int i = 0; i < t->n; i++) {
        const topo_layer_t *L = &t->layers[i];
        const analyze_row_t *r = &rows[i];
        char in[48], out[48], ty[16];
        snprintf(in, sizeof in, "%dx%dx%d", L->c, L->h, L->w);
        snprintf(out, sizeof out, "%dx%dx%d", L->k, L->p, L->q);
        snprintf(ty, sizeof ty, "%s%s", topo_type_name(L->type), L->relu ? "+r" : "");
        fprintf(f, "%-18s %-7s %-14s %-14s %14llu %11llu %15llu %13llu %9.3f %12llu %s\n",
                L->name, ty, in, out, (ull)r->macs, (ull)r->weights, (ull)r->flops,
                (ull)r->bytes, r->intensity, (ull)r->cycles,
                r->compute_bound ? "compute" : "memory");
    }
    const analyze_row_t *s = &tot->sum;
    fprintf(f, "%-18s %-7s %-14s %-14s %14llu %11llu %15llu %13llu %9.3f %12llu %s\n", "total", "",
            "", "", (ull)s->macs, (ull)s->weights, (ull)s->flops, (ull)s->bytes, s->intensity,
            (ull)s->cycles, s->compute_bound ? "compute" : "memory");
    fprintf(f,
            "conv: %d layers, %llu MACs, %llu weights; fc: %d layers, %llu MACs, %llu weights; "
            "bias %llu; %d of %d layers compute-bound\n",
            tot->conv_layers, (ull)tot->conv_macs, (ull)tot->conv_weights, tot->fc_layers,
            (ull)tot->fc_macs, (ull)tot->fc_weights, (ull)s->bias, tot->compute_bound_layers,
            t->n);
}

/* Writes the fields shared by a layer and the total (no braces). */
static void json_counts(FILE *f, const analyze_row_t *r)
{
    fprintf(f,
            "\"macs\": %llu, \"weights\": %llu, \"bias\": %llu, \"in_elems\": %llu, "
            "\"out_elems\": %llu, \"bytes\": %llu, \"flops\": %llu, \"intensity\": %.17g, "
            "\"compute_cycles\": %llu, \"memory_cycles\": %llu, \"cycles\": %llu, "
            "\"bound\": \"%s\"",
            (ull)r->macs, (ull)r->weights, (ull)r->bias, (ull)r->in_elems, (ull)r->out_elems,
            (ull)r->bytes, (ull)r->flops, r->intensity, (ull)r->compute_cycles,
            (ull)r->memory_cycles, (ull)r->cycles, r->compute_bound ? "compute" : "memory");
}

/* Writes the JSON report to path; 0 or -1 (message printed). */
static int write_json(const char *path, const analyze_cfg_t *cfg, const topo_t *t,
                      const analyze_row_t *rows, const analyze_total_t *tot)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "pecos analyze: --json %s: cannot write: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("{\"network\": ", f);
    json_str(f, t->name);
    fputs(", \"file\": ", f);
    json_str(f, t->path);
    fprintf(f,
            ",\n \"config\": {\"dtype\": \"%s\", \"elem_bytes\": %llu, \"peak_macs\": %llu, "
            "\"bw\": %llu, \"batch\": %llu, \"ridge\": %.17g},\n \"layers\": [\n",
            cfg->dtype, (ull)cfg->elem_bytes, (ull)cfg->peak_macs, (ull)cfg->bw,
            (ull)cfg->batch, analyze_ridge(cfg));
    for (int i = 0; i < t->n; i++) {
        const topo_layer_t *L = &t->layers[i];
        fprintf(f,
                "  {\"name\": \"%s\", \"type\": \"%s\", \"line\": %d, \"inputs\": [", L->name,
                topo_type_name(L->type), L->line);
        for (int k = 0; k < L->ninputs; k++)
            fprintf(f, "%s\"%s\"", k ? ", " : "",
                    L->inputs[k] < 0 ? "input" : t->layers[L->inputs[k]].name);
        fprintf(f,
                "], \"c\": %d, \"h\": %d, \"w\": %d, \"k\": %d, \"p\": %d, \"q\": %d, \"r\": %d, "
                "\"s\": %d, \"stride\": %d, \"dil\": %d, \"groups\": %d, \"pad\": [%d, %d, %d, %d], "
                "\"relu\": %s, ",
                L->c, L->h, L->w, L->k, L->p, L->q, L->r, L->s, L->stride, L->dil, L->groups,
                L->pad_t, L->pad_l, L->pad_b, L->pad_r, L->relu ? "true" : "false");
        json_counts(f, &rows[i]);
        fprintf(f, "}%s\n", i + 1 < t->n ? "," : "");
    }
    fprintf(f, " ],\n \"total\": {\"layers\": %d, ", t->n);
    json_counts(f, &tot->sum);
    fprintf(f,
            ", \"conv_layers\": %d, \"conv_macs\": %llu, \"conv_weights\": %llu, \"conv_bias\": %llu, "
            "\"fc_layers\": %d, \"fc_macs\": %llu, \"fc_weights\": %llu, \"fc_bias\": %llu, "
            "\"compute_bound_layers\": %d}\n}\n",
            tot->conv_layers, (ull)tot->conv_macs, (ull)tot->conv_weights, (ull)tot->conv_bias,
            tot->fc_layers, (ull)tot->fc_macs, (ull)tot->fc_weights, (ull)tot->fc_bias,
            tot->compute_bound_layers);
    if (ferror(f) | (fclose(f) != 0)) {
        fprintf(stderr, "pecos analyze: --json %s: cannot write: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes one CSV row per layer to path; 0 or -1 (message printed). */
static int write_csv(const char *path, const topo_t *t, const analyze_row_t *rows)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "pecos analyze: --csv %s: cannot write: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("name,type,inputs,relu,c,h,w,k,p,q,r,s,stride,dil,groups,macs,weights,bias,in_elems,"
          "out_elems,bytes,flops,intensity,compute_cycles,memory_cycles,cycles,bound\n",
          f);
    for (int i = 0; i < t->n; i++) {
        const topo_layer_t *L = &t->layers[i];
        const analyze_row_t *r = &rows[i];
        char in[TOPO_MAX_INPUTS * 64 + 8];
        inputs_str(t, L, in, sizeof in);
        fprintf(f,
                "%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
                "%.17g,%llu,%llu,%llu,%s\n",
                L->name, topo_type_name(L->type), in, L->relu, L->c, L->h, L->w, L->k, L->p, L->q,
                L->r, L->s, L->stride, L->dil, L->groups, (ull)r->macs, (ull)r->weights,
                (ull)r->bias, (ull)r->in_elems, (ull)r->out_elems, (ull)r->bytes, (ull)r->flops,
                r->intensity, (ull)r->compute_cycles, (ull)r->memory_cycles, (ull)r->cycles,
                r->compute_bound ? "compute" : "memory");
    }
    if (ferror(f) | (fclose(f) != 0)) {
        fprintf(stderr, "pecos analyze: --csv %s: cannot write: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cmd_analyze(int argc, char **argv)
{
    analyze_cfg_t cfg;
    analyze_cfg_default(&cfg);
    const char *net = NULL, *json = NULL, *csv = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_analyze_usage(stdout);
            return PECOS_EXIT_PASS;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (net) {
                fprintf(stderr, "pecos analyze: unexpected argument '%s' (one NETWORK.csv)\n", a);
                return PECOS_EXIT_USAGE;
            }
            net = a;
            continue;
        }
        const bool known = strcmp(a, "--dtype") == 0 || strcmp(a, "--peak-macs") == 0 ||
                           strcmp(a, "--bw") == 0 || strcmp(a, "--batch") == 0 ||
                           strcmp(a, "--json") == 0 || strcmp(a, "--csv") == 0;
        if (!known) {
            fprintf(stderr, "pecos analyze: unknown option %s (see pecos analyze --help)\n", a);
            return PECOS_EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "pecos analyze: option %s needs a value\n", a);
            return PECOS_EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--dtype") == 0) {
            if (analyze_dtype_bytes(v, &cfg.elem_bytes) != 0) {
                fprintf(stderr, "pecos analyze: --dtype %s: must be int8, fp16, bf16 or fp32\n", v);
                return PECOS_EXIT_USAGE;
            }
            cfg.dtype = v;
        } else if (strcmp(a, "--json") == 0) {
            json = v;
        } else if (strcmp(a, "--csv") == 0) {
            csv = v;
        } else {
            uint64_t *dst = strcmp(a, "--peak-macs") == 0 ? &cfg.peak_macs
                            : strcmp(a, "--bw") == 0      ? &cfg.bw
                                                          : &cfg.batch;
            const uint64_t hi = dst == &cfg.batch ? 1u << 20 : 1ull << 32;
            if (*v < '0' || *v > '9' || cli_parse_u64(v, 1, hi, dst) != 0) { /* digits only */
                fprintf(stderr, "pecos analyze: %s %s: must be a whole number in 1..%llu\n", a, v,
                        (ull)hi);
                return PECOS_EXIT_USAGE;
            }
        }
    }
    if (!net) {
        fprintf(stderr, "pecos analyze: no NETWORK.csv given (see pecos analyze --help)\n");
        return PECOS_EXIT_USAGE;
    }
    char err[768];
    topo_t t;
    if (topo_load(net, &t, err, sizeof err) != 0) {
        fprintf(stderr, "pecos analyze: %s\n", err);
        return PECOS_EXIT_USAGE;
    }
    int code = PECOS_EXIT_USAGE;
    analyze_row_t *rows = NULL;
    analyze_total_t tot;
    if (topo_check_chain(&t, err, sizeof err) != 0) {
        if (!t.scalesim) {
            fprintf(stderr, "pecos analyze: %s\n", err);
            goto out_free_topo;
        }
        /* SCALE-Sim's own files: independent layers (topo.h) */
        fprintf(stderr, "pecos analyze: %s: SCALE-Sim topology whose rows do not chain (%s): "
                        "analyzing its %d rows as independent layers\n",
                net, strstr(err, "layer '") ? strstr(err, "layer '") : err, t.n);
    }
    rows = calloc((size_t)t.n, sizeof *rows);
    if (!rows) {
        fprintf(stderr, "pecos analyze: %s: out of memory\n", net);
        goto out_free_topo;
    }
    if (analyze_network(&cfg, &t, rows, &tot, err, sizeof err) != 0) {
        fprintf(stderr, "pecos analyze: %s: %s\n", net, err);
        goto out_free_rows;
    }
    print_table(stdout, &cfg, &t, rows, &tot);
    if (json && write_json(json, &cfg, &t, rows, &tot) != 0) goto out_free_rows;
    if (csv && write_csv(csv, &t, rows) != 0) goto out_free_rows;
    code = PECOS_EXIT_PASS;
out_free_rows:
    free(rows);
out_free_topo:
    topo_free(&t);
    return code;
}
