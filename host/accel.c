#include "accel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpconv.h"
#include "golden_conv.h"
#include "golden_gemm.h"
#include "pecos_err.h"
#include "tiling.h"

int accel_open(accel_t *a, const lrun_cfg_t *run, int df, int trace_enable, char *err,
               size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->run = *run;
    a->df = df;
    return simlib_open(&a->sim, df == DF_OS ? "os" : "ws", run->dtype, run->rows, run->cols,
                       trace_enable, err, errlen);
}

void accel_close(accel_t *a)
{
    simlib_close(&a->sim);
    if (a->post_open) postlib_close(&a->post);
    a->post_open = false;
}

static golden_conv_t to_golden(const accel_conv_t *cv)
{
    return (golden_conv_t){.c = cv->c, .h = cv->h, .w = cv->w, .k = cv->k, .r = cv->r,
                           .s = cv->s, .stride_h = cv->stride_h, .stride_w = cv->stride_w,
                           .pad_top = cv->pad_t, .pad_left = cv->pad_l,
                           .pad_bottom = cv->pad_b, .pad_right = cv->pad_r,
                           .dil_h = cv->dil_h, .dil_w = cv->dil_w, .groups = cv->groups};
}

int accel_conv_out(const accel_conv_t *cv, int *p, int *q)
{
    const golden_conv_t g = to_golden(cv);
    if (golden_conv_check(&g, NULL, 0) != 0) return PECOS_EPARAM;
    return golden_conv_out_hw(&g, p, q);
}

bool accel_conv_maps(const accel_conv_t *cv, char *why, size_t whylen)
{
    if (cv->dil_h != 1 || cv->dil_w != 1) {
        snprintf(why, whylen, "dilation %dx%d", cv->dil_h, cv->dil_w);
        return false;
    }
    if (cv->stride_h != cv->stride_w) {
        snprintf(why, whylen, "unequal strides %dx%d", cv->stride_h, cv->stride_w);
        return false;
    }
    if (why && whylen) why[0] = '\0';
    return true;
}

/* Runs cv on the array group by group (the common part of the int8 and fp calls): x and w
 * are esz-byte operands, bias and y 32-bit words (int32, or fp32 bits); asymmetric padding is
 * made explicit on the host first (+0 operands). Fills res with all groups merged. */
static int run_groups(accel_t *a, const accel_conv_t *cv, size_t esz, const void *x,
                      const void *w, const int32_t *bias, int32_t *y, layer_result_t *res)
{
    char why[64];
    int p, q, rc;
    if (!accel_conv_maps(cv, why, sizeof why)) return PECOS_ENOTSUP;
    if (accel_conv_out(cv, &p, &q) != 0) {
        fprintf(stderr, "%s: %s: invalid convolution parameters\n", a->run.who, cv->name);
        return PECOS_EPARAM;
    }
    const int G = cv->groups, cg = cv->c / G, kg = cv->k / G;
    /* The symmetric part of the padding runs on the array; any excess is made explicit. */
    int pad = cv->pad_t;
    if (cv->pad_l < pad) pad = cv->pad_l;
    if (cv->pad_b < pad) pad = cv->pad_b;
    if (cv->pad_r < pad) pad = cv->pad_r;
    const int et = cv->pad_t - pad, el = cv->pad_l - pad, eb = cv->pad_b - pad,
              er = cv->pad_r - pad;
    const int hh = cv->h + et + eb, ww = cv->w + el + er;
    uint8_t *xp = NULL;
    const uint8_t *xin = x;
    if (et || el || eb || er) {
        if (!(xp = calloc((size_t)cv->c * hh * ww, esz))) {
            fprintf(stderr, "%s: %s: out of memory\n", a->run.who, cv->name);
            return PECOS_ENOMEM;
        }
        for (int c = 0; c < cv->c; c++)
            for (int i = 0; i < cv->h; i++)
                memcpy(xp + (((size_t)c * hh + i + et) * ww + el) * esz,
                       (const uint8_t *)x + ((size_t)c * cv->h + i) * cv->w * esz,
                       (size_t)cv->w * esz);
        xin = xp;
    }
    layer_t L = {.type = LAYER_CONV, .c = cg, .h = hh, .w = ww, .k = kg, .r = cv->r,
                 .s = cv->s, .stride = cv->stride_h, .pad = pad, .p = p, .q = q};
    layer_result_t part;
    for (int g = 0; g < G; g++) {
        if (G > 1)
            snprintf(L.name, sizeof L.name, "%.48s.g%d", cv->name, g);
        else
            snprintf(L.name, sizeof L.name, "%s", cv->name);
        rc = lrun_layer(&a->run, &a->sim, a->df, &L, xin + (size_t)g * cg * hh * ww * esz,
                        (const uint8_t *)w + (size_t)g * kg * cg * cv->r * cv->s * esz,
                        bias ? bias + (size_t)g * kg : NULL, y + (size_t)g * kg * p * q,
                        g == 0 ? res : &part);
        if (rc != 0) goto out;
        /* The checker's self-test fault is one flipped output per run, not per group. */
        if ((g == 0 ? res : &part)->mismatches) a->run.fault_cycle = UINT64_MAX;
        if (g > 0) lrun_merge(res, &part, a->run.rows, a->run.cols);
    }
    /* The layer as a whole: C, K and the original padding */
    res->layer.c = cv->c;
    res->layer.h = cv->h;
    res->layer.w = cv->w;
    res->layer.k = cv->k;
    snprintf(res->layer.name, sizeof res->layer.name, "%s", cv->name);
    rc = 0;
out:
    free(xp);
    return rc;
}

