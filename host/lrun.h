/* lrun.h - runs one layer on the RTL array behind the memory system and checks it: the
 * core of `pecos run`, shared by the network runner and the ONNX path.
 *
 * The checks (docs/ARCHITECTURE.md, "Checks of every layer"): outputs bit-exact against the
 * golden conv (fp: in the array's accumulation order, plus the error against float64);
 * cycles equal to the exact model with unbounded memory, or between the roofline and the
 * predicted schedule +-10% with a bounded one; DRAM traffic equal to the tiling's model; the
 * RTL's counters equal to what the host drove. A failing check prints one FAIL line naming
 * the layer, the first mismatch (k, p, q), expected, got, the seed and the cycle, then calls
 * the re-run hook with a waveform window around that cycle.
 */
#ifndef PECOS_LRUN_H
#define PECOS_LRUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "energy.h"
#include "layer.h"
#include "memsys.h"
#include "report.h"
#include "simlib.h"
#include "tiling.h"

typedef struct {
    int rows, cols;             /* the array */
    const char *dtype;          /* "int8", "bf16" or "fp16": must match the loaded variant */
    mem_cfg_t mem;              /* DRAM and GLB */
    const energy_table_t *etab; /* per-access energies */
    bool tile_forced;           /* use tile instead of the tiler's choice */
    tiling_t tile;
    uint64_t fault_cycle;       /* checker self-test (UINT64_MAX: none) */
    FILE *trace;                /* --trace-dma, or NULL */
    uint64_t seed;              /* named in failure lines */
    const char *who;            /* prefix of error lines, e.g. "pecos run" */
    /* Prints how to re-run with a waveform window [from, to] (may be NULL). */
    void (*rerun)(void *ctx, uint64_t from, uint64_t to);
    void *rerun_ctx;
} lrun_cfg_t;

/* Runs layer L (one group: L->groups is 1) on the open model sim under dataflow df (DF_WS, DF_IS on a "ws" variant,
 * DF_OS on an "os" one). Operands are esz-byte elements (int8, or bf16/fp16 bits per
 * c->dtype): ifmap [C,H,W], weights [K,C,R,S]; bias [K] int32 (fp: fp32 bits) or NULL.
 * Writes the RTL's result [K,P,Q] into out (caller-allocated) and fills res. Returns 0 when
 * the layer ran (res says whether its checks passed), PECOS_EPARAM (the layer does not fit
 * the buffers or DRAM; the one-line reason is printed), PECOS_ESIM (the RTL broke the
 * protocol; printed) or PECOS_ENOMEM. Borrows every buffer. */
int lrun_layer(const lrun_cfg_t *c, simlib_t *sim, int df, const layer_t *L, const void *ifmap,
               const void *weights, const int32_t *bias, int32_t *out, layer_result_t *res);

/* Adds the counters of src (another piece of the same layer, e.g. one group of a grouped
 * conv run as its own layer) into dst: cycles, MACs, traffic, accesses, stalls, energy, wall
 * time; checks are ANDed, the first mismatch kept. */
void lrun_merge(layer_result_t *dst, const layer_result_t *src, int rows, int cols);

#endif
