/* accel_fp.c - accel_conv_fp(); see accel_fp.h. */
#include "accel_fp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpconv.h"
#include "pecos_err.h"

int accel_conv_fp(accel_t *a, const accel_conv_t *cv, const uint16_t *x, const uint16_t *w,
                  const float *bias, float *y, layer_result_t *res)
{
    char why[64];
    int p, q, rc = PECOS_ENOMEM;
    if (strcmp(a->run.dtype, "bf16") != 0 && strcmp(a->run.dtype, "fp16") != 0)
        return PECOS_ENOTSUP;
    if (!accel_conv_maps(cv, why, sizeof why)) return PECOS_ENOTSUP;
    if (accel_conv_out(cv, &p, &q) != 0) {
        fprintf(stderr, "%s: %s: invalid convolution parameters\n", a->run.who, cv->name);
        return PECOS_EPARAM;
    }
    const int G = cv->groups, cg = cv->c / G, kg = cv->k / G;
    int pad = cv->pad_t;
    if (cv->pad_l < pad) pad = cv->pad_l;
    if (cv->pad_b < pad) pad = cv->pad_b;
    if (cv->pad_r < pad) pad = cv->pad_r;
    const int et = cv->pad_t - pad, el = cv->pad_l - pad, eb = cv->pad_b - pad,
              er = cv->pad_r - pad;
    const int hh = cv->h + et + eb, ww = cv->w + el + er;
    const size_t pq = (size_t)p * q, n_out = (size_t)cv->k * pq;
    uint16_t *xp = NULL;
    int32_t *bb = NULL, *yb = NULL;
    const uint16_t *xin = x;
    if (et || el || eb || er) {
        /* fp_f32_to_16x(+0) is the +0 pattern of either format: 0x0000 */
        if (!(xp = calloc((size_t)cv->c * hh * ww, sizeof *xp))) goto out_oom;
        for (int c = 0; c < cv->c; c++)
            for (int i = 0; i < cv->h; i++)
                memcpy(xp + ((size_t)c * hh + i + et) * ww + el, x + ((size_t)c * cv->h + i) * cv->w,
                       (size_t)cv->w * sizeof *xp);
        xin = xp;
    }
    /* lrun_layer takes the bias and returns the outputs as fp32 bit patterns */
    if (!(yb = malloc(n_out * sizeof *yb + 1))) goto out_oom;
    if (bias) {
        if (!(bb = malloc((size_t)cv->k * sizeof *bb))) goto out_oom;
        for (int k = 0; k < cv->k; k++) bb[k] = (int32_t)fp_f32_bits(bias[k]);
    }
    layer_t L = {.type = LAYER_CONV, .c = cg, .h = hh, .w = ww, .k = kg, .r = cv->r,
                 .s = cv->s, .stride = cv->stride_h, .pad = pad, .p = p, .q = q};
    layer_result_t part;
    for (int g = 0; g < G; g++) {
        if (G > 1)
            snprintf(L.name, sizeof L.name, "%.48s.g%d", cv->name, g);
        else
            snprintf(L.name, sizeof L.name, "%s", cv->name);
        rc = lrun_layer(&a->run, &a->sim, a->df, &L, xin + (size_t)g * cg * hh * ww,
                        w + (size_t)g * kg * cg * cv->r * cv->s, bb ? bb + (size_t)g * kg : NULL,
                        yb + (size_t)g * kg * pq, g == 0 ? res : &part);
        if (rc != 0) goto out_free;
        if (g > 0) lrun_merge(res, &part, a->run.rows, a->run.cols);
    }
    for (size_t i = 0; i < n_out; i++) y[i] = fp_bits_f32((uint32_t)yb[i]);
    res->layer.c = cv->c;
    res->layer.h = cv->h;
    res->layer.w = cv->w;
    res->layer.k = cv->k;
    snprintf(res->layer.name, sizeof res->layer.name, "%s", cv->name);
    rc = 0;
    goto out_free;
out_oom:
    fprintf(stderr, "%s: %s: out of memory\n", a->run.who, cv->name);
    rc = PECOS_ENOMEM;
out_free:
    free(xp);
    free(bb);
    free(yb);
    return rc;
}
