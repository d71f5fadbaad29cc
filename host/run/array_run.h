/* array_run.h - runs one convolution on the array, cycle by cycle, behind the memory system:
 * DRAM, the DMA engine and the double-buffered GLB. All three dataflows share the tiles, the
 * DMA protocol and the GLB; they differ in what the lanes carry (see the mapper below).
 *
 * The host owns time. Each cycle it first advances the DMA engine (completing moves whose
 * time has come, issuing the moves whose GLB bank has become free), then decides what enters
 * the weight lane and the data lane from the state it has seen so far (which GLB tiles have
 * arrived, which array weight bank is free, which partial sums came back), clocks the model
 * once and collects the outputs into the GLB's psum bank. It never computes a schedule in
 * advance; models/cycle_model.c and models/mem_model.c predict the result independently.
 *
 * Mapper: the layer's tensors are laid out in DRAM (ifmap [C,H,W], weights [K,C,R,S], bias
 * [K] int32/fp32, output [K,P,Q] int32/fp32, each 64-byte aligned); the tiling (tiling.h)
 * cuts the layer into tiles. Within a tile (im2col): beat j of fold (kg, cf) carries, on row
 * r, the input element that the tile's reduction index cf*Rows + r (c, ry, sx) meets at the
 * tile's output pixel j; column c holds output channel kg*Cols + c of the tile. Lanes past
 * the tile's ct*R*S or kt carry zeros. The output is read back from DRAM at the end.
 * IS (same array): the held lane loads column c with the im2col column of tile pixel
 * pg*Cols + c (fold cf), and beat j carries the weights of tile channel j; column c's sum is
 * output (channel j, pixel pg*Cols + c). OS (rtl/pecos_array_os.sv): block (kg, pg) streams
 * ct*R*S beats; beat i carries on row r the ifmap element reduction lane i meets at tile
 * pixel pg*Rows + r and on column c the weight (channel kg*Cols + c, lane i); the first beat
 * brings the bias, and the block's Rows output rows come back row Rows-1 first.
 */
#ifndef PECOS_ARRAY_RUN_H
#define PECOS_ARRAY_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layer.h"
#include "memsys.h"
#include "simlib.h"
#include "tiling.h"

/* Operands are esz-byte elements (1: int8; 2: bf16/fp16 bit patterns), partial sums 32-bit
 * words (int32, or fp32 bit patterns): the loop moves bits and never interprets them. */
typedef struct {
    const layer_t *layer;
    pecos_df_t df;         /* DF_WS, DF_IS (both on a "ws" variant) or DF_OS ("os" variant) */
    size_t esz;            /* operand bytes: 1 or 2, must match the loaded variant */
    const void *ifmap;     /* [C,H,W] */
    const void *weights;   /* [K,C,R,S] */
    const int32_t *bias;   /* [K] or NULL (zeros) */
    int32_t *out;          /* [K,P,Q], written (read back from DRAM) */
    uint64_t *out_cycle;   /* [K*P*Q], written: global cycle each output last came out */
    uint16_t *out_lane;    /* [K*P*Q], written: the output lane (array column) it came out
                              on; NULL: not recorded */
    uint64_t fault_cycle;  /* self-test: corrupt the first output at or after this global
                              cycle (fused: the first int8 result; UINT64_MAX: never) */
    const tiling_t *tiling;
    const mem_cfg_t *mem;
    FILE *trace_dma;       /* or NULL */
    /* Where the tensors are (NULL: ifmap, weights, bias and out above): the DMA reads and
     * writes them through this port instead (the SystemC backend's system memory); then
     * ifmap, weights, bias and out are not used (NULL). */
    const struct tensor_port *port;
    /* The post-processing unit on the writeback path (--fuse-ppu), open and configured
     * (requantize, ReLU; pooling with pool_r below), or NULL. Each output vector of a final
     * reduction fold (the last c tile's last fold) goes from the array's output lanes into
     * the unit in the cycle it leaves (its bias lanes zero: the array started from the
     * bias); the unit's int8
     * results go to the psum bank's int8 place, which the DMA writes to DRAM. The unit's
     * clock is gated while its pipeline is empty. out still gets every accumulator (a tap at
     * the array's edge, for the layer's check), and out8 [K,P,Q] the int8 results (read
     * back from DRAM). Not with port. */
    struct postlib *ppu;
    int8_t *out8;
    /* ppu and pooling (WS): the unit pools each window of pool_r x pool_s outputs (its stride
     * the same, no padding; 0: no pooling). The tiles' rows start at multiples of pool_r; each
     * tile streams its pixels window by window (the pixels no window covers first), so a
     * window's outputs leave the array one after the other, framed for the unit; out8 is the
     * pooled map [K,P/pool_r,Q/pool_s]. */
    int pool_r, pool_s;
} ws_job_t;

