/* layer_spec.h - the --layer text: a layer as the user describes it on the command line,
 * parsed into a layer_t (models/layer.h) and validated.
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
#ifndef PECOS_LAYER_SPEC_H
#define PECOS_LAYER_SPEC_H

#include <stddef.h>

#include "layer.h"

/* Parses spec into L (index names it "L<index>" when no name= is given; groups 1). Validates
 * every parameter and the output size. Returns 0 or PECOS_EPARAM with a one-line reason
 * naming the parameter in err. */
int layer_parse(const char *spec, int index, layer_t *L, char *err, size_t errlen);

/* The most elements a --layer tensor (ifmap, weights, output) may have: keeps every index in
 * int and memory sane (also for the stacked layer of a --batch). */
#define LAYER_MAX_ELEMS (1LL << 28)

#endif
