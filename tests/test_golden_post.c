/* test_golden_post.c - models/golden_post against hand-computed values: rounding helpers,
 * requantization (ties in both signs, saturation, zero point, ReLU, bypass),
 * golden_quant_multiplier, the float formula, window pooling and whole pooled maps.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "golden_post.h"
#include "pecos_err.h"

static void test_rounding(void)
{
    /* x / 2^n, round half to even */
    expect_i("rshift(5,1)=2.5->2", golden_rshift_rhe(5, 1), 2);
    expect_i("rshift(7,1)=3.5->4", golden_rshift_rhe(7, 1), 4);
    expect_i("rshift(-5,1)=-2.5->-2", golden_rshift_rhe(-5, 1), -2);
    expect_i("rshift(-7,1)=-3.5->-4", golden_rshift_rhe(-7, 1), -4);
    expect_i("rshift(6,2)=1.5->2", golden_rshift_rhe(6, 2), 2);
    expect_i("rshift(10,2)=2.5->2", golden_rshift_rhe(10, 2), 2);
    expect_i("rshift(11,2)=2.75->3", golden_rshift_rhe(11, 2), 3);
    expect_i("rshift(-9,2)=-2.25->-2", golden_rshift_rhe(-9, 2), -2);
    expect_i("rshift(-1,1)=-0.5->0", golden_rshift_rhe(-1, 1), 0);
    expect_i("rshift(3,0)", golden_rshift_rhe(3, 0), 3);
    expect_i("rshift(2^62,63)=0.5->0", golden_rshift_rhe(INT64_C(1) << 62, 63), 0);
    expect_i("rshift(3*2^61,63)=0.75->1", golden_rshift_rhe(INT64_C(3) << 61, 63), 1);
    expect_i("rshift(-3*2^61,63)->-1", golden_rshift_rhe(-(INT64_C(3) << 61), 63), -1);
    expect_i("rshift(big,80)=0", golden_rshift_rhe(INT64_C(1) << 62, 80), 0);
    /* num / den */
    expect_i("div(5,2)=2.5->2", golden_div_rhe(5, 2), 2);
    expect_i("div(-5,2)->-2", golden_div_rhe(-5, 2), -2);
    expect_i("div(3,2)=1.5->2", golden_div_rhe(3, 2), 2);
    expect_i("div(-3,2)->-2", golden_div_rhe(-3, 2), -2);
    expect_i("div(10,4)=2.5->2", golden_div_rhe(10, 4), 2);
    expect_i("div(14,4)=3.5->4", golden_div_rhe(14, 4), 4);
    expect_i("div(7,3)=2.33->2", golden_div_rhe(7, 3), 2);
    expect_i("div(8,3)=2.67->3", golden_div_rhe(8, 3), 3);
    expect_i("div(-8,3)->-3", golden_div_rhe(-8, 3), -3);
    expect_i("div(32640,255)=128", golden_div_rhe(32640, 255), 128);
    expect_i("div(-32640,255)=-128", golden_div_rhe(-32640, 255), -128);
}