int accel_conv_i8(accel_t *a, const accel_conv_t *cv, const int8_t *x, const int8_t *w,
                  const int32_t *bias, int32_t *y, layer_result_t *res)
{
    int p, q;
    if (strcmp(a->run.dtype, "int8") != 0) return PECOS_ENOTSUP;
    int rc = run_groups(a, cv, 1, x, w, bias, y, res);
    if (rc != 0) return rc;
    accel_conv_out(cv, &p, &q);
    if (cv->groups == 1 && cv->pad_t == cv->pad_b && cv->pad_t == cv->pad_l &&
        cv->pad_t == cv->pad_r)
        return 0; /* lrun_layer checked exactly this layer */
    /* Groups or explicit padding: check the assembled output once more against the golden
     * conv of the layer as given (grouped, asymmetric). */
    const golden_conv_t gc = to_golden(cv);
    const size_t n = (size_t)cv->k * p * q, pq = (size_t)p * q;
    int32_t *ref = malloc(n * sizeof *ref);
    if (!ref) {
        fprintf(stderr, "%s: %s: out of memory\n", a->run.who, cv->name);
        return PECOS_ENOMEM;
    }
    if ((rc = golden_gemm_conv_i8(&gc, x, w, bias, ref)) != 0) {
        fprintf(stderr, "%s: %s: the golden model rejected the layer\n", a->run.who, cv->name);
        free(ref);
        return rc;
    }
    uint64_t bad = 0;
    size_t first = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] != ref[i] && bad++ == 0) first = i;
    if (bad) {
        fprintf(stderr,
                "FAIL %s: the assembled output (%d groups, pads %d/%d/%d/%d) differs from the golden "
                "conv in %llu of %zu outputs; first at (k=%zu, p=%zu, q=%zu): expected %d, got %d; "
                "seed %llu\n",
                cv->name, cv->groups, cv->pad_t, cv->pad_l, cv->pad_b, cv->pad_r,
                (unsigned long long)bad, n, first / pq, first % pq / q,
                first % q, ref[first], y[first], (unsigned long long)a->run.seed);
        if (res->bitexact) {
            res->bitexact = false;
            res->mismatches = bad;
            res->bad_k = (int)(first / pq);
            res->bad_p = (int)(first % pq / q);
            res->bad_q = (int)(first % q);
            res->expected = ref[first];
            res->got = y[first];
        }
    }
    free(ref);
    return 0;
}

int accel_conv_fp(accel_t *a, const accel_conv_t *cv, const uint16_t *x, const uint16_t *w,
                  const float *bias, float *y, layer_result_t *res)
{
    int p, q, rc = PECOS_ENOMEM;
    if (strcmp(a->run.dtype, "bf16") != 0 && strcmp(a->run.dtype, "fp16") != 0)
        return PECOS_ENOTSUP;
    /* An invalid or unmappable layer: run_groups() says so before it touches y. */
    if (accel_conv_out(cv, &p, &q) != 0) return run_groups(a, cv, 2, x, w, NULL, NULL, res);
    /* lrun_layer takes the bias and returns the outputs as fp32 bit patterns */
    const size_t n_out = (size_t)cv->k * p * q;
    int32_t *bb = NULL, *yb = malloc(n_out * sizeof *yb + 1);
    if (!yb || (bias && !(bb = malloc((size_t)cv->k * sizeof *bb)))) {
        fprintf(stderr, "%s: %s: out of memory\n", a->run.who, cv->name);
        goto out;
    }
    for (int k = 0; bias && k < cv->k; k++) bb[k] = (int32_t)fp_f32_bits(bias[k]);
    if ((rc = run_groups(a, cv, 2, x, w, bb, yb, res)) == 0)
        for (size_t i = 0; i < n_out; i++) y[i] = fp_bits_f32((uint32_t)yb[i]);
out:
    free(bb);
    free(yb);
    return rc;
}
