/* cycle_model.h - analytical cycle models of a convolution on the array, per dataflow.
 *
 * WS and IS run on the same held-operand systolic array (rtl/pecos_array_ws.sv); they differ
 * in what is held: WS holds weights and streams pixels (what follows), IS holds input pixels
 * and streams output channels: the same recurrence with the roles of K and P*Q swapped
 * (groups of Cols output pixels, N = K beats per fold; see tiling_work()). OS
 * (rtl/pecos_array_os.sv) is at the end.
 *
 * Derived from the RTL's timing contract (rtl/pecos_array_ws.sv) and the mapping, not from
 * the host's code. With data always available it is exact: the simulated cycle count must
 * equal cycle_model_t.cycles.
 *
 * Strides, dilations and pads enter only through the output size P x Q (ONNX formula) and
 * which input element a lane carries: the array's timing depends on K, C*R*S and P*Q alone,
 * so the recurrences below hold for any geometry (padded lanes are beats like any other).
 *
 * Mapping: the reduction dimension C*R*S is cut into CF = ceil(CRS/Rows) folds of Rows
 * lanes, the output channels K into KG = ceil(K/Cols) groups of Cols columns. Folds run in
 * order f = kg*CF + cf; each streams N = P*Q beats (one per output pixel). Fold f's partial
 * sums enter fold f+1 of the same group through the array's psum input.
 *
 * Per fold f, with L_f the cycle its weight load starts and S_f its first beat:
 *   L_0 = 0,  L_f = max(L_{f-1} + Cols, S_{f-2} + N - 1)           (lane busy; bank reuse)
 *   S_f = max(L_f + Cols, S_{f-1} + N, [cf > 0] S_{f-1} + D + 1)   (weights in; lane; psum)
 *   cycles = S_{F-1} + N + D,  D = Rows + Cols - 1 (pipeline latency)
 * When N >= max(Cols - 1, D + 1) every term but the lane vanishes:
 *   cycles = Cols + F*N + D.
 *
 * OS: blocks of Rows output pixels x Cols output channels, B = ceil(K/Cols)*ceil(P*Q/Rows)
 * of them, each streams N = C*R*S beats (no padding: the reduction runs in time). A block's
 * results drain through a chain while the next block computes; the last beats of two
 * blocks must be at least Rows cycles apart. The last output of a block whose last beat
 * entered at t leaves after edge t + 2*Rows + Cols, so D = 2*Rows + Cols and
 *   cycles = (B-1) * max(N, Rows) + N + D.
 */
#ifndef PECOS_CYCLE_MODEL_H
#define PECOS_CYCLE_MODEL_H

#include <stdint.h>

#include "layer.h"
#include "tiling.h"

/* The array a layer runs on: rows x cols PEs under dataflow df. fused: the post-processing
 * unit sits on the array's writeback path (--fuse-ppu): every output of a layer's last
 * reduction fold passes through it as it leaves the array, so the output written to DRAM is
 * int8 (1 byte an output instead of 4) and each result is ready ppu_lat cycles later. The
 * compute cycles below are the array's either way; mem_model.h adds the unit's latency. */
typedef struct {
    int rows, cols;          /* >= 1 */
    pecos_df_t df;           /* DF_WS, DF_IS or DF_OS */
    int fused;               /* 1: the PPU on the writeback path */
    int ppu_lat;             /* fused: the unit's latency, cycles from an output to its int8 */
    int pool_r, pool_s;      /* fused and pooling (WS): the window, its stride the same, no
                                padding; every tile's rows start at a multiple of pool_r: the
                                output written is the pooled map, P/pool_r x Q/pool_s (0: none) */
} array_cfg_t;

typedef struct {
    int p, q;                /* output size */
    uint64_t macs;           /* K*P*Q*C*R*S */
    uint64_t folds;          /* F = KG * CF (OS: blocks) */
    uint64_t kgroups, cfolds; /* groups (WS: of channels, IS: of pixels, OS: blocks), folds */
    uint64_t beats_per_fold; /* N = P*Q (IS: K, OS: C*R*S) */
    uint64_t latency;        /* D: last beat to last output (cycles = last beat + 1 + D) */
    uint64_t cycles;         /* exact cycles, first weight beat to last output, inclusive */
    uint64_t ideal_cycles;   /* ceil(macs / (rows*cols)) */
} cycle_model_t;

/* Fills m for layer L on array a. L's groups, p, q and name are not read (a grouped layer
 * runs one group at a time: pass one group). Returns 0, or PECOS_EPARAM for a non-positive
 * size or an empty output. */
int cycle_model_conv(const layer_t *L, const array_cfg_t *a, cycle_model_t *m);

/* Fills m as cycle_model_conv() does but for cycles (left 0): the sizes, MACs, folds and
 * latency without the fold recurrence, which runs once per fold (fc6 of AlexNet: 147,456
 * folds) and which the tiler's search, the traffic model and the tiled model do not need.
 * Returns what cycle_model_conv() returns. */
int cycle_model_shape(const layer_t *L, const array_cfg_t *a, cycle_model_t *m);

/* Tile counts of a tiling: trips of each loop and the number of tiles. */
typedef struct {
    uint64_t kn, cn, pn, tiles;
} tile_trips_t;
/* Fills tr for layer L on array a and tiling t. Returns 0, or PECOS_EPARAM for a tile extent < 1, an
 * order that is not a permutation, or kt neither a multiple of cols nor >= K. */
int cycle_tile_trips(const layer_t *L, const array_cfg_t *a, const tiling_t *t, tile_trips_t *tr);

/* Tile number n of the loop nest (run order): its indices idx[TILE_K], idx[TILE_P],
 * idx[TILE_C]. */
void cycle_tile_index(const tiling_t *t, const tile_trips_t *tr, uint64_t n, uint64_t idx[3]);

/* Exact cycles of the layer run tile by tile in tiling t with data always in the GLB (DRAM
 * unbounded, zero latency). Per fold the recurrence above, with N the tile's P*Q beats, plus
 * what the tiles add:
 *   - folds run k-group major or, with t->cf_major, reduction-fold major; a fold that
 *     continues partial sums (the k group's previous fold, in this tile or, for the first
 *     reduction fold, in the visit's previous c tile) waits for them: S_f >= S_dep + D + 1;
 *   - the first beat of visit v needs the psum bank that visit v-2 used back, i.e. v-2's
 *     partial sums written out: S >= (last S of v-2) + N + D; a visit that resumes
 *     spilled partial sums also waits for the earlier visit of the same (k, p) that way.
 * OS (every tile one visit, ct = C): blocks back to back in tile order (k group major,
 * then pixel group), each last beat >= the previous one + Rows, and a visit's first beat
 * >= visit v-2's last output + 1.
 * m gets the layer totals (folds, beats per fold of the first tile, cycles, ideal).
 * Returns 0, PECOS_EPARAM (also: OS with ct < C) or PECOS_ENOMEM. */
int cycle_model_tiled(const layer_t *L, const array_cfg_t *a, const tiling_t *t, cycle_model_t *m);
/* cycle_model_tiled(), but it stops as soon as the layer is known to take more than limit
 * cycles, and then sets m->cycles to UINT64_MAX (WS/IS; OS always runs to the end): the
 * tiler's search only needs to know that a candidate is slower than the best so far. */
int cycle_model_tiled_within(const layer_t *L, const array_cfg_t *a, const tiling_t *t,
                             uint64_t limit, cycle_model_t *m);

#endif
