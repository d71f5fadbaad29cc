/* test_roundtrip.c - real tensors in, RTL result out: `pecos run --ifmap --weights [--bias]
 * --out` must write exactly the reference convolution.
 *
 * usage: test_roundtrip PECOS DTYPE ROWS COLS
 * int8: int8 ifmap/weights, int32 bias, int32 out compared with the reference conv.
 * bf16/fp16: float32 ifmap/weights/bias (pecos rounds operands to the dtype, nearest even),
 * float32 out compared bit for bit with the array-order reference.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fpconv.h"
#include "golden_conv.h"
#include "golden_fp.h"
#include "npy.h"
#include "expect.h"
#include "rng.h"

static const char *dtype;

static int one_case(const char *pecos, int rows, int cols, const char *dir, int c, int h,
                    int w, int k, int r, int s, int stride, int pad, int with_bias, uint64_t seed)
{
    char ip[512], wp[512], bp[512], op[512], cmd[4096];
    snprintf(ip, sizeof ip, "%s/ifmap.npy", dir);
    snprintf(wp, sizeof wp, "%s/weights.npy", dir);
    snprintf(bp, sizeof bp, "%s/bias.npy", dir);
    snprintf(op, sizeof op, "%s/out.npy", dir);
    remove(op);
    rng_t g;
    rng_seed(&g, seed);
    npy_array_t x, wt, b, y = {0};
    int64_t xs[4] = {1, c, h, w}, ws[4] = {k, c, r, s}, bs[1] = {k};
    const int fp = strcmp(dtype, "int8") != 0;
    const fp_fmt_t fmt = strcmp(dtype, "bf16") == 0 ? FP_BF16 : FP_FP16;
    if (npy_alloc(&x, fp ? NPY_FLOAT32 : NPY_INT8, 4, xs) ||
        npy_alloc(&wt, fp ? NPY_FLOAT32 : NPY_INT8, 4, ws) ||
        npy_alloc(&b, fp ? NPY_FLOAT32 : NPY_INT32, 1, bs)) {
        printf("FAIL: allocation\n");
        failed++;
        return 1;
    }
    for (int64_t i = 0; i < x.count; i++) {
        if (fp) ((float *)x.data)[i] = (float)rng_range(&g, -1000000, 1000000) / 999983.0f;
        else ((int8_t *)x.data)[i] = (int8_t)rng_range(&g, -128, 127);
    }
    for (int64_t i = 0; i < wt.count; i++) {
        if (fp) ((float *)wt.data)[i] = (float)rng_range(&g, -1000000, 1000000) / 999983.0f;
        else ((int8_t *)wt.data)[i] = (int8_t)rng_range(&g, -128, 127);
    }
    for (int64_t i = 0; i < b.count; i++) {
        if (fp) ((float *)b.data)[i] = (float)rng_range(&g, -1000, 1000) / 7.0f;
        else ((int32_t *)b.data)[i] = (int32_t)rng_range(&g, -99999, 99999);
    }
    npy_write(ip, &x);
    npy_write(wp, &wt);
    npy_write(bp, &b);
    snprintf(cmd, sizeof cmd,
             "%s run --dtype %s --rows %d --cols %d --layer conv,h=%d,w=%d,c=%d,k=%d,r=%d,s=%d,"
             "stride=%d,pad=%d --ifmap %s --weights %s %s%s --out %s",
             pecos, dtype, rows, cols, h, w, c, k, r, s, stride, pad, ip, wp,
             with_bias ? "--bias " : "",
             with_bias ? bp : "", op);
    int st = system(cmd);
    checks++;
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("FAIL: pecos exited %d: %s\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1, cmd);
        failed++;
        goto out;
    }
    char err[256];
    checks++;
    if (npy_read(op, &y, err, sizeof err) != 0) {
        printf("FAIL: cannot read %s: %s\n", op, err);
        failed++;
        goto out;
    }
    layer_t gc = {.c = c, .h = h, .w = w, .k = k, .r = r, .s = s, .stride_h = stride,
                        .stride_w = stride, .pad_t = pad, .pad_l = pad, .pad_b = pad,
                        .pad_r = pad, .dil_h = 1, .dil_w = 1, .groups = 1};
    int p, q;
    layer_out_hw(&gc, &p, &q);
    checks++;
    if (y.dtype != (fp ? NPY_FLOAT32 : NPY_INT32) || y.ndim != 4 || y.shape[0] != 1 || y.shape[1] != k ||
        y.shape[2] != p || y.shape[3] != q) {
        printf("FAIL: %s has dtype %s rank %d, expected %s [1,%d,%d,%d]\n", op,
               npy_dtype_name(y.dtype), y.ndim, fp ? "float32" : "int32", k, p, q);
        failed++;
        goto out;
    }
    int32_t *ref = malloc(sizeof(int32_t) * (size_t)k * p * q);
    if (fp) {
        /* the operands as pecos must round them */
        uint16_t *xh = malloc(sizeof(uint16_t) * (size_t)x.count);
        uint16_t *wh = malloc(sizeof(uint16_t) * (size_t)wt.count);
        for (int64_t i = 0; i < x.count; i++) xh[i] = fp_f32_to_16x(fmt, ((float *)x.data)[i]);
        for (int64_t i = 0; i < wt.count; i++) wh[i] = fp_f32_to_16x(fmt, ((float *)wt.data)[i]);
        golden_conv_fp_ws(&gc, fmt, rows, xh, wh, with_bias ? b.data : NULL, (uint32_t *)ref);
        free(xh);
        free(wh);
    } else {
        golden_conv_i8(&gc, x.data, wt.data, with_bias ? b.data : NULL, ref);
    }
    int64_t bad = 0;
    for (int64_t i = 0; i < y.count; i++) bad += ((int32_t *)y.data)[i] != ref[i];
    checks++;
    if (bad) {
        printf("FAIL: %lld of %lld outputs differ from the reference: %s\n", (long long)bad,
               (long long)y.count, cmd);
        failed++;
    }
    free(ref);
out:
    npy_free(&x);
    npy_free(&wt);
    npy_free(&b);
    npy_free(&y);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_roundtrip PECOS DTYPE ROWS COLS\n");
        return 2;
    }
    const char *pecos = argv[1];
    dtype = argv[2];
    int rows = atoi(argv[3]), cols = atoi(argv[4]);
    char tmpl[] = "/tmp/pecos_rt_XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char dirbuf[512];
    snprintf(dirbuf, sizeof dirbuf, "%s/pecos_rt_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *dir = mkdtemp(dirbuf);
    if (!dir) dir = mkdtemp(tmpl);
    if (!dir) {
        printf("FAIL: mkdtemp\n");
        return 1;
    }
    one_case(pecos, rows, cols, dir, 3, 9, 7, 5, 3, 3, 2, 1, 1, 11);
    one_case(pecos, rows, cols, dir, 20, 6, 6, 21, 3, 3, 1, 0, 0, 12);
    one_case(pecos, rows, cols, dir, 7, 12, 12, 3, 5, 5, 1, 2, 1, 13);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
    printf("test_roundtrip %s %dx%d: %d checks, %d failed\n", dtype, rows, cols, checks, failed);
    return failed ? 1 : 0;
}
