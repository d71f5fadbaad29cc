/* onnx_run.h - `pecos run --onnx MODEL.onnx`: a quantized ONNX model end to end through the
 * RTL.
 *
 * The golden interpreter (onnx_exec.h) runs the graph; its hook (onnx_rtl.h, the pipeline
 * `pecos onnx-test --rtl` and `pecos eval` share) moves what maps onto the accelerator:
 * conv/matmul nodes onto the int8 array (zero points folded into the bias), QLinear*
 * requantization onto the post-processing unit (within 1 of ONNX's float formula at
 * near-ties, counted), MaxPool on int8/uint8 onto the PPU; everything else stays on the
 * golden operators. The report counts the conv/matmul nodes and MACs on the RTL and on the
 * golden models only (with the reason); require_rtl makes any golden-only one a failure.
 * The values used downstream are the RTL's. Inputs: --input X.npy (dtype and shape of the
 * model's input), else MODEL_DIR/test_data_set_0/input_<i>.pb (then the graph outputs are
 * also compared with output_<i>.pb), else random from the seed. A batch of N images (--batch)
 * shares each weight load: every conv/matmul node whose weights are the images' runs them as
 * one layer on the array; the report gives cycles and energy per image as well.
 */
#ifndef PECOS_ONNX_RUN_H
#define PECOS_ONNX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer_run.h"

typedef struct {
    const char *model;      /* .onnx */
    const char *input_path; /* .npy for the (single) graph input, or NULL */
    const char *out_path;   /* the first graph output as .npy, or NULL */
    const char *json_path;  /* or NULL */
    const char *wave_path;  /* FST of the array, or NULL */
    const char *replay_dir; /* --replay-dump: the array's and the PPU's dumps (device_replay), or
                               NULL */
    uint64_t wave_from, wave_to;
    int batch;              /* images (--batch; 0 or 1: the model's own): the first dimension
                               of every fed input (a model's 1 or symbolic one becomes it;
                               the test data set's batch of 1 is repeated, and so are its
                               expected outputs); conv/matmul nodes run the images as one
                               stacked layer (layer_batch.h) */
    bool require_rtl;       /* a conv/matmul node on the golden models only fails the run */
    bool fuse_ppu;          /* --fuse-ppu: QLinear* nodes with the PPU on the array's
                               writeback path where they can (onnx_rtl_t.fuse) */
} onnx_run_opts_t;

/* Runs the model on the int8 array of run (run->dtype "int8") under dataflow df. Prints the
 * per-node table and the checks to stdout. Returns 0 when the graph ran and every output was
 * written, else the negative PECOS_E* code of the first error. *pass is false when a check
 * failed. err (errlen bytes) gets the reason of each error (errlist.h: the first as one line
 * for the caller to print after "<who>: ", a later one after "\n<who>: ", who: run->who); it
 * stays empty when the array's or the PPU's runner printed the error itself. */
int onnx_run(const layer_run_cfg_t *run, int df, const onnx_run_opts_t *o, bool *pass, char *err,
            size_t errlen);

#endif
