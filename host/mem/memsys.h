/* memsys.h - the configuration of the memory system around the array (pecos run options).
 *
 * DRAM: bandwidth in bytes per cycle (0: unlimited), latency in cycles, burst size, and a
 * capacity that the layer's tensors must fit. GLB: unified (one SRAM of glb_total bytes,
 * split by the tiler into ifmap, weight and psum partitions) or separate partitions with
 * fixed sizes; 0 everywhere means unbounded (the layer is one tile). Every partition is
 * double-buffered (two banks); each bank has one port toward the array except the psum
 * partition, which has psum_ports (2: a read and a write per cycle; 1: they share).
 */
#ifndef PECOS_MEMSYS_H
#define PECOS_MEMSYS_H

#include <stdint.h>

#include "mem_model.h"

/* The tensors the DMA moves, and the GLB partitions, in the order the reports print them. */
enum { TENSOR_IFMAP, TENSOR_WEIGHT, TENSOR_BIAS, TENSOR_PSUM, TENSOR_OUT, TENSOR_N };
enum { GLB_IFMAP, GLB_WEIGHT, GLB_PSUM, GLB_N };

typedef struct {
    dram_timing_t dram;      /* bw, latency, burst */
    uint64_t dram_capacity;  /* bytes */
    uint64_t glb_total;      /* unified GLB bytes; 0 = not unified */
    uint64_t glb_ifmap, glb_weight, glb_psum; /* separate partitions, bytes; 0 = not given */
    int psum_ports;          /* 1 or 2 */
} mem_cfg_t;

static inline int mem_cfg_glb_bounded(const mem_cfg_t *c)
{
    return c->glb_total || c->glb_ifmap || c->glb_weight || c->glb_psum;
}

#endif
