#include "array_run.h"

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

/* One lane's position in the run: the data lane (beats of the streamed operand) or the
 * weight lane (columns of the held operand; unused by OS). */
typedef struct {
    uint64_t fold;        /* next fold to issue (global) */
    uint64_t done;        /* folds fully issued */
    int tile;             /* the next fold's tile */
    int tiles_done;       /* tiles whose folds on this lane are all issued */
    uint32_t local;       /* the next fold within its tile (OS: block) */
    uint32_t beat;        /* data: beat dj; weight: column */
} lane_t;

/* Everything the loop, its phases and the DMA callback share. */
typedef struct {
    const ws_job_t *job;
    simlib_t *sim;
    int rows, cols;
    size_t esz;
    int os, is;           /* the dataflow: DF_OS, DF_IS (else DF_WS) */
    const tiling_t *tl;
    tile_t *tiles;
    int ntiles;
    span_t *ifl, *wl;     /* ifmap and weight loads */
    int nifl, nwl;
    visit_t *vis;
    int nvis;
    uint8_t *glb_if[2], *glb_w[2];
    int32_t *glb_ps[2], *glb_bias[2];
    uint64_t bank_bytes[GLB_N];
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
    /* The cycle loop */
    uint8_t *dram;         /* the DRAM image */
    dma_t dma;
    lane_t D, W;           /* data lane, weight lane */
    int next_if, next_w;   /* DMA: next ifmap load, weight load, */
    int next_v, next_wb;   /* visit to prepare, visit to write back, */
    int next_b;            /* bias load */
    int *vis_wb;           /* per visit, 1: its outputs are all in, the writeback is due */
    tag_t *tags;           /* ring of the beats (OS: blocks) in flight */
    uint32_t tag_cap, tag_head, tag_len;
    int32_t *pin, *pout;   /* the psum lanes into and out of the array */
    uint16_t wcol[256], xvec[256]; /* esz-byte lanes, rows and cols <= 256 */
    uint64_t folds;        /* folds of the layer */
    uint64_t total_outs;   /* outputs the array returns: one per beat (WS, IS), Rows per
                              block (OS) */
    uint64_t received;     /* outputs collected */
    uint64_t os_last;      /* OS: cycle of the previous block's last beat */
    int os_any;            /* OS: a block has been issued */
    int write_pending;     /* an output was collected last cycle: it takes a psum port now */
    uint64_t t;            /* the layer's cycle */
    uint64_t last_progress; /* the last cycle that moved something */
    uint64_t fault_cycle;  /* self-test: the global cycle of the fault still to inject */
    uint64_t stall_limit;  /* cycles without progress that make the run a protocol error */
    vsim_counters_t c0;    /* the RTL's counters before the layer */
    char *err;             /* the one-line reason of an error */
    size_t errlen;
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
        st->glb_rd[GLB_PSUM] += x->bytes;
        R->wb_done[x->ref] = 1;
        return;
    }
    st->dram_rd[x->kind] += x->bytes;
    switch (x->kind) {
    case TENSOR_IFMAP:
        st->glb_wr[GLB_IFMAP] += x->bytes;
        R->if_ready[x->ref] = 1;
        break;
    case TENSOR_WEIGHT:
        st->glb_wr[GLB_WEIGHT] += x->bytes;
        R->w_ready[x->ref] = 1;
        break;
    case TENSOR_BIAS:
        st->glb_wr[GLB_PSUM] += x->bytes;
        R->b_ready[x->ref] = 1;
        break;
    default: /* spilled partial sums: the resumed visit can start */
        st->glb_wr[GLB_PSUM] += x->bytes;
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

static const char *bank_name[GLB_N][2] = {{"glb.ifmap[0]", "glb.ifmap[1]"},
                                        {"glb.weight[0]", "glb.weight[1]"},
                                        {"glb.psum[0]", "glb.psum[1]"}};

static int issue_ifmap(run_t *R, dma_t *d, int i, uint64_t now)
{
    const layer_t *L = R->job->layer;
    const tile_t *T = &R->tiles[R->ifl[i].first];
    const uint64_t e = R->esz, W = (uint64_t)L->w, H = (uint64_t)L->h;
    dma_desc_t x;
    desc_2d(&x, TENSOR_IFMAP, i, 0, R->addr_if + ((uint64_t)T->c0 * H + (uint64_t)T->rin0) * W * e,
            R->glb_if[i & 1], R->bank_bytes[GLB_IFMAP], bank_name[GLB_IFMAP][i & 1]);
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
    desc_2d(&x, TENSOR_WEIGHT, i, 0, R->addr_w + ((uint64_t)T->k0 * crs + (uint64_t)T->c0 * rs) * e,
            R->glb_w[i & 1], R->bank_bytes[GLB_WEIGHT], bank_name[GLB_WEIGHT][i & 1]);
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
    desc_2d(&x, TENSOR_BIAS, b, 0, R->addr_b + 4 * (uint64_t)T->k0, R->glb_bias[b & 1],
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
    desc_2d(&x, to_dram ? (final ? TENSOR_OUT : TENSOR_PSUM) : TENSOR_PSUM, v, to_dram,
            R->addr_o + 4 * ((uint64_t)T->k0 * pq + (uint64_t)T->p0 * L->q), R->glb_ps[v & 1],
            R->psum_room, bank_name[GLB_PSUM][v & 1]);
    x.n1 = (uint64_t)T->kt;
    x.run = 4 * (uint64_t)T->npix;
    x.dram_s1 = 4 * pq;
    x.glb_s1 = x.run;
    snprintf(x.what, sizeof x.what, "%s k%d+%d p%d+%d", to_dram ? (final ? "out" : "psum-spill")
                                                                  : "psum-resume",
             T->k0, T->kt, T->p0, T->pt);
    return dma_issue(d, &x, now);
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
        R->st->glb_rd[GLB_IFMAP] += R->esz;
    } else if (R->esz == 1) {
        ((int8_t *)dst)[r] = (int8_t)L->pad_value;
    }
}

/* Lane r of dst <- weight (tile channel kl, tile reduction lane i) from the GLB weight bank. */
static void put_weight(run_t *R, const tile_t *T, void *dst, int r, int kl, int i)
{
    const int lanes = T->ct * R->job->layer->r * R->job->layer->s;
    put_lane(dst, r, R->glb_w[T->w_load & 1], (size_t)kl * lanes + i, R->esz);
    R->st->glb_rd[GLB_WEIGHT] += R->esz;
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

/* Mapper: the tensors' DRAM addresses, the tile plan, and the DRAM image with the tensors
 * written in. Returns 0, PECOS_EPARAM (the tensors do not fit the DRAM capacity; reason in
 * R->err, nothing allocated) or PECOS_ENOMEM. */
static int map_dram(run_t *R)
{
    const ws_job_t *job = R->job;
    const layer_t *L = job->layer;
    const size_t esz = R->esz;
    const int rs = L->r * L->s;
    const uint64_t in_b = (uint64_t)L->c * L->h * L->w * esz;
    const uint64_t w_b = (uint64_t)L->k * L->c * (uint64_t)rs * esz;
    const uint64_t pq = (uint64_t)L->p * L->q, out_b = 4 * (uint64_t)L->k * pq;
    R->addr_if = 0;
    R->addr_w = align64(in_b);
    R->addr_b = align64(R->addr_w + w_b);
    R->addr_o = align64(R->addr_b + 4 * (uint64_t)L->k);
    R->st->dram_bytes = R->addr_o + out_b;
    if (R->st->dram_bytes > job->mem->dram_capacity) {
        snprintf(R->err, R->errlen,
                 "layer %s needs %llu bytes of DRAM for its tensors; --dram-mib allows %llu",
                 L->name, (unsigned long long)R->st->dram_bytes,
                 (unsigned long long)job->mem->dram_capacity);
        return PECOS_EPARAM;
    }
    R->dram = calloc(1, (size_t)R->st->dram_bytes);
    if (!R->dram || plan_tiles(R) != 0) return PECOS_ENOMEM;
    memcpy(R->dram + R->addr_if, job->ifmap, (size_t)in_b);
    memcpy(R->dram + R->addr_w, job->weights, (size_t)w_b);
    if (job->bias) memcpy(R->dram + R->addr_b, job->bias, 4 * (size_t)L->k);
    return 0;
}

/* The GLB banks, sized for the largest tile, and the readiness flags, the bias loads, the
 * lanes, the tag ring, the reduction-lane tables and the DMA engine. Returns 0 or
 * PECOS_ENOMEM. */
static int alloc_run(run_t *R)
{
    const layer_t *L = R->job->layer;
    const tiling_t *tl = R->tl;
    const size_t esz = R->esz;
    const int rs = L->r * L->s;
    int rin_max = 0, kgn_max = 0;
    uint32_t n_max = 0, npix_max = 0;
    for (int i = 0; i < R->ntiles; i++) {
        rin_max = R->tiles[i].rin > rin_max ? R->tiles[i].rin : rin_max;
        kgn_max = R->tiles[i].kgn > kgn_max ? R->tiles[i].kgn : kgn_max;
        n_max = R->tiles[i].n > n_max ? R->tiles[i].n : n_max;
        npix_max = R->tiles[i].npix > npix_max ? R->tiles[i].npix : npix_max;
    }
    const int kt_max = imin(tl->kt, L->k), ct_max = imin(tl->ct, L->c);
    R->bank_bytes[GLB_IFMAP] = (uint64_t)ct_max * (uint64_t)rin_max * (uint64_t)L->w * esz;
    R->bank_bytes[GLB_WEIGHT] = (uint64_t)kt_max * (uint64_t)ct_max * (uint64_t)rs * esz;
    R->psum_room = 4 * (uint64_t)kt_max * npix_max;
    R->bank_bytes[GLB_PSUM] = R->psum_room + 4 * (uint64_t)kt_max; /* + bias */
    memcpy(R->st->glb_bank, R->bank_bytes, sizeof R->st->glb_bank);
    for (int b = 0; b < 2; b++) {
        R->glb_if[b] = malloc((size_t)R->bank_bytes[GLB_IFMAP] + 1);
        R->glb_w[b] = malloc((size_t)R->bank_bytes[GLB_WEIGHT] + 1);
        R->glb_ps[b] = malloc(4 * (size_t)kt_max * npix_max + 4);
        R->glb_bias[b] = malloc(4 * (size_t)kt_max + 4);
        R->psum_fold[b] = malloc(sizeof(int64_t) * (size_t)kgn_max * n_max + 8);
        if (!R->glb_if[b] || !R->glb_w[b] || !R->glb_ps[b] || !R->glb_bias[b] ||
            !R->psum_fold[b])
            return PECOS_ENOMEM;
        for (size_t i = 0; i < (size_t)kgn_max * n_max; i++) R->psum_fold[b][i] = -1;
    }
    R->if_ready = calloc((size_t)R->nifl, 1);
    R->w_ready = calloc((size_t)R->nwl, 1);
    R->blist = malloc(sizeof(int) * (size_t)R->nvis);
    R->vis_b = malloc(sizeof(int) * (size_t)R->nvis);
    R->b_ready = calloc((size_t)R->nvis, 1);
    if (R->blist && R->vis_b)
        for (int v = 0; v < R->nvis; v++) {
            R->vis_b[v] = R->vis[v].resume ? -1 : R->nb;
            if (!R->vis[v].resume) R->blist[R->nb++] = v;
        }
    R->vis_ready = calloc((size_t)R->nvis, 1);
    R->wb_done = calloc((size_t)R->nvis, 1);
    R->pin = malloc(sizeof(int32_t) * (size_t)R->cols);
    R->pout = malloc(sizeof(int32_t) * (size_t)R->cols);
    R->tags = malloc(sizeof(tag_t) * R->tag_cap);
    R->crs_c = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R->crs_ry = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R->crs_sx = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R->vis_wb = calloc((size_t)R->nvis, sizeof(int));
    if (!R->if_ready || !R->w_ready || !R->blist || !R->vis_b || !R->b_ready ||
        !R->vis_ready || !R->wb_done || !R->pin || !R->pout || !R->tags || !R->crs_c ||
        !R->crs_ry || !R->crs_sx || !R->vis_wb ||
        dma_init(&R->dma, R->dram, R->st->dram_bytes, &R->job->mem->dram, R->job->trace_dma,
                 L->name))
        return PECOS_ENOMEM;
    for (int i = 0; i < ct_max * rs; i++) {
        R->crs_c[i] = i / rs;
        R->crs_ry[i] = (i % rs) / L->s;
        R->crs_sx[i] = i % L->s;
    }
    return 0;
}

/* Frees what map_dram() and alloc_run() allocated. Safe on a partly allocated R. */
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
    dma_free(&R->dma);
    free(R->vis_wb);
    free(R->tags);
    free(R->pout);
    free(R->pin);
    free(R->dram);
}

/* The loop's totals and starting point: folds, outputs to expect, the stall limit, and the
 * RTL's counters and cycle before the layer. */
static void start_run(run_t *R)
{
    const tile_t *const tiles = R->tiles;
    const tile_t *last = &tiles[R->ntiles - 1];
    R->folds = last->fold0 + (uint64_t)last->kgn * (uint64_t)last->cfn;
    for (int i = 0; i < R->ntiles; i++)
        R->total_outs += (uint64_t)tiles[i].kgn * (uint64_t)tiles[i].cfn *
                         (R->os ? (uint64_t)R->rows : tiles[i].n);
    R->fault_cycle = R->job->fault_cycle;
    R->stall_limit = 4ull * (uint64_t)(R->rows + R->cols) + 1024;
    simlib_counters(R->sim, &R->c0);
    R->st->start_cycle = simlib_cycle(R->sim);
}

/* DMA, one load: the next load whose GLB bank is free goes out, in the order of the tiles
 * that need them (double buffering: two loads of a kind ahead at most); a visit that starts
 * at c = 0 only needs its psum bank back (its bias comes on its own). Returns 1 if it did
 * something (*e: the issue's result), 0 if nothing can go. */
static int issue_next_load(run_t *R, int *e)
{
    const uint64_t t = R->t;
    const int dd = R->D.tiles_done, wd = R->W.tiles_done;
    const int nif = R->next_if, nw = R->next_w, nv = R->next_v, nb = R->next_b;
    const int ok_if = nif < R->nifl && (nif < 2 || R->ifl[nif - 2].last < (R->is ? wd : dd));
    const int ok_w = nw < R->nwl && (nw < 2 || R->wl[nw - 2].last < (R->is ? dd : wd));
    const int ok_v = nv < R->nvis && (nv < 2 || R->wb_done[nv - 2]) &&
                     (!R->vis[nv].resume || R->wb_done[R->vis[nv].prev]);
    const int ok_b = nb < R->nb && (nb < 2 || R->vis[R->blist[nb - 2]].first < dd);
    const int f_b = ok_b ? R->vis[R->blist[nb]].first : INT_MAX;
    const int f_if = ok_if ? R->ifl[nif].first : INT_MAX;
    const int f_w = ok_w ? R->wl[nw].first : INT_MAX;
    const int f_v = ok_v ? R->vis[nv].first : INT_MAX;
    if (f_if == INT_MAX && f_w == INT_MAX && f_v == INT_MAX && f_b == INT_MAX) return 0;
    if (f_b <= f_if && f_b <= f_w && f_b <= f_v)
        *e = issue_bias(R, &R->dma, R->next_b++, t);
    else if (f_if <= f_w && f_if <= f_v)
        *e = issue_ifmap(R, &R->dma, R->next_if++, t);
    else if (f_w <= f_v)
        *e = issue_weights(R, &R->dma, R->next_w++, t);
    else if (R->vis[nv].resume)
        *e = issue_psum(R, &R->dma, R->next_v++, 0, t);
    else /* the psum bank is back; the bias comes on its own */
        R->vis_ready[R->next_v++] = 1;
    return 1;
}

/* Phase 1, DMA: complete what is due, issue what has a free bank (loads, then the
 * writebacks that are due); repeat while an instant move unlocks another. Returns 0 or the
 * issue's error (reason in R->err). */
static int dma_phase(run_t *R)
{
    for (int again = 1; again;) {
        again = 0;
        dma_poll(&R->dma, R->t, on_done, R);
        int e = 0;
        while (issue_next_load(R, &e)) {
            again = 1;
            if (e) break;
        }
        while (!e && R->next_wb < R->nvis && R->vis_wb[R->next_wb]) {
            e = issue_psum(R, &R->dma, R->next_wb++, 1, R->t);
            again = 1;
        }
        if (e) {
            snprintf(R->err, R->errlen, "layer %s: DMA descriptor out of bounds at cycle %llu",
                     R->job->layer->name, (unsigned long long)(R->st->start_cycle + R->t));
            return e;
        }
        if (dma_due(&R->dma, R->t)) again = 1;
    }
    return 0;
}

/* Whether the GLB holds what the data lane's next beat of tile T reads: its streamed tile
 * (WS: ifmap, IS: weights, OS: both), its visit's psum bank and, for a visit that starts at
 * c = 0, its bias. */
static int data_ready(const run_t *R, const tile_t *T)
{
    return !(!(R->is ? R->w_ready[T->w_load] : R->if_ready[T->if_load]) ||
             !R->vis_ready[T->visit] ||
             (T->vstart && T->c0 == 0 && !R->b_ready[R->vis_b[T->visit]]) ||
             (R->os && !R->w_ready[T->w_load]));
}

/* Pushes a tag for a beat (OS: a block) going into the array. Returns 0, or PECOS_ESIM
 * (reason in R->err) when the ring is full: the array is not returning outputs. */
static int push_tag(run_t *R, tag_t tg, const char *what)
{
    if (R->tag_len == R->tag_cap) {
        snprintf(R->err, R->errlen,
                 "layer %s: more than %u %s in flight at cycle %llu: the array is not "
                 "returning outputs",
                 R->job->layer->name, R->tag_cap, what,
                 (unsigned long long)(R->st->start_cycle + R->t));
        return PECOS_ESIM;
    }
    R->tags[(R->tag_head + R->tag_len++) % R->tag_cap] = tg;
    return 0;
}

/* Phase 2, data lane, OS: beat dj of block dl; the block's last beat must come at least
 * Rows cycles after the previous block's (the drain chain), so beat dj waits for
 * os_last + Rows - (N-1-dj). Fills in (or *why). Returns 0 or PECOS_ESIM. */
static int data_lane_os(run_t *R, vsim_in_t *in, int *why)
{
    ws_stats_t *st = R->st;
    const int rows = R->rows, cols = R->cols;
    const tile_t *T = &R->tiles[R->D.tile];
    const uint32_t dj = R->D.beat, dl = R->D.local;
    const uint32_t left = T->n - 1 - dj;
    if (R->os_any && R->t + left < R->os_last + (uint64_t)rows) {
        *why = STALL_FILL_DRAIN;
        return 0;
    }
    int kg, pg;
    os_block(T, dl, &kg, &pg);
    memset(R->xvec, 0, R->esz * (size_t)rows);
    memset(R->wcol, 0, R->esz * (size_t)cols);
    for (int r = 0; r < rows; r++)
        if ((uint32_t)(pg * rows + r) < T->npix)
            put_ifmap(R, T, R->xvec, r, (uint32_t)(pg * rows + r), (int)dj);
    for (int c = 0; c < cols; c++)
        if (kg * cols + c < T->kt) put_weight(R, T, R->wcol, c, kg * cols + c, (int)dj);
    if (dj == 0) {
        const int32_t *bias = R->glb_bias[R->vis_b[T->visit] & 1];
        for (int c = 0; c < cols; c++) {
            R->pin[c] = 0;
            if (kg * cols + c < T->kt) {
                R->pin[c] = bias[kg * cols + c];
                st->glb_rd[GLB_PSUM] += 4;
            }
        }
        const tag_t tg = {dl, 0, R->D.tile, T->vend && dl + 1 == (uint32_t)T->kgn};
        if (push_tag(R, tg, "blocks") != 0) return PECOS_ESIM;
        st->os_blocks++;
    }
    in->in_valid = 1;
    in->in_first = dj == 0;
    in->in_last = dj + 1 == T->n;
    in->in_data = R->xvec;
    in->w_data = R->wcol;
    in->in_psum = R->pin;
    st->beats++;
    if (in->in_last) {
        R->os_last = R->t;
        R->os_any = 1;
    }
    if (++R->D.beat == T->n) {
        R->D.beat = 0;
        R->D.done = ++R->D.fold;
        if (++R->D.local == (uint32_t)T->kgn) {
            R->D.local = 0;
            R->D.tiles_done = R->W.tiles_done = ++R->D.tile;
        }
    }
    return 0;
}

/* The global fold whose partial sums fold (kg, cf) of tile dt continues, or -1 (it starts
 * from the bias or from the psum bank as the DMA left it). */
static int64_t fold_dep(const run_t *R, int dt, uint32_t kg, uint32_t cf)
{
    const tile_t *T = &R->tiles[dt];
    if (cf > 0) /* the k group's previous reduction fold in this tile */
        return (int64_t)(T->fold0 + local_fold(R->tl, T, kg, cf - 1));
    if (!T->vstart) { /* its last one in the visit's previous c tile */
        const tile_t *P = &R->tiles[dt - 1];
        return (int64_t)(P->fold0 + local_fold(R->tl, P, kg, (uint32_t)P->cfn - 1));
    }
    return -1;
}

/* Phase 2, data lane, WS/IS: beat dj of fold dl, once the fold's held operands are in the
 * array (loaded_before: folds whose weight lane finished before this cycle) and, when it
 * continues partial sums, beat dj's have come back. WS: beat dj is tile pixel dj, column c
 * channel kg*Cols + c; IS: beat dj is tile channel dj, column c pixel kg*Cols + c. Fills in
 * (or *why). Returns 0 or PECOS_ESIM. */
static int data_lane_fold(run_t *R, vsim_in_t *in, int *why, uint64_t loaded_before)
{
    if (R->D.fold >= loaded_before) {
        *why = STALL_FILL_DRAIN; /* refined below if the weight lane waits for the DMA */
        return 0;
    }
    ws_stats_t *st = R->st;
    const int cols = R->cols, is = R->is, dt = R->D.tile;
    const uint32_t dj = R->D.beat, dl = R->D.local;
    const tile_t *T = &R->tiles[dt];
    const int pb = T->visit & 1;
    unsigned long kgl, cfl;
    tiling_fold(R->tl, dl, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl, &cfl);
    const uint32_t kg = (uint32_t)kgl, cf = (uint32_t)cfl;
    const int from_bias = T->vstart && cf == 0 && T->c0 == 0;
    const int64_t dep = fold_dep(R, dt, kg, cf);
    if (dep >= 0 && R->psum_fold[pb][(size_t)kg * T->n + dj] != dep) {
        *why = STALL_FILL_DRAIN;
        return 0;
    }
    if (R->job->mem->psum_ports < 2 && R->write_pending) {
        *why = STALL_GLB_PORT;
        return 0;
    }
    fold_vector(R, T, R->xvec, !is, dj, cf);
    const int32_t *src = from_bias ? R->glb_bias[R->vis_b[T->visit] & 1] : R->glb_ps[pb];
    for (int c = 0; c < cols; c++) {
        const int kl = is ? (int)dj : (int)kg * cols + c;
        const uint32_t pix = is ? kg * (uint32_t)cols + (uint32_t)c : dj;
        R->pin[c] = 0;
        if (kl < T->kt && pix < T->npix) {
            R->pin[c] = from_bias ? src[kl] : src[(size_t)kl * T->npix + pix];
            st->glb_rd[GLB_PSUM] += 4;
        }
    }
    in->in_valid = 1;
    in->in_bank = (uint8_t)(R->D.fold & 1u);
    in->in_data = R->xvec;
    in->in_psum = R->pin;
    const tag_t tg = {dl, dj, dt,
                      T->vend && dl + 1 == (uint32_t)(T->kgn * T->cfn) && dj + 1 == T->n};
    if (push_tag(R, tg, "beats") != 0) return PECOS_ESIM;
    st->beats++;
    if (++R->D.beat == T->n) {
        R->D.beat = 0;
        R->D.done = ++R->D.fold;
        if (++R->D.local == (uint32_t)(T->kgn * T->cfn)) {
            R->D.local = 0;
            R->D.tiles_done = ++R->D.tile;
        }
    }
    return 0;
}

/* Phase 2, data lane: fold df's held operands are in the array (written in an earlier
 * cycle), its streamed tile and its visit's psum bank are in the GLB; then the dataflow's
 * lane. Sets *why (the stall cause) when no beat goes in. Returns 0 or PECOS_ESIM. */
static int data_lane(run_t *R, vsim_in_t *in, int *why, uint64_t loaded_before)
{
    if (R->D.fold == R->folds) {
        *why = R->received < R->total_outs ? STALL_FILL_DRAIN : STALL_DMA;
        return 0;
    }
    if (!data_ready(R, &R->tiles[R->D.tile])) {
        *why = STALL_DMA;
        return 0;
    }
    return R->os ? data_lane_os(R, in, why) : data_lane_fold(R, in, why, loaded_before);
}

/* Phase 3, weight lane (WS/IS): fold wf writes array bank wf&1, last used by fold wf-2; that
 * bank is free once fold wf-2's last beat is issued (this cycle counts: the write travels
 * behind the beat and cannot overtake it). Its weight tile must be in the GLB; if not, a
 * data lane that waits for this fold waits for the DMA. */
static void weight_lane(run_t *R, vsim_in_t *in, int *why, uint64_t loaded_before)
{
    lane_t *W = &R->W;
    if (R->os || W->fold >= R->folds || W->fold > R->D.done + 1) return;
    const tile_t *T = &R->tiles[W->tile];
    if (!(R->is ? R->if_ready[T->if_load] : R->w_ready[T->w_load])) {
        if (*why == STALL_FILL_DRAIN && R->D.fold >= loaded_before && W->fold <= R->D.fold)
            *why = STALL_DMA;
        return;
    }
    unsigned long kgl, cfl;
    tiling_fold(R->tl, W->local, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl, &cfl);
    const uint32_t kg = (uint32_t)kgl, cf = (uint32_t)cfl;
    fold_vector(R, T, R->wcol, R->is, kg * (uint32_t)R->cols + W->beat, cf);
    in->w_valid = 1;
    in->w_bank = (uint8_t)(W->fold & 1u);
    in->w_col = (uint16_t)W->beat;
    in->w_data = R->wcol;
    R->st->wbeats++;
    if (++W->beat == (uint32_t)R->cols) {
        W->beat = 0;
        W->done = ++W->fold;
        if (++W->local == (uint32_t)(T->kgn * T->cfn)) {
            W->local = 0;
            W->tiles_done = ++W->tile;
        }
    }
}

/* Phase 4, collection, OS: one pixel row of block tg.fold_local (row Rows-1 first); the
 * block's tag is popped when its last row is out. */
static void collect_os(run_t *R, const tag_t *tg, uint64_t gcycle)
{
    const layer_t *L = R->job->layer;
    const size_t pq = (size_t)L->p * L->q;
    const int rows = R->rows, cols = R->cols;
    const tile_t *T = &R->tiles[tg->tile];
    const int pb = T->visit & 1;
    int kg, pg;
    os_block(T, tg->fold_local, &kg, &pg);
    const uint32_t pix = (uint32_t)(pg * rows + rows - 1) - R->tags[R->tag_head].beat;
    for (int c = 0; c < cols && pix < T->npix; c++) {
        const int kl = kg * cols + c;
        if (kl >= T->kt) break;
        R->glb_ps[pb][(size_t)kl * T->npix + pix] = R->pout[c];
        R->st->glb_wr[GLB_PSUM] += 4;
        R->job->out_cycle[(size_t)(T->k0 + kl) * pq + (size_t)T->p0 * L->q + pix] = gcycle;
    }
    if (++R->tags[R->tag_head].beat == (uint32_t)rows) { /* the block is out */
        R->tag_head = (R->tag_head + 1) % R->tag_cap;
        R->tag_len--;
        if (tg->last_of_visit) R->vis_wb[T->visit] = 1;
    }
}

/* Phase 4, collection, WS/IS: the partial sums of beat tg into the psum bank, and the fold
 * that wrote them. */
static void collect_fold(run_t *R, const tag_t *tg, uint64_t gcycle)
{
    const layer_t *L = R->job->layer;
    const size_t pq = (size_t)L->p * L->q;
    const int cols = R->cols, is = R->is;
    const tile_t *T = &R->tiles[tg->tile];
    const int pb = T->visit & 1;
    unsigned long kgl, cfl;
    tiling_fold(R->tl, tg->fold_local, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl,
                &cfl);
    const uint32_t kg = (uint32_t)kgl;
    for (int c = 0; c < cols; c++) {
        const int kl = is ? (int)tg->beat : (int)kg * cols + c;
        const uint32_t pix = is ? kg * (uint32_t)cols + (uint32_t)c : tg->beat;
        if (kl >= T->kt || pix >= T->npix) continue;
        R->glb_ps[pb][(size_t)kl * T->npix + pix] = R->pout[c];
        R->st->glb_wr[GLB_PSUM] += 4;
        R->job->out_cycle[(size_t)(T->k0 + kl) * pq + (size_t)T->p0 * L->q + pix] = gcycle;
    }
    R->psum_fold[pb][(size_t)kg * T->n + tg->beat] = (int64_t)(T->fold0 + tg->fold_local);
    if (tg->last_of_visit) R->vis_wb[T->visit] = 1;
}

/* Phase 4, collection: the output the array returned this cycle goes to the psum bank of
 * the beat (OS: block) at the head of the ring; the self-test fault flips one bit of it.
 * Returns 0, or PECOS_ESIM (reason in R->err) when nothing was in flight. */
static int collect(run_t *R)
{
    const uint64_t gcycle = R->st->start_cycle + R->t;
    if (R->tag_len == 0) {
        snprintf(R->err, R->errlen, "layer %s: output at cycle %llu with no beat in flight",
                 R->job->layer->name, (unsigned long long)gcycle);
        return PECOS_ESIM;
    }
    const tag_t tg = R->tags[R->tag_head];
    if (!R->os) { /* OS pops a block when its last row is out */
        R->tag_head = (R->tag_head + 1) % R->tag_cap;
        R->tag_len--;
    }
    if (gcycle >= R->fault_cycle) {
        R->pout[0] ^= 1; /* checker self-test: one flipped bit */
        R->fault_cycle = UINT64_MAX;
    }
    if (R->os)
        collect_os(R, &tg, gcycle);
    else
        collect_fold(R, &tg, gcycle);
    R->write_pending = 1;
    R->received++;
    R->last_progress = R->t;
    return 0;
}

/* The cycle loop: per cycle the DMA, the data lane, the weight lane, one clock of the model
 * and the collection of its output, until every output is in DRAM. Returns 0, or the
 * phase's error (reason in R->err), or PECOS_ESIM when nothing moves for too long. */
static int run_cycles(run_t *R)
{
    for (;;) {
        int rc = dma_phase(R);
        if (rc != 0) return rc;
        if (R->received == R->total_outs && R->next_wb == R->nvis && !dma_busy(&R->dma))
            return 0;
        vsim_in_t in = {0};
        vsim_out_t out = {.out_psum = R->pout};
        const uint64_t loaded_before = R->W.done;
        int why = -1; /* the data lane's reason for not issuing, if it does not */
        if ((rc = data_lane(R, &in, &why, loaded_before)) != 0) return rc;
        weight_lane(R, &in, &why, loaded_before);
        R->st->stall[in.in_valid ? STALL_COMPUTE : why]++;

        simlib_step(R->sim, &in, &out);
        R->write_pending = 0;
        if (out.out_valid && (rc = collect(R)) != 0) return rc;
        if (in.in_valid || in.w_valid || dma_busy(&R->dma)) R->last_progress = R->t;
        R->t++;
        if (R->t - R->last_progress > R->stall_limit) {
            snprintf(R->err, R->errlen,
                     "layer %s: no progress for %llu cycles at cycle %llu (%llu of %llu outputs)",
                     R->job->layer->name, (unsigned long long)R->stall_limit,
                     (unsigned long long)(R->st->start_cycle + R->t),
                     (unsigned long long)R->received, (unsigned long long)R->total_outs);
            return PECOS_ESIM;
        }
    }
}

/* The layer's totals: cycles, the RTL's counters over the layer, the DMA's channel bytes
 * and descriptors; and the output, read back from DRAM. */
static void finish_run(run_t *R)
{
    const layer_t *L = R->job->layer;
    ws_stats_t *st = R->st;
    vsim_counters_t c1;
    st->cycles = R->t;
    simlib_counters(R->sim, &c1);
    st->rtl.beats = c1.beats - R->c0.beats;
    st->rtl.wbeats = c1.wbeats - R->c0.wbeats;
    st->rtl.busy = c1.busy - R->c0.busy;
    st->rtl.macs = c1.macs - R->c0.macs;
    st->dram_bus = dma_bus_bytes(&R->dma);
    st->descs = dma_descs(&R->dma);
    memcpy(R->job->out, R->dram + R->addr_o, 4 * (size_t)L->k * L->p * L->q);
}

int array_run_conv(simlib_t *s, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen)
{
    const layer_t *L = job->layer;
    const int rows = simlib_info(s)->rows, cols = simlib_info(s)->cols;
    run_t R = {.job = job, .sim = s, .rows = rows, .cols = cols, .esz = job->esz, .st = st,
               .os = job->df == DF_OS, .is = job->df == DF_IS, .tl = job->tiling,
               .tag_cap = (uint32_t)(rows + cols + 8), .err = err, .errlen = errlen};

    memset(st, 0, sizeof *st);
    if (job->esz != pecos_dtype_bytes(simlib_dtype(s))) {
        snprintf(err, errlen, "layer %s: %zu-byte operands for a %s array", L->name, job->esz,
                 simlib_info(s)->dtype);
        return PECOS_EPARAM;
    }
    int rc = map_dram(&R);
    if (rc == PECOS_EPARAM) return rc;
    if (rc == 0) rc = alloc_run(&R);
    if (rc != 0) {
        snprintf(err, errlen, "layer %s: out of memory", L->name);
    } else {
        start_run(&R);
        rc = run_cycles(&R);
        if (rc == 0) finish_run(&R);
    }
    if (rc != PECOS_ENOMEM && rc != PECOS_EPARAM) { /* an assertion is the first cause */
        char what[160];
        snprintf(what, sizeof what, "layer %s", L->name);
        if (simlib_assert_check(s, what, err, errlen) != 0) rc = PECOS_ESIM;
    }
    free_run(&R);
    return rc;
}
