#include "ws_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dma.h"
#include "pecos_err.h"

/* One tile of the layer, in run order. */
typedef struct {
    int k0, kt, c0, ct, p0, pt;
    int kgn, cfn;         /* groups and reduction folds (tiling_work(); OS: blocks, 1) */
    uint32_t n;           /* beats per fold: WS pt*Q, IS kt, OS ct*R*S */
    uint32_t npix;        /* output pixels: pt * Q */
    int pgn;              /* OS: pixel groups of Rows pixels (blocks = kgroups * pgn) */
    uint64_t fold0;       /* global index of the tile's first fold */
    int if_load, w_load;  /* which ifmap / weight load it reads */
    int visit;            /* which visit it belongs to */
    int vstart, vend;     /* first / last tile of its visit */
    int rin0, rin;        /* input rows [rin0, rin0 + rin) its ifmap tile holds */
} tile_t;

typedef struct {
    int first, last;      /* tiles */
} span_t;

typedef struct {
    int first, last;      /* tiles */
    int resume;           /* starts at c > 0: partial sums come back from DRAM */
    int prev;             /* earlier visit of the same (k, p), or -1 */
} visit_t;

typedef struct {
    uint32_t fold_local;  /* fold within its tile (tiling_fold() gives kg, cf); OS: block */
    uint32_t beat;        /* WS: pixel j within the tile, IS: channel j; OS: rows received */
    int tile;
    int last_of_visit;
} tag_t;

/* Everything the loop and the DMA callback share. */
typedef struct {
    const ws_job_t *job;
    int rows, cols;
    size_t esz;
    tile_t *tiles;
    int ntiles;
    span_t *ifl, *wl;     /* ifmap and weight loads */
    int nifl, nwl;
    visit_t *vis;
    int nvis;
    uint8_t *glb_if[2], *glb_w[2];
    int32_t *glb_ps[2], *glb_bias[2];
    uint64_t bank_bytes[G_N];
    uint64_t psum_room;    /* bytes of a psum bank's partial sums (the bias slots apart) */
    int64_t *psum_fold[2]; /* per psum bank: global fold that last wrote [kg][j] */
    uint8_t *if_ready, *w_ready, *vis_ready, *wb_done;
    int *blist, nb;        /* bias loads: the visits that start at c = 0, in order */
    int *vis_b;            /* per visit: its bias load, or -1 */
    uint8_t *b_ready;
    uint64_t addr_if, addr_w, addr_b, addr_o;
    int *crs_c, *crs_ry, *crs_sx; /* reduction lane i of a tile -> (channel, ry, sx) */
    int rstep;            /* an ifmap tile holds every rstep-th input row (see plan_tiles) */
    ws_stats_t *st;
} run_t;

static uint64_t align64(uint64_t x) { return (x + 63) & ~(uint64_t)63; }
static int imin(int a, int b) { return a < b ? a : b; }

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

/* DMA completion: the data is in place; mark what it made ready. */
static void on_done(void *ctx, const dma_desc_t *x)
{
    run_t *R = ctx;
    ws_stats_t *st = R->st;
    if (x->to_dram) {
        st->dram_wr[x->kind] += x->bytes;
        st->glb_rd[G_PSUM] += x->bytes;
        R->wb_done[x->ref] = 1;
        return;
    }
    st->dram_rd[x->kind] += x->bytes;
    switch (x->kind) {
    case T_IFMAP:
        st->glb_wr[G_IFMAP] += x->bytes;
        R->if_ready[x->ref] = 1;
        break;
    case T_WEIGHT:
        st->glb_wr[G_WEIGHT] += x->bytes;
        R->w_ready[x->ref] = 1;
        break;
    case T_BIAS:
        st->glb_wr[G_PSUM] += x->bytes;
        R->b_ready[x->ref] = 1;
        break;
    default: /* spilled partial sums: the resumed visit can start */
        st->glb_wr[G_PSUM] += x->bytes;
        R->vis_ready[x->ref] = 1;
        break;
    }
}

static void desc_2d(dma_desc_t *x, int kind, int64_t ref, int to_dram, uint64_t dram_addr,
                    void *glb, uint64_t room, const char *name)
{
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->ref = ref;
    x->to_dram = to_dram;
    x->dram_addr = dram_addr;
    x->glb = glb;
    x->glb_room = room;
    x->glb_name = name;
    x->n2 = 1;
}

static const char *bank_name[G_N][2] = {{"glb.ifmap[0]", "glb.ifmap[1]"},
                                        {"glb.weight[0]", "glb.weight[1]"},
                                        {"glb.psum[0]", "glb.psum[1]"}};

