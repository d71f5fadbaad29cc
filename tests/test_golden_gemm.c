/* test_golden_gemm: the fast int8 conv (im2col + GEMM) against the plain reference,
 * bit for bit, over random shapes (groups, strides, pads, dilations, bias or none), the
 * extreme operands (all -128, sums past 2^31, reduction lengths past one int32 chunk) and
 * the rejected inputs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "golden_conv.h"
#include "golden_gemm.h"
#include "pecos_err.h"
#include "rng.h"

/* Runs both convolutions on cv with operands from fill (0 random, 1 all -128) and compares.
 * Returns the number of differing outputs (or 1 on a setup failure). */
static int compare(const layer_t *cv, int fill, int with_bias, int32_t bias_base,
                   rng_t *g, const char *what)
{
    int P, Q;
    if (layer_out_hw(cv, &P, &Q) != 0) {
        ok(0, what);
        return 1;
    }
    size_t n_in = (size_t)cv->c * cv->h * cv->w;
    size_t n_w = (size_t)cv->k * (cv->c / cv->groups) * cv->r * cv->s;
    size_t n_out = (size_t)cv->k * P * Q;
    int8_t *in = malloc(n_in), *w = malloc(n_w);
    int32_t *bias = malloc(sizeof *bias * (size_t)cv->k);
    int32_t *ref = malloc(sizeof *ref * n_out), *got = malloc(sizeof *got * n_out);
    int bad = 1;
    if (!in || !w || !bias || !ref || !got) goto out;
    for (size_t i = 0; i < n_in; i++) in[i] = fill ? -128 : (int8_t)rng_range(g, -128, 127);
    for (size_t i = 0; i < n_w; i++) w[i] = fill ? -128 : (int8_t)rng_range(g, -128, 127);
    for (int k = 0; k < cv->k; k++)
        bias[k] = bias_base + (int32_t)rng_range(g, -100000, 100000);
    memset(got, 0x5a, sizeof *got * n_out);
    const int32_t *b = with_bias ? bias : NULL;
    if (golden_conv_i8(cv, in, w, b, ref) != 0 || golden_gemm_conv_i8(cv, in, w, b, got) != 0) {
        ok(0, what);
        goto out;
    }
    bad = 0;
    for (size_t i = 0; i < n_out; i++) {
        if (ref[i] != got[i]) {
            if (bad == 0)
                printf("FAIL: %s: output %zu: reference %d, gemm %d\n", what, i, ref[i], got[i]);
            bad++;
        }
    }
    checks++;
    if (bad) failed++;
out:
    free(in);
    free(w);
    free(bias);
    free(ref);
    free(got);
    return bad;
}

int main(void)
{
    rng_t g;
    rng_seed(&g, 19);
    char what[256];
    int cases = 0;

    /* Random shapes */
    for (int t = 0; t < 300; t++) {
        layer_t cv = {0};
        cv.groups = (int)rng_range(&g, 1, 3);
        cv.c = cv.groups * (int)rng_range(&g, 1, 9);
        cv.k = cv.groups * (int)rng_range(&g, 1, 11);
        cv.r = (int)rng_range(&g, 1, 4);
        cv.s = (int)rng_range(&g, 1, 4);
        cv.stride_h = (int)rng_range(&g, 1, 3);
        cv.stride_w = (int)rng_range(&g, 1, 3);
        cv.dil_h = (int)rng_range(&g, 1, 2);
        cv.dil_w = (int)rng_range(&g, 1, 2);
        cv.pad_t = (int)rng_range(&g, 0, 2);
        cv.pad_l = (int)rng_range(&g, 0, 2);
        cv.pad_b = (int)rng_range(&g, 0, 2);
        cv.pad_r = (int)rng_range(&g, 0, 2);
        cv.pad_value = t % 2 ? (int)rng_range(&g, 0, 255) - 128 : 0; /* zero points fold into it */
        cv.h = (int)rng_range(&g, 1, 14);
        cv.w = (int)rng_range(&g, 1, 14);
        if (layer_check(&cv, NULL, 0) != 0) continue; /* no output: draw again */
        snprintf(what, sizeof what,
                 "random %d: c=%d h=%d w=%d k=%d r=%d s=%d stride=%d,%d pad=%d,%d,%d,%d "
                 "dil=%d,%d groups=%d pad_value=%d",
                 t, cv.c, cv.h, cv.w, cv.k, cv.r, cv.s, cv.stride_h, cv.stride_w, cv.pad_t,
                 cv.pad_l, cv.pad_b, cv.pad_r, cv.dil_h, cv.dil_w, cv.groups,
                 cv.pad_value);
        compare(&cv, 0, t % 3 != 0, 0, &g, what);
        cases++;
    }

    /* A layer of the networks' size (AlexNet conv3), with bias */
    layer_t big = {.c = 256, .h = 13, .w = 13, .k = 384, .r = 3, .s = 3, .stride_h = 1,
                         .stride_w = 1, .pad_t = 1, .pad_l = 1, .pad_b = 1,
                         .pad_r = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    compare(&big, 0, 1, 0, &g, "alexnet conv3");
    cases++;

    /* Reduction past one int32 chunk (2^16 taps) with every product +2^14: the sum passes
     * 2^31 and wraps; the bias pushes it further. */
    layer_t deep = {.c = 16384, .h = 3, .w = 3, .k = 5, .r = 3, .s = 3, .stride_h = 1,
                          .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    compare(&deep, 1, 1, INT32_MAX - 200000, &g, "deep all -128 (wraps)");
    compare(&deep, 0, 0, 0, &g, "deep random");
    cases += 2;

    /* Rejected inputs: the same answer as the reference, out untouched */
    int32_t out[4] = {7, 7, 7, 7};
    int8_t x[4] = {0};
    layer_t one = {.c = 1, .h = 1, .w = 1, .k = 1, .r = 1, .s = 1, .stride_h = 1,
                         .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    layer_t bad = one;
    bad.r = 2;
    expect("no output -> EPARAM", (unsigned long long)(golden_gemm_conv_i8(&bad, x, x, NULL, out) ==
                                                       PECOS_EPARAM), 1);
    expect("NULL ifmap -> EPARAM",
           (unsigned long long)(golden_gemm_conv_i8(&one, NULL, x, NULL, out) == PECOS_EPARAM), 1);
    expect("NULL cv -> EPARAM",
           (unsigned long long)(golden_gemm_conv_i8(NULL, x, x, NULL, out) == PECOS_EPARAM), 1);
    expect("out untouched", (unsigned long long)out[0], 7);

    printf("%s: %d of %d checks failed (%d shapes compared)\n", failed ? "FAIL" : "PASS", failed,
           checks, cases);
    return failed || cases < 250 ? 1 : 0;
}
