#define _POSIX_C_SOURCE 200809L
#include "layer_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

#define LAYER_MAX_DIM 65536

/* Parses a decimal int in [lo, hi] from val; 0 or -1. */
static int parse_int(const char *val, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || end == val || *end != '\0' || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* Copies s into out with control characters replaced by '?', so that a message quoting the
 * user's text stays on one line. */
static void printable(const char *s, char *out, size_t len)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++) out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
}

int layer_parse(const char *raw, int index, layer_t *L, char *err, size_t errlen)
{
    char buf[512], spec[512];
    memset(L, 0, sizeof *L);
    if (strlen(raw) >= sizeof buf) {
        snprintf(err, errlen, "--layer: specification too long");
        return PECOS_EPARAM;
    }
    printable(raw, spec, sizeof spec);
    strcpy(buf, spec);
    char *save = NULL;
    char *tok = strtok_r(buf, ",", &save);
    if (!tok || (strcmp(tok, "conv") != 0 && strcmp(tok, "fc") != 0)) {
        snprintf(err, errlen, "--layer '%s': must start with 'conv' or 'fc'", spec);
        return PECOS_EPARAM;
    }
    L->type = strcmp(tok, "fc") == 0 ? LAYER_FC : LAYER_CONV;
    snprintf(L->name, sizeof L->name, "L%d", index);
    int *dims[] = {&L->h, &L->w, &L->c, &L->k, &L->r, &L->s};
    const char *dim_names[] = {"h", "w", "c", "k", "r", "s"};
    L->h = L->w = L->c = L->k = L->r = L->s = -1;
    /* stride=, dil= and pad= set every axis/side; the per-axis keys override them. */
    int stride = 1, dil = 1, pad = 0;
    int stride_h = -1, stride_w = -1, dil_h = -1, dil_w = -1;
    int pads[4] = {-1, -1, -1, -1};
    struct { const char *key; int *dst, lo, hi; } geo[] = {
        {"stride", &stride, 1, 64},   {"stride_h", &stride_h, 1, 64},
        {"stride_w", &stride_w, 1, 64}, {"dil", &dil, 1, 64},
        {"dil_h", &dil_h, 1, 64},     {"dil_w", &dil_w, 1, 64},
        {"pad", &pad, 0, 64},         {"pad_t", &pads[0], 0, 64},
        {"pad_l", &pads[1], 0, 64},   {"pad_b", &pads[2], 0, 64},
        {"pad_r", &pads[3], 0, 64},   {"pad_value", &L->pad_value, -128, 127}};
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            snprintf(err, errlen, "--layer '%s': '%s' is not key=value", spec, tok);
            return PECOS_EPARAM;
        }
        *eq = '\0';
        const char *key = tok, *val = eq + 1;
        int *dst = NULL, lo = 1, hi = LAYER_MAX_DIM;
        for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
            if (strcmp(key, dim_names[i]) == 0) dst = dims[i];
        for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++)
            if (strcmp(key, geo[i].key) == 0) {
                dst = geo[i].dst;
                lo = geo[i].lo;
                hi = geo[i].hi;
            }
        if (strcmp(key, "name") == 0) {
            if (!*val || strlen(val) >= sizeof L->name) {
                snprintf(err, errlen, "--layer '%s': name must be 1..%zu characters", spec,
                         sizeof L->name - 1);
                return PECOS_EPARAM;
            }
            strcpy(L->name, val);
            continue;
        }
        if (!dst) {
            snprintf(err, errlen, "--layer '%s': unknown parameter '%s'", spec, key);
            return PECOS_EPARAM;
        }
        if (L->type == LAYER_FC && dst != &L->c && dst != &L->k) {
            snprintf(err, errlen, "--layer '%s': fc takes only c= and k= (and name=)", spec);
            return PECOS_EPARAM;
        }
        if (parse_int(val, lo, hi, dst) != 0) {
            snprintf(err, errlen, "--layer '%s': %s=%s is out of range (%d..%d)", spec, key, val,
                     lo, hi);
            return PECOS_EPARAM;
        }
    }
    if (L->type == LAYER_FC) L->h = L->w = L->r = L->s = 1;
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        if (*dims[i] < 0) {
            snprintf(err, errlen, "--layer '%s': missing %s=", spec, dim_names[i]);
            return PECOS_EPARAM;
        }
    }
    L->stride_h = stride_h > 0 ? stride_h : stride;
    L->stride_w = stride_w > 0 ? stride_w : stride;
    L->dil_h = dil_h > 0 ? dil_h : dil;
    L->dil_w = dil_w > 0 ? dil_w : dil;
    L->pad_t = pads[0] >= 0 ? pads[0] : pad;
    L->pad_l = pads[1] >= 0 ? pads[1] : pad;
    L->pad_b = pads[2] >= 0 ? pads[2] : pad;
    L->pad_r = pads[3] >= 0 ? pads[3] : pad;
    L->groups = 1;
    if (layer_out_hw(L, &L->p, &L->q) != 0) { /* the ranges above leave only this open */
        const long long ph = (long long)L->h + L->pad_t + L->pad_b,
                        pw = (long long)L->w + L->pad_l + L->pad_r;
        const long long eh = (long long)L->dil_h * (L->r - 1) + 1,
                        ew = (long long)L->dil_w * (L->s - 1) + 1;
        snprintf(err, errlen,
                 "--layer '%s': filter %dx%d (dilated %lldx%lld) is larger than the padded "
                 "input %lldx%lld",
                 spec, L->r, L->s, eh, ew, ph, pw);
        return PECOS_EPARAM;
    }
    long long in = (long long)L->c * L->h * L->w, wt = (long long)L->k * L->c * L->r * L->s;
    long long out = (long long)L->k * L->p * L->q;
    if (in > LAYER_MAX_ELEMS || wt > LAYER_MAX_ELEMS || out > LAYER_MAX_ELEMS) {
        snprintf(err, errlen, "--layer '%s': a tensor exceeds %lld elements", spec,
                 LAYER_MAX_ELEMS);
        return PECOS_EPARAM;
    }
    return 0;
}
