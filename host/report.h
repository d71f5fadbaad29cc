/* report.h - per-layer results: the stdout table and the JSON report. */
#ifndef PECOS_REPORT_H
#define PECOS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layer.h"

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
} layer_result_t;

typedef struct {
    int rows, cols;
    const char *dataflow, *dtype;
    uint64_t seed;           /* data seed (meaningful when !from_files) */
    bool from_files;         /* tensors came from .npy files */
} run_config_t;

static inline bool layer_result_ok(const layer_result_t *r)
{
    return r->bitexact && r->cycles_match && r->counters_ok;
}

/* Prints the summary table of n layers and a total line to f. */
void report_table(FILE *f, const run_config_t *cfg, const layer_result_t *res, int n);
/* Writes the JSON report to path. Returns 0 or PECOS_EIO. */
int report_json(const char *path, const run_config_t *cfg, const layer_result_t *res, int n);

#endif
