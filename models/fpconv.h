/* fpconv.h - exact conversions between bfloat16 / IEEE binary16 bit patterns and float.
 *
 * To float: exact (every bf16 and fp16 value is a float). From float: round to nearest,
 * ties to even, with overflow to infinity, subnormal results, and NaN kept quiet.
 */
#ifndef PECOS_FPCONV_H
#define PECOS_FPCONV_H

#include <stdint.h>

typedef enum { FP_BF16 = 0, FP_FP16 = 1 } fp_fmt_t;

#define FP32_CANONICAL_NAN 0x7FC00000u

float fp_bf16_to_f32(uint16_t h);
float fp_fp16_to_f32(uint16_t h);
uint16_t fp_f32_to_bf16(float f);
uint16_t fp_f32_to_fp16(float f);
float fp16x_to_f32(fp_fmt_t fmt, uint16_t h);
uint16_t fp_f32_to_16x(fp_fmt_t fmt, float f);
uint32_t fp_f32_bits(float f);
float fp_bits_f32(uint32_t u);

#endif