static void test_requant(void)
{
    const uint32_t half = 1u << 30; /* mult 2^30, shift s: scale 2^-(1+s) */
    /* v/2 with ties */
    expect_i("rq 5*0.5=2.5->2", golden_requant(5, half, 0, 0, true, false), 2);
    expect_i("rq 7*0.5=3.5->4", golden_requant(7, half, 0, 0, true, false), 4);
    expect_i("rq -5*0.5->-2", golden_requant(-5, half, 0, 0, true, false), -2);
    expect_i("rq -7*0.5->-4", golden_requant(-7, half, 0, 0, true, false), -4);
    expect_i("rq -1*0.5->0", golden_requant(-1, half, 0, 0, true, false), 0);
    /* v/8 (shift 2): 12/8 = 1.5 -> 2, 20/8 = 2.5 -> 2, 13/8 = 1.625 -> 2 */
    expect_i("rq 12/8", golden_requant(12, half, 2, 0, true, false), 2);
    expect_i("rq 20/8", golden_requant(20, half, 2, 0, true, false), 2);
    expect_i("rq -20/8", golden_requant(-20, half, 2, 0, true, false), -2);
    expect_i("rq 13/8", golden_requant(13, half, 2, 0, true, false), 2);
    /* mult 3*2^29 = 0.75 * 2^31: v * 0.75 / 2^s; 10 * 0.375 = 3.75 -> 4 (shift 1) */
    expect_i("rq 10*0.375", golden_requant(10, 3u << 29, 1, 0, true, false), 4);
    expect_i("rq 2*0.75=1.5->2", golden_requant(2, 3u << 29, 0, 0, true, false), 2);
    expect_i("rq 6*0.75=4.5->4", golden_requant(6, 3u << 29, 0, 0, true, false), 4);
    expect_i("rq -6*0.75=-4.5->-4", golden_requant(-6, 3u << 29, 0, 0, true, false), -4);
    /* zero point and saturation */
    expect_i("rq zp 10 + 2.5", golden_requant(5, half, 0, 10, true, false), 12);
    expect_i("rq zp -128 + -3", golden_requant(-6, half, 0, -128, true, false), -128);
    expect_i("rq zp 127 + 1", golden_requant(2, half, 0, 127, true, false), 127);
    expect_i("rq zp 127 + -200", golden_requant(-400, half, 0, 127, true, false), -73);
    expect_i("rq sat hi", golden_requant(1000, half, 0, 0, true, false), 127);
    expect_i("rq sat lo", golden_requant(-1000, half, 0, 0, true, false), -128);
    expect_i("rq int32 max", golden_requant(INT32_MAX, 0x7FFFFFFFu, 0, 0, true, false), 127);
    expect_i("rq int32 min", golden_requant(INT32_MIN, 0x7FFFFFFFu, 0, 0, true, false), -128);
    /* int32 min * (2^31-1) / 2^63 = -0.49999999976... -> 0 */
    expect_i("rq shift 32 -> zp", golden_requant(INT32_MIN, 0x7FFFFFFFu, 32, 5, true, false), 5);
    /* 2^31-1 * 2^31-1 / 2^62 = 0.99999999953 -> 1 */
    expect_i("rq shift 31", golden_requant(INT32_MAX, 0x7FFFFFFFu, 31, 0, true, false), 1);
    /* ReLU clamps at zp */
    expect_i("relu zp 0", golden_requant(-7, half, 0, 0, true, true), 0);
    expect_i("relu zp -20", golden_requant(-60, half, 0, -20, true, true), -20);
    expect_i("relu zp -20, -25 -> -20", golden_requant(-10, half, 0, -20, true, true), -20);
    expect_i("relu zp -20, -15 kept", golden_requant(10, half, 0, -20, true, true), -15);
    expect_i("relu zp 5 above", golden_requant(20, half, 0, 5, true, true), 15);
    /* bypass */
    expect_i("bypass 100", golden_requant(100, 0, 0, 0, false, false), 100);
    expect_i("bypass 128", golden_requant(128, 0, 0, 0, false, false), 127);
    expect_i("bypass -129", golden_requant(-129, 0, 0, 0, false, false), -128);
    expect_i("bypass relu zp 3", golden_requant(-5, 0, 0, 3, false, true), 3);
    expect_i("bypass relu zp 3 above", golden_requant(50, 0, 0, 3, false, true), 50);
}

