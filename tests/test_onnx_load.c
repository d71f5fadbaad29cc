/* test_onnx_load.c - the ONNX loader on hand-encoded protobuf bytes (an encoder written
 * here from the wire format, independent of protobuf-c), the interpreter on a hand-built
 * model, and golden operators on hand-computed cases.
 *
 * Usage: test_onnx_load [SCRATCH_DIR]  (files are written there; default /tmp) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "golden_onnx.h"
#include "onnx_exec.h"
#include "onnx_load.h"
#include "pecos_err.h"

/* --- a minimal protobuf encoder ------------------------------------------------------ */

typedef struct {
    uint8_t b[4096];
    size_t n;
} pb_t;

static void put_varint(pb_t *p, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        p->b[p->n++] = (uint8_t)(c | (v ? 0x80 : 0));
    } while (v);
}
static void put_key(pb_t *p, int field, int wt) { put_varint(p, (uint64_t)(field << 3 | wt)); }
static void put_int(pb_t *p, int field, int64_t v)
{
    put_key(p, field, 0);
    put_varint(p, (uint64_t)v);
}
static void put_bytes(pb_t *p, int field, const void *d, size_t n)
{
    put_key(p, field, 2);
    put_varint(p, n);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static void put_str(pb_t *p, int field, const char *s) { put_bytes(p, field, s, strlen(s)); }
static void put_msg(pb_t *p, int field, const pb_t *m) { put_bytes(p, field, m->b, m->n); }
/* packed varints (int32_data, int64_data) */
static void put_packed(pb_t *p, int field, const int64_t *v, int n)
{
    pb_t t = {.n = 0};
    for (int i = 0; i < n; i++) put_varint(&t, (uint64_t)v[i]);
    put_msg(p, field, &t);
}

/* TensorProto: dims, data_type, then the caller adds data. */
static pb_t tensor_hdr(int dtype, int ndim, const int64_t *dims, const char *name)
{
    pb_t p = {.n = 0};
    for (int i = 0; i < ndim; i++) put_int(&p, 1, dims[i]);
    if (dtype >= 0) put_int(&p, 2, dtype);
    if (name) put_str(&p, 8, name);
    return p;
}

static int parse(const pb_t *p, golden_tensor_t *t, char *err)
{
    return onnx_tensor_parse(p->b, p->n, t, NULL, 0, err, 256);
}

static void expect_fail(const char *what, const pb_t *p, int code, const char *needle)
{
    golden_tensor_t t;
    char err[256] = "";
    int rc = parse(p, &t, err);
    expect(what, (unsigned long long)(long long)rc, (unsigned long long)(long long)code);
    if (needle && !strstr(err, needle)) {
        failed++;
        printf("FAIL: %s: reason '%s' lacks '%s'\n", what, err, needle);
    }
    if (strchr(err, '\n')) {
        failed++;
        printf("FAIL: %s: reason has a newline\n", what);
    }
    if (rc == 0) golden_tensor_free(&t);
}

static void test_tensors(const char *dir)
{
    char err[256];
    golden_tensor_t t;
    const int64_t d23[2] = {2, 3};

    /* float raw_data, named */
    pb_t p = tensor_hdr(1, 2, d23, "x");
    float f[6] = {1, -2.5f, 3, 0.125f, -0.f, 1e30f};
    put_bytes(&p, 9, f, sizeof f);
    char name[32];
    expect("float raw: rc", (unsigned long long)onnx_tensor_parse(p.b, p.n, &t, name, sizeof name, err, sizeof err), 0);
    expect("float raw: dtype", t.dtype, GOLDEN_DT_FLOAT);
    expect("float raw: ndim", (unsigned long long)t.ndim, 2);
    expect("float raw: dims", (unsigned long long)(t.dims[0] * 10 + t.dims[1]), 23);
    expect("float raw: name", strcmp(name, "x") == 0, 1);
    expect("float raw: value", memcmp(t.data, f, sizeof f) == 0, 1);
    golden_tensor_free(&t);

    /* float_data (packed fixed32) */
    p = tensor_hdr(1, 2, d23, NULL);
    put_bytes(&p, 4, f, sizeof f);
    expect("float_data: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("float_data: value", golden_tensor_get(&t, 1) == -2.5, 1);
    golden_tensor_free(&t);

    /* int8 through int32_data, negative values as varints */
    int64_t i8[6] = {-128, -1, 0, 1, 127, 5};
    p = tensor_hdr(3, 2, d23, NULL);
    put_packed(&p, 5, i8, 6);
    expect("int8 int32_data: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("int8 int32_data: [0]", (unsigned long long)(golden_tensor_get_i64(&t, 0) + 1000), 872);
    expect("int8 int32_data: [4]", (unsigned long long)golden_tensor_get_i64(&t, 4), 127);
    golden_tensor_free(&t);

    /* uint8 raw, int32 int32_data, int64 int64_data, float16 bits, double, bool */
    uint8_t u8[6] = {0, 1, 2, 128, 254, 255};
    p = tensor_hdr(2, 2, d23, NULL);
    put_bytes(&p, 9, u8, 6);
    expect("uint8 raw: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("uint8 raw: [5]", (unsigned long long)golden_tensor_get_i64(&t, 5), 255);
    golden_tensor_free(&t);

    int64_t i32[6] = {-2147483648LL, 2147483647, 0, -7, 7, 1};
    p = tensor_hdr(6, 2, d23, NULL);
    put_packed(&p, 5, i32, 6);
    expect("int32: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("int32: [0]", ((int32_t *)t.data)[0] == INT32_MIN, 1);
    expect("int32: [3]", ((int32_t *)t.data)[3] == -7, 1);
    golden_tensor_free(&t);

    int64_t i64[6] = {INT64_MIN, INT64_MAX, -1, 0, 1, 1LL << 40};
    p = tensor_hdr(7, 2, d23, NULL);
    put_packed(&p, 7, i64, 6);
    expect("int64: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("int64: [0]", ((int64_t *)t.data)[0] == INT64_MIN, 1);
    expect("int64: [5]", (unsigned long long)((int64_t *)t.data)[5], 1ULL << 40);
    golden_tensor_free(&t);

    int64_t h[2] = {0x3c00, 0xc000}; /* 1.0, -2.0 */
    const int64_t d2[1] = {2};
    p = tensor_hdr(10, 1, d2, NULL);
    put_packed(&p, 5, h, 2);
    expect("float16: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("float16: values", golden_tensor_get(&t, 0) == 1.0 && golden_tensor_get(&t, 1) == -2.0, 1);
    golden_tensor_free(&t);

    double dd[2] = {0.1, -1e300};
    p = tensor_hdr(11, 1, d2, NULL);
    put_bytes(&p, 10, dd, sizeof dd);
    expect("double: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("double: values", golden_tensor_get(&t, 0) == 0.1 && golden_tensor_get(&t, 1) == -1e300, 1);
    golden_tensor_free(&t);

    /* a scalar (no dims) and an empty tensor (a 0 dim, no data) */
    p = tensor_hdr(1, 0, NULL, NULL);
    put_bytes(&p, 9, f, 4);
    expect("scalar: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("scalar: count", (unsigned long long)(t.count * 10 + (unsigned long long)t.ndim), 10);
    golden_tensor_free(&t);
    const int64_t d03[2] = {0, 3};
    p = tensor_hdr(1, 2, d03, NULL);
    expect("empty: rc", (unsigned long long)parse(&p, &t, err), 0);
    expect("empty: count", (unsigned long long)t.count, 0);
    golden_tensor_free(&t);

    /* --- malformed ---- */
    p = tensor_hdr(1, 2, d23, NULL);
    put_bytes(&p, 9, f, 20);
    expect_fail("raw_data 20 bytes for 6 floats", &p, PECOS_EFORMAT, "raw_data has 20 bytes, dims need 24");
    p = tensor_hdr(1, 2, d23, NULL);
    put_bytes(&p, 4, f, 5 * 4);
    expect_fail("float_data 5 values for 6", &p, PECOS_EFORMAT, "float_data has 5 values, dims need 6");
    int64_t big[1] = {200};
    const int64_t d1[1] = {1};
    p = tensor_hdr(3, 1, d1, NULL);
    put_packed(&p, 5, big, 1);
    expect_fail("int8 value 200", &p, PECOS_EFORMAT, "out of range for int8");
    p = tensor_hdr(8, 1, d1, NULL);
    put_str(&p, 6, "s");
    expect_fail("string dtype", &p, PECOS_EDTYPE, "data_type 8 not supported");
    p = tensor_hdr(99, 1, d1, NULL);
    expect_fail("dtype 99", &p, PECOS_EDTYPE, "data_type 99");
    p = tensor_hdr(-1, 1, d1, NULL);
    put_bytes(&p, 9, f, 4);
    expect_fail("no data_type", &p, PECOS_EFORMAT, "no data_type");
    const int64_t dneg[2] = {2, -3};
    p = tensor_hdr(1, 2, dneg, NULL);
    expect_fail("negative dim", &p, PECOS_ESHAPE, "dims[1] = -3");
    const int64_t d9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    p = tensor_hdr(1, 9, d9, NULL);
    put_bytes(&p, 9, f, 4);
    expect_fail("rank 9", &p, PECOS_ESHAPE, "rank 9");
    const int64_t dhuge[2] = {1LL << 40, 1LL << 40};
    p = tensor_hdr(1, 2, dhuge, NULL);
    expect_fail("2^80 elements", &p, PECOS_EFORMAT, "2^31");
    p = tensor_hdr(1, 1, d1, NULL);
    put_int(&p, 14, 1);
    expect_fail("external data", &p, PECOS_ENOTSUP, "external");
    p = tensor_hdr(1, 1, d1, NULL);
    put_bytes(&p, 9, f, 4);
    put_bytes(&p, 4, f, 4);
    expect_fail("raw_data and float_data", &p, PECOS_EFORMAT, "both raw_data");
    p = tensor_hdr(7, 1, d1, NULL);
    put_bytes(&p, 4, f, 4);
    expect_fail("int64 tensor with float_data", &p, PECOS_EFORMAT, "other than int64_data");
    /* truncated inside raw_data; garbage; a field with a wrong wire type */
    p = tensor_hdr(1, 2, d23, NULL);
    put_bytes(&p, 9, f, sizeof f);
    p.n -= 5;
    expect_fail("truncated", &p, PECOS_EFORMAT, "protobuf parse failed");
    pb_t g = {.n = 16};
    memset(g.b, 0xff, 16);
    expect_fail("0xff bytes", &g, PECOS_EFORMAT, "protobuf parse failed");
    p = (pb_t){.n = 0};
    put_str(&p, 2, "xx"); /* data_type as bytes */
    expect_fail("wrong wire type", &p, PECOS_EFORMAT, NULL);

    /* The file reader: a missing file, and a file round trip. */
    char path[512];
    snprintf(path, sizeof path, "%s/onnx_load_missing.pb", dir);
    remove(path);
    expect("missing file", (unsigned long long)(long long)onnx_tensor_read(path, &t, NULL, 0, err, sizeof err),
           (unsigned long long)(long long)PECOS_EIO);
    snprintf(path, sizeof path, "%s/onnx_load_t.pb", dir);
    p = tensor_hdr(1, 2, d23, NULL);
    put_bytes(&p, 9, f, sizeof f);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(p.b, 1, p.n, fp) != p.n || fclose(fp) != 0) {
        printf("FAIL: cannot write %s\n", path);
        failed++;
        return;
    }
    expect("file: rc", (unsigned long long)onnx_tensor_read(path, &t, NULL, 0, err, sizeof err), 0);
    expect("file: count", (unsigned long long)t.count, 6);
    golden_tensor_free(&t);
}

/* value_info: name, tensor type with elem_type and dims */
static pb_t value_info(const char *name, int elem, int ndim, const int64_t *dims)
{
    pb_t shape = {.n = 0}, tt = {.n = 0}, tp = {.n = 0}, vi = {.n = 0};
    for (int i = 0; i < ndim; i++) {
        pb_t d = {.n = 0};
        put_int(&d, 1, dims[i]);
        put_msg(&shape, 1, &d);
    }
    put_int(&tt, 1, elem);
    put_msg(&tt, 2, &shape);
    put_msg(&tp, 1, &tt);
    put_str(&vi, 1, name);
    put_msg(&vi, 2, &tp);
    return vi;
}

/* Graph: y = Relu(Add(x, b)) with b an initializer [3], or op "Frobnicate". */
static pb_t model(const char *op2, const char *add_in1)
{
    const int64_t d13[2] = {1, 3}, d3[1] = {3};
    pb_t add = {.n = 0}, relu = {.n = 0}, graph = {.n = 0}, m = {.n = 0}, ops = {.n = 0};
    put_str(&add, 1, "x");
    put_str(&add, 1, add_in1);
    put_str(&add, 2, "s");
    put_str(&add, 4, "Add");
    put_str(&relu, 1, "s");
    put_str(&relu, 2, "y");
    put_str(&relu, 3, "the_relu");
    put_str(&relu, 4, op2);
    pb_t b = tensor_hdr(1, 1, d3, "b");
    float bv[3] = {1, -1, 0.5f};
    put_bytes(&b, 9, bv, sizeof bv);
    put_msg(&graph, 1, &add);
    put_msg(&graph, 1, &relu);
    put_str(&graph, 2, "g");
    put_msg(&graph, 5, &b);
    pb_t vx = value_info("x", 1, 2, d13), vy = value_info("y", 1, 2, d13);
    put_msg(&graph, 11, &vx);
    put_msg(&graph, 12, &vy);
    put_int(&m, 1, 8);
    put_int(&ops, 2, 14);
    put_msg(&m, 8, &ops);
    put_msg(&m, 7, &graph);
    return m;
}

static void test_model(void)
{
    char err[256];
    onnx_model_t m;
    pb_t p = model("Relu", "b");
    int rc = onnx_model_parse(p.b, p.n, &m, err, sizeof err);
    expect("model: rc", (unsigned long long)(long long)rc, 0);
    if (rc) {
        printf("  reason: %s\n", err);
        return;
    }
    expect("model: opset", (unsigned long long)m.opset, 14);
    expect("model: nodes", (unsigned long long)m.n_nodes, 2);
    expect("model: op", strcmp(m.nodes[1].op_type, "Relu") == 0, 1);
    expect("model: input shape", (unsigned long long)(m.inputs[0].ndim * 100 + m.inputs[0].dims[1]), 203);
    expect("model: feeds", (unsigned long long)onnx_exec_n_feeds(&m), 1);
    golden_tensor_t x, y;
    const int64_t d13[2] = {1, 3};
    golden_tensor_alloc(&x, GOLDEN_DT_FLOAT, 2, d13);
    float *xv = x.data;
    xv[0] = -3;
    xv[1] = 0.5f;
    xv[2] = 2;
    rc = onnx_exec_run(&m, NULL, &x, 1, &y, err, sizeof err);
    expect("exec: rc", (unsigned long long)(long long)rc, 0);
    if (!rc) {
        const float *yv = y.data;
        expect("exec: relu(add)", yv[0] == 0 && yv[1] == 0 && yv[2] == 2.5f, 1);
        golden_tensor_free(&y);
    }
    onnx_model_free(&m);

    p = model("Frobnicate", "b");
    expect("unsupported: parses", (unsigned long long)onnx_model_parse(p.b, p.n, &m, err, sizeof err), 0);
    rc = onnx_exec_run(&m, NULL, &x, 1, &y, err, sizeof err);
    expect("unsupported: ENOTSUP", (unsigned long long)(long long)rc, (unsigned long long)(long long)PECOS_ENOTSUP);
    expect("unsupported: named", strstr(err, "Frobnicate") != NULL, 1);
    onnx_model_free(&m);
    golden_tensor_free(&x);

    p = model("Relu", "nothing");
    rc = onnx_model_parse(p.b, p.n, &m, err, sizeof err);
    expect("dangling input: EFORMAT", (unsigned long long)(long long)rc, (unsigned long long)(long long)PECOS_EFORMAT);
    expect("dangling input: named", strstr(err, "'nothing'") != NULL, 1);

    /* every truncation of a valid model fails cleanly or parses; none crashes */
    p = model("Relu", "b");
    int bad = 0;
    for (size_t n = 0; n < p.n; n++) {
        rc = onnx_model_parse(p.b, n, &m, err, sizeof err);
        if (rc == 0) onnx_model_free(&m);
        else bad++;
    }
    expect("every proper prefix is rejected", (unsigned long long)bad, p.n);
}

static golden_tensor_t mk(golden_dtype_t dt, int ndim, const int64_t *dims, const double *v)
{
    golden_tensor_t t;
    if (golden_tensor_alloc(&t, dt, ndim, dims)) abort();
    for (int64_t i = 0; i < t.count; i++) golden_tensor_set(&t, i, v[i]);
    return t;
}

static void test_golden(void)
{
    char err[256];
    /* requantize: half to even, zero point, saturation */
    expect("rq 2.5 -> 2", (unsigned long long)golden_onnx_requantize(5, 0.5f, 0, GOLDEN_DT_INT8), 2);
    expect("rq 3.5 -> 4", (unsigned long long)golden_onnx_requantize(7, 0.5f, 0, GOLDEN_DT_INT8), 4);
    expect("rq -2.5 -> -2", (unsigned long long)(golden_onnx_requantize(-5, 0.5f, 0, GOLDEN_DT_INT8) + 10), 8);
    expect("rq sat int8", (unsigned long long)golden_onnx_requantize(1000, 1.0f, 0, GOLDEN_DT_INT8), 127);
    expect("rq sat uint8 low", (unsigned long long)golden_onnx_requantize(-1000, 1.0f, 3, GOLDEN_DT_UINT8), 0);
    expect("rq zp", (unsigned long long)golden_onnx_requantize(10, 0.25f, 100, GOLDEN_DT_UINT8), 102);

    /* Conv 1x1x3x3 input 1..9, 2x2 kernel of ones, pads top 1 left 0 bottom 0 right 1,
     * stride 2: padded rows -1..2, cols 0..3. Out rows 0,2 -> 2x2.
     *  (r=-1: row -1 and 0) (c=0: cols 0,1) = 1+2 = 3 ; (c=2: cols 2,3) = 3
     *  (r=1: rows 1,2): c=0: 4+5+7+8 = 24 ; c=2: 6+9 = 15 */
    const int64_t dx[4] = {1, 1, 3, 3}, dw[4] = {1, 1, 2, 2};
    const double xv[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, wv[4] = {1, 1, 1, 1};
    golden_tensor_t x = mk(GOLDEN_DT_FLOAT, 4, dx, xv), w = mk(GOLDEN_DT_FLOAT, 4, dw, wv), y;
    golden_window_t win;
    golden_window_init(&win);
    win.strides[0] = win.strides[1] = 2;
    win.pads[0] = 1; /* top */
    win.pads[3] = 1; /* right */
    int rc = golden_onnx_conv(&win, &x, &w, NULL, &y, err, sizeof err);
    expect("conv asym: rc", (unsigned long long)rc, 0);
    if (!rc) {
        const float *o = y.data;
        expect("conv asym: shape", (unsigned long long)(y.dims[2] * 10 + y.dims[3]), 22);
        expect("conv asym: values", o[0] == 3 && o[1] == 3 && o[2] == 24 && o[3] == 15, 1);
        golden_tensor_free(&y);
    }
    /* MaxPool 3x3 window stride 2 ceil_mode on 3x3 (pad 0): out 1x1 floor, 1x1 ceil as the
     * second window would start at 2 + ... ; with a 2x2 window stride 2: floor 1, ceil 2 */
    golden_window_init(&win);
    win.kernel[0] = win.kernel[1] = 2;
    win.strides[0] = win.strides[1] = 2;
    win.ceil_mode = 1;
    golden_tensor_t idx;
    rc = golden_onnx_maxpool(&win, &x, &y, &idx, err, sizeof err);
    expect("maxpool ceil: rc", (unsigned long long)rc, 0);
    if (!rc) {
        const float *o = y.data;
        expect("maxpool ceil: 2x2", (unsigned long long)(y.dims[2] * 10 + y.dims[3]), 22);
        expect("maxpool ceil: values", o[0] == 5 && o[1] == 6 && o[2] == 8 && o[3] == 9, 1);
        expect("maxpool ceil: indices", ((int64_t *)idx.data)[0] == 4 && ((int64_t *)idx.data)[3] == 8, 1);
        golden_tensor_free(&y);
        golden_tensor_free(&idx);
    }
    /* AveragePool 2x2 stride 2, pads end 1, count_include_pad: last window = 9/4 */
    golden_window_init(&win);
    win.kernel[0] = win.kernel[1] = 2;
    win.strides[0] = win.strides[1] = 2;
    win.pads[2] = win.pads[3] = 1;
    win.count_include_pad = 1;
    rc = golden_onnx_avgpool(&win, &x, &y, err, sizeof err);
    expect("avgpool incl pad: rc", (unsigned long long)rc, 0);
    if (!rc) {
        expect("avgpool incl pad: last", ((float *)y.data)[3] == 2.25f, 1);
        golden_tensor_free(&y);
    }
    golden_tensor_free(&w);

    /* Reshape rules */
    int64_t shp[3] = {0, -1, 1};
    rc = golden_onnx_reshape(&x, shp, 3, 0, &y, err, sizeof err);
    expect("reshape 0,-1,1: dims", (unsigned long long)(rc ? 0 : y.dims[0] * 100 + y.dims[1] * 10 + y.dims[2]), 191);
    golden_tensor_free(&y);
    int64_t shp2[2] = {-1, -1};
    expect("reshape two -1", (unsigned long long)(long long)golden_onnx_reshape(&x, shp2, 2, 0, &y, err, sizeof err),
           (unsigned long long)(long long)PECOS_ESHAPE);
    int64_t shp3[2] = {2, 5};
    expect("reshape wrong count", (unsigned long long)(long long)golden_onnx_reshape(&x, shp3, 2, 0, &y, err, sizeof err),
           (unsigned long long)(long long)PECOS_ESHAPE);
    golden_tensor_free(&x);

    /* Add uint8 wraps; broadcasting [2,1] + [3] */
    const int64_t d21[2] = {2, 1}, d3[1] = {3};
    const double av[2] = {250, 1}, bv[3] = {10, 0, 5};
    golden_tensor_t a = mk(GOLDEN_DT_UINT8, 2, d21, av), b = mk(GOLDEN_DT_UINT8, 1, d3, bv);
    rc = golden_onnx_add(&a, &b, &y, err, sizeof err);
    expect("add bcast: rc", (unsigned long long)rc, 0);
    if (!rc) {
        const uint8_t *o = y.data;
        expect("add bcast: shape", (unsigned long long)(y.dims[0] * 10 + y.dims[1]), 23);
        expect("add bcast: wrap", o[0] == 4 && o[1] == 250 && o[2] == 255 && o[3] == 11 && o[5] == 6, 1);
        golden_tensor_free(&y);
    }
    golden_tensor_free(&a);
    golden_tensor_free(&b);

    /* Gemm transA transB: A' = [[1,2],[3,4]] stored as A=[[1,3],[2,4]]; B' = I stored I */
    const int64_t d22[2] = {2, 2};
    const double a2[4] = {1, 3, 2, 4}, i2[4] = {1, 0, 0, 1}, c1[1] = {10};
    const int64_t d1[1] = {1};
    a = mk(GOLDEN_DT_FLOAT, 2, d22, a2);
    b = mk(GOLDEN_DT_FLOAT, 2, d22, i2);
    golden_tensor_t c = mk(GOLDEN_DT_FLOAT, 1, d1, c1);
    rc = golden_onnx_gemm(&a, &b, &c, 2.0f, 0.5f, 1, 1, &y, err, sizeof err);
    expect("gemm: rc", (unsigned long long)rc, 0);
    if (!rc) {
        const float *o = y.data;
        expect("gemm: values", o[0] == 7 && o[1] == 9 && o[2] == 11 && o[3] == 13, 1);
        golden_tensor_free(&y);
    }
    golden_tensor_free(&a);
    golden_tensor_free(&b);
    golden_tensor_free(&c);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    test_tensors(dir);
    test_model();
    test_golden();
    printf("%s: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks, failed);
    return failed ? 1 : 0;
}
