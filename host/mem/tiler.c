#define _POSIX_C_SOURCE 200809L
#include "tiler.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* The distinct values ceil(x/n), n = 1..x, largest first, into v (room for 2*sqrt(x)+2). */
static int cuts(int x, int *v)
{
    int m = 0;
    for (int n = 1; n <= x; n++) {
        const int e = (x + n - 1) / n;
        if (m == 0 || v[m - 1] != e) v[m++] = e;
    }
    return m;
}

static int fits(const mem_cfg_t *c, const mem_traffic_t *tr)
{
    if (c->glb_total) return tr->glb_ifmap + tr->glb_weight + tr->glb_psum <= c->glb_total;
    return (!c->glb_ifmap || tr->glb_ifmap <= c->glb_ifmap) &&
           (!c->glb_weight || tr->glb_weight <= c->glb_weight) &&
           (!c->glb_psum || tr->glb_psum <= c->glb_psum);
}

static uint64_t kib_up(uint64_t b) { return (b + 1023) / 1024; }

/* Folds run reduction-fold major when a fold has fewer beats than the array's latency:
 * then the groups' folds fill each other's wait for partial sums (held-operand-load bound,
 * Cols cycles a fold, instead of Rows+Cols). A fold streams the tile's pixels in WS, its
 * channels in IS; OS has no folds. */
static void fold_order(const layer_t *L, int rows, int cols, int df, tiling_t *t)
{
    const int pt = t->pt < L->p ? t->pt : L->p, kt = t->kt < L->k ? t->kt : L->k;
    t->cf_major = df == DF_OS ? 0 : (df == DF_IS ? kt : pt * L->q) < rows + cols;
}

/* One candidate of the search: its tiling (fold order set), traffic, and time bounds. */
typedef struct {
    tiling_t t;
    mem_traffic_t tr;
    uint64_t mem;  /* its channel bytes over the DRAM bandwidth, cycles (0: unlimited) */
    uint64_t fill; /* cycles before the array can start: DRAM latency + a tile's bytes */
    uint64_t lb;   /* lower bound of its time: max(ideal cycles, DRAM bytes / bandwidth) + fill */
    uint64_t time; /* its time: max(exact compute cycles, DRAM bytes / bandwidth) + fill; 0
                      until known */
} cand_t;

/* Candidates within this share of the fastest one's time count as equally fast: among them
 * the least traffic wins (DRAM energy), so a compute-bound layer keeps its traffic-minimal
 * tiling. */
#define TILER_TIME_TOL_PCT 2

/* The traffic order: least DRAM bytes, then channel bytes, data beats, tiles. */
static int less_traffic(const mem_traffic_t *a, const mem_traffic_t *b)
{
    const uint64_t x = a->dram_rd + a->dram_wr, y = b->dram_rd + b->dram_wr;
    if (x != y) return x < y;
    if (a->bus != b->bus) return a->bus < b->bus;
    if (a->beats != b->beats) return a->beats < b->beats;
    return a->tiles < b->tiles;
}

static int by_lb(const void *a, const void *b)
{
    const uint64_t x = ((const cand_t *)a)->lb, y = ((const cand_t *)b)->lb;
    return x < y ? -1 : x > y;
}

/* c->time, computed once (the exact tiled cycle model: data always in the GLB), or
 * UINT64_MAX when it is known to exceed limit (the model stops there; computed again if a
 * later call allows more). */
static int cand_time(const layer_t *L, const array_cfg_t *arr, uint64_t limit, cand_t *c)
{
    if (c->time && (c->time != UINT64_MAX || c->lb > limit)) return 0;
    cycle_model_t m;
    int rc = cycle_model_tiled_within(L, arr, &c->t, limit > c->fill ? limit - c->fill : 0, &m);
    if (rc != 0) return rc;
    c->time = m.cycles == UINT64_MAX ? UINT64_MAX
                                     : (m.cycles > c->mem ? m.cycles : c->mem) + c->fill;
    return 0;
}

/* Cycles to move a candidate's DRAM traffic at the configured bandwidth (0 if unlimited):
 * its channel bytes, whole bursts, which is what the channel carries. */
static uint64_t mem_cycles_of(const mem_cfg_t *cfg, const mem_traffic_t *tr)
{
    if (cfg->dram.bw <= 0) return 0;
    return (uint64_t)((double)tr->bus / cfg->dram.bw + 0.999999);
}

