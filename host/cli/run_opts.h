/* run_opts.h - the options of `pecos run` (inside host/cli/): the table-driven parser on
 * getopt_long and its validation pass. cmd_run.c runs what they describe. */
#ifndef PECOS_RUN_OPTS_H
#define PECOS_RUN_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "energy.h"
#include "layer.h"
#include "memsys.h"
#include "pecos_types.h"
#include "tiling.h"

#define MAX_LAYERS 256

typedef struct run_opts {
    layer_t layers[MAX_LAYERS];
    int nlayers;
    int rows, cols;
    bool df_all;                  /* --dataflow all */
    pecos_df_t df;                /* --dataflow, unless all */
    pecos_dtype_t dtype;          /* --dtype */
    int ndf, dfs[3];              /* the dataflows to run (DF_*), in order */
    uint64_t seed;
    int batch;                    /* --batch N: images per run (1: none); validation stacks
                                     them along each layer's rows (layer_batch.h): layers[i]
                                     is then the stacked layer, image[i] one image's */
    int jobs;                     /* --jobs N (--network): processes for the layers (0: not
                                     given, the machine's CPUs, procpool_cpus()) */
    layer_t image[MAX_LAYERS];
    bool seed_given, wave_from_given, wave_to_given;
    bool no_build; /* --no-build: a model library that is not built is an error */
    bool backend_sc; /* --backend sc: the SystemC accelerator (pecos-sc runs it) */
    bool fuse_ppu;   /* --fuse-ppu: the PPU on the array's writeback path (--network) */
    /* The backend that runs the layers when backend_sc (pecos-sc sets it; NULL in pecos) */
    const struct layer_backend *backend;
    const char *ifmap_path, *weights_path, *bias_path, *out_path, *json_path;
    const char *wave_path;
    uint64_t wave_from, wave_to;
    const char *wave_fail_path;   /* --wave-on-fail FILE.fst */
    char wave_fail_gtkw[4096];    /* its GTKWave save file: FILE.gtkw */
    uint64_t fault_cycle;
    mem_cfg_t mem;
    const char *energy_path, *trace_path;
    const char *network_path, *csv_path, *plot_dir;
    const char *replay_dir; /* --replay-dump: DIR/<dataflow>.replay per dataflow */
    const char *onnx_path, *input_path; /* --onnx MODEL.onnx, --input X.npy */
    bool require_rtl;                   /* --require-rtl (with --onnx) */
    bool tile_forced, glb_default;
    tiling_t tile;
    energy_table_t etab;
    FILE *trace;
    int argc;
    char **argv;
} run_opts_t;

/* Parses and validates argv (argv[0] = "run") into o. Returns 0, 1 (--help printed) or -1
 * (one line on stderr). */
int run_opts_parse(int argc, char **argv, run_opts_t *o);

#endif
