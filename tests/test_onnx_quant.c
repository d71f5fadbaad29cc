/* test_onnx_quant.c - hand-computed cases of the golden QuantizeLinear / DequantizeLinear
 * (round half to even, saturation, per axis, NaN), pecos_relu's max(y, zp), and the
 * nesting bound of the .onnx wire check at its exact boundary. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "golden_onnx.h"
#include "onnx_load.h"
#include "pecos_err.h"

static golden_tensor_t mk(golden_dtype_t dt, int ndim, const int64_t *dims, const double *v)
{
    golden_tensor_t t;
    if (golden_tensor_alloc(&t, dt, ndim, dims)) abort();
    for (int64_t i = 0; i < t.count; i++) golden_tensor_set(&t, i, v[i]);
    return t;
}

static void test_quantize(void)
{
    char err[256];
    const int64_t d6[1] = {6};
    const double xv[6] = {2.5, 3.5, -2.5, -0.5, 1000, -1000};
    golden_tensor_t x = mk(GOLDEN_DT_FLOAT, 1, d6, xv), s, z, y;
    const double one = 1.0, zp0 = 0, zp10 = 10;
    s = mk(GOLDEN_DT_FLOAT, 0, NULL, &one);
    /* int8, zero point 0: half to even, saturation. */
    z = mk(GOLDEN_DT_INT8, 0, NULL, &zp0);
    expect("Q int8 rc", (unsigned long long)golden_onnx_quantize_linear(&x, &s, &z, 1, &y, err, sizeof err), 0);
    const int8_t want8[6] = {2, 4, -2, 0, 127, -128};
    ok(y.dtype == GOLDEN_DT_INT8 && memcmp(y.data, want8, 6) == 0, "Q int8: 2.5->2, 3.5->4, -2.5->-2, -0.5->0, saturation");
    golden_tensor_free(&y);
    golden_tensor_free(&z);
    /* uint8 with zero point 10. */
    z = mk(GOLDEN_DT_UINT8, 0, NULL, &zp10);
    expect("Q uint8 rc", (unsigned long long)golden_onnx_quantize_linear(&x, &s, &z, 1, &y, err, sizeof err), 0);
    const uint8_t wantu[6] = {12, 14, 8, 10, 255, 0};
    ok(y.dtype == GOLDEN_DT_UINT8 && memcmp(y.data, wantu, 6) == 0, "Q uint8 zp 10");
    golden_tensor_free(&y);
    golden_tensor_free(&z);
    /* No zero point: uint8, 0. NaN quantizes to the zero point. */
    ((float *)x.data)[3] = NAN;
    expect("Q no zp rc", (unsigned long long)golden_onnx_quantize_linear(&x, &s, NULL, 1, &y, err, sizeof err), 0);
    ok(y.dtype == GOLDEN_DT_UINT8 && ((uint8_t *)y.data)[0] == 2 && ((uint8_t *)y.data)[2] == 0 && ((uint8_t *)y.data)[3] == 0,
       "Q without zp: uint8, negatives saturate to 0, NaN -> 0");
    golden_tensor_free(&y);
    golden_tensor_free(&x);
    golden_tensor_free(&s);

    /* Per axis: x [2,3] along axis 1 (and -1), scales {1, 2, 4}, zero points {0, 1, -1}. */
    const int64_t d23[2] = {2, 3}, d3[1] = {3};
    const double xv2[6] = {1, 2, 4, -1, -2, 6}, sv[3] = {1, 2, 4}, zv[3] = {0, 1, -1};
    x = mk(GOLDEN_DT_FLOAT, 2, d23, xv2);
    s = mk(GOLDEN_DT_FLOAT, 1, d3, sv);
    z = mk(GOLDEN_DT_INT8, 1, d3, zv);
    const int8_t wantax[6] = {1, 2, 0, -1, 0, 1}; /* 6/4 = 1.5 -> 2, -1 -> 1 */
    for (int a = 0; a < 2; a++) {
        expect("Q per axis rc", (unsigned long long)golden_onnx_quantize_linear(&x, &s, &z, a ? -1 : 1, &y, err, sizeof err), 0);
        ok(memcmp(y.data, wantax, 6) == 0, "Q per axis 1 / -1");
        golden_tensor_free(&y);
    }
    expect("Q per axis 0 does not fit", (unsigned long long)golden_onnx_quantize_linear(&x, &s, &z, 0, &y, err, sizeof err),
           (unsigned long long)PECOS_ESHAPE);
    expect("Q axis out of range", (unsigned long long)golden_onnx_quantize_linear(&x, &s, &z, 2, &y, err, sizeof err),
           (unsigned long long)PECOS_EPARAM);

    /* DequantizeLinear of the per-axis result back: (q - zp) * s. */
    golden_tensor_t q = mk(GOLDEN_DT_INT8, 2, d23, (const double[]){1, 2, 0, -1, 0, 1});
    expect("DQ per axis rc", (unsigned long long)golden_onnx_dequantize_linear(&q, &s, &z, 1, &y, err, sizeof err), 0);
    const float wantf[6] = {1, 2, 4, -1, -2, 8};
    ok(y.dtype == GOLDEN_DT_FLOAT && memcmp(y.data, wantf, sizeof wantf) == 0, "DQ per axis");
    golden_tensor_free(&y);
    expect("DQ zp dtype mismatch", (unsigned long long)golden_onnx_dequantize_linear(&x, &s, &z, 1, &y, err, sizeof err),
           (unsigned long long)PECOS_EDTYPE);
    /* int32 with a nonzero zero point is refused; with none it dequantizes. */
    golden_tensor_t b = mk(GOLDEN_DT_INT32, 1, d3, (const double[]){-7, 0, 1 << 20});
    golden_tensor_t bz = mk(GOLDEN_DT_INT32, 1, d3, (const double[]){0, 1, 0});
    expect("DQ int32 zp != 0", (unsigned long long)golden_onnx_dequantize_linear(&b, &s, &bz, 0, &y, err, sizeof err),
           (unsigned long long)PECOS_EPARAM);
    expect("DQ int32 rc", (unsigned long long)golden_onnx_dequantize_linear(&b, &s, NULL, 0, &y, err, sizeof err), 0);
    ok(((float *)y.data)[0] == -7 && ((float *)y.data)[2] == 4.0f * (1 << 20), "DQ int32 per axis 0");
    golden_tensor_free(&y);
    golden_tensor_free(&b);
    golden_tensor_free(&bz);

    /* pecos_relu: y = max(y, zp). */
    const double zr = -5;
    golden_tensor_t zz = mk(GOLDEN_DT_INT8, 0, NULL, &zr);
    golden_onnx_relu_zp(&q, &zz);
    const int8_t wantr[6] = {1, 2, 0, -1, 0, 1};
    ok(memcmp(q.data, wantr, 6) == 0, "relu_zp: nothing below -5 changes");
    ((int8_t *)q.data)[0] = -100;
    golden_onnx_relu_zp(&q, &zz);
    ok(((int8_t *)q.data)[0] == -5, "relu_zp: -100 -> -5");
    golden_tensor_free(&zz);
    golden_tensor_free(&q);
    golden_tensor_free(&x);
    golden_tensor_free(&s);
    golden_tensor_free(&z);
}

