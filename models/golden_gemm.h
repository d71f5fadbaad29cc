/* golden_gemm.h - the fast int8 convolution used by the per-layer checks.
 *
 * Same contract and the same results, bit for bit, as golden_conv_i8() (golden_conv.h), which
 * stays the clear reference: an im2col of each output row's windows into int16 and a blocked
 * integer GEMM against the weights (contiguous [C/G*R*S] per output channel). The sums are
 * formed in int32 over chunks short enough never to overflow and folded modulo 2^32, which
 * gives the low 32 bits of the exact sum, as the reference stores them.
 * tests/unit checks the two against each other over random shapes (groups, strides, pads,
 * dilations, bias or none).
 */
#ifndef GOLDEN_GEMM_H
#define GOLDEN_GEMM_H

#include <stdint.h>

#include "golden_conv.h"

/* int8 convolution, exactly as golden_conv_i8(): same buffers, same validation.
 * Allocates its own scratch (freed before returning).
 * Returns 0; PECOS_EPARAM (invalid cv per layer_check, or a NULL buffer other than
 * bias), out not written; or PECOS_ENOMEM, out not written. */
int golden_gemm_conv_i8(const layer_t *cv, const int8_t *ifmap, const int8_t *weights,
                        const int32_t *bias, int32_t *out);

#endif
