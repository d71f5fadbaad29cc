/* test_qdq.c - the QDQ rewrite (host/onnx/onnx_qdq.c) on the small models of
 * tests/mk_qdq_variants.py: what is fused, what stays float and why, and that the fused
 * graph computes what the QDQ graph computes (every output within one quantization step of
 * the float QDQ run; the integer formula may round the other way only next to a tie).
 *
 *   test_qdq DIR      (DIR written by mk_qdq_variants.py)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "onnx_exec.h"
#include "onnx_load.h"

typedef struct {
    const char *name;
    int fused, floats;     /* onnx_model_t.qdq_fused, .qdq_float */
    const char *op_made;   /* an op the rewrite must produce (NULL: none) */
    const char *float_op;  /* a node that must stay float ... */
    const char *why;       /* ... with this in its note */
} variant_t;

static const variant_t variants[] = {
    {"conv_relu", 1, 2, "QLinearConv", NULL, NULL},
    {"conv_uint8_nozp", 1, 2, "QLinearConv", NULL, NULL},
    {"conv_bias_off", 0, 7, NULL, "Conv", "bias scale is not x_scale * w_scale"},
    {"relu_shared", 0, 7, NULL, "Conv", "Relu's output is read by more"},
    {"matmul", 1, 2, "QLinearMatMul", NULL, NULL},
    {"gemm_transb0", 1, 2, "QLinearConv", NULL, NULL},
    {"residual_add", 1, 6, "QLinearConv", "Add", "no integer form"},
    {"gap", 0, 5, NULL, "GlobalAveragePool", "no integer form"},
};

/* The scale of the DequantizeLinear producing output name (0 if another op makes it). */
static float out_step(const onnx_model_t *m, const char *name)
{
    for (int i = 0; i < m->n_nodes; i++) {
        const onnx_node_t *n = &m->nodes[i];
        if (strcmp(n->op_type, "DequantizeLinear") == 0 && n->n_outputs == 1 && strcmp(n->outputs[0], name) == 0) {
            const golden_tensor_t *s = onnx_model_init(m, n->inputs[1]);
            return s && s->count == 1 ? ((const float *)s->data)[0] : 0;
        }
    }
    return 0;
}

static void one(const char *dir, const variant_t *v)
{
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/%s.onnx", dir, v->name);
    onnx_model_t f, r;
    if (onnx_model_read(path, &f, err, sizeof err)) {
        printf("FAIL: %s: %s\n", path, err);
        failed++;
        return;
    }
    if (onnx_model_read_ex(path, ONNX_LOAD_NO_QDQ_FUSE, &r, err, sizeof err)) {
        printf("FAIL: %s (unfused): %s\n", path, err);
        failed++;
        onnx_model_free(&f);
        return;
    }
    char what[200];
    snprintf(what, sizeof what, "%s: patterns fused", v->name);
    expect(what, (unsigned long long)f.qdq_fused, (unsigned long long)v->fused);
    snprintf(what, sizeof what, "%s: nodes left float", v->name);
    expect(what, (unsigned long long)f.qdq_float, (unsigned long long)v->floats);
    expect("unfused load fuses nothing", (unsigned long long)r.qdq_fused, 0);
    int made = 0, why_ok = 0;
    for (int i = 0; i < f.n_nodes; i++) {
        const onnx_node_t *n = &f.nodes[i];
        printf("  %s: %-18s %-24s %s\n", v->name, n->op_type, n->name, n->qdq_note ? n->qdq_note : "");
        if (v->op_made && strcmp(n->op_type, v->op_made) == 0 && n->qdq == ONNX_QDQ_FUSED) made++;
        if (v->float_op && strcmp(n->op_type, v->float_op) == 0 && n->qdq == ONNX_QDQ_FLOAT && n->qdq_note &&
            strstr(n->qdq_note, v->why))
            why_ok++;
        ok(strcmp(n->op_type, "QuantizeLinear") != 0 || n->qdq == ONNX_QDQ_FLOAT, "every Q left is marked float");
    }
    snprintf(what, sizeof what, "%s: the rewrite made %s", v->name, v->op_made ? v->op_made : "-");
    ok(!v->op_made || made == 1, what);
    snprintf(what, sizeof what, "%s: %s stays float saying '%s'", v->name, v->float_op ? v->float_op : "-", v->why ? v->why : "");
    ok(!v->float_op || why_ok == 1, what);

    /* Fused == float QDQ within one output step, on a deterministic input. */
    const int nf = onnx_exec_n_feeds(&r);
    ok(nf == 1, "one feed");
    const onnx_value_info_t *in = NULL;
    for (int i = 0; i < r.n_inputs; i++)
        if (!onnx_model_init(&r, r.inputs[i].name)) in = &r.inputs[i];
    golden_tensor_t x, yf[4], yr[4];
    if (!in || in->ndim < 1 || r.n_outputs > 4 || golden_tensor_alloc(&x, GOLDEN_DT_FLOAT, in->ndim, in->dims)) {
        failed++;
        goto out;
    }
    for (int64_t i = 0; i < x.count; i++) ((float *)x.data)[i] = (float)(3.0 * sin(0.7 * (double)i + 0.3));
    int rc1 = onnx_exec_run(&f, NULL, &x, 1, yf, err, sizeof err);
    if (rc1) printf("FAIL: %s fused run: %s\n", v->name, err);
    int rc2 = onnx_exec_run(&r, NULL, &x, 1, yr, err, sizeof err);
    if (rc2) printf("FAIL: %s float run: %s\n", v->name, err);
    golden_tensor_free(&x);
    if (rc1 || rc2) {
        failed++;
        if (!rc1) for (int o = 0; o < f.n_outputs; o++) golden_tensor_free(&yf[o]);
        if (!rc2) for (int o = 0; o < r.n_outputs; o++) golden_tensor_free(&yr[o]);
        goto out;
    }
    for (int o = 0; o < r.n_outputs; o++) {
        const float step = out_step(&r, r.outputs[o].name);
        int64_t exact = 0, within = 0;
        ok(yf[o].count == yr[o].count && yf[o].dtype == GOLDEN_DT_FLOAT, "output shapes agree");
        for (int64_t i = 0; i < yr[o].count && i < yf[o].count; i++) {
            const float a = ((const float *)yf[o].data)[i], b = ((const float *)yr[o].data)[i];
            exact += a == b;
            within += fabsf(a - b) <= step * 1.0001f;
        }
        printf("  %s: output '%s': %lld of %lld equal to the float QDQ run, %lld within one step (%g)\n", v->name,
               r.outputs[o].name, (long long)exact, (long long)yr[o].count, (long long)within, (double)step);
        snprintf(what, sizeof what, "%s: output '%s' within one quantization step of the float QDQ graph", v->name, r.outputs[o].name);
        expect(what, (unsigned long long)within, (unsigned long long)yr[o].count);
        if (v->fused == 0) {
            snprintf(what, sizeof what, "%s: nothing fused: outputs identical", v->name);
            expect(what, (unsigned long long)exact, (unsigned long long)yr[o].count);
        }
        golden_tensor_free(&yf[o]);
        golden_tensor_free(&yr[o]);
    }
out:
    onnx_model_free(&f);
    onnx_model_free(&r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_qdq DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) one(argv[1], &variants[i]);
    printf("%s: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks, failed);
    return failed || checks == 0 ? 1 : 0;
}
