/* test_golden_conv.c - checks the reference convolution against hand-computed outputs.
 *
 * Every expected array below was worked out by hand (the arithmetic for a few elements is
 * shown next to it); none is produced by a second implementation. The last part runs one
 * AlexNet-conv3-sized layer (~150 M MACs), prints its time and spot-checks 20 outputs.
 *
 * Exit status 0 only if every check passes. Failures print
 *   FAIL: <case> index (k,p,q) expected X got Y
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "golden_conv.h"
#include "pecos_err.h"
#include "rng.h"

typedef struct {
    int checks; /* checks run */
    int failed; /* checks failed */
} tally_t;

/* Records one non-element check; prints a FAIL line naming the case when ok is false. */
static void check(tally_t *t, bool ok, const char *name, const char *what)
{
    t->checks++;
    if (!ok) {
        t->failed++;
        printf("FAIL: %s %s\n", name, what);
    }
}

/* A 1-group, stride-1, dilation-1, unpadded conv of the given shape. */
static layer_t conv_base(int c, int h, int w, int k, int r, int s)
{
    layer_t cv = {
        .c = c, .h = h, .w = w, .k = k, .r = r, .s = s,
        .stride_h = 1, .stride_w = 1,
        .pad_t = 0, .pad_l = 0, .pad_b = 0, .pad_r = 0,
        .dil_h = 1, .dil_w = 1,
        .groups = 1,
    };
    return cv;
}

/* Runs golden_conv_i8 on one hand-computed case and compares every output element with
 * expect ([K, exp_p, exp_q], row-major). One check per element, plus one for the output
 * size and one for the return code. */
static void run_case(tally_t *t, const char *name, const layer_t *cv, const int8_t *in,
                     const int8_t *w, const int32_t *bias, int exp_p, int exp_q,
                     const int32_t *expect)
{
    int p = 0, q = 0;
    char what[128];

    t->checks++;
    if (layer_out_hw(cv, &p, &q) != 0 || p != exp_p || q != exp_q) {
        t->failed++;
        printf("FAIL: %s output size expected %dx%d got %dx%d\n", name, exp_p, exp_q, p, q);
        return;
    }

    size_t n = (size_t)cv->k * p * q;
    int32_t *out = malloc(n * sizeof(*out));

    if (out == NULL) {
        check(t, false, name, "out of memory");
        return;
    }
    int rc = golden_conv_i8(cv, in, w, bias, out);

    snprintf(what, sizeof(what), "golden_conv_i8 returned %d (%s)", rc, pecos_strerror(rc));
    check(t, rc == 0, name, what);
    if (rc == 0) {
        for (int k = 0; k < cv->k; k++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    size_t idx = ((size_t)k * p + i) * q + j;

                    t->checks++;
                    if (out[idx] != expect[idx]) {
                        t->failed++;
                        printf("FAIL: %s index (%d,%d,%d) expected %" PRId32 " got %" PRId32 "\n",
                               name, k, i, j, expect[idx], out[idx]);
                    }
                }
            }
        }
    }
    free(out);
}

/* 3x3 input 1..9 and 2x2 filter [[1,2],[3,4]] shared by cases 1, 2 and 8. */
static const int8_t in3x3[9] = {
    1, 2, 3,
    4, 5, 6,
    7, 8, 9,
};
static const int8_t f2x2[4] = {
    1, 2,
    3, 4,
};

/* 5x5 input x(i,j) = 5*i + j + 1 (1..25), used by cases 3 and 7. */
static const int8_t in5x5[25] = {
    1,  2,  3,  4,  5,
    6,  7,  8,  9,  10,
    11, 12, 13, 14, 15,
    16, 17, 18, 19, 20,
    21, 22, 23, 24, 25,
};

