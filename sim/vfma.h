/* vfma.h - C ABI over one verilated pecos_fma (rtl/pecos_fma.sv).
 *
 * Each format (bf16, fp16, bf16 with flush-to-zero) is its own static library built by
 * sim/fma.cmake (pecos_fma_bf16, pecos_fma_fp16, pecos_fma_bf16_ftz) exporting these same
 * symbols, so a program links exactly one of them. The model is an owned object: nothing
 * here is static. Operands and results are raw bit patterns (bf16/fp16 as uint16_t, fp32
 * as uint32_t).
 */
#ifndef PECOS_VFMA_H
#define PECOS_VFMA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vfma vfma_t;

/* Returns a new model with reset applied, or NULL when out of memory. The caller owns it
 * and frees it with vfma_close(). */
vfma_t *vfma_open(void);

/* Streams n triples through the pipeline, one per cycle: a[i], b[i] in cycle t, c[i] in
 * cycle t + 1 (as the array feeds the psum from above), and collects the n results in
 * order into y[0..n-1]. Returns 0, or -1 if the valid protocol broke (a result missing,
 * extra or out of order). */
int vfma_run(vfma_t *v, const uint16_t *a, const uint16_t *b, const uint32_t *c, uint32_t *y,
             size_t n);

/* Cycles from presenting a/b to y being valid: 2. */
int vfma_latency(void);

/* Parameters the library was verilated with: Fmt (0 bf16, 1 fp16) and Ftz (0/1). */
int vfma_fmt(void);
int vfma_ftz(void);

/* Finishes and frees the model; NULL is allowed. */
void vfma_close(vfma_t *v);

#ifdef __cplusplus
}
#endif

#endif
