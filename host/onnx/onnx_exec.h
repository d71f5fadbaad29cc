/* onnx_exec.h - runs an ONNX graph node by node on the golden operators (models/golden_onnx.h).
 *
 * Nodes run in a topological order (file order when the file is sorted, as ONNX requires;
 * otherwise each pass runs every node whose inputs exist). Supported operators (default
 * domain): Conv, ConvInteger, QLinearConv, Gemm, MatMul, MatMulInteger, QLinearMatMul,
 * MaxPool, AveragePool, GlobalAveragePool, Relu, Add, Flatten, Reshape, QuantizeLinear,
 * DequantizeLinear. Any other operator makes the run fail with PECOS_ENOTSUP and a reason
 * that names it. QLinearConv and QLinearMatMul honour the pecos attribute `pecos_relu` = 1
 * that host/onnx/onnx_qdq.c sets on a fused Relu: y = max(y, y_zero_point).
 */
#ifndef PECOS_ONNX_EXEC_H
#define PECOS_ONNX_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "golden_onnx.h"
#include "onnx_load.h"

/* Called after every node has run on the golden operators: in[i] is NULL for an omitted
 * optional input, out[i] NULL for an omitted output. The hook may overwrite the elements of
 * out[i] in place (never its dtype, shape or data pointer): the nodes downstream then read
 * the hook's values (e.g. the accelerator's). Returns 0 to go on, or a negative PECOS_E*
 * code (with a one-line reason in err) to stop the run with that code. */
typedef int (*onnx_exec_hook_t)(void *ctx, const onnx_node_t *node, int index,
                                const golden_tensor_t *const *in, int n_in,
                                golden_tensor_t *const *out, int n_out, char *err,
                                size_t errlen);

typedef struct {
    onnx_exec_hook_t hook;  /* NULL: none */
    void *ctx;              /* passed to hook */
} onnx_exec_opts_t;

/* True if op_type (default domain) is one the interpreter runs. */
bool onnx_exec_supported(const char *op_type);

/* The first node of m whose operator is not supported (NULL if all are). */
const onnx_node_t *onnx_exec_first_unsupported(const onnx_model_t *m);

/* Number of graph inputs that are not initializers: the tensors a run is fed with. */
int onnx_exec_n_feeds(const onnx_model_t *m);

/* Runs m with feeds[0..n_feeds-1] bound, in order, to the graph inputs that are not
 * initializers; writes the graph outputs into outputs[0..m->n_outputs-1] (the caller frees
 * them with golden_tensor_free(); all zeroed on failure). opts may be NULL. Returns 0 or a
 * negative PECOS_E* code with a one-line reason in err: PECOS_ENOTSUP (operator, naming
 * it), PECOS_ESHAPE/PECOS_EDTYPE/PECOS_EPARAM (from the operator, naming the node),
 * PECOS_EFORMAT (graph cannot be ordered, wrong number of feeds, an output not produced). */
int onnx_exec_run(const onnx_model_t *m, const onnx_exec_opts_t *opts,
                  const golden_tensor_t *feeds, int n_feeds, golden_tensor_t *outputs, char *err,
                  size_t errlen);

/* Fills win from a Conv/ConvInteger/QLinearConv/MaxPool/AveragePool node's attributes for
 * an input of rank x_rank. Returns 0 or PECOS_EPARAM (wrong length or value) with err. */
int onnx_exec_window(const onnx_node_t *n, int x_rank, golden_window_t *win, char *err,
                     size_t errlen);

#endif