static void test_quant_multiplier(void)
{
    int32_t m = -1;
    int s = -1;
    expect_i("qm 0.5 rc", golden_quant_multiplier(0.5, &m, &s), 0);
    expect_i("qm 0.5 mult", m, 1 << 30);
    expect_i("qm 0.5 shift", s, 0);
    expect_i("qm 0.75 rc", golden_quant_multiplier(0.75, &m, &s), 0);
    expect_i("qm 0.75 mult", m, 3 << 29);
    expect_i("qm 0.75 shift", s, 0);
    expect_i("qm 0.25 rc", golden_quant_multiplier(0.25, &m, &s), 0);
    expect_i("qm 0.25 mult", m, 1 << 30);
    expect_i("qm 0.25 shift", s, 1);
    /* 0.1 = 0.8 * 2^-3: mult = round(0.8 * 2^31) = 1717986918.4 -> 1717986918, shift 3 */
    expect_i("qm 0.1 rc", golden_quant_multiplier(0.1, &m, &s), 0);
    expect_i("qm 0.1 mult", m, 1717986918);
    expect_i("qm 0.1 shift", s, 3);
    /* 1/3 = (2/3) * 2^-1: round(2^32 / 3) = 1431655765.33 -> 1431655765, shift 1 */
    expect_i("qm 1/3 rc", golden_quant_multiplier(1.0 / 3.0, &m, &s), 0);
    expect_i("qm 1/3 mult", m, 1431655765);
    expect_i("qm 1/3 shift", s, 1);
    /* the ends: 2^-33 is the smallest, just below 1 gives 2^31-1 */
    expect_i("qm 2^-33 rc", golden_quant_multiplier(ldexp(1.0, -33), &m, &s), 0);
    expect_i("qm 2^-33 mult", m, 1 << 30);
    expect_i("qm 2^-33 shift", s, 32);
    expect_i("qm 1-2^-40 rc", golden_quant_multiplier(1.0 - ldexp(1.0, -40), &m, &s), 0);
    expect_i("qm 1-2^-40 mult", m, 0x7FFFFFFF);
    expect_i("qm 1-2^-40 shift", s, 0);
    /* rounds up into the next binade: 0.5 - 2^-40 -> mult 2^30, shift 0 (= 0.5) */
    expect_i("qm 0.5-2^-40 rc", golden_quant_multiplier(0.5 - ldexp(1.0, -40), &m, &s), 0);
    expect_i("qm 0.5-2^-40 mult", m, 1 << 30);
    expect_i("qm 0.5-2^-40 shift", s, 0);
    /* out of range: untouched */
    m = 7;
    s = 7;
    expect_i("qm 1.0", golden_quant_multiplier(1.0, &m, &s), PECOS_EPARAM);
    expect_i("qm 2^-34", golden_quant_multiplier(ldexp(1.0, -34), &m, &s), PECOS_EPARAM);
    expect_i("qm 0", golden_quant_multiplier(0.0, &m, &s), PECOS_EPARAM);
    expect_i("qm -0.5", golden_quant_multiplier(-0.5, &m, &s), PECOS_EPARAM);
    expect_i("qm nan", golden_quant_multiplier(NAN, &m, &s), PECOS_EPARAM);
    expect_i("qm untouched", m * 100 + s, 707);
    /* float formula: ties to even, clamps */
    expect_i("float 5*0.5", golden_requant_float(5, 0.5, 0), 2);
    expect_i("float -5*0.5", golden_requant_float(-5, 0.5, 0), -2);
    expect_i("float 7*0.5", golden_requant_float(7, 0.5, 0), 4);
    expect_i("float 1000*0.5+zp", golden_requant_float(1000, 0.5, 0), 127);
    expect_i("float -100*0.1+zp 3", golden_requant_float(-100, 0.1, 3), -7);
    /* The fixed-point form of 0.1 agrees with the float formula away from ties. */
    golden_quant_multiplier(0.1, &m, &s);
    int disagree = 0;
    for (int32_t v = -1300; v <= 1300; v++)
        if (golden_requant(v, (uint32_t)m, s, 0, true, false) != golden_requant_float(v, 0.1, 0))
            disagree++;
    /* v = 5 (mod 10) are exact ties of v * 0.1 in reals; 0.1 as mult is 0.1 - 2.3e-11, so
     * the fixed point rounds them down, the double product (0.1 is 0.1 + 5.6e-18) may not.
     * Count them: |disagreements| can only be at ties. */
    int ties_differ = 0;
    for (int32_t v = -1300; v <= 1300; v++)
        if (v % 10 == 5 || v % 10 == -5)
            if (golden_requant(v, (uint32_t)m, s, 0, true, false) != golden_requant_float(v, 0.1, 0))
                ties_differ++;
    expect_i("0.1: disagreements only at ties", disagree, ties_differ);
}

