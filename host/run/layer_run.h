/* layer_run.h - runs one layer on the RTL array behind the memory system and checks it: the
 * core of `pecos run`, shared by the network runner and the ONNX path.
 *
 * The checks (layer_check.h, docs/ARCHITECTURE.md "Checks of every layer"): outputs
 * bit-exact against the golden conv (fp: in the array's accumulation order, plus the error
 * against float64); cycles equal to the exact model with unbounded memory, or between the
 * roofline and the predicted schedule +-10% with a bounded one; DRAM traffic equal to the
 * tiling's model; the RTL's counters equal to what the host drove. A failing check writes
 * one FAIL line to the caller's log (layer_run_cfg_t.log) naming the layer, the first
 * mismatch (k, p, q), expected, got, the seed and the cycle, then calls the re-run hook with
 * a waveform window around that cycle.
 */
#ifndef PECOS_LAYER_RUN_H
#define PECOS_LAYER_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "energy.h"
#include "golden_post.h"
#include "layer.h"
#include "memsys.h"
#include "pecos_types.h"
#include "simlib.h"
#include "tiling.h"
#include "array_run.h"

/* The results of one layer (layer_run() fills them, report.h prints them).
 * What the memory system did for one layer, and what the models say it should. */
typedef struct {
    char tiling[64];             /* tiling_str() */
    uint64_t tiles, visits;
    uint64_t dram_rd, dram_wr;   /* bytes the DMA moved */
    uint64_t dram_rd_t[TENSOR_N], dram_wr_t[TENSOR_N]; /* by tensor */
    uint64_t dram_bus;           /* channel bytes incl. burst rounding */
    uint64_t descs;              /* DMA descriptors */
    uint64_t model_dram;         /* the tiling's traffic (mem_model) */
    uint64_t compulsory;         /* each input row used, weight, bias, output once */
    uint64_t glb_rd[GLB_N], glb_wr[GLB_N], glb_size[GLB_N]; /* by partition: ifmap, weight, psum */
    uint64_t glb_unified;        /* unified GLB bytes, 0 if partitions are separate */
    uint64_t rf_rd, rf_wr;       /* PE register accesses (from the RTL's counters) */
    uint64_t rf_bytes;
    uint64_t stall[STALL_N];     /* compute, fill/drain, DMA, GLB port */
    double energy_pj[ENERGY_N];
    double intensity;            /* operations per DRAM byte */
    uint64_t roofline_cycles, predicted_cycles;
    bool exact;                  /* unbounded DRAM: cycles must equal the compute model */
    bool traffic_ok;             /* DRAM bytes == model, >= compulsory */
    bool bounds_ok;              /* cycles >= roofline, within 10% of predicted */
} layer_mem_t;

/* What the post-processing unit did on the array's writeback path (layer_fuse_t), and its
 * check: every int8 result against the golden chain (the golden conv, then golden_post),
 * and every result LAT cycles after its output vector went in. */
typedef struct {
    bool on;                 /* the layer ran fused */
    uint64_t beats;          /* output vectors into the unit */
    uint64_t outputs;        /* int8 results (K*P*Q) */
    uint64_t late;           /* result vectors that left other than LAT cycles after theirs */
    uint64_t mismatches;     /* int8 results that differ from the golden chain */
    int bad_k, bad_p, bad_q; /* the first (valid if mismatches) */
    int expected, got;
    uint64_t bad_cycle;      /* the cycle its accumulator left the array */
    int latency;             /* the unit's LAT */
    bool ok;                 /* no mismatch, none late, as many results as vectors */
} layer_fused_res_t;

