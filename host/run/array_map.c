#include "array_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

static uint64_t align64(uint64_t x) { return (x + 63) & ~(uint64_t)63; }

/* Builds the tile list in the tiling's loop order, the loads and the visits. The rows a
 * tap reads, p*stride_h - pad_t + ry*dil_h, are all congruent modulo gcd(stride_h, dil_h):
 * with a dilated filter the ifmap tiles move every gcd-th row only (rstep; 1 otherwise). */
static int plan_tiles(run_t *R)
{
    const layer_t *L = R->job->layer;
    R->rstep = 1;
    if (L->r > 1 && L->dil_h > 1) {
        int a = L->stride_h, b = L->dil_h;
        while (b) {
            const int t = a % b;
            a = b;
            b = t;
        }
        R->rstep = a;
    }
    const tiling_t *t = R->job->tiling;
    const int rs = L->r * L->s;
    const int trips[3] = {(L->k + t->kt - 1) / t->kt, (L->p + t->pt - 1) / t->pt,
                          (L->c + t->ct - 1) / t->ct};
    const int n = trips[0] * trips[1] * trips[2];
    R->tiles = calloc((size_t)n, sizeof *R->tiles);
    R->ifl = calloc((size_t)n, sizeof *R->ifl);
    R->wl = calloc((size_t)n, sizeof *R->wl);
    R->vis = calloc((size_t)n, sizeof *R->vis);
    int *last_vis = malloc(sizeof(int) * (size_t)trips[0] * (size_t)trips[1]);
    if (!R->tiles || !R->ifl || !R->wl || !R->vis || !last_vis) {
        free(last_vis);
        return PECOS_ENOMEM;
    }
    for (int i = 0; i < trips[0] * trips[1]; i++) last_vis[i] = -1;
    int ix[3], prev[3] = {-1, -1, -1};
    uint64_t fold = 0;
    R->ntiles = n;
    for (int a = 0; a < trips[t->order[0]]; a++)
        for (int b = 0; b < trips[t->order[1]]; b++)
            for (int c = 0; c < trips[t->order[2]]; c++) {
                ix[t->order[0]] = a;
                ix[t->order[1]] = b;
                ix[t->order[2]] = c;
                const int i = (a * trips[t->order[1]] + b) * trips[t->order[2]] + c;
                tile_t *T = &R->tiles[i];
                T->k0 = ix[TILE_K] * t->kt;
                T->kt = imin(t->kt, L->k - T->k0);
                T->p0 = ix[TILE_P] * t->pt;
                T->pt = imin(t->pt, L->p - T->p0);
                T->c0 = ix[TILE_C] * t->ct;
                T->ct = imin(t->ct, L->c - T->c0);
                uint64_t g, f, nb;
                T->npix = (uint32_t)(T->pt * L->q);
                tiling_work(R->job->df, (uint64_t)R->rows, (uint64_t)R->cols, (uint64_t)T->kt,
                            (uint64_t)T->ct * (uint64_t)rs, T->npix, &g, &f, &nb);
                T->kgn = (int)g;
                T->cfn = (int)f;
                T->n = (uint32_t)nb;
                T->pgn = (int)((T->npix + (uint32_t)R->rows - 1) / (uint32_t)R->rows);
                T->fold0 = fold;
                fold += (uint64_t)T->kgn * (uint64_t)T->cfn;
                /* input rows from the first tile output row's top tap to the last one's
                 * bottom tap (the halo included), every rstep-th, clipped to the image */
                const int step = R->rstep;
                int lo = T->p0 * L->stride_h - L->pad_t;
                int hi = (T->p0 + T->pt - 1) * L->stride_h - L->pad_t + (L->r - 1) * L->dil_h;
                if (lo < 0) lo += (-lo + step - 1) / step * step;
                if (hi > L->h - 1) hi = L->h - 1;
                T->rin0 = lo;
                T->rin = hi >= lo ? (hi - lo) / step + 1 : 0;
                if (i == 0 || ix[TILE_P] != prev[TILE_P] || ix[TILE_C] != prev[TILE_C])
                    R->ifl[R->nifl++].first = i;
                R->ifl[R->nifl - 1].last = i;
                T->if_load = R->nifl - 1;
                if (i == 0 || ix[TILE_K] != prev[TILE_K] || ix[TILE_C] != prev[TILE_C])
                    R->wl[R->nwl++].first = i;
                R->wl[R->nwl - 1].last = i;
                T->w_load = R->nwl - 1;
                T->vstart = i == 0 || ix[TILE_K] != prev[TILE_K] || ix[TILE_P] != prev[TILE_P];
                const int kp = ix[TILE_K] * trips[1] + ix[TILE_P];
                if (T->vstart) {
                    visit_t *v = &R->vis[R->nvis++];
                    v->first = i;
                    v->resume = T->c0 > 0;
                    v->prev = last_vis[kp];
                    last_vis[kp] = R->nvis - 1;
                    if (i > 0) R->tiles[i - 1].vend = 1;
                }
                R->vis[R->nvis - 1].last = i;
                T->visit = R->nvis - 1;
                memcpy(prev, ix, sizeof prev);
            }
    R->tiles[n - 1].vend = 1;
    free(last_vis);
    return 0;
}

uint64_t array_dram_bytes(const layer_t *L, size_t esz)
{
    const uint64_t in_b = (uint64_t)L->c * L->h * L->w * esz;
    const uint64_t w_b = (uint64_t)L->k * L->c * (uint64_t)(L->r * L->s) * esz;
    return align64(align64(align64(in_b) + w_b) + 4 * (uint64_t)L->k) +
           4 * (uint64_t)L->k * L->p * L->q;
}

int array_map_dram(run_t *R)
{
    const ws_job_t *job = R->job;
    const layer_t *L = job->layer;
    const size_t esz = R->esz;
    const int rs = L->r * L->s;
    const uint64_t in_b = (uint64_t)L->c * L->h * L->w * esz;
    const uint64_t w_b = (uint64_t)L->k * L->c * (uint64_t)rs * esz;
    R->addr_if = 0;
    R->addr_w = align64(in_b);
    R->addr_b = align64(R->addr_w + w_b);
    R->addr_o = align64(R->addr_b + 4 * (uint64_t)L->k);
    R->st->dram_bytes = array_dram_bytes(L, esz); /* R->addr_o + the output */
    if (job->ppu) { /* fused: the int8 output after the int32 one (spilled partial sums) */
        R->addr_o8 = align64(R->st->dram_bytes);
        R->st->dram_bytes = R->addr_o8 + (uint64_t)L->k * L->p * L->q;
    }
    if (R->st->dram_bytes > job->mem->dram_capacity) {
        snprintf(R->err, R->errlen,
                 "layer %s needs %llu bytes of DRAM for its tensors; --dram-mib allows %llu",
                 L->name, (unsigned long long)R->st->dram_bytes,
                 (unsigned long long)job->mem->dram_capacity);
        return PECOS_EPARAM;
    }
    if (job->port) return plan_tiles(R) != 0 ? PECOS_ENOMEM : 0; /* the tensors are there */
    R->dram = calloc(1, (size_t)R->st->dram_bytes);
    if (!R->dram || plan_tiles(R) != 0) return PECOS_ENOMEM;
    memcpy(R->dram + R->addr_if, job->ifmap, (size_t)in_b);
    memcpy(R->dram + R->addr_w, job->weights, (size_t)w_b);
    if (job->bias) memcpy(R->dram + R->addr_b, job->bias, 4 * (size_t)L->k);
    return 0;
}
