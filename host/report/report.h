/* report.h - per-layer results (layer_result_t, layer_run.h): the stdout table and the JSON
 * report. */
#ifndef PECOS_REPORT_H
#define PECOS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layer_run.h"

/* The writers (report.c, report_csv.c, net_run.c) spell out one field per tensor, partition,
 * stall cause and energy level in their format strings: a new member needs them too. */
_Static_assert(TENSOR_N == 5, "the reports name five tensors: ifmap, weight, bias, psum, out");
_Static_assert(GLB_N == 3, "the reports name three GLB partitions: ifmap, weight, psum");
_Static_assert(STALL_N == 4, "the reports name four stall causes");
_Static_assert(ENERGY_N == 4, "the reports name four energy levels: DRAM, GLB, RF, MAC");

typedef struct {
    int rows, cols;
    const char *dataflow, *dtype;
    uint64_t seed;           /* data seed (meaningful when !from_files) */
    bool from_files;         /* tensors came from .npy files */
    int batch;               /* images per run (--batch; 0 or 1: one) */
    double dram_bw;          /* bytes/cycle, 0 unlimited */
    uint64_t dram_latency;
    const char *glb_desc;    /* e.g. "unbounded", "256 KiB unified" */
} run_config_t;

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
