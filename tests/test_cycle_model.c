/* test_cycle_model.c - the WS, IS and OS cycle models against hand-derived schedules. */
#include <stdio.h>

#include "expect.h"
#include "pecos_err.h"
#include "cycle_model.h"

int main(void)
{
    cycle_model_t m;
    /* A: 4x4, one fold (CRS=4, K=4), N=36, D=7: weights in cycles 0..3, beats 4..39,
     * last output read in cycle 39+7=46 -> 47 cycles. */
    layer_t a = {.c = 4, .h = 6, .w = 6, .k = 4, .r = 1, .s = 1,
                 .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t a_a = {.rows = 4, .cols = 4};
    expect("A rc", (unsigned long long)(cycle_model_conv(&a, &a_a, &m) == 0), 1);
    expect("A latency", m.latency, 7);
    expect("A folds", m.folds, 1);
    expect("A cycles", m.cycles, 47);
    expect("A ideal", m.ideal_cycles, 36);
    expect("A macs", m.macs, 4ull * 36 * 4);

    /* B: FC 8 -> 4 on 4x4: two chained folds, N=1. Fold 0: weights 0..3, beat 4, sum out in
     * cycle 11. Fold 1: weights 4..7, beat waits for the psum: cycle 12, out in 19 -> 20. */
    layer_t b = {.c = 8, .h = 1, .w = 1, .k = 4, .r = 1, .s = 1,
                 .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t b_a = {.rows = 4, .cols = 4};
    cycle_model_conv(&b, &b_a, &m);
    expect("B folds", m.folds, 2);
    expect("B cycles", m.cycles, 20);

    /* C: FC 4 -> 12 on 4x4: three independent folds, N=1: S = 4, 8, 12 (weights lane bound),
     * last out 12+7=19 -> 20. */
    layer_t c = {.c = 4, .h = 1, .w = 1, .k = 12, .r = 1, .s = 1,
                 .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t c_a = {.rows = 4, .cols = 4};
    cycle_model_conv(&c, &c_a, &m);
    expect("C folds", m.folds, 3);
    expect("C cycles", m.cycles, 20);

    /* D: 4x4, KG=3, N=10: S = 4, 14, 24; fold 2's load waits for bank 0 (L2 = S0+N-1 = 13);
     * cycles = 24+10+7 = 41 = Cols + F*N + D. */
    layer_t d = {.c = 4, .h = 2, .w = 5, .k = 12, .r = 1, .s = 1,
                 .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t d_a = {.rows = 4, .cols = 4};
    cycle_model_conv(&d, &d_a, &m);
    expect("D cycles", m.cycles, 41);

    /* E: AlexNet conv3 on 16x16: P=Q=13, N=169, CF=144, KG=24, D=31; N >= D+1 so
     * cycles = 16 + 3456*169 + 31. */
    layer_t e = {.c = 256, .h = 15, .w = 15, .k = 384, .r = 3,
                 .s = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t e_a = {.rows = 16, .cols = 16};
    cycle_model_conv(&e, &e_a, &m);
    expect("E p", (unsigned long long)m.p, 13);
    expect("E folds", m.folds, 3456);
    expect("E cycles", m.cycles, 16ull + 3456ull * 169 + 31);
    expect("E ideal", m.ideal_cycles, (149520384ull + 255) / 256);

    /* F: stride and padding: 5x5, 3x3, stride 2, pad 1 -> 3x3. */
    layer_t f = {.c = 1, .h = 5, .w = 5, .k = 1, .r = 3, .s = 3,
                 .stride_h = 2, .stride_w = 2, .dil_h = 1, .dil_w = 1,
                 .pad_t = 1, .pad_l = 1, .pad_b = 1, .pad_r = 1};
    array_cfg_t f_a = {.rows = 8, .cols = 8};
    cycle_model_conv(&f, &f_a, &m);
    expect("F p", (unsigned long long)m.p, 3);
    expect("F q", (unsigned long long)m.q, 3);
    /* One fold (CRS=9 -> CF=2 on 8 rows: chained, N=9 < D+1=16): S0=8, S1=max(16,17,24)=24,
     * cycles = 24 + 9 + 15 = 48. */
    expect("F cycles", m.cycles, 48);

    /* G: dilation 2x3, strides 2x1, pads t2 l0 b1 r3 on 11x9, 3x3:
     * P = floor((11 + 3 - 2*2 - 1) / 2) + 1 = 5, Q = floor((9 + 3 - 3*2 - 1) / 1) + 1 = 6.
     * The timing depends on K, C*R*S and P*Q only: the same as a plain 5x6 pad-1 3x3 layer. */
    layer_t g = {.c = 3, .h = 11, .w = 9, .k = 5, .r = 3, .s = 3,
                 .stride_h = 2, .stride_w = 1, .dil_h = 2, .dil_w = 3,
                 .pad_t = 2, .pad_l = 0, .pad_b = 1, .pad_r = 3};
    array_cfg_t g_a = {.rows = 4, .cols = 4};
    layer_t g0 = {.c = 3, .h = 5, .w = 6, .k = 5, .r = 3, .s = 3,
                  .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
                  .pad_t = 1, .pad_l = 1, .pad_b = 1, .pad_r = 1};
    array_cfg_t g0_a = {.rows = 4, .cols = 4};
    cycle_model_t m0;
    expect("G rc", (unsigned long long)cycle_model_conv(&g, &g_a, &m), 0);
    cycle_model_conv(&g0, &g0_a, &m0);
    expect("G p", (unsigned long long)m.p, 5);
    expect("G q", (unsigned long long)m.q, 6);
    expect("G cycles = plain 5x6", m.cycles, m0.cycles);
    g.dil_h = 0;
    expect("G dilation 0 refused", (unsigned long long)cycle_model_conv(&g, &g_a, &m), PECOS_EPARAM);

    /* IS: inputs held, channels streamed. FC 8 -> 4 on 4x4 (as B): one pixel group, CF=2,
     * N=K=4 beats a fold. Fold 0: pixel lanes loaded 0..3, beats 4..7; fold 1: loaded 4..7,
     * its first beat waits for beat 4's partial sum: 4+7+1 = 12, beats 12..15, last out
     * 15+7 = 22 -> 23 cycles (WS takes 20: one beat a fold). */
    layer_t ib = b;
    array_cfg_t ib_a = b_a;
    ib_a.df = DF_IS;
    cycle_model_conv(&ib, &ib_a, &m);
    expect("IS-B groups", m.kgroups, 1);
    expect("IS-B beats per fold", m.beats_per_fold, 4);
    expect("IS-B cycles", m.cycles, 23);
    /* IS on A: 36 pixels -> 9 groups of 4, N = K = 4: S_f = 4 + 4f, cycles 36+4+7 = 47. */
    layer_t ia = a;
    array_cfg_t ia_a = a_a;
    ia_a.df = DF_IS;
    cycle_model_conv(&ia, &ia_a, &m);
    expect("IS-A folds", m.folds, 9);
    expect("IS-A cycles", m.cycles, 47);

    /* OS on A: 9 blocks of 4 pixels x 4 channels, N = CRS = 4 beats each, back to back
     * (N >= Rows); last beat 35; rows drain after edges 35+4+4+1 .. 35+2*4+4 -> 48. */
    layer_t oa = a;
    array_cfg_t oa_a = a_a;
    oa_a.df = DF_OS;
    cycle_model_conv(&oa, &oa_a, &m);
    expect("OS-A blocks", m.folds, 9);
    expect("OS-A latency", m.latency, 12);
    expect("OS-A cycles", m.cycles, 48);
    /* OS with a reduction shorter than Rows: 1x4x4 -> 4x4x4, N = 1: 4 blocks whose last
     * beats must be 4 apart (the drain chain): 0, 4, 8, 12; cycles 12 + 1 + 12 = 25. */
    layer_t oc = {.c = 1, .h = 4, .w = 4, .k = 4, .r = 1, .s = 1,
                  .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    array_cfg_t oc_a = {.rows = 4, .cols = 4, .df = DF_OS};
    cycle_model_conv(&oc, &oc_a, &m);
    expect("OS-C cycles", m.cycles, 25);
    /* OS tiled by 2 output rows (3 tiles of 3 blocks): visit 2 may start once visit 0's
     * outputs are out (last beat 11 + 13 = 24), which the back-to-back stream already
     * passes: 48 cycles as untiled. A tiling that cuts C is refused. */
    tiling_t ot = {.kt = 4, .ct = 4, .pt = 2, .order = {TILE_K, TILE_P, TILE_C}};
    expect("OS tiled rc", (unsigned long long)(cycle_model_tiled(&oa, &oa_a, &ot, &m) == 0), 1);
    expect("OS tiled blocks", m.folds, 9);
    expect("OS tiled cycles", m.cycles, 48);
    ot.ct = 2;
    expect("OS ct<C rejected", (unsigned long long)(cycle_model_tiled(&oa, &oa_a, &ot, &m) == PECOS_EPARAM), 1);

    /* Bad parameters are rejected. */
    layer_t bad = a;
    array_cfg_t bad_a = a_a;
    bad_a.rows = 0;
    expect("rows=0 rejected", (unsigned long long)(cycle_model_conv(&bad, &bad_a, &m) == PECOS_EPARAM), 1);
    bad = a;
    bad_a = a_a;
    bad.r = 9;
    expect("filter > input rejected", (unsigned long long)(cycle_model_conv(&bad, &bad_a, &m) == PECOS_EPARAM), 1);

    printf("test_cycle_model: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
