/* net_run.h - `pecos run --network NETWORK.csv`: a whole network through the RTL, int8.
 *
 * Every layer of the topology (topo.h) runs in file order with real chaining: the int8
 * output of a layer, requantized by the post-processing unit, is the input of the next.
 *   conv, fc   the PE array (device_conv_i8: int32 accumulators, groups mapped per group),
 *              then the post-processing unit: bias, requantize, fused ReLU; with
 *              --fuse-ppu the unit sits on the array's writeback path instead (the array
 *              adds the bias, the unit requantizes each output as it leaves, int8 to DRAM);
 *   maxpool, avgpool, gap, relu   the post-processing unit alone;
 *   add        the post-processing unit (one input as the accumulator, the other as a
 *              per-element bias, requantized back to int8, fused ReLU);
 *   concat     the host (a memory layout: channels placed side by side, no arithmetic).
 * Data are deterministic: the input from the seed (or --ifmap), each layer's weights and
 * bias from the seed and the layer's index; each requantization scale is calibrated on the
 * layer's own accumulators (the largest magnitude maps to 127). Every RTL result is checked
 * bit-exact against the golden models, and the array's cycles against the cycle models.
 * With --jobs N the layers run on N worker processes, each from the golden chain's input;
 * the reports are those of the run in order, to which a failing network falls back (see
 * "--jobs" in net_run.c).
 */
#ifndef PECOS_NET_RUN_H
#define PECOS_NET_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer_run.h"

typedef struct {
    const char *network;    /* topology CSV */
    const char *ifmap_path; /* [1,C,H,W] int8 .npy, or NULL: random from seed */
    const char *out_path;   /* the last layer's int8 output as .npy, or NULL */
    const char *json_path, *csv_path, *plot_dir; /* or NULL */
    const char *wave_path;  /* FST of the array, or NULL */
    const char *replay_dir; /* --replay-dump: the array's and the PPU's dumps (device_replay), or
                               NULL */
    uint64_t wave_from, wave_to;
    bool progress;          /* a progress line on stderr (when it is a terminal) */
    bool quiet;             /* no summary table or lines on stdout (a --wave-on-fail re-run) */
    int layers;             /* run the first layers only (0: all) */
    int batch;              /* --batch N: images (0 or 1: one); --ifmap [N,C,H,W], --out
                               [N,K,P,Q]; each conv/fc runs the N images as one layer
                               (layer_batch.h), the unit's passes image by image */
    bool fuse_ppu;          /* --fuse-ppu: conv/fc with the PPU on the array's writeback path
                               (bias, requantize, ReLU; int8 to DRAM, device_conv_i8_fused) */
    int jobs;               /* --jobs N: processes for the layers (0: procpool_cpus(); 1: this
                               one, in order); see net_par_layers in net_run.c */
    layer_result_t *bad;    /* or NULL: gets the array result of the first layer whose array
                               output mismatched (mismatches 0: none did) */
    int *bad_index;         /* or NULL: that layer's index in the file (-1: none) */
} net_run_opts_t;

/* Runs the network on the array of run (int8) under dataflow df. Prints the summary table
 * (and the --plot, --wave lines) to stdout. Returns 0 when every layer ran and every output
 * was written, else the negative PECOS_E* code of the first error. *pass is false when a
 * layer's check failed, unless an error stopped the run (then that error decides). err
 * (errlen bytes) gets the reason of each error (errlist.h: the first as one line for the
 * caller to print after "<who>: ", a later one after "\n<who>: ", who: run->who); it stays
 * empty when the array's or the PPU's runner printed the error itself. */
int net_run(const layer_run_cfg_t *run, int df, const net_run_opts_t *o, bool *pass, char *err,
           size_t errlen);

#endif