/* The tiler's objective over the n candidates that fit (cs[b0]: the least traffic): time
 * first, then traffic. The time of a candidate is the larger of its exact compute cycles
 * (psum latency, held-operand loads and bank switches included) and its DRAM bytes over the
 * bandwidth, plus its fill: the DRAM latency and one tile's bytes (on average) over the
 * bandwidth, which the array waits for before its first beat (one big tile cannot overlap
 * its load with compute; many small ones can). Every candidate within TILER_TIME_TOL_PCT of the fastest one is as fast; the
 * least traffic among those is taken. Exact cycles cost a fold recurrence, so candidates are
 * visited by their lower bound, and when the least-traffic one is already within the
 * tolerance of every lower bound it is taken without looking further (compute-bound layers). */
static int fastest(const layer_t *L, const array_cfg_t *arr, const mem_cfg_t *cfg, cand_t *cs,
                   size_t n, size_t b0, tiling_t *best)
{
    cycle_model_t shape;
    int rc = cycle_model_shape(L, arr, &shape);
    if (rc != 0) return rc;
    uint64_t lb_min = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        fold_order(L, arr->rows, arr->cols, arr->df, &cs[i].t);
        const uint64_t mc = cs[i].mem = mem_cycles_of(cfg, &cs[i].tr);
        cs[i].fill = cfg->dram.latency + (cs[i].tr.tiles ? mc / cs[i].tr.tiles : mc);
        cs[i].lb = (mc > shape.ideal_cycles ? mc : shape.ideal_cycles) + cs[i].fill;
        if (cs[i].lb < lb_min) lb_min = cs[i].lb;
    }
    cand_t *c0 = &cs[b0];
    if ((rc = cand_time(L, arr, UINT64_MAX, c0)) != 0) return rc;
    if (c0->time <= lb_min + lb_min * TILER_TIME_TOL_PCT / 100) {
        *best = c0->t;
        return 0;
    }
    /* c0 stays a candidate (its time kept): the fastest one, whose lower bound is at most its
     * time, is always visited, so the second pass finds at least it */
    uint64_t t_min = c0->time;
    qsort(cs, n, sizeof *cs, by_lb);
    for (size_t i = 0; i < n && cs[i].lb <= t_min; i++) {
        if ((rc = cand_time(L, arr, t_min, &cs[i])) != 0) return rc;
        if (cs[i].time < t_min) t_min = cs[i].time;
    }
    const uint64_t thr = t_min + t_min * TILER_TIME_TOL_PCT / 100;
    const cand_t *win = NULL;
    for (size_t i = 0; i < n && cs[i].lb <= thr; i++) {
        if ((rc = cand_time(L, arr, thr, &cs[i])) != 0) return rc;
        if (cs[i].time <= thr && (!win || less_traffic(&cs[i].tr, &win->tr))) win = &cs[i];
    }
    if (!win) return PECOS_EPARAM; /* not reached: the fastest candidate is within thr */
    *best = win->t;
    return 0;
}

static const int orders[6][3] = {
    {TILE_K, TILE_P, TILE_C}, {TILE_P, TILE_K, TILE_C}, {TILE_K, TILE_C, TILE_P},
    {TILE_P, TILE_C, TILE_K}, {TILE_C, TILE_K, TILE_P}, {TILE_C, TILE_P, TILE_K}};

