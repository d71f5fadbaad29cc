/* test_mem_model.c - tiling traffic, footprint and cycles against hand-derived numbers. */
#include <stdio.h>

#include "mem_model.h"
#include "expect.h"
#include "pecos_err.h"
#include "cycle_model.h"

int main(void)
{
    /* 4x4x4 input, 8 filters 3x3, pad 1 -> 8x4x4; 4x4 array; tiles k4 c2 p2. */
    const layer_t in = {.c = 4, .h = 4, .w = 4, .k = 8, .r = 3,
                        .s = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
                        .pad_t = 1, .pad_l = 1, .pad_b = 1, .pad_r = 1};
    const array_cfg_t in_a = {.rows = 4, .cols = 4};
    mem_traffic_t m;

    /* Order k,p,c (c innermost): partial sums stay in the GLB. p tiles read input rows 0..2
     * and 1..3 (3 rows each, halo), so one ifmap pass is 4*6*4 = 96 bytes, fetched once per
     * k tile (2); weights 288 bytes once per p tile (2); bias 4*8 per p tile; outputs 512. */
    tiling_t kpc = {.kt = 4, .ct = 2, .pt = 2, .order = {TILE_K, TILE_P, TILE_C}};
    expect("kpc rc", (unsigned long long)mem_traffic(&in, &in_a, 1, 64, &kpc, &m), 0);
    expect("kpc ifmap", m.ifmap_rd, 192);
    expect("kpc weight", m.weight_rd, 576);
    expect("kpc bias", m.bias_rd, 64);
    expect("kpc psum read", m.psum_rd, 0);
    expect("kpc out", m.out_wr, 512);
    expect("kpc dram rd", m.dram_rd, 832);
    expect("kpc tiles", m.tiles, 8);
    expect("kpc visits", m.visits, 4);
    expect("kpc compulsory", m.compulsory, 64 + 288 + 32 + 512);
    expect("kpc glb ifmap", m.glb_ifmap, 2 * 2 * 3 * 4);
    expect("kpc glb weight", m.glb_weight, 2 * 4 * 2 * 9);
    expect("kpc glb psum", m.glb_psum, 2 * (4 * 2 * 4 * 4 + 4 * 4));
    /* 2 k groups x (2 c tiles x ceil(18/4) = 5 folds) x 16 pixels */
    expect("kpc beats", m.beats, 2 * 10 * 16);

    /* Order c,k,p: k and p run inside c, so partial sums spill: written once per c tile,
     * read back for the second; ifmap still once per k tile, weights once. */
    tiling_t ckp = {.kt = 4, .ct = 2, .pt = 2, .order = {TILE_C, TILE_K, TILE_P}};
    expect("ckp rc", (unsigned long long)mem_traffic(&in, &in_a, 1, 64, &ckp, &m), 0);
    expect("ckp ifmap", m.ifmap_rd, 192);
    expect("ckp weight", m.weight_rd, 288);
    expect("ckp psum read", m.psum_rd, 512);
    expect("ckp out", m.out_wr, 1024);
    expect("ckp visits", m.visits, 8);

    /* A dilated, strided, asymmetrically padded layer: C 2, 10x6 input, K 4, 3x2 filter,
     * strides 2x1, dilations 2x2, pads t1 l0 b0 r1 on 4x4.
     * P = floor((10 + 1 + 0 - 2*2 - 1) / 2) + 1 = 4, Q = floor((6 + 0 + 1 - 2*1 - 1) / 1) + 1 = 5.
     * Tiles k4 c1 p2, order k,p,c. Output row p reads input rows 2p - 1 + 2ry (ry 0..2): all
     * odd, so a tile holds every gcd(2, 2) = 2nd row. p tile 0 (rows 0,1) reads rows -1..5 ->
     * 1, 3, 5 (3 rows), p tile 1 (rows 2,3) rows 3..9 -> 3, 5, 7, 9 (4 rows; 3 and 5 are the
     * halo, read again). ifmap pass 2 * (3 + 4) * 6 = 84 bytes, once (k has one trip);
     * weights 4*2*3*2 = 48 once per p tile (2); bias 4*4 per p tile; output 4*4*4*5 = 320.
     * Compulsory ifmap: rows {1,3,5,7,9}, 2*5*6 = 60. GLB: ifmap 2*1*4*6 = 48, weights
     * 2*4*1*6 = 48, psum 2*(4*2*5*4 + 16) = 352. Beats: 1 k group x (2 c tiles x ceil(6/4) =
     * 2 folds) x 20 pixels = 80. */
    const layer_t dl = {.c = 2, .h = 10, .w = 6, .k = 4, .r = 3,
                        .s = 2, .stride_h = 2, .stride_w = 1, .dil_h = 2, .dil_w = 2,
                        .pad_t = 1, .pad_l = 0, .pad_b = 0, .pad_r = 1};
    const array_cfg_t dl_a = {.rows = 4, .cols = 4};
    cycle_model_t dm;
    expect("dilated model rc", (unsigned long long)cycle_model_conv(&dl, &dl_a, &dm), 0);
    expect("dilated P", (unsigned long long)dm.p, 4);
    expect("dilated Q", (unsigned long long)dm.q, 5);
    tiling_t dt = {.kt = 4, .ct = 1, .pt = 2, .order = {TILE_K, TILE_P, TILE_C}};
    expect("dilated rc", (unsigned long long)mem_traffic(&dl, &dl_a, 1, 64, &dt, &m), 0);
    expect("dilated ifmap", m.ifmap_rd, 84);
    expect("dilated weight", m.weight_rd, 96);
    expect("dilated bias", m.bias_rd, 32);
    expect("dilated psum read", m.psum_rd, 0);
    expect("dilated out", m.out_wr, 320);
    expect("dilated dram rd", m.dram_rd, 212);
    expect("dilated tiles", m.tiles, 4);
    expect("dilated visits", m.visits, 2);
    expect("dilated compulsory", m.compulsory, 60 + 48 + 16 + 320);
    expect("dilated glb ifmap", m.glb_ifmap, 48);
    expect("dilated glb weight", m.glb_weight, 48);
    expect("dilated glb psum", m.glb_psum, 352);
    expect("dilated beats", m.beats, 80);
    /* bf16: every operand byte count doubles */
    expect("dilated bf16 rc", (unsigned long long)mem_traffic(&dl, &dl_a, 2, 64, &dt, &m), 0);
    expect("dilated bf16 ifmap", m.ifmap_rd, 168);
    expect("dilated bf16 compulsory", m.compulsory, 120 + 96 + 16 + 320);
    /* Stride 1 instead: gcd(1, 2) = 1, whole row ranges as for a plain layer.
     * P = floor((10 + 1 - 4 - 1) / 1) + 1 = 7; p tile p0 (2 rows) reads rows p0 - 1 to
     * p0 + 1 - 1 + 4: p0 = 0: 0..4 (5 rows), 2: 1..6 (6), 4: 3..8 (6), 6 (one row): 5..9 (5).
     * ifmap pass 2 * 22 * 6 = 264. */
    layer_t d1 = dl;
    array_cfg_t d1_a = dl_a;
    d1.stride_h = 1;
    expect("dilated stride 1 rc", (unsigned long long)mem_traffic(&d1, &d1_a, 1, 64, &dt, &m), 0);
    expect("dilated stride 1 ifmap", m.ifmap_rd, 264);

    /* One tile (the whole layer) is the untiled model exactly. */
    cycle_model_t a, b;
    tiling_t one = {.kt = 8, .ct = 4, .pt = 4, .order = {TILE_K, TILE_P, TILE_C}};
    cycle_model_conv(&in, &in_a, &a);
    expect("one tile rc", (unsigned long long)cycle_model_tiled(&in, &in_a, &one, &b), 0);
    expect("one tile cycles", b.cycles, a.cycles);
    expect("one tile folds", b.folds, a.folds);

    /* Hand-derived tiled schedules, FC 4 -> 8 on 4x4 (N = 1, D = 7). Two k tiles, one fold
     * each: weights in cycles 0..3 and 4..7, beats at 4 and 8, last output read in cycle
     * 8+7 = 15 -> 16 cycles. Two c tiles of 2 channels instead: four folds, the c1 folds
     * continue the c0 sums of their k group (see below) -> 24 cycles. */
    const layer_t fc = {.c = 4, .h = 1, .w = 1, .k = 8, .r = 1,
                        .s = 1, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    const array_cfg_t fc_a = {.rows = 4, .cols = 4};
    tiling_t ksplit = {.kt = 4, .ct = 4, .pt = 1, .order = {TILE_K, TILE_P, TILE_C}};
    tiling_t csplit = {.kt = 8, .ct = 2, .pt = 1, .order = {TILE_K, TILE_P, TILE_C}};
    cycle_model_tiled(&fc, &fc_a, &ksplit, &b);
    expect("fc k split cycles", b.cycles, 16);
    cycle_model_tiled(&fc, &fc_a, &csplit, &b);
    expect("fc c split folds", b.folds, 4);
    /* folds: (kg0,c0) S=4, (kg1,c0) S=8, then c1: (kg0) waits S0+8=12, (kg1) S=max(16, 8+8) */
    expect("fc c split cycles", b.cycles, 16 + 1 + 7);

    /* Fold order inside a tile, FC 8 -> 8 on 4x4 (two k groups, two reduction folds, N = 1):
     * k-group major: S = 4, 12 (waits 4+D+1), 13, 21 (waits 13+8) -> 21+1+7 = 29 cycles;
     * reduction-fold major: S = 4, 8, 12 (waits 4+8), 16 (waits 8+8) -> 24 cycles. */
    const layer_t fc8 = {.c = 8, .h = 1, .w = 1, .k = 8, .r = 1,
                         .s = 1, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
    const array_cfg_t fc8_a = {.rows = 4, .cols = 4};
    tiling_t whole = {.kt = 8, .ct = 8, .pt = 1, .order = {TILE_K, TILE_P, TILE_C}};
    cycle_model_tiled(&fc8, &fc8_a, &whole, &b);
    expect("fc8 k-group major", b.cycles, 29);
    whole.cf_major = 1;
    cycle_model_tiled(&fc8, &fc8_a, &whole, &b);
    expect("fc8 reduction-fold major", b.cycles, 24);

    /* Predicted with an instant memory is the exact compute model; a slow DRAM is slower
     * and never under the roofline. */
    const dram_timing_t instant = {.bw = 0, .latency = 0, .burst = 64};
    const dram_timing_t slow = {.bw = 1, .latency = 50, .burst = 64};
    mem_model_t mm;
    expect("instant rc", (unsigned long long)mem_model_layer(&in, &in_a, 1, &ckp, &instant, 2, &mm), 0);
    cycle_model_tiled(&in, &in_a, &ckp, &b);
    expect("instant predicted == compute", mm.predicted_cycles, b.cycles);
    expect("compute == cycle_model_tiled", mm.compute_cycles, b.cycles);
    mem_model_layer(&in, &in_a, 1, &kpc, &slow, 2, &mm);
    expect("slow >= roofline", mm.predicted_cycles >= mm.roofline_cycles, 1);
    expect("slow roofline = bytes / bw", mm.roofline_cycles, 832 + 512);
    expect("bad tiling", (unsigned long long)(mem_traffic(&in, &in_a, 1, 64,
        &(tiling_t){.kt = 3, .ct = 1, .pt = 1, .order = {0, 1, 2}}, &m) == PECOS_EPARAM), 1);
    expect("bad order", (unsigned long long)(mem_traffic(&in, &in_a, 1, 64,
        &(tiling_t){.kt = 4, .ct = 1, .pt = 1, .order = {0, 0, 2}}, &m) == PECOS_EPARAM), 1);

    /* Beats per dataflow (tiling_work): 4x6x6 -> 4x6x6 1x1 on 4x4, tiles k4 x c2 x p3.
     * WS: 1 k group x 1 fold per c tile x 2 c tiles x 36 pixels = 72; IS: 2 p tiles of 18
     * pixels = 5 pixel groups each, x 2 folds x 4 channels = 80; OS (ct = C = 4): 2 x 5
     * pixel blocks x 1 k group x 4 beats = 40. */
    {
        layer_t d = {.c = 4, .h = 6, .w = 6, .k = 4, .r = 1, .s = 1,
                     .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1};
        array_cfg_t d_a = {.rows = 4, .cols = 4};
        tiling_t t = {.kt = 4, .ct = 2, .pt = 3, .order = {TILE_K, TILE_P, TILE_C}};
        mem_traffic_t tr;
        mem_traffic(&d, &d_a, 1, 64, &t, &tr);
        expect("beats ws", tr.beats, 72);
        d_a.df = DF_IS;
        mem_traffic(&d, &d_a, 1, 64, &t, &tr);
        expect("beats is", tr.beats, 80);
        d_a.df = DF_OS;
        t.ct = 4;
        mem_traffic(&d, &d_a, 1, 64, &t, &tr);
        expect("beats os", tr.beats, 40);
        /* OS prediction with an instant memory equals the exact model */
        const dram_timing_t inst = {.bw = 0, .latency = 0, .burst = 64};
        expect("os model rc", (unsigned long long)(mem_model_layer(&d, &d_a, 1, &t, &inst, 2, &mm) == 0), 1);
        expect("os predicted == compute", mm.predicted_cycles, mm.compute_cycles);
        expect("os compute (10 blocks back to back: last beat 39, + 13)", mm.compute_cycles, 52);
    }

    printf("test_mem_model: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