static int issue_ifmap(run_t *R, dma_t *d, int i, uint64_t now)
{
    const layer_t *L = R->job->layer;
    const tile_t *T = &R->tiles[R->ifl[i].first];
    const uint64_t e = R->esz, W = (uint64_t)L->w, H = (uint64_t)L->h;
    dma_desc_t x;
    desc_2d(&x, T_IFMAP, i, 0, R->addr_if + ((uint64_t)T->c0 * H + (uint64_t)T->rin0) * W * e,
            R->glb_if[i & 1], R->bank_bytes[G_IFMAP], bank_name[G_IFMAP][i & 1]);
    x.n2 = (uint64_t)T->ct;
    x.n1 = (uint64_t)T->rin;
    x.run = W * e;
    x.dram_s2 = H * W * e;
    x.dram_s1 = (uint64_t)R->rstep * W * e; /* every rstep-th row */
    x.glb_s2 = (uint64_t)T->rin * W * e;
    x.glb_s1 = W * e;
    if (R->rstep > 1)
        snprintf(x.what, sizeof x.what, "ifmap c%d+%d h%d+%dx%d", T->c0, T->ct, T->rin0, T->rin,
                 R->rstep);
    else
        snprintf(x.what, sizeof x.what, "ifmap c%d+%d h%d+%d", T->c0, T->ct, T->rin0, T->rin);
    return dma_issue(d, &x, now);
}

static int issue_weights(run_t *R, dma_t *d, int i, uint64_t now)
{
    const layer_t *L = R->job->layer;
    const tile_t *T = &R->tiles[R->wl[i].first];
    const uint64_t e = R->esz, rs = (uint64_t)L->r * L->s, crs = (uint64_t)L->c * rs;
    dma_desc_t x;
    desc_2d(&x, T_WEIGHT, i, 0, R->addr_w + ((uint64_t)T->k0 * crs + (uint64_t)T->c0 * rs) * e,
            R->glb_w[i & 1], R->bank_bytes[G_WEIGHT], bank_name[G_WEIGHT][i & 1]);
    x.n1 = (uint64_t)T->kt;
    x.run = (uint64_t)T->ct * rs * e;
    x.dram_s1 = crs * e;
    x.glb_s1 = x.run;
    snprintf(x.what, sizeof x.what, "weight k%d+%d c%d+%d", T->k0, T->kt, T->c0, T->ct);
    return dma_issue(d, &x, now);
}

/* Bias load b (for visit blist[b], which starts at c = 0) into bias slot b&1 of the psum
 * partition. */
static int issue_bias(run_t *R, dma_t *d, int b, uint64_t now)
{
    const tile_t *T = &R->tiles[R->vis[R->blist[b]].first];
    dma_desc_t x;
    desc_2d(&x, T_BIAS, b, 0, R->addr_b + 4 * (uint64_t)T->k0, R->glb_bias[b & 1],
            4 * (uint64_t)T->kt, b & 1 ? "glb.bias[1]" : "glb.bias[0]");
    x.n1 = 1;
    x.run = 4 * (uint64_t)T->kt;
    snprintf(x.what, sizeof x.what, "bias k%d+%d", T->k0, T->kt);
    return dma_issue(d, &x, now);
}

/* Spilled partial sums back into psum bank v&1 (a resumed visit), or, with to_dram, the
 * visit's partial sums / outputs out to DRAM. */
static int issue_psum(run_t *R, dma_t *d, int v, int to_dram, uint64_t now)
{
    const layer_t *L = R->job->layer;
    const tile_t *T = &R->tiles[R->vis[v].first];
    const uint64_t pq = (uint64_t)L->p * L->q;
    dma_desc_t x;
    const tile_t *E = &R->tiles[R->vis[v].last];
    const int final = to_dram && E->c0 + E->ct == L->c; /* the last c tile: outputs */
    desc_2d(&x, to_dram ? (final ? T_OUT : T_PSUM) : T_PSUM, v, to_dram,
            R->addr_o + 4 * ((uint64_t)T->k0 * pq + (uint64_t)T->p0 * L->q), R->glb_ps[v & 1],
            R->psum_room, bank_name[G_PSUM][v & 1]);
    x.n1 = (uint64_t)T->kt;
    x.run = 4 * (uint64_t)T->npix;
    x.dram_s1 = 4 * pq;
    x.glb_s1 = x.run;
    snprintf(x.what, sizeof x.what, "%s k%d+%d p%d+%d", to_dram ? (final ? "out" : "psum-spill")
                                                                  : "psum-resume",
             T->k0, T->kt, T->p0, T->pt);
    return dma_issue(d, &x, now);
}

