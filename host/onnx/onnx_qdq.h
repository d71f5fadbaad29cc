/* onnx_qdq.h - recognises QDQ patterns (QuantizeLinear/DequantizeLinear around float ops,
 * the form today's exporters and quantizers write) and rewrites them into the integer
 * nodes the golden operators and the array run.
 *
 * Patterns (x_q, w_q, b_q quantized tensors; every scale and zero point an initializer):
 *
 *   DQ(x_q), DQ(w_q)[, DQ(b_q)] -> Conv [-> Relu] -> Q          => QLinearConv
 *   DQ(x_q), DQ(w_q)[, DQ(b_q)] -> Gemm [-> Relu] -> Q          => Reshape [N,K,1,1] ->
 *                                     QLinearConv 1x1 (bias in the node) -> Reshape [N,M]
 *   DQ(x_q), DQ(w_q)            -> MatMul [-> Relu] -> Q        => QLinearMatMul
 *   DQ(x_q) -> MaxPool -> Q, DQ(x_q) -> Flatten|Reshape -> Q,
 *     with the same scale and zero point on both sides          => the op on x_q
 *
 * Conditions: x_scale a scalar, x's zero point a scalar (its dtype int8/uint8, or absent
 * with x_q made by a QuantizeLinear); w_q an int8/uint8 initializer, its scale per tensor or
 * per output channel (the DQ's axis on the output dimension); b_q an int32 initializer with
 * zero point 0 and scale x_scale * w_scale[k] (float32 product; relative difference at most
 * 2^-22); Gemm alpha = beta = 1, transA = 0; the float tensors the rewrite removes (the
 * Conv/Gemm/MatMul output, the Relu output, the pool output) feed only the next node of the
 * pattern and are not graph outputs. A Relu becomes the node attribute `pecos_relu` = 1:
 * y = max(y, y_zero_point), exact for ReLU (round(max(v,0)/s) + zp = max(round(v/s) + zp,
 * zp)); golden QLinearConv/QLinearMatMul (host/onnx/onnx_exec.c) and the array mapping (onnx_map.c) honour it.
 *
 * Anything else stays as it is and runs on the golden float operators: Add, AveragePool,
 * GlobalAveragePool, Clip, a Conv whose pattern is incomplete. After the rewrite, the
 * DequantizeLinear nodes nobody reads are removed. Every node left that is a
 * QuantizeLinear/DequantizeLinear, or a float Conv/MatMul/Gemm/MaxPool/AveragePool/
 * GlobalAveragePool/Add reading a DequantizeLinear, is marked ONNX_QDQ_FLOAT with a note
 * saying why; every rewritten node is ONNX_QDQ_FUSED with a note naming the nodes it
 * replaces (onnx_node_t.qdq, .qdq_note; counts in onnx_model_t.qdq_fused, .qdq_float).
 */
#ifndef PECOS_ONNX_QDQ_H
#define PECOS_ONNX_QDQ_H

#include <stddef.h>

#include "onnx_load.h"

/* Rewrites the QDQ patterns of m in place (nodes, initializers; new strings owned by m).
 * Returns 0 (also when nothing matched) or PECOS_ENOMEM with err; m is then still valid for
 * onnx_model_free(). Called by onnx_model_parse_ex() unless ONNX_LOAD_NO_QDQ_FUSE. */
int onnx_qdq_fuse(onnx_model_t *m, char *err, size_t errlen);

#endif
