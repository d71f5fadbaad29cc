/* analyze.c - per-layer MACs, weights, traffic, FLOPs, intensity and roofline of a topology. */
#include "analyze.h"

#include <stdio.h>
#include <string.h>

#include "pecos_err.h"

void analyze_cfg_default(analyze_cfg_t *cfg)
{
    *cfg = (analyze_cfg_t){.dtype = "int8", .elem_bytes = 1, .peak_macs = 256, .bw = 16,
                           .batch = 1};
}

int analyze_dtype_bytes(const char *dtype, uint64_t *bytes)
{
    static const struct {
        const char *name;
        uint64_t bytes;
    } tab[] = {{"int8", 1}, {"fp16", 2}, {"bf16", 2}, {"fp32", 4}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(dtype, tab[i].name) == 0) {
            *bytes = tab[i].bytes;
            return 0;
        }
    return PECOS_EPARAM;
}

double analyze_ridge(const analyze_cfg_t *cfg)
{
    return 2.0 * (double)cfg->peak_macs / (double)cfg->bw;
}

/* Returns a * b; sets *ovf (and returns 0) when it does not fit 64 bits. */
static uint64_t mul(uint64_t a, uint64_t b, bool *ovf)
{
    if (a != 0 && b > UINT64_MAX / a) {
        *ovf = true;
        return 0;
    }
    return a * b;
}

/* Returns a + b; sets *ovf (and returns 0) when it does not fit 64 bits. */
static uint64_t add(uint64_t a, uint64_t b, bool *ovf)
{
    if (a > UINT64_MAX - b) {
        *ovf = true;
        return 0;
    }
    return a + b;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

/* Sets the cycles, intensity and bound of r from its flops and bytes. */
static void roofline(const analyze_cfg_t *cfg, analyze_row_t *r)
{
    r->compute_cycles = ceil_div(r->flops / 2 + (r->flops & 1), cfg->peak_macs);
    r->memory_cycles = ceil_div(r->bytes, cfg->bw);
    r->cycles = r->compute_cycles > r->memory_cycles ? r->compute_cycles : r->memory_cycles;
    r->intensity = r->bytes ? (double)r->flops / (double)r->bytes : 0.0;
    r->compute_bound = r->bytes == 0 || r->intensity >= analyze_ridge(cfg);
}

int analyze_layer(const analyze_cfg_t *cfg, const topo_layer_t *L, analyze_row_t *row,
                  char *err, size_t errlen)
{
    bool ovf = false;
    const uint64_t B = cfg->batch;
    memset(row, 0, sizeof *row);
    const bool mac = L->type == TOPO_CONV || L->type == TOPO_FC;
    row->macs = mul(topo_macs(L), B, &ovf);
    row->weights = topo_weights(L);
    row->bias = mac ? (uint64_t)L->k : 0;
    row->in_elems = mul(topo_in_elems(L), B, &ovf);
    row->out_elems = mul(topo_out_elems(L), B, &ovf);
    const uint64_t elems = add(add(row->in_elems, row->weights, &ovf), row->out_elems, &ovf);
    row->bytes = mul(elems, cfg->elem_bytes, &ovf);
    switch (L->type) {
    case TOPO_CONV:
    case TOPO_FC: row->flops = mul(row->macs, 2, &ovf); break;
    case TOPO_MAXPOOL:
    case TOPO_AVGPOOL:
    case TOPO_GAP:
        row->flops = mul(mul(row->out_elems, (uint64_t)L->r, &ovf), (uint64_t)L->s, &ovf);
        break;
    case TOPO_RELU:
    case TOPO_ADD: row->flops = row->out_elems; break;
    case TOPO_CONCAT: row->flops = 0; break;
    }
    if (ovf) {
        snprintf(err, errlen, "layer '%s': a count exceeds 64 bits with --batch %llu", L->name,
                 (unsigned long long)B);
        return PECOS_EPARAM;
    }
    roofline(cfg, row);
    return 0;
}

int analyze_network(const analyze_cfg_t *cfg, const topo_t *t, analyze_row_t *rows,
                    analyze_total_t *tot, char *err, size_t errlen)
{
    bool ovf = false;
    memset(tot, 0, sizeof *tot);
    analyze_row_t *s = &tot->sum;
    for (int i = 0; i < t->n; i++) {
        const topo_layer_t *L = &t->layers[i];
        analyze_row_t *r = &rows[i];
        const int rc = analyze_layer(cfg, L, r, err, errlen);
        if (rc) return rc;
        s->macs = add(s->macs, r->macs, &ovf);
        s->weights = add(s->weights, r->weights, &ovf);
        s->bias = add(s->bias, r->bias, &ovf);
        s->in_elems = add(s->in_elems, r->in_elems, &ovf);
        s->out_elems = add(s->out_elems, r->out_elems, &ovf);
        s->bytes = add(s->bytes, r->bytes, &ovf);
        s->flops = add(s->flops, r->flops, &ovf);
        s->cycles = add(s->cycles, r->cycles, &ovf);
        s->compute_cycles = add(s->compute_cycles, r->compute_cycles, &ovf);
        s->memory_cycles = add(s->memory_cycles, r->memory_cycles, &ovf);
        if (L->type == TOPO_CONV) {
            tot->conv_layers++;
            tot->conv_macs = add(tot->conv_macs, r->macs, &ovf);
            tot->conv_weights = add(tot->conv_weights, r->weights, &ovf);
            tot->conv_bias = add(tot->conv_bias, r->bias, &ovf);
        } else if (L->type == TOPO_FC) {
            tot->fc_layers++;
            tot->fc_macs = add(tot->fc_macs, r->macs, &ovf);
            tot->fc_weights = add(tot->fc_weights, r->weights, &ovf);
            tot->fc_bias = add(tot->fc_bias, r->bias, &ovf);
        }
        tot->compute_bound_layers += r->compute_bound;
    }
    if (ovf) {
        snprintf(err, errlen, "network '%s': a total exceeds 64 bits with --batch %llu", t->name,
                 (unsigned long long)cfg->batch);
        return PECOS_EPARAM;
    }
    /* the sums' intensity and bound; cycles stay the sum of the layers' */
    const uint64_t cyc = s->cycles, cc = s->compute_cycles, mc = s->memory_cycles;
    roofline(cfg, s);
    s->cycles = cyc, s->compute_cycles = cc, s->memory_cycles = mc;
    return 0;
}