int tiler_choose(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                 tiling_t *t, char *err, size_t errlen)
{
    mem_traffic_t tr;
    const array_cfg_t arr = {.rows = rows, .cols = cols, .df = df};
    const int c_min = df == DF_OS ? L->c : 1; /* OS never cuts the reduction */
    const int kg = (L->k + cols - 1) / cols;
    tiling_t best = {.kt = L->k, .ct = L->c, .pt = L->p, .order = {TILE_K, TILE_P, TILE_C}};
    if (!mem_cfg_glb_bounded(cfg)) {
        *t = best;
        fold_order(L, rows, cols, df, t);
        return mem_traffic(L, &arr, esz, cfg->dram.burst, t, &tr) == 0 ? 0 : PECOS_EPARAM;
    }
    const tiling_t smallest = {.kt = L->k < cols ? L->k : cols, .ct = c_min, .pt = 1,
                               .order = {TILE_K, TILE_P, TILE_C}};
    mem_traffic_t st;
    if (mem_traffic(L, &arr, esz, cfg->dram.burst, &smallest, &st) != 0) return PECOS_EPARAM;
    if (!fits(cfg, &st)) {
        if (cfg->glb_total)
            snprintf(err, errlen,
                     "layer %s does not fit --glb-kib %llu: its smallest tile (%d channels, %d "
                     "input channel%s, 1 output row) needs --glb-kib %llu (ifmap %llu, weight "
                     "%llu, psum %llu bytes, double-buffered)",
                     L->name, (unsigned long long)(cfg->glb_total / 1024), smallest.kt, c_min,
                     c_min > 1 ? "s" : "",
                     (unsigned long long)kib_up(st.glb_ifmap + st.glb_weight + st.glb_psum),
                     (unsigned long long)st.glb_ifmap, (unsigned long long)st.glb_weight,
                     (unsigned long long)st.glb_psum);
        else {
            const char *opt = cfg->glb_ifmap && st.glb_ifmap > cfg->glb_ifmap     ? "ifmap"
                              : cfg->glb_weight && st.glb_weight > cfg->glb_weight ? "weight"
                                                                                   : "psum";
            const uint64_t need = opt[0] == 'i' ? st.glb_ifmap
                                  : opt[0] == 'w' ? st.glb_weight : st.glb_psum;
            const uint64_t have = opt[0] == 'i' ? cfg->glb_ifmap
                                  : opt[0] == 'w' ? cfg->glb_weight : cfg->glb_psum;
            snprintf(err, errlen,
                     "layer %s does not fit --glb-%s-kib %llu: its smallest tile (%d channels, "
                     "%d input channel%s, 1 output row) needs --glb-%s-kib %llu",
                     L->name, opt, (unsigned long long)(have / 1024), smallest.kt, c_min,
                     c_min > 1 ? "s" : "", opt,
                     (unsigned long long)kib_up(need));
        }
        return PECOS_EPARAM;
    }
    int *kv = malloc(sizeof(int) * (size_t)(kg + 1)), *cv = malloc(sizeof(int) * (size_t)(L->c + 1));
    int *pv = malloc(sizeof(int) * (size_t)(L->p + 1));
    const int nk = kv ? cuts(kg, kv) : 0, np = pv ? cuts(L->p, pv) : 0;
    int nc = cv ? cuts(L->c, cv) : 0;
    if (df == DF_OS && cv) {
        cv[0] = L->c;
        nc = 1;
    }
    cand_t *cs = kv && cv && pv ? malloc(sizeof *cs * ((size_t)nk * (size_t)nc * (size_t)np * 6 + 1)) : NULL;
    if (!cs) {
        free(kv); free(cv); free(pv);
        snprintf(err, errlen, "layer %s: out of memory in the tiler", L->name);
        return PECOS_ENOMEM;
    }
    size_t n = 0, b0 = 0;
    cs[n++] = (cand_t){.t = smallest, .tr = st};
    for (int a = 0; a < nk; a++) {
        const int kt = kv[a] * cols >= L->k ? L->k : kv[a] * cols;
        for (int b = 0; b < nc; b++) {
            for (int c = 0; c < np; c++) {
                for (int o = 0; o < 6; o++) {
                    cand_t *x = &cs[n];
                    *x = (cand_t){.t = {.kt = kt, .ct = cv[b], .pt = pv[c]}};
                    memcpy(x->t.order, orders[o], sizeof x->t.order);
                    if (mem_traffic(L, &arr, esz, cfg->dram.burst, &x->t, &x->tr) != 0 ||
                        !fits(cfg, &x->tr))
                        continue;
                    if (less_traffic(&x->tr, &cs[b0].tr)) b0 = n;
                    n++;
                }
            }
        }
    }
    free(kv);
    free(cv);
    free(pv);
    int rc = fastest(L, &arr, cfg, cs, n, b0, &best);
    free(cs);
    if (rc != 0) {
        snprintf(err, errlen, "layer %s: %s in the tiler", L->name,
                 rc == PECOS_ENOMEM ? "out of memory" : "no cycle model");
        return rc;
    }
    *t = best;
    return 0;
}