/* Case 1: 1 channel, 3x3 input, 2x2 filter, stride 1, no padding -> 2x2. */
static void case_basic(tally_t *t)
{
    layer_t cv = conv_base(1, 3, 3, 1, 2, 2);
    /* (0,0) = 1*1 + 2*2 + 4*3 + 5*4 = 1 + 4 + 12 + 20 = 37
     * (0,1) = 2*1 + 3*2 + 5*3 + 6*4 = 2 + 6 + 15 + 24 = 47
     * (1,0) = 4*1 + 5*2 + 7*3 + 8*4 = 4 + 10 + 21 + 32 = 67
     * (1,1) = 5*1 + 6*2 + 8*3 + 9*4 = 5 + 12 + 24 + 36 = 77 */
    static const int32_t expect[4] = {
        37, 47,
        67, 77,
    };
    run_case(t, "case1_3x3_f2x2", &cv, in3x3, f2x2, NULL, 2, 2, expect);
}

/* Case 2: as case 1 with pad 1 on all four sides -> 4x4. */
static void case_pad1(tally_t *t)
{
    layer_t cv = conv_base(1, 3, 3, 1, 2, 2);

    cv.pad_t = cv.pad_l = cv.pad_b = cv.pad_r = 1;
    /* Padded input:      out(p,q) = 1*x(p,q) + 2*x(p,q+1) + 3*x(p+1,q) + 4*x(p+1,q+1)
     *   0 0 0 0 0
     *   0 1 2 3 0        (0,0) = 0 + 0 + 3*0 + 4*1 = 4
     *   0 4 5 6 0        (0,3) = 0 + 0 + 3*3 + 4*0 = 9
     *   0 7 8 9 0        (1,0) = 1*0 + 2*1 + 3*0 + 4*4 = 2 + 16 = 18
     *   0 0 0 0 0        (2,3) = 1*6 + 2*0 + 3*9 + 4*0 = 6 + 27 = 33
     *                    (3,1) = 1*7 + 2*8 + 0 + 0 = 23
     * The centre 2x2 is case 1. */
    static const int32_t expect[16] = {
        4,  11, 18, 9,
        18, 37, 47, 21,
        36, 67, 77, 33,
        14, 23, 26, 9,
    };
    run_case(t, "case2_pad1", &cv, in3x3, f2x2, NULL, 4, 4, expect);
}

/* Case 3: 5x5 input, 3x3 filter, stride 2, pad 1 -> 3x3. */
static void case_stride2_pad1(tally_t *t)
{
    layer_t cv = conv_base(1, 5, 5, 1, 3, 3);
    /* Asymmetric filter with a negative tap, so a transposed or flipped filter shows. */
    static const int8_t f[9] = {
        1, 0, 2,
        0, 1, 0,
        3, 0, -1,
    };

    cv.stride_h = cv.stride_w = 2;
    cv.pad_t = cv.pad_l = cv.pad_b = cv.pad_r = 1;
    /* P = floor((5 + 2 - 2 - 1) / 2) + 1 = 3. Window top-left is x(2p-1, 2q-1), so
     * out(p,q) = x(2p-1,2q-1) + 2*x(2p-1,2q+1) + x(2p,2q) + 3*x(2p+1,2q-1) - x(2p+1,2q+1)
     * with x = 0 outside 0..4.
     *   (0,0) = 0 + 0 + x(0,0)=1 + 0 - x(1,1)=7                    = -6
     *   (1,1) = x(1,1)=7 + 2*x(1,3)=18 + x(2,2)=13 + 3*x(3,1)=51 - x(3,3)=19 = 70
     *   (2,2) = x(3,3)=19 + 2*x(3,5)=0 + x(4,4)=25 + 0 - 0       = 44 */
    static const int32_t expect[9] = {
        -6, 15, 32,
        8,  70, 81,
        55, 78, 44,
    };
    run_case(t, "case3_stride2_pad1", &cv, in5x5, f, NULL, 3, 3, expect);
}