static void free_run(run_t *R)
{
    for (int b = 0; b < 2; b++) {
        free(R->glb_if[b]);
        free(R->glb_w[b]);
        free(R->glb_ps[b]);
        free(R->glb_bias[b]);
        free(R->psum_fold[b]);
    }
    free(R->tiles);
    free(R->ifl);
    free(R->wl);
    free(R->vis);
    free(R->if_ready);
    free(R->w_ready);
    free(R->blist);
    free(R->vis_b);
    free(R->b_ready);
    free(R->vis_ready);
    free(R->wb_done);
    free(R->crs_c);
    free(R->crs_ry);
    free(R->crs_sx);
}

/* Local index of fold (kg, cf) in tile T: the inverse of tiling_fold(). */
static uint32_t local_fold(const tiling_t *t, const tile_t *T, uint32_t kg, uint32_t cf)
{
    return t->cf_major ? cf * (uint32_t)T->kgn + kg : kg * (uint32_t)T->cfn + cf;
}

/* Copies operand idx of src into lane r of dst (both esz-byte elements). */
static inline void put_lane(void *dst, int r, const uint8_t *src, size_t idx, size_t esz)
{
    if (esz == 1)
        ((uint8_t *)dst)[r] = src[idx];
    else
        memcpy((uint8_t *)dst + 2 * (size_t)r, src + 2 * idx, 2);
}

/* Lane r of dst <- the ifmap element that tile T's reduction lane i meets at tile pixel pix
 * (from the tile's GLB ifmap bank). A padded cell is made at lane time, not read: it holds
 * the layer's pad value (int8), or stays +0 (fp, as the caller cleared it). */
static void put_ifmap(run_t *R, const tile_t *T, void *dst, int r, uint32_t pix, int i)
{
    const layer_t *L = R->job->layer;
    const int p = T->p0 + (int)(pix / (uint32_t)L->q), q = (int)(pix % (uint32_t)L->q);
    const int ih = p * L->stride_h - L->pad_t + R->crs_ry[i] * L->dil_h;
    const int iw = q * L->stride_w - L->pad_l + R->crs_sx[i] * L->dil_w;
    if (ih >= 0 && ih < L->h && iw >= 0 && iw < L->w) {
        put_lane(dst, r, R->glb_if[T->if_load & 1],
                 ((size_t)R->crs_c[i] * T->rin + (size_t)((ih - T->rin0) / R->rstep)) * L->w + iw,
                 R->esz);
        R->st->glb_rd[G_IFMAP] += R->esz;
    } else if (R->esz == 1) {
        ((int8_t *)dst)[r] = (int8_t)L->pad_value;
    }
}

/* Lane r of dst <- weight (tile channel kl, tile reduction lane i) from the GLB weight bank. */
static void put_weight(run_t *R, const tile_t *T, void *dst, int r, int kl, int i)
{
    const int lanes = T->ct * R->job->layer->r * R->job->layer->s;
    put_lane(dst, r, R->glb_w[T->w_load & 1], (size_t)kl * lanes + i, R->esz);
    R->st->glb_rd[G_WEIGHT] += R->esz;
}

/* The Rows lanes of a WS/IS operand vector of fold cf: the im2col column of tile pixel idx
 * (pixel = 1) or the weights of tile channel idx; lanes past the tile's reduction stay +0. */
static void fold_vector(run_t *R, const tile_t *T, void *dst, int pixel, uint32_t idx, uint32_t cf)
{
    const int lanes = T->ct * R->job->layer->r * R->job->layer->s;
    memset(dst, 0, R->esz * (size_t)R->rows);
    if (!pixel && (int)idx >= T->kt) return;
    if (pixel && idx >= T->npix) return;
    for (int r = 0; r < R->rows; r++) {
        const int i = (int)cf * R->rows + r;
        if (i >= lanes) break;
        if (pixel)
            put_ifmap(R, T, dst, r, idx, i);
        else
            put_weight(R, T, dst, r, (int)idx, i);
    }
}

/* OS block b of tile T -> its k group and pixel group (k group major). */
static void os_block(const tile_t *T, uint32_t b, int *kg, int *pg)
{
    *kg = (int)b / T->pgn;
    *pg = (int)b % T->pgn;
}