int tiler_align_rows(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                     int pr, tiling_t *t, char *err, size_t errlen)
{
    if (pr < 1 || L->p < pr) {
        snprintf(err, errlen, "layer %s: %d output rows, no whole %d-row window", L->name, L->p, pr);
        return PECOS_EPARAM;
    }
    tiling_t f = *t;
    int pt = t->pt >= L->p ? L->p : t->pt / pr * pr;
    if (pt < pr) pt = pr;
    const int last = L->p % pt;
    if (last != 0 && last < pr) pt = L->p; /* a last tile of dropped rows only */
    f.pt = pt;
    return tiler_force(L, rows, cols, df, esz, cfg, &f, t, err, errlen); /* fits, fold order */
}

int tiler_parse(const char *spec, tiling_t *t, char *err, size_t errlen)
{
    char buf[128];
    *t = (tiling_t){.kt = INT_MAX, .ct = INT_MAX, .pt = INT_MAX,
                    .order = {TILE_K, TILE_P, TILE_C}};
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "--tile: too long");
        return PECOS_EPARAM;
    }
    strcpy(buf, spec);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            snprintf(err, errlen, "--tile: '%.20s' is not key=value", kv);
            return PECOS_EPARAM;
        }
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(kv, "order") == 0) {
            int seen = 0;
            for (int i = 0; i < 3; i++) {
                const char *d = strchr("kpc", v[i] ? v[i] : '?');
                if (!d || !v[i]) {
                    seen = -1;
                    break;
                }
                t->order[i] = (int)(d - "kpc");
                seen |= 1 << t->order[i];
            }
            if (seen != 7 || strlen(v) != 3) {
                snprintf(err, errlen, "--tile order=%.20s: must be a permutation of k, p, c", v);
                return PECOS_EPARAM;
            }
            continue;
        }
        char *end;
        const long n = strtol(v, &end, 10);
        if (!*v || *end || n < 1 || n > 1 << 24) {
            snprintf(err, errlen, "--tile %.8s=%.20s: must be an integer 1..16777216", kv, v);
            return PECOS_EPARAM;
        }
        if (strcmp(kv, "k") == 0)
            t->kt = (int)n;
        else if (strcmp(kv, "c") == 0)
            t->ct = (int)n;
        else if (strcmp(kv, "p") == 0)
            t->pt = (int)n;
        else {
            snprintf(err, errlen, "--tile: unknown key '%.20s' (k, c, p, order)", kv);
            return PECOS_EPARAM;
        }
    }
    return 0;
}

int tiler_force(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                const tiling_t *f, tiling_t *t, char *err, size_t errlen)
{
    mem_traffic_t tr;
    const array_cfg_t arr = {.rows = rows, .cols = cols, .df = df};
    *t = *f;
    if (t->kt > L->k) t->kt = L->k;
    if (t->ct > L->c) t->ct = L->c;
    if (t->pt > L->p) t->pt = L->p;
    fold_order(L, rows, cols, df, t);
    if (df == DF_OS && t->ct < L->c) {
        snprintf(err, errlen,
                 "--tile c=%d: layer %s: the os dataflow accumulates the whole reduction in the "
                 "PEs, so c must cover all %d input channels",
                 f->ct, L->name, L->c);
        return PECOS_EPARAM;
    }
    if (t->kt < L->k && t->kt % cols != 0) {
        snprintf(err, errlen, "--tile k=%d: layer %s: must be a multiple of --cols %d or >= K %d",
                 f->kt, L->name, cols, L->k);
        return PECOS_EPARAM;
    }
    if (mem_traffic(L, &arr, esz, cfg->dram.burst, t, &tr) != 0) {
        snprintf(err, errlen, "--tile: layer %s: the tiling is invalid", L->name);
        return PECOS_EPARAM;
    }
    if (mem_cfg_glb_bounded(cfg) && !fits(cfg, &tr)) {
        snprintf(err, errlen,
                 "--tile: layer %s: the tiles need ifmap %llu, weight %llu, psum %llu bytes "
                 "of GLB (double-buffered), more than configured",
                 L->name, (unsigned long long)tr.glb_ifmap, (unsigned long long)tr.glb_weight,
                 (unsigned long long)tr.glb_psum);
        return PECOS_EPARAM;
    }
    return 0;
}
