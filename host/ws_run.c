#include "ws_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* Copies operand idx of src into lane r of dst (both esz-byte elements). */
static inline void put_lane(void *dst, int r, const void *src, size_t idx, size_t esz)
{
    if (esz == 1)
        ((uint8_t *)dst)[r] = ((const uint8_t *)src)[idx];
    else
        ((uint16_t *)dst)[r] = ((const uint16_t *)src)[idx];
}

typedef struct {
    uint32_t fold; /* fold index f */
    uint32_t beat; /* pixel j */
} tag_t;

int ws_run_conv(simlib_t *s, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen)
{
    const layer_t *L = job->layer;
    const int rows = s->info.rows, cols = s->info.cols;
    const int crs = L->c * L->r * L->s, rs = L->r * L->s;
    const uint32_t n = (uint32_t)(L->p * L->q);
    const uint32_t cf_n = (uint32_t)((crs + rows - 1) / rows);
    const uint32_t kg_n = (uint32_t)((L->k + cols - 1) / cols);
    const uint32_t folds = cf_n * kg_n;
    const uint64_t total_beats = (uint64_t)folds * n;
    const uint32_t tag_cap = (uint32_t)(rows + cols + 8);
    int rc = PECOS_ENOMEM;

    memset(st, 0, sizeof *st);
    const size_t esz = job->esz;
    if (esz != (strcmp(s->info.dtype, "int8") == 0 ? 1u : 2u)) {
        snprintf(err, errlen, "layer %s: %zu-byte operands for a %s array", L->name, esz,
                 s->info.dtype);
        return PECOS_EPARAM;
    }
    uint16_t *wcol = malloc(sizeof(uint16_t) * (size_t)rows); /* esz-byte lanes */
    uint16_t *xvec = malloc(sizeof(uint16_t) * (size_t)rows);
    int32_t *pin = malloc(sizeof(int32_t) * (size_t)cols);
    int32_t *pout = malloc(sizeof(int32_t) * (size_t)cols);
    int32_t *psum = malloc(sizeof(int32_t) * (size_t)cols * n);  /* psum buffer of a group */
    int64_t *psum_fold = malloc(sizeof(int64_t) * n); /* fold whose sums psum[j] holds */
    int *crs_c = malloc(sizeof(int) * (size_t)crs), *crs_ry = malloc(sizeof(int) * (size_t)crs);
    int *crs_sx = malloc(sizeof(int) * (size_t)crs);
    tag_t *tags = malloc(sizeof(tag_t) * tag_cap);
    if (!wcol || !xvec || !pin || !pout || !psum || !psum_fold || !crs_c || !crs_ry || !crs_sx ||
        !tags) {
        snprintf(err, errlen, "layer %s: out of memory", L->name);
        goto out_free;
    }
    for (int i = 0; i < crs; i++) {
        crs_c[i] = i / rs;
        crs_ry[i] = (i % rs) / L->s;
        crs_sx[i] = i % L->s;
    }
    for (uint32_t j = 0; j < n; j++) psum_fold[j] = -1;

    uint32_t wf = 0, wc = 0;      /* weight lane: next fold and column to write */
    uint32_t loaded = 0;          /* folds whose weights are all written */
    uint32_t df = 0, dj = 0;      /* data lane: next fold and beat to issue */
    uint32_t issued = 0;          /* folds whose beats are all issued */
    uint64_t received = 0;        /* output beats collected */
    uint32_t tag_head = 0, tag_len = 0;
    uint64_t t = 0, last_progress = 0;
    uint64_t fault_cycle = job->fault_cycle; /* fires once */
    const uint64_t stall_limit = 4ull * (uint64_t)(rows + cols) + 1024;
    vsim_counters_t c0, c1;
    s->counters(s->v, &c0);
    st->start_cycle = s->cycle(s->v);

    while (received < total_beats) {
        vsim_in_t in = {0};
        vsim_out_t out = {.out_psum = pout};
        const uint32_t loaded_before = loaded;

        /* Data lane: fold df's weights must be in (written in an earlier cycle) and, past
         * the first reduction fold, beat dj's partial sums must have come back. */
        if (df < folds && df < loaded_before) {
            const uint32_t kg = df / cf_n, cf = df % cf_n;
            if (cf == 0 || psum_fold[dj] == (int64_t)df - 1) {
                const int p = (int)(dj / (uint32_t)L->q), q = (int)(dj % (uint32_t)L->q);
                const int ih0 = p * L->stride - L->pad, iw0 = q * L->stride - L->pad;
                memset(xvec, 0, esz * (size_t)rows); /* +0 in every lane not filled */
                for (int r = 0; r < rows; r++) {
                    const int i = (int)cf * rows + r;
                    if (i >= crs) break;
                    const int ih = ih0 + crs_ry[i], iw = iw0 + crs_sx[i];
                    if (ih >= 0 && ih < L->h && iw >= 0 && iw < L->w)
                        put_lane(xvec, r, job->ifmap,
                                 ((size_t)crs_c[i] * L->h + ih) * L->w + iw, esz);
                }
                for (int c = 0; c < cols; c++) {
                    const int k = (int)kg * cols + c;
                    if (cf != 0)
                        pin[c] = psum[(size_t)dj * cols + c];
                    else
                        pin[c] = (job->bias && k < L->k) ? job->bias[k] : 0;
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
                tags[(tag_head + tag_len++) % tag_cap] = (tag_t){df, dj};
                st->beats++;
                if (++dj == n) {
                    dj = 0;
                    issued = ++df;
                }
            }
        }

        /* Weight lane: fold wf writes bank wf&1, last used by fold wf-2; that bank is free
         * once fold wf-2's last beat is issued (this cycle counts: the write travels behind
         * the beat and cannot overtake it). */
        if (wf < folds && wf <= issued + 1) {
            const uint32_t kg = wf / cf_n, cf = wf % cf_n;
            const int k = (int)kg * cols + (int)wc;
            memset(wcol, 0, esz * (size_t)rows);
            for (int r = 0; r < rows && k < L->k; r++) {
                const int i = (int)cf * rows + r;
                if (i >= crs) break;
                put_lane(wcol, r, job->weights, (size_t)k * crs + i, esz);
            }
            in.w_valid = 1;
            in.w_bank = (uint8_t)(wf & 1u);
            in.w_col = (uint16_t)wc;
            in.w_data = wcol;
            st->wbeats++;
            if (++wc == (uint32_t)cols) {
                wc = 0;
                loaded = ++wf;
            }
        }

        s->step(s->v, &in, &out);

        if (out.out_valid) {
            if (tag_len == 0) {
                snprintf(err, errlen, "layer %s: output at cycle %llu with no beat in flight",
                         L->name, (unsigned long long)(st->start_cycle + t));
                rc = PECOS_ESIM;
                goto out_free;
            }
            const tag_t tg = tags[tag_head];
            tag_head = (tag_head + 1) % tag_cap;
            tag_len--;
            const uint64_t gcycle = st->start_cycle + t;
            if (gcycle >= fault_cycle) {
                pout[0] ^= 1; /* checker self-test: one flipped bit */
                fault_cycle = UINT64_MAX;
            }
            const uint32_t kg = tg.fold / cf_n, cf = tg.fold % cf_n;
            if (cf == cf_n - 1) {
                for (int c = 0; c < cols; c++) {
                    const int k = (int)kg * cols + c;
                    if (k < L->k) job->out[(size_t)k * n + tg.beat] = pout[c];
                }
                job->out_cycle[(size_t)kg * n + tg.beat] = gcycle;
            } else {
                memcpy(&psum[(size_t)tg.beat * cols], pout, sizeof(int32_t) * (size_t)cols);
                psum_fold[tg.beat] = tg.fold;
            }
            received++;
            last_progress = t;
        }
        if (in.in_valid || in.w_valid) last_progress = t;
        t++;
        if (t - last_progress > stall_limit) {
            snprintf(err, errlen,
                     "layer %s: no progress for %llu cycles at cycle %llu (%llu of %llu outputs)",
                     L->name, (unsigned long long)stall_limit,
                     (unsigned long long)(st->start_cycle + t), (unsigned long long)received,
                     (unsigned long long)total_beats);
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
    rc = 0;

out_free:
    free(tags);
    free(crs_sx);
    free(crs_ry);
    free(crs_c);
    free(psum_fold);
    free(psum);
    free(pout);
    free(pin);
    free(xvec);
    free(wcol);
    return rc;
}
