/* test_digits.c - the trained digits models (models/digits, scripts/mk_digits.py) on the
 * golden interpreter.
 *
 *   test_digits DIR
 *
 * For every test image (DIR/test_x.npy):
 *   - digits_qlinear.onnx's int8 logits equal mk_digits.py's numpy integer reference
 *     (ref_logits_int8.npy, compared through the output DequantizeLinear) and its predicted
 *     label equals ref_pred_int8.npy;
 *   - digits_qdq.onnx as loaded (QDQ patterns fused by host/onnx/onnx_qdq.c) gives bit-identical
 *     logits to the QLinear export.
 * Also: the fused QDQ graph has the expected shape (7 patterns fused, no float compute
 * node left, only the input QuantizeLinear and the output DequantizeLinear float), and the
 * accuracies of the float model, the unfused QDQ model (float Q/DQ arithmetic) and the int8
 * models are printed. Exit 0 only if every check ran and passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "npy.h"
#include "onnx_exec.h"
#include "onnx_load.h"

#define N_CLASSES 10

static int load_npy(const char *dir, const char *name, npy_dtype_t dt, npy_array_t *a)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = npy_read(path, a, err, sizeof err);
    if (rc) {
        printf("FAIL: %s: %s\n", path, err);
        return rc;
    }
    if (a->dtype != dt) {
        printf("FAIL: %s: dtype %s, expected %s\n", path, npy_dtype_name(a->dtype), npy_dtype_name(dt));
        return -1;
    }
    return 0;
}

static int load_model(const char *dir, const char *name, int flags, onnx_model_t *m)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = onnx_model_read_ex(path, flags, m, err, sizeof err);
    if (rc) printf("FAIL: %s: %s\n", path, err);
    return rc;
}

/* Runs m on image i of x; writes its 10 float logits. */
static int run(const onnx_model_t *m, const npy_array_t *x, int64_t i, float *logits)
{
    golden_tensor_t in, out;
    const int64_t d[4] = {1, 1, 8, 8};
    char err[512];
    if (golden_tensor_alloc(&in, GOLDEN_DT_FLOAT, 4, d)) return -1;
    memcpy(in.data, (const float *)x->data + i * 64, 64 * sizeof(float));
    int rc = onnx_exec_run(m, NULL, &in, 1, &out, err, sizeof err);
    golden_tensor_free(&in);
    if (rc) {
        printf("FAIL: image %lld: %s\n", (long long)i, err);
        return rc;
    }
    if (out.dtype != GOLDEN_DT_FLOAT || out.count != N_CLASSES) {
        printf("FAIL: image %lld: output is not 10 floats\n", (long long)i);
        golden_tensor_free(&out);
        return -1;
    }
    memcpy(logits, out.data, N_CLASSES * sizeof(float));
    golden_tensor_free(&out);
    return 0;
}

