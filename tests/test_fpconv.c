/* test_fpconv.c - bf16/fp16 <-> float: every 16-bit pattern round-trips, hand-picked rounding
 * cases (ties to even, overflow, subnormals), and 2 M random floats round to the nearest fp16. */
#include <string.h>
#include <stdio.h>
#include <math.h>
#include "fpconv.h"
#include "rng.h"
int main(void){
  int bad=0;
  /* every fp16/bf16 value round-trips through float */
  for (unsigned h=0; h<65536; h++){
    float f=fp_fp16_to_f32((uint16_t)h); uint16_t b=fp_f32_to_fp16(f);
    if (isnan(f)) { if ((b&0x7C00)!=0x7C00 || !(b&0x3FF)) bad++; continue; }
    if (b!=h){ if(bad<5) printf("fp16 %04x -> %g -> %04x\n",h,f,b); bad++; }
    float g=fp_bf16_to_f32((uint16_t)h); uint16_t c=fp_f32_to_bf16(g);
    if (!isnan(g) && c!=h){ if(bad<5) printf("bf16 %04x\n",h); bad++; }
  }
  /* fp16 value checks vs ldexp */
  if (fp_fp16_to_f32(0x0001)!=ldexpf(1,-24)) bad++, puts("min sub");
  if (fp_fp16_to_f32(0x03FF)!=ldexpf(1023,-24)) bad++, puts("max sub");
  if (fp_fp16_to_f32(0x3C00)!=1.0f) bad++, puts("one");
  if (fp_f32_to_fp16(65520.0f)!=0x7C00) bad++, puts("ovf");   /* halfway above max -> inf */
  if (fp_f32_to_fp16(65519.0f)!=0x7BFF) bad++, puts("max");
  if (fp_f32_to_fp16(ldexpf(1,-25))!=0x0000) bad++, puts("tie to zero");
  if (fp_f32_to_fp16(ldexpf(3,-26))!=0x0001) bad++, puts("above half");
  if (fp_f32_to_fp16(ldexpf(3,-25))!=0x0002) bad++, puts("tie to even 2");
  if (fp_f32_to_bf16(1.00390625f)!=0x3F80) bad++, puts("bf16 tie even"); /* 1+2^-8 tie -> 1.0 */
  if (fp_f32_to_bf16(1.01171875f)!=0x3F82) bad++, puts("bf16 tie up");  /* 1+3*2^-8 -> 1+2^-6 */
  /* float -> fp16 vs a double-based reference over many random floats */
  rng_t g; rng_seed(&g, 1); /* common/rng.h: every float bit pattern equally likely */
  for (int i=0;i<2000000;i++){ unsigned u=(unsigned)rng_next(&g);
    float f; memcpy(&f,&u,4); if(isnan(f)) continue;
    /* reference: nearest fp16 by scanning neighbours of the truncation */
    uint16_t r=fp_f32_to_fp16(f); float rf=fp_fp16_to_f32(r);
    double err=fabs((double)rf-(double)f);
    /* check neighbours are not closer */
    uint16_t n1=(uint16_t)(r+1), n0=(uint16_t)(r-1);
    float a1=fp_fp16_to_f32(n1), a0=fp_fp16_to_f32(n0);
    if (isinf(rf) && fabs(f) < 65520.0) { bad++; if(bad<10) printf("inf wrong %g\n",f); }
    if (!isinf(rf)) {
      if ((!isnan(a1) && fabs((double)a1-f) < err) || (!isnan(a0) && (r&0x7FFF) && fabs((double)a0-f) < err)) { bad++; if(bad<10) printf("not nearest %g -> %04x\n",f,r);} }
  }
  printf("conv bad=%d\n",bad); return bad!=0;
}
