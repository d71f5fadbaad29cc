#include "mem_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Row step of an ifmap tile: every filter tap of every output row reads a row
 * p*stride_h - pad_t + ry*dil_h, all congruent modulo gcd(stride_h, dil_h); a dilated
 * filter's tile therefore holds every step-th row only (1 when undilated or R = 1: whole
 * row ranges, as for any plain layer). */
static int64_t row_step(const layer_t *L)
{
    if (L->r < 2 || L->dil_h < 2) return 1;
    int64_t a = L->stride_h, b = L->dil_h;
    while (b) {
        const int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Input rows an ifmap tile holds for output rows [p0, p0+pt): from the first row the first
 * output row's top tap reads to the last the last output row's bottom tap reads, every
 * row_step-th, clipped to the image: *lo, *hi (the first and last row held) and the count
 * (0 if all padding). */
static uint64_t rows_span(const layer_t *L, uint64_t p0, uint64_t pt, int64_t *lo,
                          int64_t *hi)
{
    const int64_t g = row_step(L);
    *lo = (int64_t)p0 * L->stride_h - L->pad_t;
    *hi = (int64_t)(p0 + pt - 1) * L->stride_h - L->pad_t + (int64_t)L->dil_h * (L->r - 1);
    if (*lo < 0) *lo += (-*lo + g - 1) / g * g;
    if (*hi > L->h - 1) *hi = L->h - 1;
    if (*hi >= *lo) *hi = *lo + (*hi - *lo) / g * g; /* the last row held */
    return *hi >= *lo ? (uint64_t)((*hi - *lo) / g + 1) : 0;
}

static uint64_t rows_in(const layer_t *L, uint64_t p0, uint64_t pt)
{
    int64_t lo, hi;
    return rows_span(L, p0, pt, &lo, &hi);
}

/* Bus bytes of count runs of run bytes stride apart (merged when contiguous). */
static uint64_t bus_of(uint64_t burst, uint64_t count, uint64_t run, uint64_t stride);

/* Bus bytes of the ifmap tiles of ct channels for output rows [p0, p0+pt): per channel one
 * run of contiguous rows (row step 1), else one run per row held; runs that touch across
 * channels merge (only when the rows held reach both the first and the last image row). */
static uint64_t bus_rows(const layer_t *L, uint64_t burst, uint64_t ct, uint64_t p0,
                         uint64_t pt, uint64_t esz)
{
    const uint64_t W = (uint64_t)L->w, H = (uint64_t)L->h, g = (uint64_t)row_step(L);
    int64_t lo, hi;
    const uint64_t ri = rows_span(L, p0, pt, &lo, &hi), we = W * esz;
    if (g == 1 || ri == 0 || ct == 0) return bus_of(burst, ct, ri * we, H * we);
    const int chain = lo == 0 && hi == (int64_t)H - 1; /* a channel's last row meets the next's first */
    if (!chain) return bus_of(burst, ct * ri, we, g * we);
    if (ri == 1) return bus_of(burst, 1, ct * we, ct * we); /* one run over every channel */
    /* ct*ri rows in ct*ri - (ct-1) runs: ct-1 of two rows, the rest of one */
    return (ct - 1) * bus_of(burst, 1, 2 * we, 2 * we) +
           (ct * ri - 2 * (ct - 1)) * bus_of(burst, 1, we, we);
}

/* How many times a tensor is fetched over the loop nest: the product of the trips of the
 * loops irrelevant to it that sit outside its innermost relevant non-trivial loop. */
static uint64_t refetch(const tiling_t *t, const uint64_t trips[3], int relevant_mask)
{
    int inner = -1;
    for (int i = 0; i < 3; i++)
        if ((relevant_mask >> t->order[i] & 1) && trips[t->order[i]] > 1) inner = i;
    uint64_t m = 1;
    for (int i = 0; i < inner; i++)
        if (!(relevant_mask >> t->order[i] & 1)) m *= trips[t->order[i]];
    return m;
}

/* Bus bytes of count runs of run bytes stride apart (merged when contiguous). */
static uint64_t bus_of(uint64_t burst, uint64_t count, uint64_t run, uint64_t stride)
{
    if (count == 0 || run == 0) return 0;
    if (run == stride) {
        run *= count;
        count = 1;
    }
    return count * ((run + burst - 1) / burst) * burst;
}

/* Data beats over all tiles (padding lanes included): the sum over tiles of groups * folds
 * * beats (tiling_work) factors into one sum per tile loop. */
static uint64_t tile_beats(const layer_t *L, const array_cfg_t *a, const tiling_t *t, uint64_t P,
                           uint64_t Q)
{
    const uint64_t K = (uint64_t)L->k, C = (uint64_t)L->c, rs = (uint64_t)L->r * L->s;
    const uint64_t rows = (uint64_t)a->rows, cols = (uint64_t)a->cols;
    uint64_t kg_sum = 0, cf_sum = 0, pg_sum = 0, pb_sum = 0;
    for (uint64_t k0 = 0; k0 < K; k0 += (uint64_t)t->kt)
        kg_sum += (min_u64((uint64_t)t->kt, K - k0) + cols - 1) / cols;
    for (uint64_t c0 = 0; c0 < C; c0 += (uint64_t)t->ct)
        cf_sum += (min_u64((uint64_t)t->ct, C - c0) * rs + rows - 1) / rows;
    for (uint64_t p0 = 0; p0 < P; p0 += (uint64_t)t->pt) {
        const uint64_t npix = min_u64((uint64_t)t->pt, P - p0) * Q;
        pg_sum += (npix + cols - 1) / cols; /* IS pixel groups */
        pb_sum += (npix + rows - 1) / rows; /* OS pixel blocks */
    }
    return a->df == DF_IS   ? K * cf_sum * pg_sum
           : a->df == DF_OS ? kg_sum * pb_sum * C * rs
                            : kg_sum * cf_sum * P * Q;
}

/* A final output pass of a tile of pt rows (of P x Q), ob bytes an output: *run bytes per
 * channel in the tile, *plane per channel in the layer. Fused with pooling (a->pool_r) the
 * pooled rows of the pooled map. */
static void out_geom(const array_cfg_t *a, uint64_t pt, uint64_t P, uint64_t Q, uint64_t ob,
                     uint64_t *run, uint64_t *plane)
{
    if (a->fused && a->pool_r > 0) {
        const uint64_t qp = Q / (uint64_t)a->pool_s;
        *run = pt / (uint64_t)a->pool_r * qp * ob;
        *plane = P / (uint64_t)a->pool_r * qp * ob;
    } else {
        *run = pt * Q * ob;
        *plane = P * Q * ob;
    }
}

/* Compulsory ifmap rows: the union of the input rows any of the P output rows touches
 * (with a dilation the taps of one output row skip rows: the union is counted row by row).
 * Writes the count into *rows_used. Returns 0 or PECOS_ENOMEM. */
static int compulsory_rows(const layer_t *L, uint64_t P, uint64_t *rows_used)
{
    uint64_t used = 0;
    if (L->dil_h == 1) {
        int64_t covered = -1; /* last input row counted */
        for (uint64_t p = 0; p < P; p++) {
            int64_t lo = (int64_t)p * L->stride_h - L->pad_t, hi = lo + L->r - 1;
            if (lo < 0) lo = 0;
            if (hi > L->h - 1) hi = L->h - 1;
            if (lo <= covered) lo = covered + 1;
            if (hi >= lo) {
                used += (uint64_t)(hi - lo + 1);
                covered = hi;
            }
        }
    } else {
        uint8_t *row = calloc((size_t)L->h, 1);
        if (!row) return PECOS_ENOMEM;
        for (uint64_t p = 0; p < P; p++)
            for (int r = 0; r < L->r; r++) {
                const int64_t ih = (int64_t)p * L->stride_h - L->pad_t + (int64_t)r * L->dil_h;
                if (ih >= 0 && ih < L->h && !row[ih]) {
                    row[ih] = 1;
                    used++;
                }
            }
        free(row);
    }
    *rows_used = used;
    return 0;
}

int mem_traffic(const layer_t *L, const array_cfg_t *a, int esz, uint64_t burst, const tiling_t *t,
                mem_traffic_t *m)
{
    cycle_model_t wm;
    tile_trips_t tr;
    memset(m, 0, sizeof *m);
    if ((esz != 1 && esz != 2) || burst < 1 || cycle_model_shape(L, a, &wm) != 0 ||
        cycle_tile_trips(L, a, t, &tr) != 0)
        return PECOS_EPARAM;
    const uint64_t P = (uint64_t)wm.p, Q = (uint64_t)wm.q, K = (uint64_t)L->k,
                   C = (uint64_t)L->c, W = (uint64_t)L->w, rs = (uint64_t)L->r * L->s;
    const uint64_t trips[3] = {tr.kn, tr.pn, tr.cn}; /* indexed by TILE_K, TILE_P, TILE_C */

    uint64_t ifmap_pass = 0, rin_max = 0;
    for (uint64_t p0 = 0; p0 < P; p0 += (uint64_t)t->pt) {
        const uint64_t ri = rows_in(L, p0, min_u64((uint64_t)t->pt, P - p0));
        ifmap_pass += C * ri * W * (uint64_t)esz;
        rin_max = max_u64(rin_max, ri);
    }
    const uint64_t out_pass = 4 * K * P * Q;
    /* fused: the last pass leaves the post-processing unit as int8 */
    const uint64_t ob = a->fused ? 1 : 4;
    uint64_t out_run, out_plane;
    out_geom(a, P, P, Q, ob, &out_run, &out_plane);
    const uint64_t out_final = K * out_plane;
    m->ifmap_rd = ifmap_pass * refetch(t, trips, 1 << TILE_P | 1 << TILE_C);
    m->weight_rd = K * C * rs * (uint64_t)esz * refetch(t, trips, 1 << TILE_K | 1 << TILE_C);
    /* Each visit that starts at c = 0 loads its channels' bias: kn * pn of them. */
    m->bias_rd = 4 * K * tr.pn;

    /* Partial sums spill when a non-trivial k or p loop runs inside the c loop. */
    int spill = 0, c_pos = 0;
    for (int i = 0; i < 3; i++)
        if (t->order[i] == TILE_C) c_pos = i;
    for (int i = c_pos + 1; i < 3; i++)
        if (trips[t->order[i]] > 1) spill = tr.cn > 1;
    m->tiles = tr.tiles;
    m->visits = spill ? tr.tiles : tr.kn * tr.pn;
    m->out_wr = out_final + (spill ? out_pass * (tr.cn - 1) : 0);
    m->psum_rd = spill ? out_pass * (tr.cn - 1) : 0;
    m->dram_rd = m->ifmap_rd + m->weight_rd + m->bias_rd + m->psum_rd;
    m->dram_wr = m->out_wr;

    uint64_t used;
    if (compulsory_rows(L, P, &used) != 0) return PECOS_ENOMEM;
    /* Bus bytes: per tile of each tensor its runs; full tiles and the edge tile. */
    const uint64_t e = (uint64_t)esz;
    const uint64_t ct_f = min_u64((uint64_t)t->ct, C), ct_l = C - (tr.cn - 1) * ct_f;
    const uint64_t kt_f = min_u64((uint64_t)t->kt, K), kt_l = K - (tr.kn - 1) * kt_f;
    uint64_t bus_if = 0, bus_ps = 0, bus_out = 0;
    for (uint64_t p0 = 0; p0 < P; p0 += (uint64_t)t->pt) {
        const uint64_t pt = min_u64((uint64_t)t->pt, P - p0);
        bus_if += (tr.cn - 1) * bus_rows(L, burst, ct_f, p0, pt, e) +
                  bus_rows(L, burst, ct_l, p0, pt, e);
        bus_ps += (tr.kn - 1) * bus_of(burst, kt_f, pt * Q * 4, P * Q * 4) +
                  bus_of(burst, kt_l, pt * Q * 4, P * Q * 4);
        out_geom(a, pt, P, Q, ob, &out_run, &out_plane);
        bus_out += (tr.kn - 1) * bus_of(burst, kt_f, out_run, out_plane) +
                   bus_of(burst, kt_l, out_run, out_plane);
    }
    uint64_t bus_w = 0;
    for (int kk = 0; kk < 2; kk++) {
        const uint64_t kt = kk ? kt_l : kt_f, nk = kk ? 1 : tr.kn - 1;
        bus_w += nk * ((tr.cn - 1) * bus_of(burst, kt, ct_f * rs * e, C * rs * e) +
                       bus_of(burst, kt, ct_l * rs * e, C * rs * e));
    }
    uint64_t bus_b = 0;
    for (int kk = 0; kk < 2; kk++)
        bus_b += (kk ? 1 : tr.kn - 1) * bus_of(burst, 1, 4 * (kk ? kt_l : kt_f), 0);
    m->bus = bus_if * refetch(t, trips, 1 << TILE_P | 1 << TILE_C) +
             bus_w * refetch(t, trips, 1 << TILE_K | 1 << TILE_C) + bus_b * tr.pn +
             bus_ps * (spill ? 2 * (tr.cn - 1) : 0) + bus_out;
    m->compulsory = C * used * W * (uint64_t)esz + K * C * rs * (uint64_t)esz + 4 * K + out_final;

    const uint64_t kt = min_u64((uint64_t)t->kt, K), ct = min_u64((uint64_t)t->ct, C),
                   pt = min_u64((uint64_t)t->pt, P);
    m->glb_ifmap = 2 * ct * rin_max * W * (uint64_t)esz;
    m->glb_weight = 2 * kt * ct * rs * (uint64_t)esz;
    m->glb_psum = 2 * (kt * pt * Q * 4 + 4 * kt); /* partial sums and bias */

    m->beats = tile_beats(L, a, t, P, Q);
    return 0;
}

/* ---- predicted cycles ------------------------------------------------------------------ */

/* The DRAM channel serves requests in issue order (FIFO), as the host's DMA engine does: a
 * request starts at max(its issue + latency, the end of the request issued before it) and
 * holds the channel for its time. The model generates requests almost but not quite in issue
 * order, so the channel keeps them sorted by issue cycle (a request issued in the same cycle
 * as others goes after them): one that comes late but was issued earlier is inserted where
 * the host would have issued it, and the requests behind it move back (a later request sees
 * the channel as the host's engine would; a done cycle already handed out is not revised
 * within the pass, the next pass corrects it). */
typedef struct {
    const dram_timing_t *dt;
    uint64_t *issue;   /* requests, sorted by issue cycle */
    uint64_t *id;      /* their request ids (to move a request when it is issued again) */
    double *time;      /* their channel cycles */
    double *end;       /* the cycle each one leaves the channel (FIFO) */
    uint64_t n, cap;
    int oom;
} chan_t;

/* Channel cycles of count runs of run bytes placed stride bytes apart. */
static double xfer(const dram_timing_t *dt, uint64_t count, uint64_t run, uint64_t stride)
{
    return dt->bw > 0 ? (double)bus_of(dt->burst, count, run, stride) / dt->bw : 0;
}

/* Grows the channel's arrays by one entry if full. Returns 0, or -1 (ch->oom set). */
static int chan_room(chan_t *ch)
{
    if (ch->n < ch->cap) return 0;
    const uint64_t cap = ch->cap ? 2 * ch->cap : 256;
    uint64_t *ni = realloc(ch->issue, sizeof(uint64_t) * cap);
    if (ni) ch->issue = ni;
    uint64_t *nid = ni ? realloc(ch->id, sizeof(uint64_t) * cap) : NULL;
    if (nid) ch->id = nid;
    double *nt = nid ? realloc(ch->time, sizeof(double) * cap) : NULL;
    if (nt) ch->time = nt;
    double *ne = nt ? realloc(ch->end, sizeof(double) * cap) : NULL;
    if (!ne) {
        ch->oom = 1;
        return -1;
    }
    ch->end = ne;
    ch->cap = cap;
    return 0;
}

/* The FIFO end cycles of the requests from position pos on. */
static void chan_settle(chan_t *ch, uint64_t pos)
{
    for (uint64_t i = pos; i < ch->n; i++) {
        double start = (double)(ch->issue[i] + ch->dt->latency);
        if (i > 0 && ch->end[i - 1] > start) start = ch->end[i - 1];
        ch->end[i] = start + ch->time[i];
    }
}

/* Removes request id from the channel (a ghost about to be issued for real), if present. */
static void chan_remove(chan_t *ch, uint64_t id)
{
    uint64_t i = ch->n;
    while (i > 0 && ch->id[i - 1] != id) i--;
    if (i == 0) return;
    i--;
    memmove(ch->issue + i, ch->issue + i + 1, sizeof(uint64_t) * (ch->n - i - 1));
    memmove(ch->id + i, ch->id + i + 1, sizeof(uint64_t) * (ch->n - i - 1));
    memmove(ch->time + i, ch->time + i + 1, sizeof(double) * (ch->n - i - 1));
    memmove(ch->end + i, ch->end + i + 1, sizeof(double) * (ch->n - i - 1));
    ch->n--;
    chan_settle(ch, i);
}

/* Request id issued at cycle x taking `time` channel cycles: returns the cycle it is done. */
static uint64_t request(chan_t *ch, uint64_t id, uint64_t x, double time)
{
    if (chan_room(ch) != 0) return x;
    uint64_t pos = ch->n; /* after every request issued at or before x */
    while (pos > 0 && ch->issue[pos - 1] > x) pos--;
    memmove(ch->issue + pos + 1, ch->issue + pos, sizeof(uint64_t) * (ch->n - pos));
    memmove(ch->id + pos + 1, ch->id + pos, sizeof(uint64_t) * (ch->n - pos));
    memmove(ch->time + pos + 1, ch->time + pos, sizeof(double) * (ch->n - pos));
    memmove(ch->end + pos + 1, ch->end + pos, sizeof(double) * (ch->n - pos));
    ch->issue[pos] = x;
    ch->id[pos] = id;
    ch->time[pos] = time;
    ch->n++;
    chan_settle(ch, pos);
    return (uint64_t)ceil(ch->end[pos]);
}

/* One tile of the sequence, as the predicted schedule needs it. */
typedef struct {
    int vstart, cpos;        /* first tile of its visit; c tile index > 0 */
    uint64_t v, kp;          /* visit (from 0), (k, p) tile */
    uint64_t if_load, w_load, b_load; /* which ifmap / weight / bias load it reads */
    uint64_t kgn, cfn, nb;   /* k groups, reduction folds, beats per fold */
    uint64_t kt, pt;         /* its channels and output rows */
    double t_if, t_w, t_b, t_ps; /* channel cycles of its loads, its visit's psum moves */
    double t_out;         /* fused: channel cycles of its visit's int8 output writeback */
    int cfinal;           /* its c tile is the last: its visit's writeback is the output */
    int vlast;            /* the last tile of its visit */
    uint64_t last_beat, l_last; /* cycle of its last beat; weight-load start of last fold */
} ptile_t;

typedef struct {
    uint64_t issue, first;   /* issue cycle, first tile that needs it (priority) */
    int rank;                /* the host's order within a cycle: bias 0, ifmap 1, weights 2,
                                spilled sums 3 (by first tile), then writebacks 10 */
    double time;             /* channel cycles */
    uint64_t *done;          /* where its done cycle goes */
    uint64_t id;             /* the same request in every pass */
    uint64_t vis;            /* WS writeback chunk: its visit (else NONE) */
} preq_t;

/* A request id with its sort keys (the previous pass's issue cycle, rank << 40 | first
 * tile), so that the comparator needs no context. */
typedef struct {
    uint64_t key, rf, id;
} ord_t;

/* Passes of the schedule. The model generates DMA requests tile by tile, which is not quite
 * the order the host issues them in: a writeback issued after a visit's last output comes
 * out of the pipeline is generated before the weight loads the weight lane of the next tiles
 * triggered a few cycles earlier, and the host's channel serves those loads first. So after
 * the first pass the schedule is run again with the channel serving requests in the issue
 * order the previous pass found: before a request is placed, every request that came
 * earlier in that order and is not generated yet is placed as a "ghost" at its previous
 * issue cycle moved by the drift (how much later the request placed last issues than in the
 * previous pass: a stall shifts everything after it alike, and a ghost at its stale cycle
 * would let the request after it slip ahead); when it is generated the ghost leaves the
 * channel and the request goes in at its own issue cycle. Passes repeat until the issue
 * cycles stop changing (at most PASSES; the random sweeps converge in a few). */
#define PASSES 16
typedef struct {
    chan_t ch;
    uint64_t *prev_issue, *cur_issue, *ghost_done, *rank_first; /* per request id */
    double *time_of;
    uint64_t *order, *pos_of, gp, n_ids;
    ord_t *ord;              /* sort entries of the previous pass's order */
    int64_t drift;           /* issue cycle now minus in the previous pass, of the request
                                placed last: where the ghosts go */
    int use_ghosts;
} sched_t;

static uint64_t place(sched_t *S, uint64_t id, uint64_t x, double time)
{
    S->cur_issue[id] = x;
    S->time_of[id] = time;
    if (!S->use_ghosts) return request(&S->ch, id, x, time);
    const uint64_t pos = S->pos_of[id];
    if (S->prev_issue[id] != UINT64_MAX) S->drift = (int64_t)x - (int64_t)S->prev_issue[id];
    for (; S->gp < pos; S->gp++) { /* earlier requests of the previous pass's order */
        const uint64_t g = S->order[S->gp];
        if (S->ghost_done[g] == UINT64_MAX && S->prev_issue[g] != UINT64_MAX) {
            const int64_t gx = (int64_t)S->prev_issue[g] + S->drift;
            S->ghost_done[g] = request(&S->ch, g, gx > 0 ? (uint64_t)gx : 0, S->time_of[g]);
        }
    }
    if (S->gp == pos) S->gp++;
    if (S->ghost_done[id] != UINT64_MAX) chan_remove(&S->ch, id); /* issued for real now */
    return S->ghost_done[id] = request(&S->ch, id, x, time);
}

static int ord_cmp(const void *a, const void *b)
{
    const ord_t *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    const int wx = (x->rf >> 40) >= 10, wy = (y->rf >> 40) >= 10;
    if (wx != wy) return wx ? 1 : -1;
    const uint64_t fx = x->rf & 0xffffffffffull, fy = y->rf & 0xffffffffffull;
    if (fx != fy) return fx < fy ? -1 : 1;
    return (x->rf >> 40) < (y->rf >> 40) ? -1 : (x->rf >> 40) > (y->rf >> 40);
}

static int preq_cmp(const void *a, const void *b)
{
    const preq_t *x = a, *y = b;
    if (x->issue != y->issue) return x->issue < y->issue ? -1 : 1;
    if ((x->rank >= 10) != (y->rank >= 10)) return x->rank >= 10 ? 1 : -1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->rank - y->rank;
}

#define NONE UINT64_MAX /* a load or visit not requested yet, a (k, p) tile not visited yet */

/* The predicted schedule of one layer: the tile sequence and its loads (built once), the
 * DMA requests on the channel and the beat-level recurrence (both run again every pass). */
typedef struct {
    const layer_t *L;
    const array_cfg_t *a;
    const tiling_t *t;
    const dram_timing_t *dt;
    int psum_ports;
    tile_trips_t tr;
    uint64_t P, Q, K, C, rs, d, e, rows, cols, nt;
    uint64_t lat;            /* fused: the post-processing unit's latency; else 0 */
    /* the tile sequence; per load / visit its first and last tile */
    ptile_t *ti;
    uint64_t *if_first, *if_last, *w_first, *w_last, *v_first, *v_last;
    uint64_t *v_prev;        /* per visit: the previous visit of its (k, p) tile, or NONE */
    uint64_t *b_vis;         /* per bias load: the visit that needs it */
    uint64_t *last_kp;       /* per (k, p) tile: its latest visit so far */
    uint64_t nif, nw, nv, nbias;
    /* per pass: the cycle each load, spilled-sum read and writeback is done (or NONE) */
    uint64_t *if_done, *w_done, *b_done, *ps_done, *wb_done;
    /* WS: a visit's writeback goes k group by k group, each when the group's last fold in
     * the visit's last tile is out (the host's rule): per pass, the chunks generated and not
     * yet placed, per visit the chunks still to place and the latest done so far */
    preq_t *chunks;
    uint64_t nchunk, nchunk_max, chunk_id;
    uint64_t *chunk_done;    /* per chunk (in generation order): its done cycle */
    uint64_t *wb_left, *wb_acc;
    uint64_t gmax, nmax;     /* the largest tile's groups and beats per fold */
    uint64_t *dtime;         /* per k group and beat: the cycle its latest fold issued it */
    uint64_t rsz, *ring;     /* the beats of the last rsz cycles (one psum port) */
    preq_t *batch;           /* the requests queued before one tile */
    sched_t S;
    /* per pass: how far each request queue got, the deferred spilled-sum reads */
    uint64_t qi, qw, qb, qwb, qps, ndefer;
    /* per pass: fold (OS: block) count; L and last beat of the previous fold, the one
     * before's last beat; the cycle the last output is out */
    uint64_t f, l1, lb1, lb2, last;
} pred_t;

/* Allocates what s needs besides the schedule's request arrays. Returns 0 or PECOS_ENOMEM
 * (pred_free() frees what was allocated). */
static int pred_alloc(pred_t *s)
{
    const uint64_t nt = s->nt;
    uint64_t fmax_;
    s->ti = calloc(nt, sizeof *s->ti);
    s->if_first = malloc(sizeof(uint64_t) * nt);
    s->if_last = malloc(sizeof(uint64_t) * nt);
    s->w_first = malloc(sizeof(uint64_t) * nt);
    s->w_last = malloc(sizeof(uint64_t) * nt);
    s->v_first = malloc(sizeof(uint64_t) * nt);
    s->v_last = malloc(sizeof(uint64_t) * nt);
    s->v_prev = malloc(sizeof(uint64_t) * nt);
    s->b_vis = malloc(sizeof(uint64_t) * nt);
    s->if_done = malloc(sizeof(uint64_t) * nt);
    s->w_done = malloc(sizeof(uint64_t) * nt);
    s->b_done = malloc(sizeof(uint64_t) * nt);
    s->ps_done = malloc(sizeof(uint64_t) * nt);
    s->wb_done = malloc(sizeof(uint64_t) * nt);
    tiling_work(s->a->df, s->rows, s->cols, min_u64((uint64_t)s->t->kt, s->K),
                min_u64((uint64_t)s->t->ct, s->C) * s->rs, min_u64((uint64_t)s->t->pt, s->P) * s->Q,
                &s->gmax, &fmax_, &s->nmax);
    s->rsz = s->d + 2;
    s->dtime = calloc((s->gmax + 1) * s->nmax, sizeof(uint64_t));
    s->ring = malloc(sizeof(uint64_t) * s->rsz);
    s->last_kp = malloc(sizeof(uint64_t) * s->tr.kn * s->tr.pn);
    s->batch = malloc(sizeof(preq_t) * (4 * nt + 8 + s->gmax + 1));
    s->chunks = malloc(sizeof(preq_t) * (s->gmax + 1));
    s->wb_left = malloc(sizeof(uint64_t) * nt);
    s->wb_acc = malloc(sizeof(uint64_t) * nt);
    if (!s->ti || !s->if_first || !s->if_last || !s->w_first || !s->w_last || !s->v_first ||
        !s->v_last || !s->v_prev || !s->b_vis || !s->if_done || !s->w_done || !s->b_done ||
        !s->ps_done || !s->wb_done || !s->dtime || !s->ring || !s->last_kp || !s->batch ||
        !s->chunks || !s->wb_left || !s->wb_acc)
        return PECOS_ENOMEM;
    for (uint64_t i = 0; i < s->tr.kn * s->tr.pn; i++) s->last_kp[i] = NONE;
    return 0;
}

/* Allocates the per-request arrays of S for n_ids request ids. Returns 0 or PECOS_ENOMEM. */
static int sched_alloc(sched_t *S, const dram_timing_t *dt, uint64_t n_ids)
{
    *S = (sched_t){.ch = {.dt = dt}, .n_ids = n_ids};
    S->prev_issue = malloc(sizeof(uint64_t) * n_ids);
    S->cur_issue = malloc(sizeof(uint64_t) * n_ids);
    S->ghost_done = malloc(sizeof(uint64_t) * n_ids);
    S->rank_first = calloc(n_ids, sizeof(uint64_t));
    S->time_of = calloc(n_ids, sizeof(double));
    S->order = malloc(sizeof(uint64_t) * n_ids);
    S->pos_of = malloc(sizeof(uint64_t) * n_ids);
    S->ord = malloc(sizeof(ord_t) * n_ids);
    if (!S->prev_issue || !S->cur_issue || !S->ghost_done || !S->rank_first || !S->time_of ||
        !S->order || !S->pos_of || !S->ord)
        return PECOS_ENOMEM;
    for (uint64_t i = 0; i < n_ids; i++) S->cur_issue[i] = NONE;
    return 0;
}

/* Frees the channel's request arrays. */
static void chan_free(chan_t *ch)
{
    free(ch->issue);
    free(ch->id);
    free(ch->time);
    free(ch->end);
}

/* Frees everything pred_alloc() and sched_alloc() allocated (safe on a zeroed s). */
static void pred_free(pred_t *s)
{
    sched_t *S = &s->S;
    free(S->prev_issue); free(S->cur_issue); free(S->ghost_done); free(S->rank_first);
    free(S->time_of); free(S->order); free(S->pos_of); free(S->ord);
    chan_free(&S->ch);
    free(s->ti); free(s->if_first); free(s->if_last); free(s->w_first); free(s->w_last);
    free(s->v_first); free(s->v_last); free(s->v_prev); free(s->b_vis); free(s->if_done);
    free(s->w_done); free(s->b_done); free(s->ps_done); free(s->wb_done); free(s->dtime);
    free(s->ring); free(s->last_kp); free(s->batch); free(s->chunks); free(s->wb_left);
    free(s->wb_acc); free(s->chunk_done);
}

/* The tile sequence and its loads (the same rules as the host, written from tiling.h): per
 * tile its work, the ifmap, weight and bias loads and the visit it belongs to, and the
 * channel cycles of each. */
static void pred_tiles(pred_t *s)
{
    const tiling_t *t = s->t;
    const dram_timing_t *dt = s->dt;
    uint64_t prev[3] = {0, 0, 0};
    for (uint64_t n = 0; n < s->nt; n++) {
        uint64_t ix[3];
        cycle_tile_index(t, &s->tr, n, ix);
        ptile_t *x = &s->ti[n];
        const int first = n == 0;
        const uint64_t k0 = ix[TILE_K] * t->kt, c0 = ix[TILE_C] * t->ct, p0 = ix[TILE_P] * t->pt;
        const uint64_t kt = min_u64(t->kt, s->K - k0), ct = min_u64(t->ct, s->C - c0),
                       pt = min_u64(t->pt, s->P - p0);
        tiling_work(s->a->df, s->rows, s->cols, kt, ct * s->rs, pt * s->Q, &x->kgn, &x->cfn,
                    &x->nb);
        x->cpos = ix[TILE_C] > 0;
        x->kp = ix[TILE_K] * s->tr.pn + ix[TILE_P];
        if (first || ix[TILE_P] != prev[TILE_P] || ix[TILE_C] != prev[TILE_C]) {
            s->if_first[s->nif++] = n;
            x->t_if = dt->bw > 0 ? (double)bus_rows(s->L, dt->burst, ct, p0, pt, s->e) / dt->bw : 0;
        }
        s->if_last[s->nif - 1] = n;
        x->if_load = s->nif - 1;
        if (first || ix[TILE_K] != prev[TILE_K] || ix[TILE_C] != prev[TILE_C]) {
            s->w_first[s->nw++] = n;
            x->t_w = xfer(dt, kt, ct * s->rs * s->e, s->C * s->rs * s->e);
        }
        s->w_last[s->nw - 1] = n;
        x->w_load = s->nw - 1;
        x->vstart = first || ix[TILE_K] != prev[TILE_K] || ix[TILE_P] != prev[TILE_P];
        if (x->vstart) {
            s->v_first[s->nv] = n;
            s->v_prev[s->nv] = s->last_kp[x->kp];
            s->last_kp[x->kp] = s->nv;
            if (!x->cpos) s->b_vis[s->nbias++] = s->nv;
            s->nv++;
        }
        s->v_last[s->nv - 1] = n;
        x->v = s->nv - 1;
        x->b_load = x->cpos ? NONE : s->nbias - 1;
        x->t_b = xfer(dt, 1, kt * 4, kt * 4);
        x->t_ps = xfer(dt, kt, pt * s->Q * 4, s->P * s->Q * 4);
        x->cfinal = ix[TILE_C] + 1 == s->tr.cn;
        x->kt = kt;
        x->pt = pt;
        uint64_t orun, oplane;
        out_geom(s->a, pt, s->P, s->Q, 1, &orun, &oplane);
        x->t_out = s->a->fused ? xfer(dt, kt, orun, oplane) : x->t_ps;
        memcpy(prev, ix, sizeof prev);
    }
    for (uint64_t v = 0; v < s->nv; v++) s->ti[s->v_last[v]].vlast = 1;
}

/* Before pass `pass` (> 0): the channel is to serve requests in the issue order the previous
 * pass found. Returns 1 when the issue cycles did not change since the pass before (the
 * schedule has converged: no further pass), else 0. */
static int pass_reorder(sched_t *S, int pass)
{
    int same = 1;
    for (uint64_t i = 0; i < S->n_ids && same; i++)
        same = pass > 1 && S->prev_issue[i] == S->cur_issue[i];
    if (same && pass > 1) return 1;
    memcpy(S->prev_issue, S->cur_issue, sizeof(uint64_t) * S->n_ids);
    for (uint64_t i = 0; i < S->n_ids; i++)
        S->ord[i] = (ord_t){S->prev_issue[i], S->rank_first[i], i};
    qsort(S->ord, S->n_ids, sizeof *S->ord, ord_cmp);
    for (uint64_t i = 0; i < S->n_ids; i++) S->order[i] = S->ord[i].id;
    for (uint64_t i = 0; i < S->n_ids; i++) S->pos_of[S->order[i]] = i;
    S->use_ghosts = 1;
    return 0;
}

/* Starts a pass: an idle channel, nothing requested, no beat issued. */
static void pass_reset(pred_t *s)
{
    sched_t *S = &s->S;
    chan_free(&S->ch);
    S->ch = (chan_t){.dt = s->dt};
    S->gp = 0;
    S->drift = 0;
    for (uint64_t i = 0; i < S->n_ids; i++) S->ghost_done[i] = S->cur_issue[i] = NONE;
    for (uint64_t i = 0; i < s->nt; i++)
        s->if_done[i] = s->w_done[i] = s->b_done[i] = s->ps_done[i] = s->wb_done[i] = NONE;
    for (uint64_t i = 0; i < s->rsz; i++) s->ring[i] = NONE;
    memset(s->dtime, 0, sizeof(uint64_t) * (s->gmax + 1) * s->nmax);
    s->qi = s->qw = s->qb = s->qwb = s->qps = s->ndefer = 0;
    s->nchunk = s->chunk_id = 0;
    for (uint64_t v = 0; v < s->nv; v++) {
        s->wb_left[v] = s->a->df == DF_WS ? s->ti[s->v_last[v]].kgn : 0;
        s->wb_acc[v] = 0;
    }
    s->f = s->l1 = s->lb1 = s->lb2 = s->last = 0;
}

/* Before tile n: queues every DMA request whose trigger lies in tiles < n, with the spilled
 * sums deferred from the step before, and places them on the channel sorted by issue cycle,
 * then by the tile that needs them. A load goes when the tile two loads back has released
 * its bank (ifmap: last beat issued; weights: last weight beat; bias: its visit's first tile
 * done), a writeback the cycle after a visit's last output. */
static void queue_requests(pred_t *s, uint64_t n)
{
    const pecos_df_t df = s->a->df;
    const ptile_t *ti = s->ti;
    preq_t *batch = s->batch;
    uint64_t nbt = s->ndefer;
    s->ndefer = 0;
    for (; s->qi < s->nif && (s->qi < 2 || s->if_last[s->qi - 2] < n); s->qi++) {
        const uint64_t qi = s->qi;
        const ptile_t *u = qi < 2 ? NULL : &ti[s->if_last[qi - 2]];
        /* the lane that reads the ifmap bank: WS/OS the data lane, IS the held lane */
        const uint64_t rel_if = !u ? 0 : df == DF_IS ? u->l_last + s->cols : u->last_beat + 1;
        batch[nbt++] = (preq_t){rel_if, s->if_first[qi], 1, ti[s->if_first[qi]].t_if,
                                &s->if_done[qi], qi, NONE};
    }
    for (; s->qw < s->nw && (s->qw < 2 || s->w_last[s->qw - 2] < n); s->qw++) {
        const uint64_t qw = s->qw;
        const ptile_t *u = qw < 2 ? NULL : &ti[s->w_last[qw - 2]];
        /* WS: the held lane's last column of the tile; IS, OS: the data lane's last beat */
        const uint64_t rel = !u ? 0 : df == DF_WS ? u->l_last + s->cols : u->last_beat + 1;
        batch[nbt++] = (preq_t){rel, s->w_first[qw], 2, ti[s->w_first[qw]].t_w, &s->w_done[qw],
                                s->nt + qw, NONE};
    }
    for (; s->qb < s->nbias && (s->qb < 2 || s->v_first[s->b_vis[s->qb - 2]] < n); s->qb++) {
        const uint64_t qb = s->qb;
        const ptile_t *u = qb < 2 ? NULL : &ti[s->v_first[s->b_vis[qb - 2]]];
        batch[nbt++] = (preq_t){u ? u->last_beat + 1 : 0, s->v_first[s->b_vis[qb]], 0,
                                ti[s->v_first[s->b_vis[qb]]].t_b, &s->b_done[qb], 2 * s->nt + qb,
                                NONE};
    }
    for (uint64_t i = 0; i < s->nchunk; i++) batch[nbt++] = s->chunks[i];
    s->nchunk = 0;
    for (; df != DF_WS && s->qwb < s->nv && s->v_last[s->qwb] < n; s->qwb++) {
        const uint64_t qwb = s->qwb;
        const ptile_t *u = &ti[s->v_last[qwb]];
        /* fused: the output writeback waits for the unit's last result */
        const int out = u->cfinal && s->a->fused;
        batch[nbt++] = (preq_t){u->last_beat + 1 + s->d + (out ? s->lat : 0), s->v_first[qwb],
                                10, out ? u->t_out : ti[s->v_first[qwb]].t_ps,
                                &s->wb_done[qwb], 3 * s->nt + qwb, NONE};
    }
    qsort(batch, nbt, sizeof *batch, preq_cmp);
    for (uint64_t i = 0; i < nbt; i++) {
        s->S.rank_first[batch[i].id] = (uint64_t)batch[i].rank << 40 | batch[i].first;
        *batch[i].done = place(&s->S, batch[i].id, batch[i].issue, batch[i].time);
        s->last = max_u64(s->last, *batch[i].done);
        const uint64_t v = batch[i].vis;
        if (v == NONE) continue; /* a chunk: its visit's writeback is done with the last */
        s->wb_acc[v] = max_u64(s->wb_acc[v], *batch[i].done);
        if (--s->wb_left[v] == 0) s->wb_done[v] = s->wb_acc[v];
    }
}

/* Spilled partial sums back, in visit order, once their writebacks are queued (the psum
 * bank's, two visits back, and the earlier visit's of the same (k, p)); issued when those
 * are done, so they join the next step's sorted batch. */
static void queue_spilled(pred_t *s)
{
    for (; s->qps < s->nv; s->qps++) {
        const uint64_t qps = s->qps, first = s->v_first[qps];
        if (!s->ti[first].cpos) continue;
        const uint64_t bank = qps >= 2 ? s->wb_done[qps - 2] : 0, pv = s->wb_done[s->v_prev[qps]];
        if (bank == NONE || pv == NONE) break;
        s->batch[s->ndefer++] = (preq_t){max_u64(bank, pv), first, 3, s->ti[first].t_ps,
                                         &s->ps_done[qps], 4 * s->nt + qps, NONE};
    }
}

/* OS: the blocks of tile x, beats back to back after the previous block's last, each last
 * beat at least `rows` after the previous block's last (the drain chain). */
static void run_blocks(pred_t *s, const ptile_t *x)
{
    for (uint64_t b = 0; b < x->kgn; b++, s->f++) {
        uint64_t st = s->f >= 1 ? s->lb1 + 1 : 0;
        st = max_u64(st, max_u64(s->if_done[x->if_load], s->w_done[x->w_load]));
        if (x->vstart && b == 0) {
            if (x->v >= 2) st = max_u64(st, s->wb_done[x->v - 2]); /* psum bank back */
            st = max_u64(st, s->b_done[x->b_load]);
        }
        uint64_t lb = st + x->nb - 1;
        if (s->f >= 1) lb = max_u64(lb, s->lb1 + s->rows);
        s->lb1 = s->l1 = lb;
    }
}

/* The nb beats of a fold of k group kg from cycle st: in order; beat j continuing partial
 * sums (dep) waits for the dependency's beat j to come out; with one psum port no beat goes
 * the cycle after an output was collected (the write takes the port). Returns the last
 * beat's cycle. */
static uint64_t run_beats(pred_t *s, uint64_t kg, int dep, uint64_t st, uint64_t nb)
{
    const uint64_t d = s->d, rsz = s->rsz;
    uint64_t *dtk = s->dtime + kg * s->nmax, tb = st;
    for (uint64_t j = 0; j < nb; j++) {
        if (j > 0) tb = max_u64(tb, dtk[j - 1] + 1);
        if (dep) tb = max_u64(tb, dtk[j] + d + 1);
        while (s->psum_ports < 2 && tb >= d + 1 && s->ring[(tb - d - 1) % rsz] == tb - d - 1)
            tb++;
        s->ring[tb % rsz] = tb;
        dtk[j] = tb;
    }
    return tb;
}

/* WS, IS: the folds of tile x, the exact recurrence of cycle_model.h with each load's arrival
 * as one more constraint: the held operands (WS: weights, IS: ifmap) before their load, the
 * streamed ones before the first beat, a visit's first fold after its psum bank and its
 * bias or spilled sums. */
static void run_folds(pred_t *s, const ptile_t *x)
{
    const pecos_df_t df = s->a->df;
    for (uint64_t i = 0; i < x->kgn * x->cfn; i++, s->f++) {
        unsigned long kgl, cfl;
        tiling_fold(s->t, i, x->kgn, x->cfn, &kgl, &cfl);
        const uint64_t kg = kgl, cf = cfl;
        uint64_t l = 0, st;
        if (s->f >= 1) l = s->l1 + s->cols;
        if (s->f >= 2) l = max_u64(l, s->lb2); /* array bank free: fold f-2 all issued */
        const uint64_t held = df == DF_IS ? s->if_done[x->if_load] : s->w_done[x->w_load];
        const uint64_t streamed = df == DF_IS ? s->w_done[x->w_load] : s->if_done[x->if_load];
        l = max_u64(l, held);
        st = l + s->cols;
        if (s->f >= 1) st = max_u64(st, s->lb1 + 1);
        st = max_u64(st, streamed);
        if (x->vstart && cf == 0) {
            if (x->v >= 2) st = max_u64(st, s->wb_done[x->v - 2]); /* psum bank back */
            st = max_u64(st, x->cpos ? s->ps_done[x->v] : s->b_done[x->b_load]);
        }
        const uint64_t tb = run_beats(s, kg, cf > 0 || !x->vstart, st, x->nb);
        if (df == DF_WS && x->vlast && cf + 1 == x->cfn) { /* k group kg's writeback */
            const int out = x->cfinal && s->a->fused;
            const uint64_t ob = out ? 1 : 4, rows = min_u64(s->cols, x->kt - kg * s->cols);
            const uint64_t id = s->chunk_id++;
            uint64_t orun = x->pt * s->Q * ob, oplane = s->P * s->Q * ob;
            if (out) out_geom(s->a, x->pt, s->P, s->Q, ob, &orun, &oplane);
            s->chunks[s->nchunk++] =
                (preq_t){tb + 1 + s->d + (out ? s->lat : 0), s->v_first[x->v], 10 + (int)kg,
                         xfer(s->dt, rows, orun, oplane),
                         &s->chunk_done[id], 5 * s->nt + id, x->v};
        }
        s->l1 = l;
        s->lb2 = s->lb1;
        s->lb1 = tb;
    }
}

/* One pass of the schedule: before each tile the requests it triggers, then its folds
 * (OS: blocks). s->last gets the cycle the last output or request is done. */
static void pred_pass(pred_t *s)
{
    for (uint64_t n = 0; n <= s->nt; n++) {
        queue_requests(s, n);
        queue_spilled(s);
        if (n == s->nt) break;
        ptile_t *x = &s->ti[n];
        if (s->a->df == DF_OS)
            run_blocks(s, x);
        else
            run_folds(s, x);
        x->last_beat = s->lb1;
        x->l_last = s->l1;
        s->last = max_u64(s->last, s->lb1 + 1 + s->d + s->lat);
    }
}

/* The totals of m that follow from the traffic and the exact compute model wm. */
static void roofline(mem_model_t *m, const array_cfg_t *a, const cycle_model_t *wm,
                     const dram_timing_t *dt)
{
    m->macs = wm->macs;
    m->compute_cycles = wm->cycles + (a->fused ? (uint64_t)a->ppu_lat : 0);
    m->ideal_cycles = wm->ideal_cycles;
    const uint64_t bytes = m->tr.dram_rd + m->tr.dram_wr;
    m->intensity = bytes ? 2.0 * (double)wm->macs / (double)bytes : 0;
    m->roofline_cycles = wm->ideal_cycles;
    if (dt->bw > 0)
        m->roofline_cycles = max_u64(m->roofline_cycles, (uint64_t)ceil((double)bytes / dt->bw));
}

int mem_model_layer(const layer_t *L, const array_cfg_t *a, int esz, const tiling_t *t,
                    const dram_timing_t *dt, int psum_ports, mem_model_t *m)
{
    cycle_model_t wm;
    pred_t s = {.L = L, .a = a, .t = t, .dt = dt, .psum_ports = psum_ports};
    memset(m, 0, sizeof *m);
    if (dt->burst < 1 || dt->bw < 0 || mem_traffic(L, a, esz, dt->burst, t, &m->tr) != 0 ||
        cycle_tile_trips(L, a, t, &s.tr) != 0 || cycle_model_tiled(L, a, t, &wm) != 0)
        return PECOS_EPARAM;
    roofline(m, a, &wm, dt);

    s.P = (uint64_t)wm.p;
    s.Q = (uint64_t)wm.q;
    s.K = (uint64_t)L->k;
    s.C = (uint64_t)L->c;
    s.rs = (uint64_t)L->r * L->s;
    s.d = wm.latency;
    s.lat = a->fused ? (uint64_t)a->ppu_lat : 0;
    s.e = (uint64_t)esz;
    s.rows = (uint64_t)a->rows;
    s.cols = (uint64_t)a->cols;
    s.nt = s.tr.tiles;
    int rc = PECOS_ENOMEM;
    if (pred_alloc(&s) != 0) goto out;
    pred_tiles(&s);
    for (uint64_t v = 0; a->df == DF_WS && v < s.nv; v++) s.nchunk_max += s.ti[s.v_last[v]].kgn;
    if (!(s.chunk_done = malloc(sizeof(uint64_t) * (s.nchunk_max + 1))) ||
        sched_alloc(&s.S, dt, 5 * s.nt + s.nchunk_max) != 0)
        goto out;
    for (int pass = 0; pass < PASSES; pass++) {
        if (pass > 0 && pass_reorder(&s.S, pass)) break;
        pass_reset(&s);
        pred_pass(&s);
        if (s.S.ch.oom) break;
    }
    m->predicted_cycles = s.last;
    rc = s.S.ch.oom ? PECOS_ENOMEM : 0;
out:
    pred_free(&s);
    return rc;
}

void tiling_str(const tiling_t *t, char *buf, unsigned long len)
{
    static const char dim[3] = {'k', 'p', 'c'};
    snprintf(buf, len, "k%d.c%d.p%d order %c,%c,%c%s", t->kt, t->ct, t->pt, dim[t->order[0]],
             dim[t->order[1]], dim[t->order[2]], t->cf_major ? " cf-major" : "");
}
