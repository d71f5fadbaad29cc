/* array_map.h - the mapper (inside host/run/): where each element of a layer goes.
 *
 * array_map_dram() places the tensors in DRAM (ifmap, weights, bias, output, 64-byte
 * aligned) and plans the tiles in the tiling's loop order, with the DMA loads and the
 * visits. The inline functions below put operands on the array's lanes per dataflow: WS
 * streams im2col columns of the ifmap and holds weights, IS streams weights and holds
 * im2col columns, OS streams both; padded cells hold the layer's pad value (int8) or +0 (fp).
 * They sit in the cycle loop, hence inline.
 */
#ifndef PECOS_ARRAY_MAP_H
#define PECOS_ARRAY_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "array_state.h"

/* Mapper: the tensors' DRAM addresses, the tile plan, and the DRAM image with the tensors
 * written in. Returns 0, PECOS_EPARAM (the tensors do not fit the DRAM capacity; reason in
 * R->err, nothing allocated) or PECOS_ENOMEM. */
int array_map_dram(run_t *R);

/* Local index of fold (kg, cf) in tile T: the inverse of tiling_fold(). */
static inline uint32_t local_fold(const tiling_t *t, const tile_t *T, uint32_t kg, uint32_t cf)
{
    return t->cf_major ? cf * (uint32_t)T->kgn + kg : kg * (uint32_t)T->cfn + cf;
}

/* Copies operand idx of src into lane r of dst (both esz-byte elements). */
static inline void put_lane(void *dst, int r, const uint8_t *src, size_t idx, size_t esz)
{
    if (esz == 1)
        ((uint8_t *)dst)[r] = src[idx];
    else
        memcpy((uint8_t *)dst + 2 * (size_t)r, src + 2 * idx, 2);
}

/* Lane r of dst <- the ifmap element that tile T's reduction lane i meets at tile pixel pix
 * (from the tile's GLB ifmap bank). A padded cell is made at lane time, not read: it holds
 * the layer's pad value (int8), or stays +0 (fp, as the caller cleared it). OS only: its
 * lanes are pixels; WS and IS fill a whole column with ifmap_column(). */
static inline void put_ifmap(run_t *R, const tile_t *T, void *dst, int r, uint32_t pix, int i)
{
    const layer_t *L = R->job->layer;
    const int p = T->p0 + (int)(pix / (uint32_t)L->q), q = (int)(pix % (uint32_t)L->q);
    const int ih = p * L->stride_h - L->pad_t + R->crs_dh[i];
    const int iw = q * L->stride_w - L->pad_l + R->crs_dw[i];
    if (ih >= 0 && ih < L->h && iw >= 0 && iw < L->w) {
        put_lane(dst, r, R->glb_if[T->if_load & 1],
                 ((size_t)R->crs_c[i] * T->rin + (size_t)((ih - T->rin0) / R->rstep)) * L->w + iw,
                 R->esz);
        R->st->glb_rd[GLB_IFMAP] += R->esz;
    } else if (R->esz == 1) {
        ((int8_t *)dst)[r] = (int8_t)L->pad_value;
    }
}

/* Lane r of dst <- weight (tile channel kl, tile reduction lane i) from the GLB weight bank. */
static inline void put_weight(run_t *R, const tile_t *T, void *dst, int r, int kl, int i)
{
    const int lanes = T->ct * R->job->layer->r * R->job->layer->s;
    put_lane(dst, r, R->glb_w[T->w_load & 1], (size_t)kl * lanes + i, R->esz);
    R->st->glb_rd[GLB_WEIGHT] += R->esz;
}

/* Lanes 0..n-1 of dst <- the ifmap elements that tile T's reduction lanes i0..i0+n-1 meet at
 * tile pixel pix: put_ifmap() for one pixel, its position worked out once and everything
 * the loop reads in locals (dst's byte stores may alias any field of R). */
static inline void ifmap_column(run_t *R, const tile_t *T, uint8_t *dst, uint32_t pix, int i0,
                                int n)
{
    const layer_t *L = R->job->layer;
    const size_t esz = R->esz, w = (size_t)L->w, rin = (size_t)T->rin;
    const int p = T->p0 + (int)(pix / (uint32_t)L->q), q = (int)(pix % (uint32_t)L->q);
    const int h0 = p * L->stride_h - L->pad_t, w0 = q * L->stride_w - L->pad_l;
    const int h = L->h, wi = L->w, rin0 = T->rin0, rstep = R->rstep;
    const int *cc = R->crs_c + i0, *dh = R->crs_dh + i0, *dw = R->crs_dw + i0;
    const uint8_t *src = R->glb_if[T->if_load & 1];
    const uint8_t pad = (uint8_t)(int8_t)L->pad_value;
    if (esz == 1 && rstep == 1 && h0 >= 0 && h0 + (L->r - 1) * L->dil_h < h && w0 >= 0 &&
        w0 + (L->s - 1) * L->dil_w < wi) { /* the whole filter inside the image: no pad cell */
        for (int r = 0; r < n; r++)
            dst[r] = src[((size_t)cc[r] * rin + (size_t)(h0 + dh[r] - rin0)) * w +
                         (size_t)(w0 + dw[r])];
        R->st->glb_rd[GLB_IFMAP] += (uint64_t)n;
        return;
    }
    int reads = 0;
    for (int r = 0; r < n; r++) {
        const int ih = h0 + dh[r], iw = w0 + dw[r];
        if (ih >= 0 && ih < h && iw >= 0 && iw < wi) {
            const int row = rstep == 1 ? ih - rin0 : (ih - rin0) / rstep;
            const size_t idx = ((size_t)cc[r] * rin + (size_t)row) * w + (size_t)iw;
            if (esz == 1)
                dst[r] = src[idx];
            else
                memcpy(dst + 2 * (size_t)r, src + 2 * idx, 2);
            reads++;
        } else if (esz == 1) {
            dst[r] = pad;
        }
    }
    R->st->glb_rd[GLB_IFMAP] += (uint64_t)reads * esz;
}

/* The Rows lanes of a WS/IS operand vector of fold cf: the im2col column of tile pixel idx
 * (pixel = 1) or the weights of tile channel idx (one run of the GLB weight bank); lanes
 * past the tile's reduction stay +0. */
static inline void fold_vector(run_t *R, const tile_t *T, void *dst, int pixel, uint32_t idx, uint32_t cf)
{
    const int lanes = T->ct * R->job->layer->r * R->job->layer->s;
    const int i0 = (int)cf * R->rows, n = imin(R->rows, lanes - i0);
    memset(dst, 0, R->esz * (size_t)R->rows);
    if (!pixel && (int)idx >= T->kt) return;
    if (pixel && idx >= T->npix) return;
    if (n <= 0) return;
    if (pixel) {
        ifmap_column(R, T, dst, idx, i0, n);
        return;
    }
    memcpy(dst, R->glb_w[T->w_load & 1] + ((size_t)idx * lanes + (size_t)i0) * R->esz,
           R->esz * (size_t)n);
    R->st->glb_rd[GLB_WEIGHT] += R->esz * (uint64_t)n;
}

/* OS block b of tile T -> its k group and pixel group (k group major). */
static inline void os_block(const tile_t *T, uint32_t b, int *kg, int *pg)
{
    *kg = (int)b / T->pgn;
    *pg = (int)b % T->pgn;
}

#endif