/* Case 4: 2 input channels, 2 output channels, 1x1 filter, bias. */
static void case_1x1_bias(tally_t *t)
{
    layer_t cv = conv_base(2, 2, 2, 2, 1, 1);
    static const int8_t in[8] = {
        1, 2, 3, 4,  /* channel 0 */
        -1, 0, 2, -3, /* channel 1 */
    };
    static const int8_t w[4] = {
        2, 3,  /* k=0: w[0][0], w[0][1] */
        -1, 4, /* k=1: w[1][0], w[1][1] */
    };
    static const int32_t bias[2] = {100, -50};
    /* k=0: 2*ch0 + 3*ch1 + 100    (0,0) = 2*1 + 3*(-1) + 100 = 99
     *                              (1,1) = 2*4 + 3*(-3) + 100 = 99
     * k=1: -ch0 + 4*ch1 - 50      (0,0) = -1 + 4*(-1) - 50 = -55
     *                              (1,1) = -4 + 4*(-3) - 50 = -66 */
    static const int32_t expect[8] = {
        99,  104, 112, 99,
        -55, -52, -45, -66,
    };
    run_case(t, "case4_1x1_bias", &cv, in, w, bias, 2, 2, expect);
}

/* Case 5: pad_t = 1 only, stride_h 1, stride_w 2, on a 3x5 input. */
static void case_asym(tally_t *t)
{
    layer_t cv = conv_base(1, 3, 5, 1, 2, 2);
    static const int8_t in[15] = {
        1,  2,  3,  4,  5,
        6,  7,  8,  9,  10,
        11, 12, 13, 14, 15,
    };
    static const int8_t f[4] = {
        1, -1,
        2, 1,
    };

    cv.pad_t = 1;
    cv.stride_w = 2;
    /* P = floor((3 + 1 - 1 - 1) / 1) + 1 = 3;  Q = floor((5 - 1 - 1) / 2) + 1 = 2 (column 4
     * is never read). out(p,q) = x(p-1,2q) - x(p-1,2q+1) + 2*x(p,2q) + x(p,2q+1), row -1 = 0.
     *   (0,0) = 0 - 0 + 2*1 + 2         = 4
     *   (1,1) = 3 - 4 + 2*8 + 9         = 24
     *   (2,0) = 6 - 7 + 2*11 + 12       = 33 */
    static const int32_t expect[6] = {
        4,  10,
        18, 24,
        33, 39,
    };
    run_case(t, "case5_asym_pad_stride", &cv, in, f, NULL, 3, 2, expect);
}

/* Case 5b: dilation 2x1, strides 1x2, pads t0 l1 b1 r0, padded cells = pad_value, on a 3x4
 * input x = [[1,2,3,4],[5,6,7,8],[9,10,11,12]] with the 2x2 filter w = [[2,1],[-1,3]].
 * P = floor((3 + 0 + 1 - 2*1 - 1) / 1) + 1 = 2;  Q = floor((4 + 1 + 0 - 1 - 1) / 2) + 1 = 2.
 * out(p,q) = sum_{i,j} x(p + 2i, 2q - 1 + j) * w(i,j); row 3 and column -1 are padding (v).
 * v = 0:  (0,0) = v*2 + 1*1 + v*-1 + 9*3 = 28     (0,1) = 2*2 + 3*1 - 10 + 11*3 = 30
 *         (1,0) = v*2 + 5*1 + v*-1 + v*3 = 5      (1,1) = 6*2 + 7*1 + v*-1 + v*3 = 19
 * v = -3: (0,0) = -6 + 1 + 3 + 27 = 25            (0,1) = 30 (no padded cell)
 *         (1,0) = -6 + 5 + 3 - 9 = -7             (1,1) = 12 + 7 + 3 - 9 = 13 */
