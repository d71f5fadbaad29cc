#include "cycle_model.h"

#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

int cycle_model_shape(const layer_t *L, const array_cfg_t *a, cycle_model_t *m)
{
    memset(m, 0, sizeof *m);
    if (a->rows < 1 || a->cols < 1 || L->c < 1 || L->k < 1 ||
        layer_out_hw(L, &m->p, &m->q) != 0)
        return PECOS_EPARAM;

    uint64_t crs = (uint64_t)L->c * L->r * L->s;
    uint64_t rows = (uint64_t)a->rows, cols = (uint64_t)a->cols, n;
    m->macs = (uint64_t)L->k * m->p * m->q * crs;
    tiling_work(a->df, rows, cols, (uint64_t)L->k, crs, (uint64_t)m->p * m->q, &m->kgroups,
                &m->cfolds, &n);
    m->folds = m->cfolds * m->kgroups;
    m->beats_per_fold = n;
    m->latency = a->df == DF_OS ? 2 * rows + cols : rows + cols - 1;
    m->ideal_cycles = (m->macs + rows * cols - 1) / (rows * cols);
    return 0;
}

int cycle_model_conv(const layer_t *L, const array_cfg_t *a, cycle_model_t *m)
{
    if (cycle_model_shape(L, a, m) != 0) return PECOS_EPARAM;
    const uint64_t rows = (uint64_t)a->rows, cols = (uint64_t)a->cols, n = m->beats_per_fold;
    if (a->df == DF_OS) { /* blocks back to back, last beats at least rows apart */
        const uint64_t period = n > rows ? n : rows;
        m->cycles = (m->folds - 1) * period + n + m->latency;
        return 0;
    }
    /* Long folds (n >= Cols-1 and n >= Rows+Cols): the recurrence reduces to the closed form
     * of the header comment, for every cfolds (checked exhaustively for Rows, Cols <= 20,
     * n <= 60, folds <= 12). */
    if (n + 1 >= cols && n >= rows + cols) {
        m->cycles = cols + m->folds * n + rows + cols - 1;
        return 0;
    }
    /* The recurrence of the header comment; s1/s2 are S_{f-1}/S_{f-2}, l1 is L_{f-1}. */
    uint64_t l1 = 0, s1 = 0, s2 = 0;
    for (uint64_t f = 0; f < m->folds; f++) {
        uint64_t l = 0, s;
        if (f >= 1) l = l1 + cols;
        if (f >= 2) l = max_u64(l, s2 + n - 1);
        s = l + cols;
        if (f >= 1) s = max_u64(s, s1 + n);
        if (f >= 1 && f % m->cfolds != 0) s = max_u64(s, s1 + m->latency + 1);
        l1 = l;
        s2 = s1;
        s1 = s;
    }
    m->cycles = s1 + n + m->latency;
    return 0;
}

int cycle_tile_trips(const layer_t *L, const array_cfg_t *a, const tiling_t *t, tile_trips_t *tr)
{
    cycle_model_t m;
    int seen = 0;
    memset(tr, 0, sizeof *tr);
    if (cycle_model_shape(L, a, &m) != 0 || t->kt < 1 || t->ct < 1 || t->pt < 1) return PECOS_EPARAM;
    for (int i = 0; i < 3; i++) {
        if (t->order[i] < 0 || t->order[i] > 2) return PECOS_EPARAM;
        seen |= 1 << t->order[i];
    }
    if (seen != 7 || (t->kt % a->cols != 0 && t->kt < L->k)) return PECOS_EPARAM;
    if (a->df == DF_OS && t->ct < L->c) return PECOS_EPARAM; /* OS keeps the reduction */
    tr->kn = ((uint64_t)L->k + t->kt - 1) / t->kt;
    tr->cn = ((uint64_t)L->c + t->ct - 1) / t->ct;
    tr->pn = ((uint64_t)m.p + t->pt - 1) / t->pt;
    tr->tiles = tr->kn * tr->cn * tr->pn;
    return 0;
}

