/* analyze.h - per-layer work, traffic and roofline of a topology (no simulation).
 *
 * Per layer, for a batch of B images and a data type of D bytes an element:
 *   MACs      conv/fc: K*P*Q*(C/groups)*R*S*B; 0 for the other types
 *   weights   conv/fc: K*(C/groups)*R*S (no bias); bias: K (counted apart, not in bytes)
 *   in/out    input elements C*H*W*B (add: both inputs), output elements K*P*Q*B
 *   bytes     (in + weights + out) * D: each tensor moved once (no fusion across layers)
 *   FLOPs     conv/fc 2*MACs; maxpool/avgpool/gap one per window element per output
 *             (K*P*Q*R*S*B; gap's window is the input); relu and add one per output element;
 *             concat 0; a fused Activation adds nothing (done on the way out)
 *   intensity FLOPs / bytes
 *   cycles    max(compute, memory): compute = ceil(FLOPs / (2*peak)) (= MACs/peak for
 *             conv/fc; a pool compare or add counts as half a MAC slot), memory =
 *             ceil(bytes / bw)
 *   bound     compute when intensity >= ridge = 2*peak/bw FLOP/B, else memory
 * Totals are sums; the total's intensity and bound are those of the summed FLOPs and bytes.
 */
#ifndef PECOS_ANALYZE_H
#define PECOS_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo.h"

typedef struct {
    const char *dtype;   /* "int8", "fp16", "bf16" or "fp32" */
    uint64_t elem_bytes; /* bytes per element of dtype */
    uint64_t peak_macs;  /* MACs per cycle, >= 1 */
    uint64_t bw;         /* DRAM bytes per cycle, >= 1 */
    uint64_t batch;      /* images, >= 1 */
} analyze_cfg_t;

typedef struct {
    uint64_t macs, weights, bias, in_elems, out_elems, bytes, flops;
    uint64_t compute_cycles, memory_cycles, cycles;
    double intensity;   /* FLOP per byte */
    bool compute_bound;
} analyze_row_t;

typedef struct {
    analyze_row_t sum;                  /* sums (intensity, bound of the sums) */
    int conv_layers, fc_layers;         /* layers of type conv, fc */
    uint64_t conv_macs, conv_weights, conv_bias;
    uint64_t fc_macs, fc_weights, fc_bias;
    int compute_bound_layers;           /* layers with compute_bound */
} analyze_total_t;

/* Sets cfg to the defaults: int8 (1 byte), 256 MACs/cycle, 16 bytes/cycle, batch 1. */
void analyze_cfg_default(analyze_cfg_t *cfg);

/* Sets *bytes to the element size of dtype ("int8" 1, "fp16"/"bf16" 2, "fp32" 4); 0 or
 * PECOS_EPARAM for an unknown name. */
int analyze_dtype_bytes(const char *dtype, uint64_t *bytes);

/* Ridge point of the roofline: 2*peak/bw FLOP per byte. */
double analyze_ridge(const analyze_cfg_t *cfg);

/* Fills row for layer L. Returns 0 or PECOS_EPARAM (a count overflows 64 bits; err says
 * which, naming the layer). */
int analyze_layer(const analyze_cfg_t *cfg, const topo_layer_t *L, analyze_row_t *row,
                  char *err, size_t errlen);

/* Fills rows[0..t->n-1] (caller's array) and *tot. Returns 0 or PECOS_EPARAM (overflow). */
int analyze_network(const analyze_cfg_t *cfg, const topo_t *t, analyze_row_t *rows,
                    analyze_total_t *tot, char *err, size_t errlen);

#endif