static void test_pool(void)
{
    int8_t y[4] = {3, -7, 9, 1};
    expect_i("window max", golden_pool_window(y, 4, GOLDEN_POOL_MAX, 4), 9);
    expect_i("window avg 6/4=1.5->2", golden_pool_window(y, 4, GOLDEN_POOL_AVG, 4), 2);
    int8_t z[2] = {-3, 0};
    expect_i("window avg -1.5->-2", golden_pool_window(z, 2, GOLDEN_POOL_AVG, 2), -2);
    int8_t u[2] = {-5, 0};
    expect_i("window avg -2.5->-2", golden_pool_window(u, 2, GOLDEN_POOL_AVG, 2), -2);
    int8_t big[3] = {127, 127, 127};
    expect_i("window avg count<n clamps", golden_pool_window(big, 3, GOLDEN_POOL_AVG, 1), 127);
    expect_i("window none", golden_pool_window(y, 1, GOLDEN_POOL_NONE, 1), 3);

    /* 1 channel 4x4, 2x2 stride 2:
     *    1  2 | 3  4
     *    5  6 | 7  8      max: 6 8       avg: 3.5->4  5.5->6
     *   ------+------          14 16          11.5->12 13.5->14
     *    9 10 |11 12
     *   13 14 |15 16 */
    int8_t m4[16];
    for (int i = 0; i < 16; i++) m4[i] = (int8_t)(i + 1);
    golden_pool_t mp = {.mode = GOLDEN_POOL_MAX, .r = 2, .s = 2, .stride_h = 2, .stride_w = 2};
    int8_t out[64];
    int p = 0, q = 0;
    expect_i("dims 2x2s2 rc", golden_pool_dims(&mp, 4, 4, &p, &q), 0);
    expect_i("dims 2x2s2", p * 10 + q, 22);
    expect_i("pool max rc", golden_pool_i8(m4, 1, 4, 4, &mp, out), 0);
    const int8_t want_max[4] = {6, 8, 14, 16};
    for (int i = 0; i < 4; i++) expect_i("pool max 2x2s2", out[i], want_max[i]);
    golden_pool_t ap = mp;
    ap.mode = GOLDEN_POOL_AVG;
    expect_i("pool avg rc", golden_pool_i8(m4, 1, 4, 4, &ap, out), 0);
    const int8_t want_avg[4] = {4, 6, 12, 14};
    for (int i = 0; i < 4; i++) expect_i("pool avg 2x2s2", out[i], want_avg[i]);

    /* 3x3 stride 1 pad 1 on 3x3 values 1..9, avg with count_include_pad = 0:
     *   corner (0,0): {1,2,4,5} = 12/4 = 3;   edge (0,1): {1..6} = 21/6 = 3.5 -> 4
     *   centre: 45/9 = 5; (1,0): {1,2,4,5,7,8} = 27/6 = 4.5 -> 4; (2,2): {5,6,8,9} = 7 */
    int8_t m3[9];
    for (int i = 0; i < 9; i++) m3[i] = (int8_t)(i + 1);
    golden_pool_t a3 = {.mode = GOLDEN_POOL_AVG, .r = 3, .s = 3, .stride_h = 1, .stride_w = 1,
                        .pad_t = 1, .pad_l = 1, .pad_b = 1, .pad_r = 1};
    expect_i("dims 3x3p1", golden_pool_dims(&a3, 3, 3, &p, &q) == 0 && p == 3 && q == 3, 1);
    expect_i("pool avg 3x3p1 rc", golden_pool_i8(m3, 1, 3, 3, &a3, out), 0);
    const int8_t want3[9] = {3, 4, 4, 4, 5, 6, 6, 6, 7};
    /* (0,2): {2,3,5,6} = 4; (1,2): {2,3,5,6,8,9} = 33/6 = 5.5 -> 6; (2,0): {4,5,7,8} = 6;
     * (2,1): {4..9} = 39/6 = 6.5 -> 6 */
    for (int i = 0; i < 9; i++) expect_i("pool avg 3x3p1", out[i], want3[i]);
    golden_pool_t m3p = a3;
    m3p.mode = GOLDEN_POOL_MAX;
    expect_i("pool max 3x3p1 rc", golden_pool_i8(m3, 1, 3, 3, &m3p, out), 0);
    const int8_t wantm3[9] = {5, 6, 6, 8, 9, 9, 8, 9, 9};
    for (int i = 0; i < 9; i++) expect_i("pool max 3x3p1", out[i], wantm3[i]);

    /* negative values, two channels, 3x3 stride 2 on 5x5 -> 2x2 */
    int8_t m5[50];
    for (int i = 0; i < 25; i++) {
        m5[i] = (int8_t)(-i);      /* channel 0: 0, -1, ..., -24 */
        m5[25 + i] = (int8_t)(i * 5 - 60);
    }
    golden_pool_t a5 = {.mode = GOLDEN_POOL_AVG, .r = 3, .s = 3, .stride_h = 2, .stride_w = 2};
    expect_i("pool avg 3x3s2 rc", golden_pool_i8(m5, 2, 5, 5, &a5, out), 0);
    /* ch0 (0,0): -(0+1+2+5+6+7+10+11+12) = -54/9 = -6; (0,1): -72/9 = -8; (1,0): -144/9
     * = -16; (1,1): -162/9 = -18. ch1 = 5 * (-ch0) - 60: 30-60 = -30, -20, 20, 30 */
    const int8_t want5[8] = {-6, -8, -16, -18, -30, -20, 20, 30};
    for (int i = 0; i < 8; i++) expect_i("pool avg 3x3s2 2ch", out[i], want5[i]);

    /* golden_post_map: requant x0.5 with bias, relu, then max 2x2 s2 */
    int32_t acc[16];
    for (int i = 0; i < 16; i++) acc[i] = (i % 2 ? 1 : -1) * (i * 4 + 1);
    int32_t bias[1] = {2};
    golden_rq_t rq = {.mult = 1u << 30, .shift = 0, .zp = -1, .rq_en = true, .relu = true};
    /* acc: -1 5 -9 13 / -17 21 -25 29 / -33 37 -41 45 / -49 53 -57 61; +2:
     *      1 7 -7 15 / -15 23 -23 31 / -31 39 -39 47 / -47 55 -55 63; /2 RHE:
     *      0 4 -4 8 / -8 12 -12 16 / -16 20 -20 24 / -24 28 -28 32; +zp -1, relu at -1:
     *     -1 3 -1 7 / -1 11 -1 15 / -1 19 -1 23 / -1 27 -1 31; max 2x2s2: 11 15 27 31 */
    expect_i("post_map rc", golden_post_map(acc, bias, 1, 4, 4, &rq, &mp, out), 0);
    const int8_t wantpm[4] = {11, 15, 27, 31};
    for (int i = 0; i < 4; i++) expect_i("post_map max", out[i], wantpm[i]);
    golden_pool_t none = {.mode = GOLDEN_POOL_NONE};
    expect_i("post_map none rc", golden_post_map(acc, bias, 1, 4, 4, &rq, &none, out), 0);
    expect_i("post_map none [1]", out[1], 3);
    expect_i("post_map none [14]", out[14], -1);

    /* invalid pools */
    golden_pool_t bad = mp;
    bad.pad_t = 2;
    expect_i("pad >= r", golden_pool_dims(&bad, 4, 4, &p, &q), PECOS_EPARAM);
    bad = mp;
    bad.stride_h = 0;
    expect_i("stride 0", golden_pool_dims(&bad, 4, 4, &p, &q), PECOS_EPARAM);
    bad = mp;
    bad.mode = 3;
    expect_i("mode 3", golden_pool_dims(&bad, 4, 4, &p, &q), PECOS_EPARAM);
    expect_i("window > plane", golden_pool_dims(&a5, 2, 2, &p, &q), PECOS_EPARAM);
}

int main(void)
{
    test_rounding();
    test_requant();
    test_quant_multiplier();
    test_pool();
    printf("%s: test_golden_post: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks,
           failed);
    return failed ? 1 : 0;
}
