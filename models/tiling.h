/* tiling.h - how a layer is cut into tiles that fit the global buffer, and in which order
 * they run. The host's tiler chooses one; the models take it as given.
 *
 * A tile is an (output-channel, input-channel, output-row) box: kt output channels, ct
 * input channels, pt output rows (all Q columns). Edge tiles are smaller. The three tile
 * loops are nested in `order` (outermost first). Within a tile the array runs its folds in
 * the order (k-group of Cols channels, reduction fold of Rows lanes over ct*R*S, pixel).
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

enum { TILE_K = 0, TILE_P = 1, TILE_C = 2 };

typedef struct {
    int kt, ct, pt; /* tile extents: output channels, input channels, output rows */
    int order[3];   /* TILE_* loop dimensions, outermost first (a permutation) */
    int cf_major;   /* folds in a tile: 0 (k-group, reduction fold), 1 (reduction fold, k-group) */
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
