/* fuzz_topo.c - libFuzzer target: a topology CSV of any bytes is accepted or rejected
 * (PECOS_EFORMAT / PECOS_EPARAM) with a non-empty one-line reason that names the file; an
 * accepted topology is consistent (output sizes >= 1, producers earlier rows, counts in
 * range), and the chain check and the analyzer then answer without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "pecos_err.h"
#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* err must be a non-empty single line starting with the file name. */
static void check_msg(const char *err, size_t len)
{
    if (!memchr(err, '\0', len) || strncmp(err, "f.csv", 5) != 0 || strchr(err, '\n')) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    topo_t t;
    char err[512];
    memset(err, 'x', sizeof err);
    err[0] = '\0';
    const int rc = topo_parse((const char *)data, size, "f.csv", &t, err, sizeof err);
    if (rc != 0) {
        if (rc != PECOS_EFORMAT && rc != PECOS_EPARAM) abort();
        check_msg(err, sizeof err);
        if (t.layers || t.n || t.path) abort();
        return 0;
    }
    if (t.n < 1 || t.n > TOPO_MAX_LAYERS) abort();
    for (int i = 0; i < t.n; i++) {
        const topo_layer_t *L = &t.layers[i];
        if (L->h < 1 || L->w < 1 || L->c < 1 || L->k < 1 || L->r < 1 || L->s < 1 || L->p < 1 ||
            L->q < 1 || L->stride < 1 || L->dil < 1 || L->groups < 1 || L->c % L->groups ||
            L->k % L->groups || L->ninputs < 1 || L->ninputs > TOPO_MAX_INPUTS)
            abort();
        for (int k = 0; k < L->ninputs; k++)
            if (L->inputs[k] < -1 || L->inputs[k] >= i) abort();
        if (topo_macs(L) > (1ull << 48) || topo_in_elems(L) > (1ull << 48)) abort();
        if (L->type == TOPO_CONV && L->p != (L->h + L->pad_t + L->pad_b - L->dil * (L->r - 1) - 1) / L->stride + 1)
            abort();
    }
    memset(err, 'x', sizeof err);
    err[0] = '\0';
    if (topo_check_chain(&t, err, sizeof err) != 0) check_msg(err, sizeof err);
    analyze_cfg_t cfg;
    analyze_cfg_default(&cfg);
    analyze_row_t *rows = calloc((size_t)t.n, sizeof *rows);
    analyze_total_t tot;
    if (rows && analyze_network(&cfg, &t, rows, &tot, err, sizeof err) != 0) abort();
    free(rows);
    topo_free(&t);
    return 0;
}
