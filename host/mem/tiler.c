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
    mem_traffic_t bt;
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
    if (!kv || !cv || !pv) {
        free(kv); free(cv); free(pv);
        snprintf(err, errlen, "layer %s: out of memory in the tiler", L->name);
        return PECOS_ENOMEM;
    }
    const int nk = cuts(kg, kv), np = cuts(L->p, pv);
    int nc = cuts(L->c, cv);
    if (df == DF_OS) {
        cv[0] = L->c;
        nc = 1;
    }
    best = smallest;
    bt = st;
    for (int a = 0; a < nk; a++) {
        const int kt = kv[a] * cols >= L->k ? L->k : kv[a] * cols;
        for (int b = 0; b < nc; b++) {
            for (int c = 0; c < np; c++) {
                for (int o = 0; o < 6; o++) {
                    tiling_t cand = {.kt = kt, .ct = cv[b], .pt = pv[c]};
                    memcpy(cand.order, orders[o], sizeof cand.order);
                    mem_traffic_t ct;
                    if (mem_traffic(L, &arr, esz, cfg->dram.burst, &cand, &ct) != 0 || !fits(cfg, &ct)) continue;
                    const uint64_t bytes = ct.dram_rd + ct.dram_wr, bb = bt.dram_rd + bt.dram_wr;
                    if (bytes < bb ||
                        (bytes == bb &&
                         (ct.bus < bt.bus ||
                          (ct.bus == bt.bus &&
                           (ct.beats < bt.beats ||
                            (ct.beats == bt.beats && ct.tiles < bt.tiles)))))) {
                        best = cand;
                        bt = ct;
                    }
                }
            }
        }
    }
    free(kv);
    free(cv);
    free(pv);
    *t = best;
    fold_order(L, rows, cols, df, t);
    return 0;
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
