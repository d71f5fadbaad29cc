/* onnxrun.h - `pecos run --onnx MODEL.onnx`: a quantized ONNX model end to end through the
 * RTL.
 *
 * The golden interpreter (onnx_exec.h) runs the graph; its hook moves what maps onto the
 * accelerator (onnx_map.h decides, as for `pecos onnx-test --rtl`):
 *   QLinearConv, QLinearMatMul   the accumulation on the int8 array (accel_conv_i8: bit-exact
 *                                vs the golden conv, cycles vs the model), then bias and
 *                                requantization on the post-processing unit (accel_post with
 *                                golden_quant_multiplier(x_scale*w_scale/y_scale), one call per
 *                                group of output channels with equal scale; uint8 outputs run
 *                                with the zero point shifted by -128 and +128 after), checked
 *                                bit-exact against golden_post by accel_post, then compared
 *                                with the golden node output (ONNX's float formula): they may
 *                                differ by 1 at near-ties (golden_post.h), counted; more fails;
 *   ConvInteger, MatMulInteger, Conv/MatMul/Gemm on integer-valued data
 *                                the array (bias included), equal to the golden output;
 *   MaxPool on int8 data          the post-processing unit (rq_en = 0), equal to golden;
 *   everything else              the golden operators.
 * The values used downstream are the RTL's. Inputs: --input X.npy (dtype and shape of the
 * model's input), else MODEL_DIR/test_data_set_0/input_<i>.pb (then the graph outputs are
 * also compared with output_<i>.pb), else random from the seed.
 */
#ifndef PECOS_ONNXRUN_H
#define PECOS_ONNXRUN_H

#include <stdint.h>

#include "lrun.h"

typedef struct {
    const char *model;      /* .onnx */
    const char *input_path; /* .npy for the (single) graph input, or NULL */
    const char *out_path;   /* the first graph output as .npy, or NULL */
    const char *json_path;  /* or NULL */
    const char *wave_path;  /* FST of the array, or NULL */
    uint64_t wave_from, wave_to;
} onnxrun_opts_t;

/* Runs the model on the int8 array of run (run->dtype "int8") under dataflow df. Prints the
 * per-node table to stdout. Returns a PECOS_EXIT_* code: 0 every check passed, 1 a check
 * failed, 2 bad input (one line on stderr). */
int onnxrun(const lrun_cfg_t *run, int df, const onnxrun_opts_t *o);

#endif
