/* tiling.h - how a layer is cut into tiles that fit the global buffer, and in which order
 * they run. The host's tiler chooses one; the models take it as given.
 *
 * A tile is an (output-channel, input-channel, output-row) box: kt output channels, ct
 * input channels, pt output rows (all Q columns). Edge tiles are smaller. The three tile
 * loops are nested in `order` (outermost first). Within a tile the array runs its folds in
 * the order (group, reduction fold of Rows lanes over ct*R*S, beat), see tiling_work(); OS
 * runs its blocks (k group major, then pixel group) and never cuts the reduction (ct = C).
 *
 * Data reuse across tiles is what stays in the double-buffered GLB between consecutive
 * tiles: an ifmap tile (p, c) or weight tile (k, c) is loaded again only when the next tile
 * needs a different one; a "visit" is a maximal run of consecutive tiles with the same
 * (k, p): its partial sums stay in the GLB for the whole run, start from the bias (when
 * the run begins at c = 0) or from partial sums spilled to DRAM (otherwise), and leave for
 * DRAM at its end (as partial sums, or as the output after the last c tile).
 */
#ifndef PECOS_TILING_H
#define PECOS_TILING_H

#include <stdint.h>

#include "pecos_types.h"

enum { TILE_K = 0, TILE_P = 1, TILE_C = 2 };

/* Dataflows (DF_WS, DF_IS, DF_OS): pecos_types.h. */

/* The array work of one tile with kt output channels, `lanes` = ct*R*S reduction elements
 * and npix = pt*Q output pixels under dataflow df:
 *   WS: ceil(kt/cols) groups (of output channels) x ceil(lanes/rows) folds, npix beats each;
 *   IS: ceil(npix/cols) groups (of output pixels) x ceil(lanes/rows) folds, kt beats each;
 *   OS: ceil(kt/cols) * ceil(npix/rows) blocks (groups) x 1 fold, `lanes` beats each.
 * In WS and IS a fold loads `cols` held operands (one per column) and streams its beats;
 * the fold of a group continues the partial sums of that group's previous fold. */
static inline void tiling_work(int df, uint64_t rows, uint64_t cols, uint64_t kt,
                               uint64_t lanes, uint64_t npix, uint64_t *groups,
                               uint64_t *folds, uint64_t *beats)
{
    if (df == DF_OS) {
        *groups = ((kt + cols - 1) / cols) * ((npix + rows - 1) / rows);
        *folds = 1;
        *beats = lanes;
    } else {
        *groups = df == DF_IS ? (npix + cols - 1) / cols : (kt + cols - 1) / cols;
        *folds = (lanes + rows - 1) / rows;
        *beats = df == DF_IS ? kt : npix;
    }
}

typedef struct {
    int kt, ct, pt; /* tile extents: output channels, input channels, output rows */
    int order[3];   /* TILE_* loop dimensions, outermost first (a permutation) */
    int cf_major;   /* folds in a tile: 0 (group, reduction fold), 1 (reduction fold, group) */
} tiling_t;

/* Local fold index i of a tile with kgn k-groups and cfn reduction folds -> (kg, cf). */
static inline void tiling_fold(const tiling_t *t, unsigned long i, unsigned long kgn,
                               unsigned long cfn, unsigned long *kg, unsigned long *cf)
{
    if (t->cf_major) {
        *cf = i / kgn;
        *kg = i % kgn;
    } else {
        *kg = i / cfn;
        *cf = i % cfn;
    }
}

/* Writes e.g. "k64.c256.p13 order k,p,c" into buf. */
void tiling_str(const tiling_t *t, char *buf, unsigned long len);

#endif
