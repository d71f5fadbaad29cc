/* tiler.h - chooses how a layer is cut into tiles for the configured GLB.
 *
 * Candidates: kt a multiple of Cols (or all of K), ct and pt any extent of the form
 * ceil(X/n) (the distinct ways to cut X into n near-equal tiles), and all six orders of the
 * three tile loops (k, p, c). A candidate fits when its double-buffered footprint
 * (mem_traffic: ifmap, weight and psum partitions) fits the GLB: the sum within a unified
 * GLB, each partition within its own size when they are separate. Among those that fit the
 * tiler takes the fastest: a candidate's time is max(its exact compute cycles from the tiled
 * cycle model, its channel bytes / DRAM bandwidth) + its fill (DRAM latency + one tile's
 * bytes / bandwidth), and every candidate within 2% of the fastest counts as fast. Among
 * the fast ones it takes the least DRAM traffic, then channel bytes, the fewest data beats
 * (lanes wasted by cutting C*R*S badly), then the fewest tiles. So a compute-bound layer
 * keeps its traffic-minimal tiling, and a memory-bound one (FC at batch 1) takes k tiles of
 * several array widths, whose k groups fill each other's wait for partial sums, instead of
 * one group that waits Rows+Cols cycles a fold. With an unbounded GLB the layer is one tile.
 * The dataflow matters twice: OS tiles never cut C (ct = C: a PE accumulates its output's
 * whole reduction), and folds run reduction-fold major when a fold is shorter than
 * Rows+Cols beats (WS: pt*Q pixels, IS: kt channels).
 */
#ifndef PECOS_TILER_H
#define PECOS_TILER_H

#include <stddef.h>

#include "layer.h"
#include "mem_model.h"
#include "memsys.h"
#include "tiling.h"

/* Fills t. Returns 0, or PECOS_EPARAM when not even the smallest tile
 * (min(Cols, K) channels, one input channel, one output row) fits, with a one-line reason in
 * err naming the option and the size that would work. */
int tiler_choose(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                 tiling_t *t, char *err, size_t errlen);

/* Fused pooling of pr-row windows (WS): t's output rows cut into tiles that start at
 * multiples of pr and hold at least one whole window row each. A p tile of another height
 * becomes the largest multiple of pr below it (at least pr), or the whole map when its last
 * tile would hold no window; the result is checked against the GLB as tiler_force() does.
 * Returns 0, or PECOS_EPARAM with a one-line reason in err. */
int tiler_align_rows(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                     int pr, tiling_t *t, char *err, size_t errlen);

/* Parses a forced tiling "k=N,c=N,p=N,order=XYZ" (XYZ a permutation of k, p, c, outermost
 * first; any key may be left out: the whole dimension, order k,p,c). Extents are clamped to
 * each layer later. Returns 0 or PECOS_EPARAM with a one-line reason. */
int tiler_parse(const char *spec, tiling_t *t, char *err, size_t errlen);

/* Fits forced tiling f to layer L (extents clamped to the layer) and checks it against the
 * GLB like a chosen one. Returns 0 or PECOS_EPARAM with a one-line reason. */
int tiler_force(const layer_t *L, int rows, int cols, int df, int esz, const mem_cfg_t *cfg,
                const tiling_t *f, tiling_t *t, char *err, size_t errlen);

#endif
