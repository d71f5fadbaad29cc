#include "fpconv.h"

#include <string.h>

uint32_t fp_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float fp_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float fp_bf16_to_f32(uint16_t h) { return fp_bits_f32((uint32_t)h << 16); }

float fp_fp16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
    if (exp == 0x1F) return fp_bits_f32(sign | 0x7F800000u | (man << 13)); /* inf / NaN */
    if (exp == 0) {
        if (man == 0) return fp_bits_f32(sign);
        /* subnormal: man * 2^-24, exact in float */
        int e = -1;
        while (!(man & 0x400u)) {
            man <<= 1;
            e--;
        }
        /* now value = 1.m * 2^(e+1-14) ... normalize as float */
        uint32_t fexp = (uint32_t)(127 - 14 + e);
        return fp_bits_f32(sign | ((fexp + 1) << 23) | ((man & 0x3FFu) << 13));
    }
    return fp_bits_f32(sign | ((exp - 15 + 127) << 23) | (man << 13));
}

uint16_t fp_f32_to_bf16(float f)
{
    uint32_t u = fp_f32_bits(f);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x7FFFFFu)) /* NaN: keep it quiet */
        return (uint16_t)((u >> 16) | 0x40u);
    uint32_t lsb = (u >> 16) & 1u;
    u += 0x7FFFu + lsb; /* RNE; overflow carries into inf correctly */
    return (uint16_t)(u >> 16);
}

/* Rounds sig >> shift to nearest even (shift >= 1). */
static uint32_t rne_shift(uint32_t sig, int shift)
{
    if (shift >= 32) return 0;
    uint32_t kept = sig >> shift, rem = sig & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (kept & 1u))) kept++;
    return kept;
}

uint16_t fp_f32_to_fp16(float f)
{
    uint32_t u = fp_f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    int exp = (int)((u >> 23) & 0xFFu);
    uint32_t man = u & 0x7FFFFFu;
    if (exp == 0xFF) return (uint16_t)(sign | 0x7C00u | (man ? 0x200u | (man >> 13) : 0));
    int e = exp - 127 + 15;
    if (e >= 0x1F) return (uint16_t)(sign | 0x7C00u);
    if (e >= 1) /* normal: a mantissa carry moves into the exponent, up to infinity */
        return (uint16_t)(sign | (((uint32_t)e << 10) + rne_shift(man, 13)));
    /* fp16 subnormal (units of 2^-24): value = sig * 2^(max(exp,1) - 150) */
    uint32_t sig = man | (exp ? 0x800000u : 0);
    int shift = 126 - (exp ? exp : 1);
    return (uint16_t)(sign | rne_shift(sig, shift)); /* may round up to the min normal */
}

float fp16x_to_f32(fp_fmt_t fmt, uint16_t h)
{
    return fmt == FP_BF16 ? fp_bf16_to_f32(h) : fp_fp16_to_f32(h);
}

uint16_t fp_f32_to_16x(fp_fmt_t fmt, float f)
{
    return fmt == FP_BF16 ? fp_f32_to_bf16(f) : fp_f32_to_fp16(f);
}