static void case_dil_stride_asym_padvalue(tally_t *t)
{
    layer_t cv = conv_base(1, 3, 4, 1, 2, 2);
    static const int8_t in[12] = {
        1, 2,  3,  4,
        5, 6,  7,  8,
        9, 10, 11, 12,
    };
    static const int8_t f[4] = {
        2,  1,
        -1, 3,
    };
    static const int32_t expect0[4] = {28, 30, 5, 19}, expect3[4] = {25, 30, -7, 13};

    cv.dil_h = 2;
    cv.stride_w = 2;
    cv.pad_l = 1;
    cv.pad_b = 1;
    run_case(t, "case5b_dil_stride_asym", &cv, in, f, NULL, 2, 2, expect0);
    cv.pad_value = -3;
    run_case(t, "case5b_dil_stride_asym_padvalue", &cv, in, f, NULL, 2, 2, expect3);
    /* pad_value outside int8 is refused, naming it */
    char err[256];
    cv.pad_value = 128;
    check(t, layer_check(&cv, err, sizeof err) == PECOS_EPARAM && strstr(err, "pad_value"),
          "case5b", "pad_value 128 refused naming pad_value");
}

/* Case 5c: dilation 3 on both axes, stride 3x1, pad_value 7 on every side (pad 1), one
 * channel, 5x5 input x(i,j) = 5i + j + 1, 2x2 filter [[1,0],[0,-1]] (out = a - b of two
 * cells 3 apart diagonally).
 * P = floor((5 + 2 - 3 - 1) / 3) + 1 = 2;  Q = floor((5 + 2 - 3 - 1) / 1) + 1 = 4.
 * out(p,q) = x(3p - 1, q - 1) - x(3p + 2, q + 2), x = 7 outside the image.
 *   (0,0) = 7 - x(2,2)=13 -> -6    (0,1) = 7 - x(2,3)=14 -> -7   (0,2) = 7 - 15 = -8
 *   (0,3) = 7 - x(2,5)=7 -> 0
 *   (1,0) = x(2,-1)=7 - x(5,2)=7 -> 0   (1,1) = x(2,0)=11 - 7 = 4   (1,2) = 12 - 7 = 5
 *   (1,3) = 13 - 7 = 6 */
static void case_dil3_stride3x1_padvalue(tally_t *t)
{
    layer_t cv = conv_base(1, 5, 5, 1, 2, 2);
    static const int8_t f[4] = {
        1, 0,
        0, -1,
    };
    static const int32_t expect[8] = {
        -6, -7, -8, 0,
        0,  4,  5,  6,
    };

    cv.dil_h = cv.dil_w = 3;
    cv.stride_h = 3;
    cv.pad_t = cv.pad_l = cv.pad_b = cv.pad_r = 1;
    cv.pad_value = 7;
    run_case(t, "case5c_dil3_stride3x1_padvalue", &cv, in5x5, f, NULL, 2, 4, expect);
}

/* Case 6: int8 extremes; each output is a single 2x2x2 window, 8 products. */
static void case_extremes(tally_t *t)
{
    layer_t cv = conv_base(2, 2, 2, 2, 2, 2);
    static const int8_t in[8] = {
        -128, -128, -128, -128, /* channel 0 */
        127, -128, 127, 127,    /* channel 1 */
    };
    static const int8_t w[16] = {
        -128, -128, -128, -128, 127, 127, 127, 127,  /* k=0: c0, c1 */
        127, 127, 127, 127, -128, -128, -128, -128,  /* k=1: c0, c1 */
    };
    /* k=0: 4 * (-128*-128) + 127*(127 - 128 + 127 + 127)
     *    = 4 * 16384 + 127 * 253 = 65536 + 32131 = 97667       (overflows int16)
     * k=1: 4 * (-128*127) + (-128)*(253)
     *    = 4 * -16256 - 32384 = -65024 - 32384 = -97408 */
    static const int32_t expect[2] = {97667, -97408};

    run_case(t, "case6_extremes", &cv, in, w, NULL, 1, 1, expect);

    /* Same with bias at the int32 limits: the int32 result wraps modulo 2^32.
     * k=0: 2147483647 + 97667 = 2147581314 -> 2147581314 - 4294967296 = -2147385982
     * k=1: -2147483648 - 97408 = -2147581056 -> -2147581056 + 4294967296 = 2147386240 */
    static const int32_t bias[2] = {INT32_MAX, INT32_MIN};
    static const int32_t expect_wrap[2] = {-2147385982, 2147386240};

    run_case(t, "case6_extremes_wrap", &cv, in, w, bias, 1, 1, expect_wrap);
}