int ws_run_conv(simlib_t *s, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen)
{
    const layer_t *L = job->layer;
    const mem_cfg_t *mc = job->mem;
    const int rows = s->info.rows, cols = s->info.cols;
    const int rs = L->r * L->s;
    const size_t esz = job->esz;
    const uint32_t tag_cap = (uint32_t)(rows + cols + 8);
    run_t R = {.job = job, .rows = rows, .cols = cols, .esz = esz, .st = st};
    dma_t dma = {0};
    uint8_t *dram = NULL;
    int32_t *pin = NULL, *pout = NULL;
    tag_t *tags = NULL;
    int *vis_wb = NULL; /* per visit, 1: its outputs are all in, the writeback is due */
    int rc = PECOS_ENOMEM;

    memset(st, 0, sizeof *st);
    if (esz != (strcmp(s->info.dtype, "int8") == 0 ? 1u : 2u)) {
        snprintf(err, errlen, "layer %s: %zu-byte operands for a %s array", L->name, esz,
                 s->info.dtype);
        return PECOS_EPARAM;
    }

    /* Mapper: DRAM addresses, and the tensors written into the DRAM image. */
    const uint64_t in_b = (uint64_t)L->c * L->h * L->w * esz;
    const uint64_t w_b = (uint64_t)L->k * L->c * (uint64_t)rs * esz;
    const uint64_t pq = (uint64_t)L->p * L->q, out_b = 4 * (uint64_t)L->k * pq;
    R.addr_if = 0;
    R.addr_w = align64(in_b);
    R.addr_b = align64(R.addr_w + w_b);
    R.addr_o = align64(R.addr_b + 4 * (uint64_t)L->k);
    st->dram_bytes = R.addr_o + out_b;
    if (st->dram_bytes > mc->dram_capacity) {
        snprintf(err, errlen,
                 "layer %s needs %llu bytes of DRAM for its tensors; --dram-mib allows %llu",
                 L->name, (unsigned long long)st->dram_bytes,
                 (unsigned long long)mc->dram_capacity);
        return PECOS_EPARAM;
    }
    dram = calloc(1, (size_t)st->dram_bytes);
    if (!dram || plan_tiles(&R) != 0) goto oom;
    memcpy(dram + R.addr_if, job->ifmap, (size_t)in_b);
    memcpy(dram + R.addr_w, job->weights, (size_t)w_b);
    if (job->bias) memcpy(dram + R.addr_b, job->bias, 4 * (size_t)L->k);

    /* GLB banks, sized for the largest tile. */
    const tiling_t *tl = job->tiling;
    const int os = job->df == DF_OS, is = job->df == DF_IS;
    int rin_max = 0, kgn_max = 0;
    uint32_t n_max = 0, npix_max = 0;
    for (int i = 0; i < R.ntiles; i++) {
        rin_max = R.tiles[i].rin > rin_max ? R.tiles[i].rin : rin_max;
        kgn_max = R.tiles[i].kgn > kgn_max ? R.tiles[i].kgn : kgn_max;
        n_max = R.tiles[i].n > n_max ? R.tiles[i].n : n_max;
        npix_max = R.tiles[i].npix > npix_max ? R.tiles[i].npix : npix_max;
    }
    const int kt_max = imin(tl->kt, L->k), ct_max = imin(tl->ct, L->c);
    R.bank_bytes[G_IFMAP] = (uint64_t)ct_max * (uint64_t)rin_max * (uint64_t)L->w * esz;
    R.bank_bytes[G_WEIGHT] = (uint64_t)kt_max * (uint64_t)ct_max * (uint64_t)rs * esz;
    R.psum_room = 4 * (uint64_t)kt_max * npix_max;
    R.bank_bytes[G_PSUM] = R.psum_room + 4 * (uint64_t)kt_max; /* + bias */
    memcpy(st->glb_bank, R.bank_bytes, sizeof st->glb_bank);
    for (int b = 0; b < 2; b++) {
        R.glb_if[b] = malloc((size_t)R.bank_bytes[G_IFMAP] + 1);
        R.glb_w[b] = malloc((size_t)R.bank_bytes[G_WEIGHT] + 1);
        R.glb_ps[b] = malloc(4 * (size_t)kt_max * npix_max + 4);
        R.glb_bias[b] = malloc(4 * (size_t)kt_max + 4);
        R.psum_fold[b] = malloc(sizeof(int64_t) * (size_t)kgn_max * n_max + 8);
        if (!R.glb_if[b] || !R.glb_w[b] || !R.glb_ps[b] || !R.glb_bias[b] || !R.psum_fold[b])
            goto oom;
        for (size_t i = 0; i < (size_t)kgn_max * n_max; i++) R.psum_fold[b][i] = -1;
    }
    R.if_ready = calloc((size_t)R.nifl, 1);
    R.w_ready = calloc((size_t)R.nwl, 1);
    R.blist = malloc(sizeof(int) * (size_t)R.nvis);
    R.vis_b = malloc(sizeof(int) * (size_t)R.nvis);
    R.b_ready = calloc((size_t)R.nvis, 1);
    if (R.blist && R.vis_b)
        for (int v = 0; v < R.nvis; v++) {
            R.vis_b[v] = R.vis[v].resume ? -1 : R.nb;
            if (!R.vis[v].resume) R.blist[R.nb++] = v;
        }
    R.vis_ready = calloc((size_t)R.nvis, 1);
    R.wb_done = calloc((size_t)R.nvis, 1);
    uint16_t wcol[256], xvec[256]; /* esz-byte lanes, rows and cols <= 256 */
    pin = malloc(sizeof(int32_t) * (size_t)cols);
    pout = malloc(sizeof(int32_t) * (size_t)cols);
    tags = malloc(sizeof(tag_t) * tag_cap);
    R.crs_c = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R.crs_ry = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R.crs_sx = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    vis_wb = calloc((size_t)R.nvis, sizeof(int));
    if (!R.if_ready || !R.w_ready || !R.blist || !R.vis_b || !R.b_ready || !R.vis_ready || !R.wb_done || !pin || !pout || !tags ||
        !R.crs_c || !R.crs_ry || !R.crs_sx || !vis_wb || dma_init(&dma, dram, st->dram_bytes,
                                                          &mc->dram, job->trace_dma, L->name))
        goto oom;
    for (int i = 0; i < ct_max * rs; i++) {
        R.crs_c[i] = i / rs;
        R.crs_ry[i] = (i % rs) / L->s;
        R.crs_sx[i] = i % L->s;
    }

    const tile_t *const tiles = R.tiles;
    const uint64_t folds = tiles[R.ntiles - 1].fold0 +
                           (uint64_t)tiles[R.ntiles - 1].kgn * (uint64_t)tiles[R.ntiles - 1].cfn;
    /* Outputs the array returns: one per beat (WS, IS), Rows per block (OS). */
    uint64_t total_outs = 0;
    for (int i = 0; i < R.ntiles; i++)
        total_outs += (uint64_t)tiles[i].kgn * (uint64_t)tiles[i].cfn * (os ? (uint64_t)rows : tiles[i].n);
    uint64_t os_last = 0; /* OS: cycle of the previous block's last beat */
    int os_any = 0;

    /* Weight lane: next fold wf (tile wt, local fold wl) and column wc. */
    uint64_t wf = 0, loaded = 0;
    int wt = 0, wtiles_done = 0;
    uint32_t wl = 0, wc = 0;
    /* Data lane: next fold df (tile dt, local fold dl) and beat dj. */
    uint64_t df = 0, issued = 0;
    int dt = 0, dtiles_done = 0;
    uint32_t dl = 0, dj = 0;
    /* DMA: next ifmap load, weight load, visit to prepare, visit to write back. */
    int next_if = 0, next_w = 0, next_v = 0, next_wb = 0, next_b = 0;
    uint64_t received = 0;
    uint32_t tag_head = 0, tag_len = 0;
    int write_pending = 0; /* an output was collected last cycle: it takes a psum port now */
    uint64_t t = 0, last_progress = 0;
    uint64_t fault_cycle = job->fault_cycle;
    const uint64_t stall_limit = 4ull * (uint64_t)(rows + cols) + 1024;
    vsim_counters_t c0, c1;
    s->counters(s->v, &c0);
    st->start_cycle = s->cycle(s->v);

    for (;;) {
        /* 1. DMA: complete what is due, issue what has a free bank; repeat while an
         * instant move unlocks another. */
        for (int again = 1; again;) {
            again = 0;
            dma_poll(&dma, t, on_done, &R);
            /* Loads go out in the order of the tiles that need them, each once its bank
             * is free (double buffering: two loads of a kind ahead at most). */
            int e = 0;
            for (;;) {
                const int ok_if = next_if < R.nifl &&
                                  (next_if < 2 || R.ifl[next_if - 2].last < (is ? wtiles_done : dtiles_done));
                const int ok_w = next_w < R.nwl &&
                                 (next_w < 2 || R.wl[next_w - 2].last < (is ? dtiles_done : wtiles_done));
                const int ok_v = next_v < R.nvis && (next_v < 2 || R.wb_done[next_v - 2]) &&
                                 (!R.vis[next_v].resume || R.wb_done[R.vis[next_v].prev]);
                const int ok_b = next_b < R.nb &&
                                 (next_b < 2 || R.vis[R.blist[next_b - 2]].first < dtiles_done);
                const int f_b = ok_b ? R.vis[R.blist[next_b]].first : INT_MAX;
                const int f_if = ok_if ? R.ifl[next_if].first : INT_MAX;
                const int f_w = ok_w ? R.wl[next_w].first : INT_MAX;
                const int f_v = ok_v ? R.vis[next_v].first : INT_MAX;
                if (f_if == INT_MAX && f_w == INT_MAX && f_v == INT_MAX && f_b == INT_MAX) break;
                if (f_b <= f_if && f_b <= f_w && f_b <= f_v) {
                    e = issue_bias(&R, &dma, next_b++, t);
                } else if (f_if <= f_w && f_if <= f_v) {
                    e = issue_ifmap(&R, &dma, next_if++, t);
                } else if (f_w <= f_v) {
                    e = issue_weights(&R, &dma, next_w++, t);
                } else if (R.vis[next_v].resume) {
                    e = issue_psum(&R, &dma, next_v++, 0, t);
                } else { /* the psum bank is back; the bias comes on its own */
                    R.vis_ready[next_v++] = 1;
                }
                again = 1;
                if (e) break;
            }
            while (!e && next_wb < R.nvis && vis_wb[next_wb]) {
                e = issue_psum(&R, &dma, next_wb++, 1, t);
                again = 1;
            }
            if (e) {
                snprintf(err, errlen, "layer %s: DMA descriptor out of bounds at cycle %llu",
                         L->name, (unsigned long long)(st->start_cycle + t));
                rc = e;
                goto out_free;
            }
            if (dma.len && dma.q[dma.head].done <= t) again = 1;
        }
        if (received == total_outs && next_wb == R.nvis && !dma_busy(&dma)) break;

        vsim_in_t in = {0};
        vsim_out_t out = {.out_psum = pout};
        const uint64_t loaded_before = loaded;
        int why = -1; /* the data lane's reason for not issuing, if it does not */

        /* 2. Data lane: fold df's held operands are in the array (written in an earlier
         * cycle), its streamed tile (WS: ifmap, IS: weights, OS: both) and its visit's psum
         * bank are in the GLB, and, when it continues partial sums, beat dj's have come
         * back. */
        if (df == folds) {
            why = received < total_outs ? ST_FILL_DRAIN : ST_DMA;
        } else if (!(is ? R.w_ready[tiles[dt].w_load] : R.if_ready[tiles[dt].if_load]) ||
                   !R.vis_ready[tiles[dt].visit] ||
                   (tiles[dt].vstart && tiles[dt].c0 == 0 &&
                    !R.b_ready[R.vis_b[tiles[dt].visit]]) ||
                   (os && !R.w_ready[tiles[dt].w_load])) {
            why = ST_DMA;
        } else if (os) {
            /* OS: beat dj of block dl; the block's last beat must come at least Rows cycles
             * after the previous block's (the drain chain), so beat dj waits for
             * os_last + Rows - (N-1-dj). */
            const tile_t *T = &tiles[dt];
            const uint32_t left = T->n - 1 - dj;
            if (os_any && t + left < os_last + (uint64_t)rows) {
                why = ST_FILL_DRAIN;
            } else {
                int kg, pg;
                os_block(T, dl, &kg, &pg);
                memset(xvec, 0, esz * (size_t)rows);
                memset(wcol, 0, esz * (size_t)cols);
                for (int r = 0; r < rows; r++)
                    if ((uint32_t)(pg * rows + r) < T->npix)
                        put_ifmap(&R, T, xvec, r, (uint32_t)(pg * rows + r), (int)dj);
                for (int c = 0; c < cols; c++)
                    if (kg * cols + c < T->kt) put_weight(&R, T, wcol, c, kg * cols + c, (int)dj);
                if (dj == 0) {
                    const int32_t *bias = R.glb_bias[R.vis_b[T->visit] & 1];
                    for (int c = 0; c < cols; c++) {
                        pin[c] = 0;
                        if (kg * cols + c < T->kt) {
                            pin[c] = bias[kg * cols + c];
                            st->glb_rd[G_PSUM] += 4;
                        }
                    }
                }
                if (dj == 0 && tag_len == tag_cap) {
                    snprintf(err, errlen,
                             "layer %s: more than %u blocks in flight at cycle %llu: the array "
                             "is not returning outputs",
                             L->name, tag_cap, (unsigned long long)(st->start_cycle + t));
                    rc = PECOS_ESIM;
                    goto out_free;
                }
                if (dj == 0) {
                    tags[(tag_head + tag_len++) % tag_cap] =
                        (tag_t){dl, 0, dt, T->vend && dl + 1 == (uint32_t)T->kgn};
                    st->os_blocks++;
                }
                in.in_valid = 1;
                in.in_first = dj == 0;
                in.in_last = dj + 1 == T->n;
                in.in_data = xvec;
                in.w_data = wcol;
                in.in_psum = pin;
                st->beats++;
                if (in.in_last) {
                    os_last = t;
                    os_any = 1;
                }
                if (++dj == T->n) {
                    dj = 0;
                    issued = ++df;
                    if (++dl == (uint32_t)T->kgn) {
                        dl = 0;
                        dtiles_done = wtiles_done = ++dt;
                    }
                }
            }
        } else if (df >= loaded_before) {
            why = ST_FILL_DRAIN; /* refined below if the weight lane waits for the DMA */
        } else {
            const tile_t *T = &tiles[dt];
            const int pb = T->visit & 1;
            unsigned long kgl, cfl;
            tiling_fold(tl, dl, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl, &cfl);
            const uint32_t kg = (uint32_t)kgl, cf = (uint32_t)cfl;
            const int from_bias = T->vstart && cf == 0 && T->c0 == 0;
            int64_t dep = -1;
            if (cf > 0) /* the k group's previous reduction fold in this tile */
                dep = (int64_t)(T->fold0 + local_fold(tl, T, kg, cf - 1));
            else if (!T->vstart) /* its last one in the visit's previous c tile */
                dep = (int64_t)(tiles[dt - 1].fold0 +
                                local_fold(tl, &tiles[dt - 1], kg, (uint32_t)tiles[dt - 1].cfn - 1));
            if (dep >= 0 && R.psum_fold[pb][(size_t)kg * T->n + dj] != dep) {
                why = ST_FILL_DRAIN;
            } else if (mc->psum_ports < 2 && write_pending) {
                why = ST_GLB_PORT;
            } else {
                /* WS: beat dj is tile pixel dj, column c channel kg*Cols + c; IS: beat dj is
                 * tile channel dj, column c pixel kg*Cols + c. */
                fold_vector(&R, T, xvec, !is, dj, cf);
                const int32_t *src = from_bias ? R.glb_bias[R.vis_b[T->visit] & 1] : R.glb_ps[pb];
                for (int c = 0; c < cols; c++) {
                    const int kl = is ? (int)dj : (int)kg * cols + c;
                    const uint32_t pix = is ? kg * (uint32_t)cols + (uint32_t)c : dj;
                    pin[c] = 0;
                    if (kl < T->kt && pix < T->npix) {
                        pin[c] = from_bias ? src[kl] : src[(size_t)kl * T->npix + pix];
                        st->glb_rd[G_PSUM] += 4;
                    }
                }
                in.in_valid = 1;
                in.in_bank = (uint8_t)(df & 1u);
                in.in_data = xvec;
                in.in_psum = pin;
                if (tag_len == tag_cap) {
                    snprintf(err, errlen,
                             "layer %s: more than %u beats in flight at cycle %llu: the array "
                             "is not returning outputs",
                             L->name, tag_cap, (unsigned long long)(st->start_cycle + t));
                    rc = PECOS_ESIM;
                    goto out_free;
                }
                tags[(tag_head + tag_len++) % tag_cap] =
                    (tag_t){dl, dj, dt, T->vend && dl + 1 == (uint32_t)(T->kgn * T->cfn) &&
                                            dj + 1 == T->n};
                st->beats++;
                if (++dj == T->n) {
                    dj = 0;
                    issued = ++df;
                    if (++dl == (uint32_t)(T->kgn * T->cfn)) {
                        dl = 0;
                        dtiles_done = ++dt;
                    }
                }
            }
        }

        /* 3. Weight lane: fold wf writes array bank wf&1, last used by fold wf-2; that bank
         * is free once fold wf-2's last beat is issued (this cycle counts: the write travels
         * behind the beat and cannot overtake it). Its weight tile must be in the GLB. */
        if (!os && wf < folds && wf <= issued + 1) {
            const tile_t *T = &tiles[wt];
            if (!(is ? R.if_ready[T->if_load] : R.w_ready[T->w_load])) {
                if (why == ST_FILL_DRAIN && df >= loaded_before && wf <= df) why = ST_DMA;
            } else {
                unsigned long kgl, cfl;
                tiling_fold(tl, wl, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl, &cfl);
                const uint32_t kg = (uint32_t)kgl, cf = (uint32_t)cfl;
                fold_vector(&R, T, wcol, is, kg * (uint32_t)cols + wc, cf);
                in.w_valid = 1;
                in.w_bank = (uint8_t)(wf & 1u);
                in.w_col = (uint16_t)wc;
                in.w_data = wcol;
                st->wbeats++;
                if (++wc == (uint32_t)cols) {
                    wc = 0;
                    loaded = ++wf;
                    if (++wl == (uint32_t)(T->kgn * T->cfn)) {
                        wl = 0;
                        wtiles_done = ++wt;
                    }
                }
            }
        }
        st->stall[in.in_valid ? ST_COMPUTE : why]++;

        s->step(s->v, &in, &out);
        write_pending = 0;

        if (out.out_valid) {
            if (tag_len == 0) {
                snprintf(err, errlen, "layer %s: output at cycle %llu with no beat in flight",
                         L->name, (unsigned long long)(st->start_cycle + t));
                rc = PECOS_ESIM;
                goto out_free;
            }
            const tag_t tg = tags[tag_head];
            if (!os) { /* OS pops a block when its last row is out */
                tag_head = (tag_head + 1) % tag_cap;
                tag_len--;
            }
            const uint64_t gcycle = st->start_cycle + t;
            if (gcycle >= fault_cycle) {
                pout[0] ^= 1; /* checker self-test: one flipped bit */
                fault_cycle = UINT64_MAX;
            }
            const tile_t *T = &tiles[tg.tile];
            const int pb = T->visit & 1;
            if (os) { /* one pixel row of block tg.fold_local: row Rows-1 first */
                int kg, pg;
                os_block(T, tg.fold_local, &kg, &pg);
                const uint32_t pix = (uint32_t)(pg * rows + rows - 1) - tags[tag_head].beat;
                for (int c = 0; c < cols && pix < T->npix; c++) {
                    const int kl = kg * cols + c;
                    if (kl >= T->kt) break;
                    R.glb_ps[pb][(size_t)kl * T->npix + pix] = pout[c];
                    st->glb_wr[G_PSUM] += 4;
                    job->out_cycle[(size_t)(T->k0 + kl) * pq + (size_t)T->p0 * L->q + pix] = gcycle;
                }
                if (++tags[tag_head].beat == (uint32_t)rows) { /* the block is out */
                    tag_head = (tag_head + 1) % tag_cap;
                    tag_len--;
                    if (tg.last_of_visit) vis_wb[T->visit] = 1;
                }
            } else {
                unsigned long kgl, cfl;
                tiling_fold(tl, tg.fold_local, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl,
                            &cfl);
                const uint32_t kg = (uint32_t)kgl;
                for (int c = 0; c < cols; c++) {
                    const int kl = is ? (int)tg.beat : (int)kg * cols + c;
                    const uint32_t pix = is ? kg * (uint32_t)cols + (uint32_t)c : tg.beat;
                    if (kl >= T->kt || pix >= T->npix) continue;
                    R.glb_ps[pb][(size_t)kl * T->npix + pix] = pout[c];
                    st->glb_wr[G_PSUM] += 4;
                    job->out_cycle[(size_t)(T->k0 + kl) * pq + (size_t)T->p0 * L->q + pix] = gcycle;
                }
                R.psum_fold[pb][(size_t)kg * T->n + tg.beat] = (int64_t)(T->fold0 + tg.fold_local);
                if (tg.last_of_visit) vis_wb[T->visit] = 1;
            }
            write_pending = 1;
            received++;
            last_progress = t;
        }
        if (in.in_valid || in.w_valid || dma_busy(&dma)) last_progress = t;
        t++;
        if (t - last_progress > stall_limit) {
            snprintf(err, errlen,
                     "layer %s: no progress for %llu cycles at cycle %llu (%llu of %llu outputs)",
                     L->name, (unsigned long long)stall_limit,
                     (unsigned long long)(st->start_cycle + t), (unsigned long long)received,
                     (unsigned long long)total_outs);
            rc = PECOS_ESIM;
            goto out_free;
        }
    }
    st->cycles = t;
    s->counters(s->v, &c1);
    st->rtl.beats = c1.beats - c0.beats;
    st->rtl.wbeats = c1.wbeats - c0.wbeats;
    st->rtl.busy = c1.busy - c0.busy;
    st->rtl.macs = c1.macs - c0.macs;
    st->dram_bus = dma.bus_bytes;
    st->descs = dma.descs;
    memcpy(job->out, dram + R.addr_o, (size_t)out_b);
    rc = 0;
    goto out_free;

oom:
    snprintf(err, errlen, "layer %s: out of memory", L->name);
    rc = PECOS_ENOMEM;
out_free:
    if (rc != PECOS_ENOMEM && rc != PECOS_EPARAM) { /* an assertion is the first cause */
        char what[160];
        snprintf(what, sizeof what, "layer %s", L->name);
        if (simlib_assert_check(s, what, err, errlen) != 0) rc = PECOS_ESIM;
    }
    dma_free(&dma);
    free(vis_wb);
    free(tags);
    free(pout);
    free(pin);
    free_run(&R);
    free(dram);
    return rc;
}