void cycle_tile_index(const tiling_t *t, const tile_trips_t *tr, uint64_t n, uint64_t idx[3])
{
    const uint64_t trips[3] = {tr->kn, tr->pn, tr->cn};
    for (int i = 2; i >= 0; i--) {
        const int d = t->order[i];
        idx[d] = n % trips[d];
        n /= trips[d];
    }
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* OS: blocks back to back in tile order; a block's first beat follows the previous block's
 * last, its last beat comes at least `rows` cycles after the previous block's last (the
 * drain chain's spacing), and a visit's first block waits for visit v-2's outputs to be out
 * of its psum bank. Every tile is a visit (ct = C). */
static int os_model_tiled(const layer_t *L, const array_cfg_t *a, const tiling_t *t, const tile_trips_t *tr,
                          cycle_model_t *m)
{
    const uint64_t rows = (uint64_t)a->rows, cols = (uint64_t)a->cols, d = m->latency;
    const uint64_t lanes = (uint64_t)L->c * L->r * L->s, q = (uint64_t)m->q;
    uint64_t last = 0, vis_out[2] = {0, 0}, blocks = 0;
    int any = 0;
    for (uint64_t n = 0; n < tr->tiles; n++) {
        uint64_t ix[3], g, f, nb;
        cycle_tile_index(t, tr, n, ix);
        const uint64_t k0 = ix[TILE_K] * t->kt, p0 = ix[TILE_P] * t->pt;
        const uint64_t kt = min_u64(t->kt, L->k - k0), pt = min_u64(t->pt, (uint64_t)m->p - p0);
        tiling_work(DF_OS, rows, cols, kt, lanes, pt * q, &g, &f, &nb);
        for (uint64_t b = 0; b < g; b++) {
            uint64_t first = any ? last + 1 : 0;
            if (b == 0 && n >= 2) first = max_u64(first, vis_out[n & 1]);
            uint64_t l = first + nb - 1;
            if (any && l < last + rows) l = last + rows;
            last = l;
            any = 1;
        }
        blocks += g;
        vis_out[n & 1] = last + 1 + d;
    }
    m->folds = blocks;
    m->cycles = last + 1 + d;
    return 0;
}

int cycle_model_tiled(const layer_t *L, const array_cfg_t *a, const tiling_t *t, cycle_model_t *m)
{
    return cycle_model_tiled_within(L, a, t, UINT64_MAX, m);
}

int cycle_model_tiled_within(const layer_t *L, const array_cfg_t *a, const tiling_t *t,
                             uint64_t limit, cycle_model_t *m)
{
    tile_trips_t tr;
    if (cycle_tile_trips(L, a, t, &tr) != 0 || cycle_model_shape(L, a, m) != 0) return PECOS_EPARAM;
    if (a->df == DF_OS) return os_model_tiled(L, a, t, &tr, m);
    const uint64_t rows = (uint64_t)a->rows, cols = (uint64_t)a->cols, rs = (uint64_t)L->r * L->s;
    const uint64_t d = m->latency, q = (uint64_t)m->q;
    uint64_t kg_max, f_max, n_max; /* groups of the largest tile */
    tiling_work(a->df, rows, cols, min_u64(t->kt, L->k), min_u64(t->ct, L->c) * rs,
                min_u64(t->pt, (uint64_t)m->p) * q, &kg_max, &f_max, &n_max);
    uint64_t *kg_last = calloc(kg_max, sizeof *kg_last);   /* S of the k group's latest fold */
    uint64_t *kp_out = calloc(tr.kn * tr.pn, sizeof *kp_out); /* (k,p) partial sums out */
    if (!kg_last || !kp_out) {
        free(kg_last);
        free(kp_out);
        return PECOS_ENOMEM;
    }
    uint64_t f = 0, l1 = 0, s1 = 0, s2 = 0, n1 = 0, n2 = 0;
    uint64_t vis_out[2] = {0, 0}; /* visits v-1, v-2 (by parity): partial sums out */
    uint64_t v = 0, prev[3] = {0, 0, 0}, folds = 0;
    for (uint64_t n = 0; n < tr.tiles; n++) {
        uint64_t ix[3], nx[3];
        cycle_tile_index(t, &tr, n, ix);
        const int vstart = n == 0 || ix[TILE_K] != prev[TILE_K] || ix[TILE_P] != prev[TILE_P];
        int vend = n + 1 == tr.tiles;
        if (!vend) {
            cycle_tile_index(t, &tr, n + 1, nx);
            vend = nx[TILE_K] != ix[TILE_K] || nx[TILE_P] != ix[TILE_P];
        }
        const uint64_t k0 = ix[TILE_K] * t->kt, c0 = ix[TILE_C] * t->ct, p0 = ix[TILE_P] * t->pt;
        const uint64_t kt = min_u64(t->kt, L->k - k0), ct = min_u64(t->ct, L->c - c0);
        const uint64_t pt = min_u64(t->pt, (uint64_t)m->p - p0);
        uint64_t kgn, cfn, nb;
        tiling_work(a->df, rows, cols, kt, ct * rs, pt * q, &kgn, &cfn, &nb);
        uint64_t bound = 0;
        if (vstart) {
            v++;
            if (v >= 3) bound = vis_out[v & 1]; /* visit v-2, same parity */
            if (ix[TILE_C] > 0) bound = max_u64(bound, kp_out[ix[TILE_K] * tr.pn + ix[TILE_P]]);
        }
        for (uint64_t i = 0; i < kgn * cfn; i++, f++) {
            unsigned long kgl, cfl;
            tiling_fold(t, i, kgn, cfn, &kgl, &cfl);
            const uint64_t kg = kgl, cf = cfl;
            uint64_t l = 0, s;
            if (f >= 1) l = l1 + cols;
            if (f >= 2) l = max_u64(l, s2 + n2 - 1);
            s = l + cols;
            if (f >= 1) s = max_u64(s, s1 + n1);
            if (vstart && i == 0) s = max_u64(s, bound);
            if (cf > 0 || !vstart) /* continues the k group's sums: its last fold's */
                s = max_u64(s, kg_last[kg] + d + 1);
            kg_last[kg] = s;
            if (s > limit) { /* the layer ends after s: past the caller's limit */
                free(kg_last);
                free(kp_out);
                m->cycles = UINT64_MAX;
                return 0;
            }
            l1 = l;
            s2 = s1;
            n2 = n1;
            s1 = s;
            n1 = nb;
        }
        folds += kgn * cfn;
        if (vend) {
            vis_out[v & 1] = s1 + nb + d;
            kp_out[ix[TILE_K] * tr.pn + ix[TILE_P]] = s1 + nb + d;
        }
        memcpy(prev, ix, sizeof prev);
    }
    m->folds = folds;
    m->cycles = s1 + n1 + d;
    free(kg_last);
    free(kp_out);
    return 0;
}
