/* layer.h - a layer as the user describes it on the command line, validated.
 *
 *   conv,h=H,w=W,c=C,k=K,r=R,s=S[,stride=N][,stride_h=N][,stride_w=N][,dil=N][,dil_h=N]
 *        [,dil_w=N][,pad=N][,pad_t=N][,pad_l=N][,pad_b=N][,pad_r=N][,pad_value=V][,name=X]
 *   fc,c=IN,k=OUT[,name=X]            (a 1x1 conv on a 1x1 input)
 *
 * stride= sets both strides, dil= both dilations, pad= all four pads; the per-side keys
 * override them whatever the order. pad_value is the int8 value a padded cell holds (0 by
 * default; the caller refuses it for fp arrays, whose padded cells are always +0).
 * Output size by the ONNX Conv formula:
 *   P = floor((H + pad_t + pad_b - dil_h*(R-1) - 1) / stride_h) + 1, Q likewise.
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
    int p, q;          /* output height and width (derived) */
} layer_t;

/* Parses spec into L (index names it "L<index>" when no name= is given). Validates every
 * parameter and the output size. Returns 0 or PECOS_EPARAM with a one-line reason naming the
 * parameter in err. */
int layer_parse(const char *spec, int index, layer_t *L, char *err, size_t errlen);
/* Multiply-accumulates of the layer: K * P * Q * C * R * S. */
uint64_t layer_macs(const layer_t *L);
/* Whether L is the plain case: equal strides, dilation 1, one pad on all four sides, pad
 * value 0 (what layer_t could describe before it had per-axis geometry). */
int layer_plain(const layer_t *L);
/* Writes "CxHxW -> KxPxQ, RxS/s<stride>/p<pad>" into buf; a layer that is not plain shows
 * "s<h>x<w>" for unequal strides, "/d<h>x<w>" for a dilation, "p<t>,<l>,<b>,<r>" for
 * asymmetric pads and "/pv<v>" for a nonzero pad value. */
void layer_shape_str(const layer_t *L, char *buf, size_t len);

#endif
