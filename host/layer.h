/* layer.h - a layer as the user describes it on the command line, validated.
 *
 *   conv,h=H,w=W,c=C,k=K,r=R,s=S[,stride=N][,pad=N][,name=X]
 *   fc,c=IN,k=OUT[,name=X]            (a 1x1 conv on a 1x1 input)
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
    int stride, pad;   /* same in both dimensions; pad on all four sides */
    int p, q;          /* output height and width (derived) */
} layer_t;

/* Parses spec into L (index names it "L<index>" when no name= is given). Validates every
 * parameter and the output size. Returns 0 or PECOS_EPARAM with a one-line reason naming the
 * parameter in err. */
int layer_parse(const char *spec, int index, layer_t *L, char *err, size_t errlen);
/* Multiply-accumulates of the layer: K * P * Q * C * R * S. */
uint64_t layer_macs(const layer_t *L);
/* Writes "CxHxW -> KxPxQ, RxS/stride/pad" into buf. */
void layer_shape_str(const layer_t *L, char *buf, size_t len);

#endif
