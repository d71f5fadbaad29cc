/* test_golden_fp.c - the array-order fp reference and the float64 reference, on cases
 * derived by hand. */
#include <math.h>
#include <stdio.h>

#include "expect.h"
#include "golden_fp.h"

static void expect_bits(const char *what, uint32_t got, uint32_t want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got 0x%08x (%.9g), expected 0x%08x (%.9g)\n", what, got,
               fp_bits_f32(got), want, fp_bits_f32(want));
    }
}

static void expect_f64(const char *what, double got, double want)
{
    checks++;
    if (got != want) {
        failed++;
        printf("FAIL: %s: got %.17g, expected %.17g\n", what, got, want);
    }
}

int main(void)
{
    layer_t cv = {.c = 3, .h = 1, .w = 1, .k = 1, .r = 1, .s = 1, .stride_h = 1,
                        .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    uint32_t out[16];
    double o64[16];

    /* 1. Order and single rounding. bias 1.0, x = w = [2^-12, 2^-12, 1 | 0]: each product is
     * 2^-24, exactly half an ulp of 1.0, so each fma ties to even and stays 1.0; float64
     * gives 1 + 2^-23. 2^-12 is bf16 0x3980 and fp16 0x0C00. */
    const float one = 1.0f;
    uint16_t xb[3] = {0x3980, 0x3980, 0x3F80}, wb[3] = {0x3980, 0x3980, 0x0000};
    golden_conv_fp_ws(&cv, FP_BF16, 4, xb, wb, &one, out);
    expect_bits("bf16 tie stays 1.0 (rows 4)", out[0], 0x3F800000u);
    golden_conv_f64(&cv, FP_BF16, xb, wb, &one, o64);
    expect_f64("bf16 float64 reference", o64[0], 1.0 + ldexp(1.0, -23));
    uint16_t xh[3] = {0x0C00, 0x0C00, 0x3C00}, wh[3] = {0x0C00, 0x0C00, 0x0000};
    golden_conv_fp_ws(&cv, FP_FP16, 1, xh, wh, &one, out);
    expect_bits("fp16 tie stays 1.0 (rows 1)", out[0], 0x3F800000u);
    /* A product above the tie rounds up: x = 1.5*2^-12 (bf16 0x39C0), w = 2^-12 (0x3980):
     * product 1.5*2^-24 > half an ulp of 1.0 -> 1 + 2^-23. */
    uint16_t x3[3] = {0x39C0, 0, 0}, w3[3] = {0x3980, 0, 0};
    golden_conv_fp_ws(&cv, FP_BF16, 2, x3, w3, &one, out);
    expect_bits("bf16 above half ulp rounds up", out[0], 0x3F800001u);

    /* 2. Signed zero through padded lanes: bias -0, one real lane with x = +0, w = 1, and
     * rows 4 pads three lanes with fmaf(+0, +0, acc): -0 + +0 = +0 under round to nearest. */
    layer_t c1 = cv;
    c1.c = 1;
    const float mzero = -0.0f;
    uint16_t z[1] = {0x0000}, w1[1] = {0x3F80};
    golden_conv_fp_ws(&c1, FP_BF16, 4, z, w1, &mzero, out);
    expect_bits("-0 bias + +0 products is +0", out[0], 0x00000000u);
    /* With x = -0 and w = 1 the product is -0 and the first lane keeps -0; the padded lanes
     * then add +0 products: +0. With rows 1 (no padded lanes) it stays -0. */
    uint16_t mz[1] = {0x8000};
    golden_conv_fp_ws(&c1, FP_BF16, 1, mz, w1, &mzero, out);
    expect_bits("-0 + (-0 * 1) stays -0 with no padding", out[0], 0x80000000u);
    golden_conv_fp_ws(&c1, FP_BF16, 2, mz, w1, &mzero, out);
    expect_bits("one padded lane turns -0 into +0", out[0], 0x00000000u);

    /* 3. Exact integer data: 2x2 input, 2x2 filter, 1 channel, pad 1 -> 3x3; small integers
     * are exact in every order, so fp32, float64 and hand arithmetic agree.
     * x = [[1,2],[3,4]], w = [[1,-1],[2,0]] (bf16: 1=0x3F80, 2=0x4000, 3=0x4040, 4=0x4080,
     * -1=0xBF80). out[p][q] = sum x[p-1+i][q-1+j] w[i][j]:
     * (0,0): x00*w11 = 0          (0,1): x00*w10 + x01*w11 = 2   (0,2): x01*w10 = 4
     * (1,0): x00*w01 + x10*w11 = -1   (1,1): x00*w00 + x01*w01 + x10*w10 + x11*w11 = 1-2+6 = 5
     * (1,2): x01*w00 + x11*w10 = 2+8 = 10   (2,0): x10*w01 = -3
     * (2,1): x10*w00 + x11*w01 = 3-4 = -1   (2,2): x11*w00 = 4 */
    layer_t c2 = {.c = 1, .h = 2, .w = 2, .k = 1, .r = 2, .s = 2, .stride_h = 1,
                        .stride_w = 1, .pad_t = 1, .pad_l = 1, .pad_b = 1,
                        .pad_r = 1, .dil_h = 1, .dil_w = 1, .groups = 1};
    uint16_t x4[4] = {0x3F80, 0x4000, 0x4040, 0x4080}, w4[4] = {0x3F80, 0xBF80, 0x4000, 0x0000};
    const float want[9] = {0, 2, 4, -1, 5, 10, -3, -1, 4};
    golden_conv_fp_ws(&c2, FP_BF16, 3, x4, w4, NULL, out);
    golden_conv_f64(&c2, FP_BF16, x4, w4, NULL, o64);
    for (int i = 0; i < 9; i++) {
        char what[64];
        snprintf(what, sizeof what, "integer conv output %d", i);
        /* +0 where every product is +0 or the sum cancels to +0 */
        expect_bits(what, out[i], fp_f32_bits(want[i] + 0.0f));
        expect_f64(what, o64[i], (double)want[i]);
    }

    /* 4. Dilation 2x1, strides 1x2, pads t0 l1 b1 r0 (padded cells +0) on a 3x4 input
     * x = [[1,2,3,4],[5,6,7,8],[9,10,11,12]], 2x2 filter w = [[2,1],[-1,3]]:
     * P = floor((3+0+1 - 2 - 1)/1) + 1 = 2, Q = floor((4+1+0 - 1 - 1)/2) + 1 = 2;
     * out(p,q) = sum x(p + 2i, 2q - 1 + j) w(i,j), row 3 and column -1 are +0:
     * (0,0) = 1*1 + 9*3 = 28   (0,1) = 2*2 + 3*1 - 10 + 11*3 = 30
     * (1,0) = 5*1 = 5          (1,1) = 6*2 + 7*1 = 19 */
    layer_t c3 = {.c = 1, .h = 3, .w = 4, .k = 1, .r = 2, .s = 2, .stride_h = 1,
                        .stride_w = 2, .pad_l = 1, .pad_b = 1, .dil_h = 2, .dil_w = 1,
                        .groups = 1};
    const uint16_t x12[12] = {0x3F80, 0x4000, 0x4040, 0x4080, 0x40A0, 0x40C0,
                              0x40E0, 0x4100, 0x4110, 0x4120, 0x4130, 0x4140};
    const uint16_t wd[4] = {0x4000, 0x3F80, 0xBF80, 0x4040};
    const float want3[4] = {28, 30, 5, 19};
    checks++;
    if (golden_conv_fp_ws(&c3, FP_BF16, 4, x12, wd, NULL, out) != 0 ||
        golden_conv_f64(&c3, FP_BF16, x12, wd, NULL, o64) != 0) {
        failed++;
        printf("FAIL: dilated, strided, asymmetric conv refused\n");
    }
    for (int i = 0; i < 4; i++) {
        char what[64];
        snprintf(what, sizeof what, "dilated conv output %d", i);
        expect_bits(what, out[i], fp_f32_bits(want3[i]));
        expect_f64(what, o64[i], (double)want3[i]);
    }

    /* 5. Unsupported: groups and a pad value (fp padded cells are +0) are rejected. */
    layer_t bad = c2;
    bad.pad_value = 1;
    checks++;
    if (golden_conv_fp_ws(&bad, FP_BF16, 4, x4, w4, NULL, out) == 0) {
        failed++;
        printf("FAIL: pad_value accepted\n");
    }
    bad = c2;
    bad.c = bad.k = 2;
    bad.groups = 2;
    checks++;
    if (golden_conv_fp_ws(&bad, FP_BF16, 4, x4, w4, NULL, out) == 0) {
        failed++;
        printf("FAIL: groups accepted\n");
    }

    printf("test_golden_fp: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