/* The layer's tensors in someone else's memory: tensor is TENSOR_IFMAP, _WEIGHT, _BIAS,
 * _PSUM (spilled partial sums) or _OUT, off the byte offset in it (the layouts of ws_job_t;
 * PSUM and OUT share the output's [K,P,Q] int32 space). Each call moves one contiguous run;
 * it returns 0, or nonzero when the transfer failed (the run stops: PECOS_ESIM, "DMA
 * transfer failed"). A
 * layer without bias reads TENSOR_BIAS too: the port gives zeros. */
typedef struct tensor_port {
    int (*read)(void *ctx, int tensor, uint64_t off, void *dst, uint64_t n);
    int (*write)(void *ctx, int tensor, uint64_t off, const void *src, uint64_t n);
    void *ctx;
} tensor_port_t;

/* Why a cycle issued no data beat (STALL_COMPUTE: it did): the stall causes, in the order
 * the reports print them. */
enum { STALL_COMPUTE, STALL_FILL_DRAIN, STALL_DMA, STALL_GLB_PORT, STALL_N };

typedef struct {
    uint64_t start_cycle;  /* global cycle of the layer's first cycle */
    uint64_t cycles;       /* first cycle to the last output in DRAM */
    uint64_t beats;        /* data beats issued */
    uint64_t wbeats;       /* held-operand (weight lane) beats issued; 0 for OS */
    uint64_t os_blocks;    /* OS: blocks issued */
    vsim_counters_t rtl;   /* the RTL's own counters over the layer */
    uint64_t busy_pred;    /* the host's count of the cycles the RTL's busy counter counts:
                              a beat entering, an OS block open, or an output owed (the
                              counter's definition, rtl/pecos_perf_ctr.sv, applied to the
                              lanes the host drove and the outputs it saw) */
    uint64_t gated_pred;   /* the host's count of the MACs the RTL gates (an operand of zero,
                              int8): per data beat, from its lanes and the held operands the
                              host wrote into the bank it uses (WS/IS), or from its two
                              operand vectors (OS); 0 for bf16/fp16 */
    uint64_t stall[STALL_N];  /* every cycle is exactly one of these */
    uint64_t dram_rd[TENSOR_N], dram_wr[TENSOR_N]; /* bytes the DMA moved, by tensor */
    uint64_t dram_bus;     /* channel bytes (runs rounded up to bursts) */
    uint64_t descs;        /* DMA descriptors */
    uint64_t glb_rd[GLB_N], glb_wr[GLB_N];   /* bytes, by partition */
    uint64_t glb_bank[GLB_N]; /* bytes of one bank of each partition */
    uint64_t dram_bytes;   /* DRAM the layer's tensors occupy */
    /* fused (job->ppu): output vectors into the unit, the windows they close (result vectors
     * owed: every vector when the unit does not pool), result vectors out of it, and results
     * that left other than the unit's LAT cycles after their window's last vector went in */
    uint64_t ppu_beats, ppu_windows, ppu_results, ppu_late;
} ws_stats_t;

/* Runs job on the model s (already open and reset). Returns 0, PECOS_ENOMEM, PECOS_EPARAM
 * (the tensors do not fit the DRAM capacity) or PECOS_ESIM (the RTL broke the protocol: an
 * output with nothing in flight, or no progress for too long), with a one-line reason. */
int array_run_conv(simlib_t *s, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen);

/* The DRAM a layer's tensors occupy in its image (ifmap, weights, bias, output, each 64-byte
 * aligned): what array_run_conv() checks against mem->dram_capacity (ws_stats_t.dram_bytes). */
uint64_t array_dram_bytes(const layer_t *L, size_t esz);

#endif