static int argmax(const float *v)
{
    int b = 0;
    for (int k = 1; k < N_CLASSES; k++)
        if (v[k] > v[b]) b = k;
    return b;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_digits MODELS_DIGITS_DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    npy_array_t x = {0}, y = {0}, pred = {0}, logit = {0};
    onnx_model_t ql = {0}, qdq = {0}, raw = {0}, fl = {0};
    int rc = load_npy(dir, "test_x.npy", NPY_FLOAT32, &x);
    if (!rc) rc = load_npy(dir, "test_y.npy", NPY_INT32, &y);
    if (!rc) rc = load_npy(dir, "ref_pred_int8.npy", NPY_INT32, &pred);
    if (!rc) rc = load_npy(dir, "ref_logits_int8.npy", NPY_INT8, &logit);
    if (!rc) rc = load_model(dir, "digits_qlinear.onnx", 0, &ql);
    if (!rc) rc = load_model(dir, "digits_qdq.onnx", 0, &qdq);
    if (!rc) rc = load_model(dir, "digits_qdq.onnx", ONNX_LOAD_NO_QDQ_FUSE, &raw);
    if (!rc) rc = load_model(dir, "digits_float.onnx", 0, &fl);
    if (rc) return 1;
    const int64_t n = x.ndim == 4 ? x.shape[0] : 0;
    ok(n > 0 && x.count == n * 64, "test_x is [N,1,8,8]");
    ok(y.count == n && pred.count == n && logit.count == n * N_CLASSES, "labels, predictions and logits have N rows");
    if (failed) goto out;

    /* The fused QDQ graph. */
    expect("QDQ: patterns fused", (unsigned long long)qdq.qdq_fused, 7);
    expect("QDQ: nodes left float (input Q, output DQ)", (unsigned long long)qdq.qdq_float, 2);
    expect("QDQ unfused: nothing fused", (unsigned long long)raw.qdq_fused, 0);
    expect("QLinear export: nothing to fuse", (unsigned long long)ql.qdq_fused, 0);
    int n_qconv = 0, n_relu = 0;
    for (int i = 0; i < qdq.n_nodes; i++) {
        const onnx_node_t *nd = &qdq.nodes[i];
        printf("  fused graph: %-16s %-28s %s\n", nd->op_type, nd->name, nd->qdq_note ? nd->qdq_note : "");
        if (strcmp(nd->op_type, "QLinearConv") == 0) {
            n_qconv++;
            const onnx_attr_t *a = onnx_node_attr(nd, "pecos_relu");
            n_relu += a && a->i == 1;
        }
        ok(strcmp(nd->op_type, "Conv") != 0 && strcmp(nd->op_type, "Gemm") != 0 && strcmp(nd->op_type, "Relu") != 0,
           "no float Conv/Gemm/Relu left after fusion");
    }
    expect("QDQ: QLinearConv nodes", (unsigned long long)n_qconv, 4);
    expect("QDQ: nodes with pecos_relu", (unsigned long long)n_relu, 3);

    /* The output DequantizeLinear of the QLinear export: int8 logits -> float. */
    const onnx_node_t *last = &ql.nodes[ql.n_nodes - 1];
    const golden_tensor_t *os = onnx_model_init(&ql, last->inputs[1]), *oz = onnx_model_init(&ql, last->inputs[2]);
    ok(strcmp(last->op_type, "DequantizeLinear") == 0 && os && oz && os->count == 1 && oz->count == 1,
       "QLinear export ends with a per-tensor DequantizeLinear");
    if (failed) goto out;
    const float oscale = ((const float *)os->data)[0];
    const float ozp = (float)golden_tensor_get(oz, 0);

    int n_ql_ref = 0, n_qdq_eq = 0, n_pred_eq = 0, ok_ql = 0, ok_raw = 0, ok_fl = 0, raw_agree = 0;
    const int32_t *yl = y.data, *pl = pred.data;
    const int8_t *rl = logit.data;
    for (int64_t i = 0; i < n; i++) {
        float a[N_CLASSES], b[N_CLASSES], c[N_CLASSES], d[N_CLASSES], r[N_CLASSES];
        if (run(&ql, &x, i, a) || run(&qdq, &x, i, b) || run(&raw, &x, i, c) || run(&fl, &x, i, d)) {
            failed++;
            goto out;
        }
        for (int k = 0; k < N_CLASSES; k++) r[k] = ((float)rl[i * N_CLASSES + k] - ozp) * oscale;
        int same_ref = memcmp(a, r, sizeof a) == 0, same_qdq = memcmp(a, b, sizeof a) == 0;
        if (!same_ref && n_ql_ref == i)
            printf("FAIL: image %lld: QLinear logits differ from the numpy reference's\n", (long long)i);
        if (!same_qdq && n_qdq_eq == i)
            printf("FAIL: image %lld: fused QDQ logits differ from the QLinear export's\n", (long long)i);
        n_ql_ref += same_ref;
        n_qdq_eq += same_qdq;
        n_pred_eq += argmax(a) == pl[i];
        ok_ql += argmax(a) == yl[i];
        ok_raw += argmax(c) == yl[i];
        raw_agree += argmax(c) == argmax(a);
        ok_fl += argmax(d) == yl[i];
    }
    expect("QLinear int8 logits == numpy reference (images)", (unsigned long long)n_ql_ref, (unsigned long long)n);
    expect("QLinear predictions == ref_pred_int8.npy (images)", (unsigned long long)n_pred_eq, (unsigned long long)n);
    expect("fused QDQ logits == QLinear logits (images)", (unsigned long long)n_qdq_eq, (unsigned long long)n);
    printf("digits: %lld test images: int8 (golden, QLinear = fused QDQ) %d/%lld = %.2f%%, "
           "unfused QDQ (float Q/DQ) %d = %.2f%% (agrees with int8 on %d), float32 golden %d = %.2f%%\n",
           (long long)n, ok_ql, (long long)n, 100.0 * ok_ql / n, ok_raw, 100.0 * ok_raw / n, raw_agree,
           ok_fl, 100.0 * ok_fl / n);
out:
    onnx_model_free(&ql);
    onnx_model_free(&qdq);
    onnx_model_free(&raw);
    onnx_model_free(&fl);
    npy_free(&x);
    npy_free(&y);
    npy_free(&pred);
    npy_free(&logit);
    printf("%s: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks, failed);
    return failed || checks == 0 ? 1 : 0;
}
