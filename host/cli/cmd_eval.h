/* cmd_eval.h - `pecos eval MODEL.onnx --data X.npy --labels Y.npy`: a quantized classifier
 * over a labelled data set, every image through the RTL (onnx_rtl.h, as pecos run --onnx)
 * and through the golden operators; top-1 accuracy of both (and of a float model), their
 * agreement, a confusion matrix, cycles, utilization and energy per image. */
#ifndef PECOS_CMD_EVAL_H
#define PECOS_CMD_EVAL_H

#include <stdio.h>

void cmd_eval_usage(FILE *f);

/* Runs `pecos eval` with argv[0] = "eval". Returns PECOS_EXIT_PASS (every check passed and
 * the RTL agreed with the golden path on every image), PECOS_EXIT_FAIL or PECOS_EXIT_USAGE
 * (bad option or input: one line on stderr). */
int cmd_eval(int argc, char **argv);

#endif
