/* accel_fp.h - the accelerator's floating-point convolution: bf16/fp16 operands, fp32
 * accumulation, on a bf16 or fp16 variant of the PE array (see accel.h for the device and
 * the int8 counterpart, accel_conv_i8()).
 *
 * The accel_t must have been opened with run.dtype = "bf16" or "fp16" (accel_open loads the
 * variant of that type). Mapping as accel_conv_i8: each group is its own layer on the array;
 * asymmetric padding is made explicit on the host (the explicit zeros are +0 operands, and
 * the golden check of each group runs on the padded layer, so the order stays the array's);
 * dilation and unequal strides are not mapped (PECOS_ENOTSUP).
 */
#ifndef PECOS_ACCEL_FP_H
#define PECOS_ACCEL_FP_H

#include <stdint.h>

#include "accel.h"

/* Runs cv on the fp array of a: x [C,H,W] and w [K,C/groups,R,S] are bf16/fp16 bit
 * patterns of a->run.dtype, bias [K] fp32 or NULL; writes y [K,P,Q] fp32 (caller-allocated)
 * and res (groups merged; every group checked bit-exact by lrun_layer against the golden fp
 * conv in the array's accumulation order, cycles against the model). Returns 0 when it ran
 * (res says whether every check passed), PECOS_ENOTSUP (not mappable, or a is not an fp
 * array; nothing printed), PECOS_EPARAM (does not fit; printed), PECOS_ESIM or
 * PECOS_ENOMEM. */
int accel_conv_fp(accel_t *a, const accel_conv_t *cv, const uint16_t *x, const uint16_t *w,
                  const float *bias, float *y, layer_result_t *res);

#endif