typedef struct {
    layer_t layer;           /* what ran */
    uint64_t macs;           /* useful MACs of the layer */
    uint64_t cycles;         /* simulated cycles of the layer */
    uint64_t model_cycles;   /* analytical model's prediction */
    uint64_t ideal_cycles;   /* ceil(macs / (rows*cols)) */
    uint64_t start_cycle;    /* global cycle the layer started at */
    double utilization;      /* macs / (cycles * rows * cols) */
    bool bitexact;           /* every output equals the golden conv */
    bool cycles_match;       /* cycles == model_cycles */
    bool counters_ok;        /* the RTL's counters agree with the beats the host issued */
    uint64_t mismatches;     /* outputs that differ */
    int bad_k, bad_p, bad_q; /* first mismatch (valid if mismatches) */
    int32_t expected, got;   /* int32 values, or fp32 bit patterns when fp */
    bool fp;                 /* bf16/fp16 operands, fp32 results */
    double max_abs_err;      /* fp: largest |RTL - float64 reference| */
    double max_rel_err;      /* fp: largest error relative to max(|ref|, 1e-3 max|ref|) */
    uint64_t bad_cycle;      /* global cycle the first mismatching output came out */
    int bad_lane;            /* the output lane (array column) it came out on */
    uint64_t rtl_busy;       /* RTL counter: cycles with a beat in flight */
    uint64_t rtl_mac_slots;  /* RTL counter: PE-cycles with a valid product */
    uint64_t rtl_gated;      /* RTL counter: MAC slots whose multiplier a zero operand gated
                                (int8; priced as idle in the energy) */
    double sim_seconds;      /* wall time of the cycle loop */
    double wall_seconds;     /* wall time of the layer including data and checks */
    layer_mem_t mem;
    layer_fused_res_t fused; /* the post-processing unit on the writeback path, if it was */
} layer_result_t;

static inline bool layer_result_ok(const layer_result_t *r)
{
    return r->bitexact && r->cycles_match && r->counters_ok && r->mem.traffic_ok &&
           r->mem.bounds_ok && (!r->fused.on || r->fused.ok);
}

typedef struct {
    int rows, cols;             /* the array */
    pecos_dtype_t dtype;        /* must match the loaded variant */
    mem_cfg_t mem;              /* DRAM and GLB */
    const energy_table_t *etab; /* per-access energies */
    bool tile_forced;           /* use tile instead of the tiler's choice */
    tiling_t tile;
    uint64_t fault_cycle;       /* checker self-test (UINT64_MAX: none) */
    FILE *trace;                /* --trace-dma, or NULL */
    uint64_t seed;              /* named in failure lines */
    const char *who;            /* prefix of error lines, e.g. "pecos run" */
    FILE *log;                  /* where error and FAIL lines go (pecos: stderr); NULL: nowhere */
    /* Prints how to re-run with a waveform window [from, to] (may be NULL). */
    void (*rerun)(void *ctx, uint64_t from, uint64_t to);
    void *rerun_ctx;
    /* Where the layer runs: NULL, the array model given to layer_run(); else this backend
     * (backend.h; layer_run()'s sim is then NULL) */
    const struct layer_backend *backend;
    /* The post-processing unit on the writeback path for this call (--fuse-ppu), or NULL */
    const struct layer_fuse *fuse;
} layer_run_cfg_t;

/* --fuse-ppu, for one int8 layer: the open post-processing unit, configured with rq and
 * pool, and where its int8 results go. The array adds the bias (the unit's bias lanes
 * are zero), so the chain is the same as the unit's own pass over the accumulators. */
typedef struct layer_fuse {
    struct postlib *ppu;
    golden_rq_t rq;          /* what the unit was configured with: the check's chain */
    golden_pool_t pool;      /* and its pooling: NONE, or (WS) a max/avg window whose stride
                                is its size, unpadded: out8 is then the pooled map */
    int8_t *out8;            /* [K,P,Q] int8 results (pooled: [K,P/r,Q/s]) */
} layer_fuse_t;

/* Runs layer L (one group: L->groups is 1) on the open model sim under dataflow df (DF_WS,
 * DF_IS on a "ws" variant, DF_OS on an "os" one), or on c->backend (sim NULL). Operands are esz-byte elements (int8, or bf16/fp16 bits per
 * c->dtype): ifmap [C,H,W], weights [K,C,R,S]; bias [K] int32 (fp: fp32 bits) or NULL.
 * Writes the RTL's result [K,P,Q] into out (caller-allocated) and fills res. Returns 0 when
 * the layer ran (res says whether its checks passed), PECOS_EPARAM (the layer does not fit
 * the buffers or DRAM; the one-line reason is written to c->log), PECOS_ESIM (the RTL broke
 * the protocol; written) or PECOS_ENOMEM (written). Borrows every buffer. */
int layer_run(const layer_run_cfg_t *c, simlib_t *sim, pecos_df_t df, const layer_t *L,
               const void *ifmap, const void *weights, const int32_t *bias, int32_t *out,
               layer_result_t *res);

/* Adds the counters of src (another piece of the same layer, e.g. one group of a grouped
 * conv run as its own layer) into dst: cycles, MACs, traffic, accesses, stalls, energy, wall
 * time; checks are ANDed, the first mismatch kept. */
void layer_run_merge(layer_result_t *dst, const layer_result_t *src, int rows, int cols);

#endif
