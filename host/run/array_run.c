#include "array_run.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_map.h"
#include "array_state.h"
#include "dma.h"
#include "pecos_err.h"
#include "postlib.h"

/* DMA completion: the data is in place; mark what it made ready. */
static void on_done(void *ctx, const dma_desc_t *x)
{
    run_t *R = ctx;
    ws_stats_t *st = R->st;
    if (x->to_dram) {
        st->dram_wr[x->kind] += x->bytes;
        st->glb_rd[GLB_PSUM] += x->bytes;
        if (--R->wb_left[x->ref] == 0) R->wb_done[x->ref] = 1; /* the psum bank is free */
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

/* The DRAM image address a of a run of tensor kind, as an offset in that tensor (spilled
 * partial sums share the output's space). */
static uint64_t tensor_off(const run_t *R, int kind, uint64_t a)
{
    switch (kind) {
    case TENSOR_IFMAP: return a - R->addr_if;
    case TENSOR_WEIGHT: return a - R->addr_w;
    case TENSOR_BIAS: return a - R->addr_b;
    default: return a - R->addr_o;
    }
}

/* The DMA's port onto the job's tensor port: image addresses become tensor offsets. */
static int port_read(void *ctx, int kind, uint64_t a, void *dst, uint64_t n)
{
    const run_t *R = ctx;
    const tensor_port_t *p = R->job->port;
    return p->read(p->ctx, kind, tensor_off(R, kind, a), dst, n);
}

static int port_write(void *ctx, int kind, uint64_t a, const void *src, uint64_t n)
{
    const run_t *R = ctx;
    const tensor_port_t *p = R->job->port;
    return p->write(p->ctx, kind, tensor_off(R, kind, a), src, n);
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

/* fused pooling: the pixel order of tiles of T's height (run_t.perm), or NULL without
 * pooling. */
static const uint32_t *tile_perm(const run_t *R, const tile_t *T, uint32_t *drop, uint32_t *npool)
{
    for (int i = 0; R->job->pool_r && i < 2; i++)
        if (R->perm[i].pix && R->perm[i].pt == (uint32_t)T->pt) {
            *drop = R->perm[i].drop;
            *npool = R->perm[i].npool;
            return R->perm[i].pix;
        }
    return NULL;
}

/* WS: the tile pixel that beat j of a fold of tile T streams (pooling: in window order). */
static uint32_t beat_pixel(const run_t *R, const tile_t *T, uint32_t j)
{
    uint32_t drop, npool;
    const uint32_t *pix = tile_perm(R, T, &drop, &npool);
    return pix && j < T->npix ? pix[j] : j;
}

/* fused pooling: builds run_t.perm for every tile height. Returns 0, PECOS_ENOMEM, or
 * PECOS_EPARAM (message in R->err) when a tile does not start at a window's row or holds
 * no whole window. */
static int build_perms(run_t *R)
{
    if (!R->job->pool_r) return 0;
    const layer_t *L = R->job->layer;
    const uint32_t pr = (uint32_t)R->job->pool_r, ps = (uint32_t)R->job->pool_s;
    const uint32_t Q = (uint32_t)L->q, qp = Q / ps;
    for (int i = 0; i < R->ntiles; i++) {
        const tile_t *T = &R->tiles[i];
        if (T->p0 % (int)pr != 0 || (uint32_t)T->pt < pr || qp == 0 ||
            ((uint32_t)T->pt % pr != 0 && T->p0 + T->pt != L->p)) {
            snprintf(R->err, R->errlen, "layer %s: the fused %ux%u pooling needs tiles of whole "
                     "windows: tile rows %d+%d", L->name, pr, ps, T->p0, T->pt);
            return PECOS_EPARAM;
        }
        int slot = -1;
        for (int b = 0; b < 2 && slot < 0; b++)
            if (!R->perm[b].pix || R->perm[b].pt == (uint32_t)T->pt) slot = b;
        if (slot < 0) {
            snprintf(R->err, R->errlen, "layer %s: more than two tile heights", L->name);
            return PECOS_EPARAM;
        }
        if (R->perm[slot].pix) continue;
        const uint32_t pt = (uint32_t)T->pt, a = pt / pr, npix = pt * Q;
        uint32_t *pix = malloc(sizeof *pix * (npix + 1));
        if (!pix) return PECOS_ENOMEM;
        uint32_t j = 0;
        for (uint32_t y = 0; y < pt; y++) /* the pixels no window covers */
            for (uint32_t x = 0; x < Q; x++)
                if (y >= a * pr || x >= qp * ps) pix[j++] = y * Q + x;
        const uint32_t drop = j;
        for (uint32_t wy = 0; wy < a; wy++)
            for (uint32_t wx = 0; wx < qp; wx++)
                for (uint32_t cy = 0; cy < pr; cy++)
                    for (uint32_t cx = 0; cx < ps; cx++)
                        pix[j++] = (wy * pr + cy) * Q + wx * ps + cx;
        R->perm[slot].pt = pt;
        R->perm[slot].drop = drop;
        R->perm[slot].npool = a * qp;
        R->perm[slot].pix = pix;
    }
    return 0;
}

/* Spilled partial sums back into psum bank v&1 (a resumed visit), or, with to_dram, the
 * visit's partial sums / outputs out to DRAM: all its channels (kg -1), or (WS) k group kg's
 * Cols of them. */
static int issue_psum(run_t *R, dma_t *d, int v, int to_dram, int kg, uint64_t now)
{
    const layer_t *L = R->job->layer;
    const tile_t *T = &R->tiles[R->vis[v].first];
    const uint64_t pq = (uint64_t)L->p * L->q;
    dma_desc_t x;
    const tile_t *E = &R->tiles[R->vis[v].last];
    const int final = to_dram && E->c0 + E->ct == L->c; /* the last c tile: outputs */
    const uint64_t ob = final && R->job->ppu ? 1 : 4; /* fused: the unit's int8 results */
    const int kl0 = kg < 0 ? 0 : kg * R->cols; /* the channels it moves */
    const int kn = kg < 0 ? T->kt : imin(R->cols, T->kt - kl0);
    /* the map it writes: [K][P*Q], or fused and pooled [K][P/r*Q/s] from row p0/r */
    uint32_t drop, npool;
    const int pooled = ob == 1 && tile_perm(R, T, &drop, &npool) != NULL;
    const uint64_t plane = pooled ? (uint64_t)(L->p / R->job->pool_r) * (uint64_t)(L->q / R->job->pool_s) : pq;
    const uint64_t row0 = pooled ? (uint64_t)(T->p0 / R->job->pool_r) * (uint64_t)(L->q / R->job->pool_s)
                                 : (uint64_t)T->p0 * L->q;
    const uint64_t npx = pooled ? npool : T->npix;
    const size_t boff = (size_t)kl0 * npx; /* in the bank: [channel][pixel] */
    desc_2d(&x, to_dram ? (final ? TENSOR_OUT : TENSOR_PSUM) : TENSOR_PSUM, v, to_dram,
            (ob == 1 ? R->addr_o8 : R->addr_o) + ob * ((uint64_t)(T->k0 + kl0) * plane + row0),
            ob == 1 ? (void *)(R->glb_o8[v & 1] + boff) : (void *)(R->glb_ps[v & 1] + boff),
            (ob == 1 ? R->psum_room / 4 : R->psum_room) - ob * boff, bank_name[GLB_PSUM][v & 1]);
    x.n1 = (uint64_t)kn;
    x.run = ob * npx;
    x.dram_s1 = ob * plane;
    x.glb_s1 = x.run;
    snprintf(x.what, sizeof x.what, "%s k%d+%d p%d+%d", to_dram ? (final ? "out" : "psum-spill")
                                                                  : "psum-resume",
             T->k0 + kl0, kn, T->p0, T->pt);
    return dma_issue(d, &x, now);
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
        if (R->job->ppu && !(R->glb_o8[b] = malloc((size_t)kt_max * npix_max + 1)))
            return PECOS_ENOMEM;
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
    R->crs_dh = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R->crs_dw = malloc(sizeof(int) * (size_t)(ct_max * rs + 1));
    R->wb_left = calloc((size_t)R->nvis, sizeof(int));
    if (R->wb_left)
        for (int v = 0; v < R->nvis; v++) {
            R->wb_left[v] = R->os || R->is ? 1 : R->tiles[R->vis[v].last].kgn;
            R->wb_total += R->wb_left[v];
        }
    R->wbq = malloc(sizeof(wb_t) * (size_t)(R->wb_total + 1));
    if (R->esz == 1 && !R->os) { /* the gated prediction's mirror of the held operands */
        const size_t rc = (size_t)R->rows * (size_t)R->cols;
        if (!(R->zheld = malloc(2 * rc)) || !(R->nzheld = malloc(sizeof(uint16_t) * 2 * (size_t)R->rows)))
            return PECOS_ENOMEM;
        memset(R->zheld, 1, 2 * rc);
        for (int i = 0; i < 2 * R->rows; i++) R->nzheld[i] = (uint16_t)R->cols;
    }
    if (!R->if_ready || !R->w_ready || !R->blist || !R->vis_b || !R->b_ready ||
        !R->vis_ready || !R->wb_done || !R->pin || !R->pout || !R->tags || !R->crs_c ||
        !R->crs_dh || !R->crs_dw || !R->wb_left || !R->wbq ||
        dma_init(&R->dma, R->dram, R->st->dram_bytes, &R->job->mem->dram, R->job->trace_dma,
                 L->name))
        return PECOS_ENOMEM;
    if (R->job->port) {
        R->dport = (dma_port_t){.read = port_read, .write = port_write, .ctx = R};
        dma_set_port(&R->dma, &R->dport);
    }
    for (int i = 0; i < ct_max * rs; i++) {
        R->crs_c[i] = i / rs;
        R->crs_dh[i] = (i % rs) / L->s * L->dil_h;
        R->crs_dw[i] = i % L->s * L->dil_w;
    }
    return 0;
}

/* Frees what array_map_dram() and alloc_run() allocated. Safe on a partly allocated R. */
static void free_run(run_t *R)
{
    for (int b = 0; b < 2; b++) {
        free(R->glb_if[b]);
        free(R->glb_w[b]);
        free(R->glb_ps[b]);
        free(R->glb_bias[b]);
        free(R->glb_o8[b]);
        free(R->psum_fold[b]);
        free(R->perm[b].pix);
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
    free(R->crs_dh);
    free(R->crs_dw);
    dma_free(&R->dma);
    free(R->wb_left);
    free(R->wbq);
    free(R->zheld);
    free(R->nzheld);
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
    /* An output of the layer before, seen at its last step, is taken in at our first edge. */
    R->owed = simlib_last_out_valid(R->sim);
}

/* The busy counter's rule (rtl/pecos_perf_ctr.sv) at this cycle's edge, from the lanes the
 * host drives now and the output it saw last step (simlib_last_out_valid): busy if a beat
 * enters, an OS block is open or an output is owed; then the owed count takes the new beat's
 * outputs (one per beat, Rows per OS block) and gives back that output. */
static void predict_busy(run_t *R, const vsim_in_t *in)
{
    R->st->busy_pred += in->in_valid || R->open || R->owed != 0;
    if (in->in_valid)
        R->owed += R->os ? (in->in_last ? (uint64_t)R->rows : 0) : 1;
    R->owed -= simlib_last_out_valid(R->sim); /* the output the counter takes at this edge */
    if (R->os && in->in_valid) R->open = !in->in_last;
}

/* The gated counter's rule (int8: a PE gates a MAC whose operand is zero, rtl/pecos_mac_fn.svh;
 * the arrays count a beat's gated MACs as it enters) applied to this cycle's lanes: a WS/IS data beat
 * gates Cols MACs per zero operand of row r, else the zero held operands of row r of its
 * bank; an OS beat every MAC but those of a nonzero x and a nonzero w. Then a held-operand
 * beat updates the mirror of the bank it writes (seen by beats after this cycle). */
static void predict_gated(run_t *R, const vsim_in_t *in)
{
    if (R->esz != 1) return; /* bf16/fp16 do not gate */
    const int rows = R->rows, cols = R->cols;
    const int8_t *x = in->in_data;
    if (in->in_valid && R->os) {
        const int8_t *w = in->w_data;
        uint64_t nx = 0, nw = 0;
        for (int r = 0; r < rows; r++) nx += x[r] != 0;
        for (int c = 0; c < cols; c++) nw += w[c] != 0;
        R->st->gated_pred += (uint64_t)rows * (uint64_t)cols - nx * nw;
    } else if (in->in_valid) {
        const uint16_t *nz = R->nzheld + (size_t)in->in_bank * rows;
        for (int r = 0; r < rows; r++) R->st->gated_pred += x[r] == 0 ? (uint64_t)cols : nz[r];
    }
    if (in->w_valid) {
        const int8_t *w = in->w_data;
        uint8_t *z = R->zheld + (size_t)in->w_bank * rows * cols + in->w_col;
        uint16_t *nz = R->nzheld + (size_t)in->w_bank * rows;
        for (int r = 0; r < rows; r++) {
            const uint8_t zero = w[r] == 0;
            nz[r] = (uint16_t)(nz[r] - z[(size_t)r * cols] + zero);
            z[(size_t)r * cols] = zero;
        }
    }
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
        *e = issue_psum(R, &R->dma, R->next_v++, 0, -1, t);
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
        uint64_t bad;
        if (dma_failed(&R->dma, &bad)) {
            snprintf(R->err, R->errlen,
                     "layer %s: DMA transfer failed at cycle %llu (DRAM image address 0x%llx)",
                     R->job->layer->name, (unsigned long long)(R->st->start_cycle + R->t),
                     (unsigned long long)bad);
            return PECOS_ESIM;
        }
        int e = 0;
        while (issue_next_load(R, &e)) {
            again = 1;
            if (e) break;
        }
        while (!e && R->wbq_len) { /* the due writebacks, in the order they became due */
            const wb_t w = R->wbq[R->wbq_head++];
            R->wbq_len--;
            e = issue_psum(R, &R->dma, w.visit, 1, w.kg, R->t);
            R->wb_issued++;
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
    uint32_t i = R->tag_head + R->tag_len++;
    if (i >= R->tag_cap) i -= R->tag_cap; /* a ring: no division per beat */
    R->tags[i] = tg;
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
        const tag_t tg = {dl, 0, R->D.tile, T->vend && dl + 1 == (uint32_t)T->kgn, 0,
                          R->job->ppu && T->c0 + T->ct == R->job->layer->c, 0};
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

/* The columns of a WS/IS beat that meet a tile output: beat j of k group (IS: pixel group)
 * kg meets columns 0..n-1, column c at tile channel *kl + c, pixel *pix (WS) or channel *kl,
 * pixel *pix + c (IS). Returns n (0 for a padding beat). */
static int beat_cols(const run_t *R, const tile_t *T, uint32_t kg, uint32_t j, int *kl,
                     uint32_t *pix)
{
    const int64_t g0 = (int64_t)kg * R->cols;
    int64_t n;
    if (R->is) {
        *kl = (int)j;
        *pix = (uint32_t)g0;
        n = (int64_t)j < T->kt ? (int64_t)T->npix - g0 : 0;
    } else {
        *kl = (int)g0;
        *pix = beat_pixel(R, T, j);
        n = j < T->npix ? T->kt - g0 : 0;
    }
    return n <= 0 ? 0 : n < R->cols ? (int)n : R->cols;
}

/* The k group and reduction fold of lane ln's next fold (in tile T): tiling_fold() once per
 * fold instead of once per beat. */
static void lane_fold(const run_t *R, lane_t *ln, const tile_t *T, uint32_t *kg, uint32_t *cf)
{
    if (ln->key != ln->fold + 1) {
        unsigned long kgl, cfl;
        tiling_fold(R->tl, ln->local, (unsigned long)T->kgn, (unsigned long)T->cfn, &kgl,
                    &cfl);
        ln->kg = (uint32_t)kgl;
        ln->cf = (uint32_t)cfl;
        ln->key = ln->fold + 1;
    }
    *kg = ln->kg;
    *cf = ln->cf;
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
    uint32_t kg, cf;
    lane_fold(R, &R->D, T, &kg, &cf);
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
    fold_vector(R, T, R->xvec, !is, is ? dj : beat_pixel(R, T, dj), cf);
    int kl0;
    uint32_t pix0;
    const int nc = beat_cols(R, T, kg, dj, &kl0, &pix0);
    int32_t *pin = R->pin;
    memset(pin, 0, sizeof(int32_t) * (size_t)cols);
    if (from_bias) { /* by channel: one value (IS) or a run (WS) */
        const int32_t *b = R->glb_bias[R->vis_b[T->visit] & 1] + kl0;
        for (int c = 0; c < nc; c++) pin[c] = b[is ? 0 : c];
    } else { /* the bank is [channel][pixel]: a run (IS) or npix apart (WS) */
        const int32_t *ps = R->glb_ps[pb] + (size_t)kl0 * T->npix + pix0;
        const size_t step = is ? 1 : T->npix;
        for (int c = 0; c < nc; c++) pin[c] = ps[(size_t)c * step];
    }
    st->glb_rd[GLB_PSUM] += 4 * (uint64_t)nc;
    in->in_valid = 1;
    in->in_bank = (uint8_t)(R->D.fold & 1u);
    in->in_data = R->xvec;
    in->in_psum = R->pin;
    const tag_t tg = {dl, dj, dt,
                      T->vend && dl + 1 == (uint32_t)(T->kgn * T->cfn) && dj + 1 == T->n, kg,
                      R->job->ppu && cf + 1 == (uint32_t)T->cfn &&
                          T->c0 + T->ct == R->job->layer->c,
                      !is && T->vend && cf + 1 == (uint32_t)T->cfn && dj + 1 == T->n};
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
        *why = R->received < R->total_outs || R->ptag_len ? STALL_FILL_DRAIN : STALL_DMA;
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
    uint32_t kg, cf;
    lane_fold(R, W, T, &kg, &cf);
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

/* Writeback (visit, kg) is due: its outputs are all in the psum bank (kg -1: the visit's,
 * else k group kg's). */
static void wb_due(run_t *R, int visit, int kg)
{
    R->wbq[R->wbq_head + R->wbq_len++] = (wb_t){visit, kg};
}

/* fused: the output vector just collected (nc lanes of pout) goes into the post-processing
 * unit at this cycle's step, opening (first) and/or closing (last) a window; the result of a
 * window it closes goes to int8 psum bank offset b0 (lane to lane bstep) and makes writeback
 * (visit, kg) due (visit -1: none). */
static void ppu_push(run_t *R, int bank, size_t b0, size_t bstep, int nc, int visit, int kg,
                     int first, int last)
{
    memcpy(R->ppu_acc, R->pout, sizeof(int32_t) * (size_t)nc);
    memset(R->ppu_acc + nc, 0, sizeof(int32_t) * (size_t)(R->cols - nc));
    R->ppu_in = 1;
    R->ppu_first = first;
    R->ppu_last = last;
    if (!last) return;
    R->st->ppu_windows++;
    const uint32_t cap = sizeof R->ptags / sizeof R->ptags[0];
    uint32_t i = R->ptag_head + R->ptag_len++;
    if (i >= cap) i -= cap;
    R->ptags[i] = (ppu_tag_t){R->ppu_steps, b0, bstep, bank, nc, visit, kg};
}

/* fused, phase 5: one clock of the post-processing unit (gated while it holds nothing):
 * this cycle's output vector goes in; a result that leaves goes to the int8 psum bank, and
 * the last one of a visit releases its writeback. Returns 0, or PECOS_ESIM (reason in
 * R->err) for a result with nothing in flight or more vectors in flight than its depth. */
static int ppu_phase(run_t *R)
{
    const uint32_t cap = sizeof R->ptags / sizeof R->ptags[0];
    const int in = R->ppu_in;
    if (!in && R->ptag_len == 0) return 0;
    if (R->ptag_len > cap - 2) {
        snprintf(R->err, R->errlen, "layer %s: more than %u vectors in the post-processing unit "
                 "at cycle %llu: it is not returning results", R->job->layer->name, cap - 2,
                 (unsigned long long)(R->st->start_cycle + R->t));
        return PECOS_ESIM;
    }
    bool ov = false;
    postlib_step(R->job->ppu, in, in && R->ppu_first, in && R->ppu_last,
                 R->job->pool_r ? R->job->pool_r * R->job->pool_s : in, R->ppu_acc, R->ppu_zero, &ov,
                 R->ppu_out);
    R->st->ppu_beats += (uint64_t)in;
    R->ppu_in = 0;
    const uint64_t step = R->ppu_steps++;
    if (!ov) return 0;
    if (R->ptag_len == 0) {
        snprintf(R->err, R->errlen, "layer %s: a post-processing result at cycle %llu with no "
                 "vector in flight", R->job->layer->name,
                 (unsigned long long)(R->st->start_cycle + R->t));
        return PECOS_ESIM;
    }
    const ppu_tag_t g = R->ptags[R->ptag_head];
    if (++R->ptag_head == cap) R->ptag_head = 0;
    R->ptag_len--;
    R->st->ppu_late += step - g.step != (uint64_t)R->ppu_lat;
    R->st->ppu_results++;
    if (R->st->start_cycle + R->t >= R->fault_cycle) {
        R->ppu_out[0] ^= 1; /* checker self-test: one flipped bit of the int8 output */
        R->fault_cycle = UINT64_MAX;
    }
    int8_t *o8 = R->glb_o8[g.bank] + g.b0;
    for (int c = 0; c < g.nc; c++) o8[(size_t)c * g.bstep] = R->ppu_out[c];
    R->st->glb_wr[GLB_PSUM] += (uint64_t)g.nc;
    if (g.visit >= 0) wb_due(R, g.visit, g.kg);
    return 0;
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
    int nc = 0;
    for (int c = 0; c < cols && pix < T->npix; c++) {
        const int kl = kg * cols + c;
        if (kl >= T->kt) break;
        const size_t oi = (size_t)(T->k0 + kl) * pq + (size_t)T->p0 * L->q + pix;
        if (tg->final) { /* to the post-processing unit; the accumulator tapped */
            R->job->out[oi] = R->pout[c];
        } else {
            R->glb_ps[pb][(size_t)kl * T->npix + pix] = R->pout[c];
            R->st->glb_wr[GLB_PSUM] += 4;
        }
        R->job->out_cycle[oi] = gcycle;
        if (R->job->out_lane) R->job->out_lane[oi] = (uint16_t)c;
        nc++;
    }
    const int block_out = ++R->tags[R->tag_head].beat == (uint32_t)rows;
    if (tg->final && nc > 0) /* the last row out (row 0) is never a padding row */
        ppu_push(R, pb, (size_t)kg * cols * T->npix + pix, T->npix, nc,
                 block_out && tg->last_of_visit ? T->visit : -1, -1, 1, 1);
    if (block_out) { /* the block is out */
        if (++R->tag_head == R->tag_cap) R->tag_head = 0;
        R->tag_len--;
        if (tg->last_of_visit && !tg->final) wb_due(R, T->visit, -1);
    }
}

/* Phase 4, collection, WS/IS: the partial sums of beat tg into the psum bank, and the fold
 * that wrote them. */
static void collect_fold(run_t *R, const tag_t *tg, uint64_t gcycle)
{
    const layer_t *L = R->job->layer;
    const size_t pq = (size_t)L->p * L->q;
    const int is = R->is;
    const tile_t *T = &R->tiles[tg->tile];
    const int pb = T->visit & 1;
    const uint32_t kg = tg->kg;
    int kl0;
    uint32_t pix0;
    const int nc = beat_cols(R, T, kg, tg->beat, &kl0, &pix0);
    const int32_t *pout = R->pout;
    int32_t *ps = R->glb_ps[pb] + (size_t)kl0 * T->npix + pix0;
    const size_t o0 = (size_t)(T->k0 + kl0) * pq + (size_t)T->p0 * L->q + pix0;
    uint64_t *oc = R->job->out_cycle + o0;
    uint16_t *ol = R->job->out_lane ? R->job->out_lane + o0 : NULL; /* --wave-on-fail */
    const size_t ps_step = is ? 1 : T->npix, oc_step = is ? 1 : pq; /* column to column */
    for (int c = 0; c < nc; c++) {
        oc[(size_t)c * oc_step] = gcycle;
        if (ol) ol[(size_t)c * oc_step] = (uint16_t)c;
    }
    R->psum_fold[pb][(size_t)kg * T->n + tg->beat] = (int64_t)(T->fold0 + tg->fold_local);
    if (tg->final) { /* to the post-processing unit; the accumulators tapped */
        int32_t *out = R->job->out + o0;
        for (int c = 0; c < nc; c++) out[(size_t)c * oc_step] = pout[c];
        uint32_t drop, npool;
        if (is) {
            ppu_push(R, pb, (size_t)kl0 * T->npix + pix0, ps_step, nc,
                     tg->last_of_visit ? T->visit : -1, -1, 1, 1);
        } else if (tile_perm(R, T, &drop, &npool)) { /* pooling: beat order is window order */
            if (tg->beat < drop) return; /* no window covers its pixel */
            const uint32_t wc = (uint32_t)(R->job->pool_r * R->job->pool_s);
            const uint32_t m = tg->beat - drop, cell = m % wc;
            ppu_push(R, pb, (size_t)kl0 * npool + m / wc, npool, nc,
                     tg->group_end ? T->visit : -1, (int)kg, cell == 0, cell + 1 == wc);
        } else {
            ppu_push(R, pb, (size_t)kl0 * T->npix + pix0, ps_step, nc,
                     tg->group_end ? T->visit : -1, (int)kg, 1, 1);
        }
        return;
    }
    for (int c = 0; c < nc; c++) ps[(size_t)c * ps_step] = pout[c];
    R->st->glb_wr[GLB_PSUM] += 4 * (uint64_t)nc;
    if (is ? tg->last_of_visit : tg->group_end) wb_due(R, T->visit, is ? -1 : (int)kg);
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
        if (++R->tag_head == R->tag_cap) R->tag_head = 0;
        R->tag_len--;
    }
    if (gcycle >= R->fault_cycle && !R->job->ppu) { /* fused: in the unit's result instead */
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
        if (R->received == R->total_outs && R->wb_issued == R->wb_total && !dma_busy(&R->dma))
            return 0;
        vsim_in_t in = {0};
        vsim_out_t out = {.out_psum = R->pout};
        const uint64_t loaded_before = R->W.done;
        int why = -1; /* the data lane's reason for not issuing, if it does not */
        if ((rc = data_lane(R, &in, &why, loaded_before)) != 0) return rc;
        weight_lane(R, &in, &why, loaded_before);
        R->st->stall[in.in_valid ? STALL_COMPUTE : why]++;

        predict_busy(R, &in);
        predict_gated(R, &in);
        simlib_step(R->sim, &in, &out);
        R->write_pending = 0;
        if (out.out_valid && (rc = collect(R)) != 0) return rc;
        if (R->job->ppu && (rc = ppu_phase(R)) != 0) return rc;
        if (in.in_valid || in.w_valid || dma_busy(&R->dma) || R->ptag_len)
            R->last_progress = R->t;
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
    st->rtl.gated = c1.gated - R->c0.gated;
    st->dram_bus = dma_bus_bytes(&R->dma);
    st->descs = dma_descs(&R->dma);
    if (R->job->ppu) { /* the accumulators were tapped at the array's edge */
        const int pr = R->job->pool_r ? R->job->pool_r : 1, ps = R->job->pool_s ? R->job->pool_s : 1;
        memcpy(R->job->out8, R->dram + R->addr_o8, (size_t)L->k * (L->p / pr) * (L->q / ps));
    }
    else if (!R->job->port)
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
    if (job->ppu && (job->port || job->esz != 1 || postlib_lanes(job->ppu) != cols)) {
        snprintf(err, errlen, "layer %s: the post-processing unit fuses onto an int8 array of "
                 "as many columns as its lanes, with the tensors in the DRAM image", L->name);
        return PECOS_EPARAM;
    }
    if (job->pool_r && (!job->ppu || job->df != DF_WS || job->pool_s < 1)) {
        snprintf(err, errlen, "layer %s: the fused pooling runs with the post-processing unit "
                 "on a WS array", L->name);
        return PECOS_EPARAM;
    }
    if (job->ppu) R.ppu_lat = postlib_latency(job->ppu);
    if (job->esz != pecos_dtype_bytes(simlib_dtype(s))) {
        snprintf(err, errlen, "layer %s: %zu-byte operands for a %s array", L->name, job->esz,
                 simlib_info(s)->dtype);
        return PECOS_EPARAM;
    }
    int rc = array_map_dram(&R);
    if (rc == PECOS_EPARAM) return rc;
    if (rc == 0) rc = alloc_run(&R);
    if (rc == 0) rc = build_perms(&R);
    if (rc == PECOS_EPARAM) {
        free_run(&R);
        return rc;
    }
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