/* A ModelProto{graph{input{name "x", type: levels x sequence_type{elem_type}}}}: messages nest
 * 4 + 2 * levels deep (ModelProto 1, GraphProto 2, ValueInfoProto 3, TypeProto 4, then
 * Sequence and TypeProto per level). Written into buf (big enough); returns its length. */
static size_t nested(uint8_t *buf, int levels)
{
    /* Sizes inside out; every size here stays below 128 (one-byte lengths) for levels <= 30. */
    size_t size = 0;
    uint8_t heads[200][2];
    int nh = 0;
    for (int i = 0; i < levels; i++) {
        heads[nh][0] = 0x0a; /* Sequence.elem_type */
        heads[nh++][1] = (uint8_t)size;
        size += 2;
        heads[nh][0] = 0x22; /* TypeProto.sequence_type */
        heads[nh++][1] = (uint8_t)size;
        size += 2;
    }
    size_t n = 0;
    const size_t vi = 3 + 2 + size, graph = 2 + vi;
    buf[n++] = 0x3a; buf[n++] = (uint8_t)graph;           /* ModelProto.graph */
    buf[n++] = 0x5a; buf[n++] = (uint8_t)vi;              /* GraphProto.input */
    buf[n++] = 0x0a; buf[n++] = 1; buf[n++] = 'x';        /* ValueInfoProto.name */
    buf[n++] = 0x12; buf[n++] = (uint8_t)size;            /* ValueInfoProto.type */
    for (int i = nh - 1; i >= 0; i--) {
        buf[n++] = heads[i][0];
        buf[n++] = heads[i][1];
    }
    return n;
}

static void test_wire(void)
{
    uint8_t buf[512];
    char err[256];
    const size_t n = nested(buf, 20); /* depth 44 */
    expect("wire: depth 44 within 44", (unsigned long long)onnx_wire_check(buf, n, 1 << 20, 44, err, sizeof err), 0);
    expect("wire: depth 44 over 43", (unsigned long long)onnx_wire_check(buf, n, 1 << 20, 43, err, sizeof err),
           (unsigned long long)PECOS_EFORMAT);
    ok(strstr(err, "nested more than 43 deep") != NULL, "wire: the reason names the bound");
    expect("wire: size bound", (unsigned long long)onnx_wire_check(buf, n, n - 1, 64, err, sizeof err),
           (unsigned long long)PECOS_EFORMAT);
    expect("wire: exact size", (unsigned long long)onnx_wire_check(buf, n, n, 64, err, sizeof err), 0);
    expect("wire: truncated", (unsigned long long)onnx_wire_check(buf, n - 1, 1 << 20, 64, err, sizeof err),
           (unsigned long long)PECOS_EFORMAT);
    const uint8_t group[2] = {0x0b, 0x0c}; /* field 1, wire type 3 (start group) */
    expect("wire: group wire type", (unsigned long long)onnx_wire_check(group, 2, 1 << 20, 64, err, sizeof err),
           (unsigned long long)PECOS_EFORMAT);
    const uint8_t bigvarint[12] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    expect("wire: 11-byte varint", (unsigned long long)onnx_wire_check(bigvarint, 12, 1 << 20, 64, err, sizeof err),
           (unsigned long long)PECOS_EFORMAT);
    /* The full parser refuses the nested model at the default bound (64) only when deeper. */
    onnx_model_t m;
    const size_t n30 = nested(buf, 30); /* depth 64: passes the bound, fails later (no outputs) */
    int rc = onnx_model_parse(buf, n30, &m, err, sizeof err);
    ok(rc == PECOS_EFORMAT && strstr(err, "nested") == NULL, "parse: depth 64 passes the nesting bound");
    if (!rc) onnx_model_free(&m);
}

int main(void)
{
    test_quantize();
    test_wire();
    printf("%s: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks, failed);
    return failed || checks == 0 ? 1 : 0;
}
