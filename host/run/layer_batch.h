/* layer_batch.h - a batch of N images through one conv/fc layer of the array (`pecos run
 * --network --batch N`, `--onnx --batch N`): the images are stacked along the rows into one layer, so that each
 * weight the array holds meets the pixels of all N images before it is replaced (the reuse a
 * batch buys; weight traffic does not grow with N).
 *
 * Layout. Image n's input map, with its own top and bottom padding rows, becomes block n of
 * the stacked input [C][N*Hs][W]: Hs = H + pad_t + pad_b rounded up to a multiple of the
 * vertical stride, the padding rows (and the alignment rows) holding the layer's pad value.
 * The stacked layer has no vertical padding (its left and right pads, strides, dilations and
 * groups are the layer's), so output row n*Hs/stride + p is image n's row p for p < P: its
 * window reads block n's rows exactly as the image's own conv would. The output rows between
 * two images' (whose windows straddle two blocks) are computed and thrown away: the array
 * does that work, and the reports count it as such (useful MACs are N times the layer's).
 * A 1x1, stride-1, unpadded layer (fc, pointwise conv) has no such rows.
 */
#ifndef PECOS_LAYER_BATCH_H
#define PECOS_LAYER_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "layer.h"
#include "layer_run.h"

typedef struct {
    int n;        /* images */
    int hs;       /* rows of one image's block in the stacked input */
    int ps;       /* output rows of one block: hs / stride */
    layer_t L;    /* the stacked layer */
} layer_batch_t;

/* The stacked layer of n images through cv (h, w, p, q of one image). Returns 0, or
 * PECOS_EPARAM when the stacked map would not fit an int. */
int layer_batch_layer(const layer_t *cv, int n, layer_batch_t *b);

/* x [n][C][H][W] (cv's input per image, elements of esz bytes) -> xs [C][n*hs][W], the
 * padding rows cv->pad_value (int8, esz 1) or +0 (bf16/fp16, esz 2). */
void layer_batch_stack(const layer_batch_t *b, const layer_t *cv, const void *x, size_t esz,
                       void *xs);

/* The stacked output ys [K][n*ps...][Q] (b->L's output, elements of esz bytes) -> y
 * [K][n][P][Q]: each image's P rows, the rows between images left out. */
void layer_batch_unstack(const layer_batch_t *b, const layer_t *cv, const void *ys, size_t esz,
                       void *y);

/* [a][b][m] -> [b][a][m] (m elements of esz bytes): between the channel-major layout of the
 * stacked layers ([K][n][P*Q]) and the image-major one of the network's maps ([n][K][P*Q]). */
void layer_batch_transpose(const void *x, int a, int b, size_t m, size_t esz, void *y);

/* A stacked layer's result r as the reports count it: useful MACs (the images', not those of
 * the rows between images, which the array computed and threw away), and the utilization,
 * ideal cycles, intensity and roofline (run's DRAM bandwidth) that follow from them. */
void layer_batch_counts(const layer_run_cfg_t *run, layer_result_t *r, uint64_t useful);

/* device_conv_i8() of n images through cv at once (n > 1: the stacked layer, one weight load
 * for all): x [n][C,H,W], y [n][K,P,Q] int32 (caller-allocated), bias [K] or NULL; res is the
 * stacked layer's run, counted by layer_batch_counts(). With pp (not NULL) it is
 * device_conv_i8_fused() instead, the int8 results in y8 [n][K,P,Q]. n == 1 is the device
 * call itself. Returns as those, and PECOS_EPARAM (printed to a->run.log) when the stacked
 * layer does not fit an int. */
int layer_batch_conv_i8(device_t *a, const layer_t *cv, int n, const int8_t *x, const int8_t *w,
                        const int32_t *bias, const device_post_t *pp, int32_t *y, int8_t *y8,
                        layer_result_t *res);

#endif
