/* report.h - per-layer results: the stdout table and the JSON report. */
#ifndef PECOS_REPORT_H
#define PECOS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layer.h"

enum { E_DRAM, E_GLB, E_RF, E_MAC, E_N }; /* energy by level */

/* What the memory system did for one layer, and what the models say it should. */
typedef struct {
    char tiling[64];             /* tiling_str() */
    uint64_t tiles, visits;
    uint64_t dram_rd, dram_wr;   /* bytes the DMA moved */
    uint64_t dram_rd_t[5], dram_wr_t[5]; /* by tensor: ifmap, weight, bias, psum, out */
    uint64_t dram_bus;           /* channel bytes incl. burst rounding */
    uint64_t descs;              /* DMA descriptors */
    uint64_t model_dram;         /* the tiling's traffic (mem_model) */
    uint64_t compulsory;         /* each input row used, weight, bias, output once */
    uint64_t glb_rd[3], glb_wr[3], glb_size[3]; /* by partition: ifmap, weight, psum */
    uint64_t glb_unified;        /* unified GLB bytes, 0 if partitions are separate */
    uint64_t rf_rd, rf_wr;       /* PE register accesses (from the RTL's counters) */
    uint64_t rf_bytes;
    uint64_t stall[4];           /* compute, fill/drain, DMA, GLB port */
    double energy_pj[E_N];
    double intensity;            /* operations per DRAM byte */
    uint64_t roofline_cycles, predicted_cycles;
    bool exact;                  /* unbounded DRAM: cycles must equal the compute model */
    bool traffic_ok;             /* DRAM bytes == model, >= compulsory */
    bool bounds_ok;              /* cycles >= roofline, within 10% of predicted */
} layer_mem_t;

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
    uint64_t rtl_busy;       /* RTL counter: cycles with a beat in flight */
    uint64_t rtl_mac_slots;  /* RTL counter: PE-cycles with a valid product */
    double sim_seconds;      /* wall time of the cycle loop */
    double wall_seconds;     /* wall time of the layer including data and checks */
    layer_mem_t mem;
} layer_result_t;

typedef struct {
    int rows, cols;
    const char *dataflow, *dtype;
    uint64_t seed;           /* data seed (meaningful when !from_files) */
    bool from_files;         /* tensors came from .npy files */
    double dram_bw;          /* bytes/cycle, 0 unlimited */
    uint64_t dram_latency;
    const char *glb_desc;    /* e.g. "unbounded", "256 KiB unified" */
} run_config_t;

static inline bool layer_result_ok(const layer_result_t *r)
{
    return r->bitexact && r->cycles_match && r->counters_ok && r->mem.traffic_ok &&
           r->mem.bounds_ok;
}

/* Prints the summary table of n layers and a total line to f. */
void report_table(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n);
/* Writes the JSON report to path. Returns 0 or PECOS_EIO. */
int report_json(const char *path, const run_config_t *cfg, const layer_result_t *res, int n);

/* Several dataflows over the same n layers: res[d*n + i] is layer i under cfg[d].dataflow;
 * ran[d] layers of dataflow d completed. report_compare prints one table (per layer and in
 * total: cycles, utilization, GLB traffic by partition, DRAM bytes, energy by level, check);
 * report_json_compare writes {"dataflows": {"ws": <run report>, ...}, "pass": bool}. */
void report_compare(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n,
                    const int *ran, int ndf);
int report_json_compare(const char *path, const run_config_t *cfg, const layer_result_t *res,
                        int n, const int *ran, int ndf);

#endif