/* Case 7: dilation 2 on the 5x5 input with the 2x2 filter [[1,2],[3,4]]. */
static void case_dilation(tally_t *t)
{
    layer_t cv = conv_base(1, 5, 5, 1, 2, 2);

    cv.dil_h = cv.dil_w = 2;
    /* P = floor((5 - 2*1 - 1) / 1) + 1 = 3.
     * out(p,q) = x(p,q) + 2*x(p,q+2) + 3*x(p+2,q) + 4*x(p+2,q+2)
     *   (0,0) = 1 + 2*3 + 3*11 + 4*13 = 1 + 6 + 33 + 52 = 92
     *   (1,2) = 8 + 2*10 + 3*18 + 4*20 = 8 + 20 + 54 + 80 = 162
     *   (2,1) = 12 + 2*14 + 3*22 + 4*24 = 12 + 28 + 66 + 96 = 202 */
    static const int32_t expect[9] = {
        92,  102, 112,
        142, 152, 162,
        192, 202, 212,
    };
    run_case(t, "case7_dilation2", &cv, in5x5, f2x2, NULL, 3, 3, expect);

    /* dil_h 2, dil_w 1: Q = 4, out(p,q) = x(p,q) + 2*x(p,q+1) + 3*x(p+2,q) + 4*x(p+2,q+1)
     *   (0,0) = 1 + 2*2 + 3*11 + 4*12 = 1 + 4 + 33 + 48 = 86
     *   (2,3) = 14 + 2*15 + 3*24 + 4*25 = 14 + 30 + 72 + 100 = 216 */
    static const int32_t expect_hw[12] = {
        86,  96,  106, 116,
        136, 146, 156, 166,
        186, 196, 206, 216,
    };
    cv.dil_w = 1;
    run_case(t, "case7_dilation_h2_w1", &cv, in5x5, f2x2, NULL, 3, 4, expect_hw);
}

/* Case 8: groups = 2 with c = k = 2 (depthwise), plus groups = 2 with 2 outputs per group. */
static void case_groups(tally_t *t)
{
    layer_t cv = conv_base(2, 3, 3, 2, 2, 2);
    static const int8_t in[18] = {
        1, 2, 3, 4, 5, 6, 7, 8, 9,     /* channel 0 (= in3x3) */
        2, -1, 0, 3, 5, -4, 1, -2, 6, /* channel 1 */
    };
    static const int8_t w[8] = {
        1, 2, 3, 4,  /* k=0, sees channel 0 only */
        1, -1, 0, 2, /* k=1, sees channel 1 only */
    };

    cv.groups = 2;
    /* k=0 is case 1: 37 47 67 77.
     * k=1: out(p,q) = c1(p,q) - c1(p,q+1) + 2*c1(p+1,q+1), channel 1 = [[2,-1,0],[3,5,-4],[1,-2,6]]
     *   (0,0) = 2 - (-1) + 2*5    = 13
     *   (0,1) = -1 - 0 + 2*(-4)   = -9
     *   (1,0) = 3 - 5 + 2*(-2)    = -6
     *   (1,1) = 5 - (-4) + 2*6    = 21 */
    static const int32_t expect[8] = {
        37, 47, 67, 77,
        13, -9, -6, 21,
    };
    run_case(t, "case8_depthwise", &cv, in, w, NULL, 2, 2, expect);

    /* groups 2, c 2, k 4, 1x1 on a 1x1 image: k 0,1 read channel 0 (= 3), k 2,3 channel 1 (= -5).
     *   k0 = 2*3 = 6, k1 = -1*3 = -3, k2 = 4*(-5) = -20, k3 = 7*(-5) = -35 */
    layer_t cv2 = conv_base(2, 1, 1, 4, 1, 1);
    static const int8_t in2[2] = {3, -5};
    static const int8_t w2[4] = {2, -1, 4, 7};
    static const int32_t expect2[4] = {6, -3, -20, -35};

    cv2.groups = 2;
    run_case(t, "case8_groups2_k4", &cv2, in2, w2, NULL, 1, 1, expect2);
}

