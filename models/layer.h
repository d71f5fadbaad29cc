/* layer.h - the one descriptor of a convolution or fully connected layer (a GEMM is a 1x1
 * conv on a 1 x M input), shared by the golden models, the cycle and memory models, the
 * array runner and every front end (command line, topology files, ONNX).
 *
 * Semantics follow ONNX Conv (cross-correlation, no filter flip) on a single image, with
 * the output size
 *   P = floor((H + pad_t + pad_b - dil_h*(R-1) - 1) / stride_h) + 1, Q likewise,
 * in[][][] = pad_value outside the image, and groups: output channel k reads input
 * channels g*C/G .. (g+1)*C/G - 1 with g = k / (K/G); weights are [K, C/groups, R, S].
 */
#ifndef PECOS_LAYER_H
#define PECOS_LAYER_H

#include <stddef.h>
#include <stdint.h>

typedef enum { LAYER_CONV, LAYER_FC } layer_type_t;

typedef struct {
    char name[64];     /* user's name, or "L<index>" */
    layer_type_t type; /* conv or fc (fc is stored as a 1x1 conv) */
    int c, h, w;       /* input channels, height, width */
    int k, r, s;       /* output channels, filter height, width */
    int stride_h, stride_w;         /* >= 1 */
    int dil_h, dil_w;               /* dilation, >= 1 */
    int pad_t, pad_l, pad_b, pad_r; /* >= 0: top, left, bottom, right */
    int pad_value;                  /* int8 value of a padded cell (-128..127; fp: 0) */
    int groups;                     /* >= 1, divides c and k (1 for command-line layers) */
    int p, q;          /* output height and width (derived; the models recompute them) */
} layer_t;

/* Output spatial size by the formula above. Checks only the spatial fields (h, w, r, s,
 * strides, pads, dilations). Returns 0 and writes *p, *q; or PECOS_EPARAM (bad field or
 * output < 1), *p, *q untouched. */
int layer_out_hw(const layer_t *L, int *p, int *q);

/* Validates every field the golden models read: c, h, w, k, r, s, strides, dilations,
 * groups >= 1; pads >= 0; pad_value in -128..127; groups divides c and k; output size >= 1;
 * tensor sizes representable. Returns 0 (err set to "" if given) or PECOS_EPARAM, in which
 * case a one-line reason naming the field is written into err (if err != NULL and
 * errlen > 0). */
int layer_check(const layer_t *L, char *err, size_t errlen);

/* Multiply-accumulates of the layer: K * P * Q * (C/groups) * R * S (P, Q as stored). */
uint64_t layer_macs(const layer_t *L);
/* Whether L is the plain case: equal strides, dilation 1, one pad on all four sides, pad
 * value 0 (what layer_t could describe before it had per-axis geometry). */
int layer_plain(const layer_t *L);
/* Writes "CxHxW -> KxPxQ, RxS/s<stride>/p<pad>" into buf; a layer that is not plain shows
 * "s<h>x<w>" for unequal strides, "/d<h>x<w>" for a dilation, "p<t>,<l>,<b>,<r>" for
 * asymmetric pads and "/pv<v>" for a nonzero pad value. */
void layer_shape_str(const layer_t *L, char *buf, size_t len);

#endif
