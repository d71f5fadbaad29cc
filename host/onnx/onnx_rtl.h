/* onnx_rtl.h - ONNX nodes on the RTL: the one node pipeline of `pecos onnx-test --rtl`,
 * `pecos run --onnx` and `pecos eval`.
 *
 * onnx_rtl_hook() is an onnx_exec hook: after the golden operators ran a node, it
 *   - Conv, ConvInteger, QLinearConv, MatMul, MatMulInteger, QLinearMatMul, Gemm (the
 *     "conv/matmul nodes"): maps the node (onnx_map.h: zero points folded into the bias),
 *     runs it on the int8 array (device_conv_i8: bit-exact vs the golden conv of the
 *     operands fed, cycles vs the model), adds the per-row zero-point correction if any,
 *     and for QLinear* requantizes on the post-processing unit (device_post, checked
 *     bit-exact vs golden_post; uint8 outputs with the zero point shifted by -128 and +128
 *     after; pecos_relu = ReLU at the zero point) when every scale is in the PPU's range,
 *     else on the host with ONNX's float formula (said in why). The result is compared with
 *     the golden node output: exactly, or within 1 after the PPU (a near-tie of ONNX's float
 *     formula, counted in diffs);
 *   - the same float32 Conv/MatMul/Gemm also on the bf16/fp16 array when one is open
 *     (bit-exact vs the golden fp conv in the array's order, and within the derived error
 *     bound of the golden node output and of the expected graph output: docs/ONNX.md);
 *   - MaxPool on int8/uint8 maps: the post-processing unit (requantization bypassed).
 * A conv/matmul node that ran on neither array is "golden only", with the reason. With
 * write_back the RTL's values replace the golden ones downstream.
 */
#ifndef PECOS_ONNX_RTL_H
#define PECOS_ONNX_RTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "device.h"
#include "fpconv.h"
#include "golden_onnx.h"
#include "npy.h"
#include "onnx_load.h"

typedef struct {
    const onnx_node_t *n;
    int index;
    char name[64];           /* the node's name, else "node<index>_<op>" */
    const char *where;       /* "array+ppu", "array", "fp-array", "array+fp-array", "ppu", "golden" */
    bool candidate;          /* a conv/matmul node: counted as RTL or golden only */
    bool on_array, on_fp, has_post;
    bool host_rq;            /* QLinear*: requantized on the host (why says why) */
    bool fused;              /* the PPU on the array's writeback path (onnx_rtl_t.fuse) */
    bool pooled;             /* a MaxPool that ran on that unit inside the conv before it */
    uint64_t macs;           /* the node's MACs from its ONNX shapes */
    char why[200];           /* golden only, or partly on the host: why */
    bool fp_tried;           /* a float candidate for the open fp array */
    char fp_why[160];        /* fp_tried and not on the fp array: why */
    layer_result_t arr;      /* int8 array, all batch items merged */
    layer_result_t fpr;      /* fp array */
    device_post_res_t post;   /* PPU calls merged */
    int post_calls;
    int64_t outputs, diffs;  /* outputs compared with the golden node; how many differ */
    int max_diff;            /* largest |RTL - golden| */
    double fp_ratio;         /* fp: largest |error| / bound */
    bool ok;                 /* every check passed */
    char fail[400];          /* the first failed check, one line */
} onnx_rtl_rec_t;

typedef struct {
    device_t *i8;             /* the int8 array, or NULL (caller-opened) */
    device_t *fp;             /* the bf16/fp16 array, or NULL */
    fp_fmt_t fmt;            /* of fp */
    bool write_back;         /* downstream nodes read the RTL's values */
    bool fuse;               /* --fuse-ppu: a QLinear* node with one requantization scale
                                and no per-pixel zero-point correction runs with the PPU on
                                the array's writeback path (int8 to DRAM); others say why not.
                                With graph, a MaxPool that alone reads such a node (one image,
                                windows as large as their stride, WS) runs there too */
    const onnx_model_t *graph; /* the model (its nodes' consumers), or NULL */
    struct {                 /* a fused conv's pooled output, for its MaxPool node */
        int node;            /* the MaxPool's index */
        int8_t *y;           /* [K][P/r][Q/s] int8 (uint8 outputs: - 128), or NULL: none */
        size_t n;
        int u8;              /* 128 for uint8, else 0 */
    } pend;
    /* the current run's expected graph outputs (fp bound checks), or NULL */
    const onnx_model_t *m;
    const golden_tensor_t *exp;
    int n_exp;
    onnx_rtl_rec_t *rec;     /* by node index */
    int *order;              /* node indices as they ran */
    int n_ran, cap;
    bool printed;            /* an error was printed by the layer runners */
} onnx_rtl_t;

typedef struct {
    int nodes, candidates, rtl_nodes, golden_nodes, ppu_nodes, host_rq, fused_nodes;
    uint64_t dram_bytes;     /* the arrays' DRAM traffic, read and written */
    uint64_t macs, macs_rtl, macs_golden;
    uint64_t arr_cycles, fp_cycles, ppu_cycles, arr_model_cycles;
    double energy_pj;        /* the arrays' memory system + MACs (layer_result_t) */
    int64_t outputs, diffs;
    int max_diff;
    double fp_ratio;
    bool pass;               /* every node's checks */
    const onnx_rtl_rec_t *first_fail, *first_golden;
} onnx_rtl_totals_t;

/* Sets up r for models of up to n_nodes nodes (arrays i8/fp as given, may be NULL).
 * Returns 0 or PECOS_ENOMEM. */
int onnx_rtl_init(onnx_rtl_t *r, int n_nodes);
/* Forgets the records of the last run (before each onnx_exec_run). */
void onnx_rtl_reset(onnx_rtl_t *r);
void onnx_rtl_free(onnx_rtl_t *r);

/* The onnx_exec hook (ctx: onnx_rtl_t *). Records every node; a failed check is recorded
 * (rec->ok false, rec->fail) and the run goes on. Returns a negative code only when the
 * run cannot go on (PECOS_ENOMEM, PECOS_ESIM from the simulator; err says why). */
int onnx_rtl_hook(void *ctx, const onnx_node_t *n, int index, const golden_tensor_t *const *in,
                  int n_in, golden_tensor_t *const *out, int n_out, char *err, size_t errlen);

onnx_rtl_totals_t onnx_rtl_totals(const onnx_rtl_t *r);

/* The RTL share of the conv/matmul MACs (1 when there are none). */
double onnx_rtl_share(const onnx_rtl_totals_t *t);

/* One line per golden-only conv/matmul node to f ("PREFIX: node 'x' (Op) ran on the golden
 * models only: why"); returns how many. */
int onnx_rtl_print_golden(FILE *f, const onnx_rtl_t *r, const char *prefix);

/* JSON: the records as an array of objects, and the totals as an object (no trailing
 * newline). */
void onnx_rtl_json_nodes(FILE *f, const onnx_rtl_t *r);
void onnx_rtl_json_totals(FILE *f, const onnx_rtl_totals_t *t);

/* The golden dtype of a .npy dtype; 0 or PECOS_EDTYPE. */
int onnx_rtl_npy_dtype(npy_dtype_t d, golden_dtype_t *g);

#endif