/* golden_conv_out_hw on two AlexNet layers. */
static void case_out_hw(tally_t *t)
{
    char what[96];
    int p = 0, q = 0, rc;

    /* conv3: 15x15, 3x3, stride 1, pad 0 -> (15 - 3) / 1 + 1 = 13 */
    layer_t conv3 = conv_base(256, 15, 15, 384, 3, 3);

    rc = layer_out_hw(&conv3, &p, &q);
    snprintf(what, sizeof(what), "expected 0 13x13 got %d %dx%d", rc, p, q);
    check(t, rc == 0 && p == 13 && q == 13, "out_hw_alexnet_conv3", what);

    /* conv1: 227x227, 11x11, stride 4, pad 0 -> (227 - 11) / 4 + 1 = 54 + 1 = 55 */
    layer_t conv1 = conv_base(3, 227, 227, 96, 11, 11);

    conv1.stride_h = conv1.stride_w = 4;
    p = q = 0;
    rc = layer_out_hw(&conv1, &p, &q);
    snprintf(what, sizeof(what), "expected 0 55x55 got %d %dx%d", rc, p, q);
    check(t, rc == 0 && p == 55 && q == 55, "out_hw_alexnet_conv1", what);
}

/* golden_conv_check: one invalid config; expects PECOS_EPARAM and an err naming param. */
static void expect_reject(tally_t *t, const char *name, const layer_t *cv,
                          const char *param)
{
    char err[256] = "";
    char what[400];
    int rc = layer_check(cv, err, sizeof(err));

    snprintf(what, sizeof(what), "expected PECOS_EPARAM and a reason naming '%s', got %d \"%s\"",
             param, rc, err);
    check(t, rc == PECOS_EPARAM && err[0] != '\0' && strstr(err, param) != NULL, name, what);
}

static void case_check(tally_t *t)
{
    layer_t ok = conv_base(4, 5, 5, 6, 3, 3);
    layer_t cv;
    char err[256] = "stale";
    int rc = layer_check(&ok, err, sizeof(err));
    char what[400];

    snprintf(what, sizeof(what), "valid config: expected 0 and empty err, got %d \"%s\"", rc, err);
    check(t, rc == 0 && err[0] == '\0', "check_accepts_valid", what);

    cv = ok;
    cv.stride_h = 0;
    expect_reject(t, "check_rejects_stride0", &cv, "stride_h");

    cv = ok;
    cv.groups = 3; /* divides k 6 but not c 4 */
    expect_reject(t, "check_rejects_groups_not_dividing_c", &cv, "groups");

    cv = ok;
    cv.pad_l = -1;
    expect_reject(t, "check_rejects_negative_pad", &cv, "pad_l");

    cv = ok;
    cv.r = 8; /* 5 + 1 + 1 = 7 < 8: no output row */
    cv.pad_t = cv.pad_b = 1;
    expect_reject(t, "check_rejects_filter_larger_than_padded_input", &cv, "no output");

    /* out_hw must also refuse a layer with no output, and leave p, q alone. */
    int p = -7, q = -7;

    rc = layer_out_hw(&cv, &p, &q);
    snprintf(what, sizeof(what), "expected PECOS_EPARAM and p,q untouched, got %d %d,%d", rc, p,
             q);
    check(t, rc == PECOS_EPARAM && p == -7 && q == -7, "out_hw_rejects_no_output", what);

    /* golden_conv_i8 must refuse what golden_conv_check refuses. */
    int8_t dummy_in[1] = {0}, dummy_w[1] = {0};
    int32_t dummy_out[1] = {0};

    rc = golden_conv_i8(&cv, dummy_in, dummy_w, NULL, dummy_out);
    snprintf(what, sizeof(what), "expected PECOS_EPARAM, got %d", rc);
    check(t, rc == PECOS_EPARAM, "conv_i8_rejects_invalid", what);
}

/* AlexNet conv3 (C=256, K=384, 15x15, 3x3, no pad): time it and recheck 20 random outputs
 * with a direct scalar sum. */
