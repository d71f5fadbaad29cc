#include "ws_model.h"

#include <string.h>

#include "pecos_err.h"

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

int ws_model_conv(const ws_model_in_t *in, ws_model_t *m)
{
    memset(m, 0, sizeof *m);
    if (in->rows < 1 || in->cols < 1 || in->c < 1 || in->h < 1 || in->w < 1 || in->k < 1 ||
        in->r < 1 || in->s < 1 || in->stride < 1 || in->pad < 0)
        return PECOS_EPARAM;
    int eh = in->h + 2 * in->pad - in->r, ew = in->w + 2 * in->pad - in->s;
    if (eh < 0 || ew < 0) return PECOS_EPARAM;
    m->p = eh / in->stride + 1;
    m->q = ew / in->stride + 1;

    uint64_t crs = (uint64_t)in->c * in->r * in->s;
    uint64_t n = (uint64_t)m->p * m->q;
    uint64_t rows = (uint64_t)in->rows, cols = (uint64_t)in->cols;
    m->macs = (uint64_t)in->k * n * crs;
    m->cfolds = (crs + rows - 1) / rows;
    m->kgroups = ((uint64_t)in->k + cols - 1) / cols;
    m->folds = m->cfolds * m->kgroups;
    m->beats_per_fold = n;
    m->latency = rows + cols - 1;
    m->ideal_cycles = (m->macs + rows * cols - 1) / (rows * cols);

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
