/* cmd_onnx.h - `pecos onnx-test DIR...`: ONNX backend test cases through the golden
 * interpreter (and, where the operator maps onto the accelerator, the RTL). */
#ifndef PECOS_CMD_ONNX_H
#define PECOS_CMD_ONNX_H

#include <stdio.h>

/* Runs `pecos onnx-test` with argv[0] = "onnx-test". Returns PECOS_EXIT_PASS (no FAIL),
 * PECOS_EXIT_FAIL (a case failed) or PECOS_EXIT_USAGE (bad option, missing directory,
 * unreadable or malformed file). */
int cmd_onnx_test(int argc, char **argv);
void cmd_onnx_test_usage(FILE *f);

#endif