static void case_large(tally_t *t)
{
    const uint32_t seed = 0x5eed1234u;
    rng_t rng; /* common/rng.h: deterministic, so a failure is reproducible */
    rng_seed(&rng, seed);
    layer_t cv = conv_base(256, 15, 15, 384, 3, 3);
    int P, Q;

    if (layer_out_hw(&cv, &P, &Q) != 0) {
        check(t, false, "large_alexnet_conv3", "golden_conv_out_hw failed");
        return;
    }

    size_t n_in = (size_t)cv.c * cv.h * cv.w;
    size_t n_w = (size_t)cv.k * cv.c * cv.r * cv.s;
    size_t n_out = (size_t)cv.k * P * Q;
    int8_t *in = malloc(n_in);
    int8_t *w = malloc(n_w);
    int32_t *bias = malloc((size_t)cv.k * sizeof(*bias));
    int32_t *out = malloc(n_out * sizeof(*out));

    if (in == NULL || w == NULL || bias == NULL || out == NULL) {
        check(t, false, "large_alexnet_conv3", "out of memory");
        goto out_free;
    }
    for (size_t i = 0; i < n_in; i++)
        in[i] = (int8_t)rng_range(&rng, -128, 127);
    for (size_t i = 0; i < n_w; i++)
        w[i] = (int8_t)rng_range(&rng, -128, 127);
    for (int k = 0; k < cv.k; k++)
        bias[k] = (int32_t)rng_range(&rng, -1000000, 1000000);

    double macs = (double)n_out * cv.c * cv.r * cv.s;
    clock_t t0 = clock();
    int rc = golden_conv_i8(&cv, in, w, bias, out);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    char what[160];

    snprintf(what, sizeof(what), "golden_conv_i8 returned %d (%s)", rc, pecos_strerror(rc));
    check(t, rc == 0, "large_alexnet_conv3", what);
    printf("info: large_alexnet_conv3 seed 0x%08" PRIx32 ": %.1f M MACs in %.3f s (%.0f M MACs/s)\n",
           seed, macs / 1e6, secs, secs > 0 ? macs / 1e6 / secs : 0.0);
    if (rc != 0)
        goto out_free;

    for (int i = 0; i < 20; i++) {
        int k = (int)rng_range(&rng, 0, cv.k - 1);
        int p = (int)rng_range(&rng, 0, P - 1);
        int q = (int)rng_range(&rng, 0, Q - 1);
        int64_t sum = bias[k];

        for (int c = 0; c < cv.c; c++)
            for (int r = 0; r < cv.r; r++)
                for (int s = 0; s < cv.s; s++)
                    sum += in[((size_t)c * cv.h + p + r) * cv.w + q + s] *
                           w[(((size_t)k * cv.c + c) * cv.r + r) * cv.s + s];

        int32_t got = out[((size_t)k * P + p) * Q + q];

        t->checks++;
        if (sum != got) { /* |sum| < 2^31 here: 2304 products of at most 2^14, bias < 2^20 */
            t->failed++;
            printf("FAIL: large_alexnet_conv3 index (%d,%d,%d) expected %" PRId64 " got %" PRId32 " (seed 0x%08" PRIx32 ")\n",
                   k, p, q, sum, got, seed);
        }
    }

out_free:
    free(out);
    free(bias);
    free(w);
    free(in);
}

int main(void)
{
    tally_t t = {0, 0};

    case_basic(&t);
    case_pad1(&t);
    case_stride2_pad1(&t);
    case_1x1_bias(&t);
    case_asym(&t);
    case_dil_stride_asym_padvalue(&t);
    case_dil3_stride3x1_padvalue(&t);
    case_extremes(&t);
    case_dilation(&t);
    case_groups(&t);
    case_out_hw(&t);
    case_check(&t);
    case_large(&t);

    printf("test_golden_conv: %d checks, %d failed\n", t.checks, t.failed);
    return t.failed == 0 ? 0 : 1;
}
