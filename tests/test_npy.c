/* test_npy.c - npy reader/writer: round trips of every dtype, files byte-identical to what
 * NumPy writes, other header forms (v2.0, v3.0, key order, big-endian, pipes), and
 * malformed files, each of which must fail with the right code and a reason.
 *
 * Usage: test_npy   (temporary files go to a fresh directory under $TMPDIR or /tmp)
 * Prints "FAIL: ..." per failed check and a summary line; exits 0 only if all pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "npy.h"
#include "pecos_err.h"

/* ---- Temporary files */

static char tmpdir[512];
static char made[128][32]; /* names created in tmpdir, removed at the end */
static int nmade;

static const char *tmp(const char *name)
{
    static char path[1024];
    int i;
    for (i = 0; i < nmade && strcmp(made[i], name) != 0; i++) continue;
    if (i == nmade && nmade < 128) snprintf(made[nmade++], sizeof made[0], "%s", name);
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void put_bytes(const char *name, const void *b, size_t n)
{
    FILE *f = fopen(tmp(name), "wb");
    CHECK(f && fwrite(b, 1, n, f) == n, "cannot write fixture %s", name);
    if (f) fclose(f);
}

/* Reads up to cap bytes of a file; returns the file's size or -1. */
static long get_bytes(const char *name, unsigned char *b, size_t cap)
{
    FILE *f = fopen(tmp(name), "rb");
    if (!f) return -1;
    size_t n = fread(b, 1, cap, f);
    (void)n;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return size;
}

/* A .npy file of the given version whose header is the dict text h padded NumPy-style
 * (spaces, '\n', preamble a multiple of 64), followed by data. */
static void put_npy(const char *name, int version, const char *h, const void *data,
                    size_t nbytes)
{
    static unsigned char buf[16384];
    size_t pre = version == 1 ? 10 : 12, hl = strlen(h);
    size_t hlen = hl + 1 + (64 - (pre + hl + 1) % 64) % 64;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)version;
    buf[7] = 0;
    for (size_t i = 0; i < pre - 8; i++) buf[8 + i] = (unsigned char)(hlen >> (8 * i));
    memset(buf + pre, ' ', hlen);
    memcpy(buf + pre, h, hl);
    buf[pre + hlen - 1] = '\n';
    if (nbytes) memcpy(buf + pre + hlen, data, nbytes);
    put_bytes(name, buf, pre + hlen + nbytes);
}

/* ---- Helpers */

static const char *const descr_of[] = {
    [NPY_INT8] = "|i1",    [NPY_UINT8] = "|u1",    [NPY_INT32] = "<i4",
    [NPY_INT64] = "<i8",   [NPY_FLOAT16] = "<f2",  [NPY_BFLOAT16] = "<u2",
    [NPY_FLOAT32] = "<f4", [NPY_UINT16] = "<u2",
};

/* Fills a with the dtype's extremes and special values first, then a byte pattern. */
static void fill(npy_array_t *a)
{
    static const int8_t i8[] = {INT8_MIN, INT8_MAX, -1, 0, 1};
    static const uint8_t u8[] = {UINT8_MAX, 0, 0x80, 1};
    static const int32_t i32[] = {INT32_MIN, INT32_MAX, -1, 0, -123456789};
    static const int64_t i64[] = {INT64_MIN, INT64_MAX, -1, 0, 0x0123456789abcdefLL};
    /* -max, max, -0, +inf, -inf, NaN, smallest subnormal */
    static const uint16_t f16[] = {0xfbff, 0x7bff, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x0001};
    static const uint16_t bf16[] = {0xff7f, 0x7f7f, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x0001};
    static const uint16_t u16[] = {UINT16_MAX, 0, 0x8000, 1};
    const float f32[] = {-FLT_MAX, FLT_MAX, -0.0f, INFINITY, -INFINITY, NAN, FLT_TRUE_MIN};
    const void *special = NULL;
    size_t nspecial = 0, esize = npy_dtype_size(a->dtype), bytes = npy_nbytes(a);
#define USE(v) (special = (v), nspecial = sizeof(v))
    switch (a->dtype) {
    case NPY_INT8: USE(i8); break;
    case NPY_UINT8: USE(u8); break;
    case NPY_INT32: USE(i32); break;
    case NPY_INT64: USE(i64); break;
    case NPY_FLOAT16: USE(f16); break;
    case NPY_BFLOAT16: USE(bf16); break;
    case NPY_FLOAT32: USE(f32); break;
    case NPY_UINT16: USE(u16); break;
    }
#undef USE
    unsigned char *p = a->data;
    for (size_t i = 0; i < bytes; i++) p[i] = (unsigned char)(i * 37 + 0x85);
    if (nspecial > bytes) nspecial = bytes / esize * esize;
    if (nspecial) memcpy(p, special, nspecial);
}

/* Writes an array of dtype t and the given shape, reads it back, compares everything,
 * and checks the header text and its 64-byte alignment. */
static void roundtrip(npy_dtype_t t, int nd, const int64_t *shape, const char *shape_text)
{
    npy_array_t a, b;
    char err[256], what[96];
    unsigned char file[1024];
    snprintf(what, sizeof what, "round trip %s %s", npy_dtype_name(t), shape_text);
    if (npy_alloc(&a, t, nd, shape) != 0) {
        CHECK(0, "%s: npy_alloc failed", what);
        return;
    }
    fill(&a);
    size_t bytes = npy_nbytes(&a);
    CHECK(npy_write(tmp("rt.npy"), &a) == 0, "%s: npy_write failed", what);
    int rc = npy_read(tmp("rt.npy"), &b, err, sizeof err);
    CHECK(rc == 0, "%s: npy_read: %s", what, err);
    if (rc == 0) {
        npy_dtype_t want = t == NPY_BFLOAT16 ? NPY_UINT16 : t; /* bf16 is stored as <u2 */
        CHECK(b.dtype == want, "%s: dtype %s back", what, npy_dtype_name(b.dtype));
        CHECK(b.ndim == nd, "%s: ndim %d back", what, b.ndim);
        CHECK(b.count == a.count, "%s: count %lld back", what, (long long)b.count);
        CHECK(memcmp(a.shape, b.shape, sizeof a.shape) == 0, "%s: shape differs", what);
        CHECK(b.data != NULL && b.count == a.count && memcmp(a.data, b.data, bytes) == 0,
              "%s: data differs", what);
        npy_free(&b);
        CHECK(b.data == NULL, "%s: npy_free left data", what);
    }
    long size = get_bytes("rt.npy", file, sizeof file);
    size_t pre = size > 10 ? (size_t)size - bytes : 0;
    CHECK(size > 0 && pre >= 64 && pre % 64 == 0, "%s: preamble of %zu bytes", what, pre);
    if (pre >= 64 && pre <= sizeof file) {
        char h[1024], expect[160];
        memcpy(h, file + 10, pre - 10);
        h[pre - 10] = '\0';
        snprintf(expect, sizeof expect, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                 descr_of[t], shape_text);
        CHECK(strncmp(h, expect, strlen(expect)) == 0, "%s: header is \"%s\"", what, h);
        CHECK(file[8] + 256u * file[9] == pre - 10 && h[pre - 11] == '\n' &&
                  strspn(h + strlen(expect), " ") == pre - 11 - strlen(expect),
              "%s: header is not spaces then newline to the 64-byte boundary", what);
    }
    npy_free(&a);
}

/* Reads name, expecting failure with code; checks err is a non-empty single line, contains
 * needle (if any), and the output array is left empty. */
static void expect_error(const char *name, int code, const char *needle, const char *what)
{
    npy_array_t a;
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = npy_read(tmp(name), &a, err, sizeof err);
    CHECK(rc == code, "%s: rc %d (%s), expected %d (%s); err \"%.200s\"", what, rc,
          pecos_strerror(rc), code, pecos_strerror(code), rc ? err : "");
    if (rc == 0) {
        npy_free(&a);
        return;
    }
    CHECK(memchr(err, '\0', sizeof err) && err[0] != '\0' && !strchr(err, '\n'),
          "%s: error message empty or not one line", what);
    CHECK(!needle || strstr(err, needle), "%s: error \"%s\" does not mention \"%s\"", what, err,
          needle);
    CHECK(a.data == NULL && a.ndim == 0 && a.count == 0, "%s: output not left empty", what);
}

/* Reads name, expecting success; returns the array (caller frees) or a zeroed one. */
static npy_array_t expect_ok(const char *name, const char *what)
{
    npy_array_t a;
    char err[256] = "";
    int rc = npy_read(tmp(name), &a, err, sizeof err);
    CHECK(rc == 0, "%s: npy_read rc %d: %s", what, rc, err);
    return a;
}

/* ---- Test groups */

static void test_dtypes(void)
{
    static const char *const names[] = {"int8",     "uint8",   "int32",   "int64",
                                        "float16",  "bfloat16", "float32", "uint16"};
    static const size_t sizes[] = {1, 1, 4, 8, 2, 2, 4, 2};
    for (int t = NPY_INT8; t <= NPY_UINT16; t++) {
        CHECK(strcmp(npy_dtype_name((npy_dtype_t)t), names[t]) == 0, "name of dtype %d", t);
        CHECK(npy_dtype_size((npy_dtype_t)t) == sizes[t], "size of %s", names[t]);
    }
    CHECK(npy_dtype_size((npy_dtype_t)99) == 0, "size of an invalid dtype");
    CHECK(strcmp(npy_dtype_name((npy_dtype_t)99), "invalid") == 0, "name of an invalid dtype");
}

static void test_roundtrips(void)
{
    const int64_t s1[] = {5}, s4[] = {2, 3, 1, 4}, s0[] = {2, 0, 3};
    for (int t = NPY_INT8; t <= NPY_UINT16; t++) {
        roundtrip((npy_dtype_t)t, 0, NULL, "()");
        roundtrip((npy_dtype_t)t, 1, s1, "(5,)");
        roundtrip((npy_dtype_t)t, 4, s4, "(2, 3, 1, 4)");
        roundtrip((npy_dtype_t)t, 3, s0, "(2, 0, 3)");
    }
    /* Values, not just bytes, for two types. */
    npy_array_t a, b;
    char err[256];
    const int64_t s2[] = {2};
    if (npy_alloc(&a, NPY_INT64, 1, s2) == 0) {
        ((int64_t *)a.data)[0] = INT64_MIN;
        ((int64_t *)a.data)[1] = -42;
        CHECK(npy_write(tmp("i64.npy"), &a) == 0, "write int64");
        if (npy_read(tmp("i64.npy"), &b, err, sizeof err) == 0) {
            CHECK(((int64_t *)b.data)[0] == INT64_MIN && ((int64_t *)b.data)[1] == -42,
                  "int64 values back");
            npy_free(&b);
        } else {
            CHECK(0, "read int64: %s", err);
        }
        npy_free(&a);
    }
}

/* Exactly the file NumPy writes for np.save(f, np.arange(6, dtype=np.int8).reshape(2, 3)):
 * the 59-character dict, spaces to fill, '\n' at offset 127, header_len 118 (0x76).
 * (NumPy >= 1.24 adds 20 "growth" spaces before padding; the bytes are the same.) */
static void test_numpy_bytes(void)
{
    static const char dict[] = "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }";
    unsigned char want[134], got[256];
    memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
    memset(want + 10, ' ', 118);
    memcpy(want + 10, dict, sizeof dict - 1);
    want[127] = '\n';
    for (int i = 0; i < 6; i++) want[128 + i] = (unsigned char)i;
    put_bytes("arange.npy", want, sizeof want);

    npy_array_t a = expect_ok("arange.npy", "NumPy arange file");
    if (!a.data) return;
    CHECK(a.dtype == NPY_INT8 && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 &&
              a.count == 6,
          "NumPy arange file: dtype %s ndim %d", npy_dtype_name(a.dtype), a.ndim);
    CHECK(memcmp(a.data, want + 128, 6) == 0, "NumPy arange file: values");
    CHECK(npy_write(tmp("arange2.npy"), &a) == 0, "NumPy arange file: rewrite");
    npy_free(&a);
    long n = get_bytes("arange2.npy", got, sizeof got);
    CHECK(n == (long)sizeof want && memcmp(got, want, sizeof want) == 0,
          "npy_write output (%ld bytes) is not byte-identical to NumPy's (134 bytes)", n);
    CHECK(n >= 6 && (n - 6) % 64 == 0, "written preamble %ld is not a multiple of 64", n - 6);
    a = expect_ok("arange2.npy", "re-read of written arange");
    CHECK(a.data && a.count == 6 && memcmp(a.data, want + 128, 6) == 0,
          "written arange reads back equal");
    npy_free(&a);

    /* np.save of np.zeros((0, 10**10, 10**10, 10**12), '<f4'): the 97-character dict, 20
     * growth spaces, then NumPy's pad, which is never 0: this header is already aligned
     * (10 + 117 + 1 = 128), so NumPy adds 64 spaces and the preamble is 192 bytes. */
    static const char dict2[] = "{'descr': '<f4', 'fortran_order': False, 'shape': "
                                "(0, 10000000000, 10000000000, 1000000000000), }";
    const int64_t s[] = {0, 10000000000LL, 10000000000LL, 1000000000000LL};
    CHECK(sizeof dict2 - 1 == 97, "test setup: dict2 is %zu characters", sizeof dict2 - 1);
    if (npy_alloc(&a, NPY_FLOAT32, 4, s) == 0) {
        CHECK(npy_write(tmp("aligned.npy"), &a) == 0, "write zero-size 4-D float32");
        npy_free(&a);
        n = get_bytes("aligned.npy", got, sizeof got);
        CHECK(n == 192, "aligned header: file is %ld bytes, NumPy writes 192", n);
        CHECK(n == 192 && got[8] == 182 && got[9] == 0 &&
                  memcmp(got + 10, dict2, sizeof dict2 - 1) == 0 &&
                  strspn((const char *)got + 107, " ") == 84 && got[191] == '\n',
              "aligned header: bytes differ from NumPy's");
        a = expect_ok("aligned.npy", "aligned header");
        CHECK(a.ndim == 4 && a.count == 0 && a.shape[3] == 1000000000000LL,
              "aligned header: shape back");
        npy_free(&a);
    } else {
        CHECK(0, "npy_alloc of a zero-size 4-D array");
    }
}

/* Headers NumPy (or other writers) may produce that differ from our own output. */
static void test_header_forms(void)
{
    npy_array_t a;
    const float f[3] = {1.5f, -2.0f, 3.25f};
    const int32_t i3[3] = {-7, 0, 7};
    const uint16_t u[2] = {1, 0xbeef};

    put_npy("v2.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f,
            sizeof f);
    a = expect_ok("v2.npy", "version 2.0 header");
    CHECK(a.data && a.dtype == NPY_FLOAT32 && a.ndim == 1 && a.shape[0] == 3 &&
              memcmp(a.data, f, sizeof f) == 0,
          "version 2.0 header: contents");
    npy_free(&a);

    put_npy("v3.npy", 3, "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", u,
            sizeof u);
    a = expect_ok("v3.npy", "version 3.0 header");
    CHECK(a.data && a.dtype == NPY_UINT16 && a.count == 2 && memcmp(a.data, u, sizeof u) == 0,
          "version 3.0 header: contents");
    npy_free(&a);

    /* Reordered keys, double quotes, odd spacing, no trailing comma, an unknown key whose
     * value mentions 'shape', and trailing bytes after the data. */
    unsigned char i3x[sizeof i3 + 5];
    memcpy(i3x, i3, sizeof i3);
    memcpy(i3x + sizeof i3, "extra", 5);
    put_npy("order.npy", 1,
            "{ \"note\" : \"'shape': (9,)\", 'shape':(3 ,) ,\"fortran_order\":False,"
            "'x': [1, (2, {'y': None})],'descr' :  '<i4'}",
            i3x, sizeof i3x);
    a = expect_ok("order.npy", "reordered header");
    CHECK(a.data && a.dtype == NPY_INT32 && a.ndim == 1 && a.shape[0] == 3 &&
              memcmp(a.data, i3, sizeof i3) == 0,
          "reordered header: contents (shape[0] %lld)", (long long)a.shape[0]);
    npy_free(&a);

    put_npy("scalar.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", i3,
            4);
    a = expect_ok("scalar.npy", "scalar");
    CHECK(a.data && a.ndim == 0 && a.count == 1 && *(int32_t *)a.data == -7, "scalar: contents");
    npy_free(&a);

    put_npy("py2.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2L, 3L), }",
            "abcdef", 6);
    a = expect_ok("py2.npy", "Python 2 long dims");
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3, "Python 2 long dims: shape");
    npy_free(&a);

    put_npy("lt_i1.npy", 1, "{'descr': '<i1', 'fortran_order': False, 'shape': (1,), }",
            "\xff", 1);
    a = expect_ok("lt_i1.npy", "'<i1' descr");
    CHECK(a.dtype == NPY_INT8 && a.data && *(int8_t *)a.data == -1, "'<i1' is int8");
    npy_free(&a);

    /* Big-endian data is byte-swapped on read. */
    const unsigned char be_i4[] = {0, 0, 0, 1, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe};
    put_npy("be_i4.npy", 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }", be_i4,
            sizeof be_i4);
    a = expect_ok("be_i4.npy", "big-endian int32");
    if (a.data) {
        const int32_t *v = a.data;
        CHECK(a.dtype == NPY_INT32 && v[0] == 1 && v[1] == INT32_MIN && v[2] == -2,
              "big-endian int32: values %d %d %d", v[0], v[1], v[2]);
    }
    npy_free(&a);
    const unsigned char be_f4[] = {0x3f, 0x80, 0, 0, 0xc0, 0x49, 0x0f, 0xdb};
    put_npy("be_f4.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be_f4,
            sizeof be_f4);
    a = expect_ok("be_f4.npy", "big-endian float32");
    if (a.data) {
        const float *v = a.data;
        CHECK(a.dtype == NPY_FLOAT32 && v[0] == 1.0f && v[1] == -3.14159274101257324f,
              "big-endian float32: values %g %g", v[0], v[1]);
    }
    npy_free(&a);
    const unsigned char be_i8[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    put_npy("be_i8.npy", 1, "{'descr': '>i8', 'fortran_order': False, 'shape': (), }", be_i8,
            sizeof be_i8);
    a = expect_ok("be_i8.npy", "big-endian int64");
    CHECK(a.data && *(int64_t *)a.data == 0x0123456789abcdefLL, "big-endian int64: value");
    npy_free(&a);
    put_npy("be_u2.npy", 1, "{'descr': '>u2', 'fortran_order': False, 'shape': (1, 1), }",
            "\xbe\xef", 2);
    a = expect_ok("be_u2.npy", "big-endian uint16");
    CHECK(a.data && a.dtype == NPY_UINT16 && *(uint16_t *)a.data == 0xbeef,
          "big-endian uint16: value");
    npy_free(&a);
}

/* Reading through a FIFO: no file size, data larger than one read chunk. */
static void test_pipe(void)
{
    static const char h[] = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 1000000), }";
    const size_t n = 3000000;
    unsigned char *data = malloc(n);
    if (!data) return;
    for (size_t i = 0; i < n; i++) data[i] = (unsigned char)(i % 251);

    for (int truncated = 0; truncated <= 1; truncated++) {
        const char *fifo = tmp(truncated ? "fifo2" : "fifo1");
        if (mkfifo(fifo, 0600) != 0) {
            CHECK(0, "mkfifo: %s", strerror(errno));
            break;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            CHECK(0, "fork: %s", strerror(errno));
            break;
        }
        if (pid == 0) {
            unsigned char pre[128];
            FILE *f = fopen(fifo, "wb");
            if (!f) _exit(1);
            memcpy(pre, "\x93NUMPY\x01\x00\x76\x00", 10);
            memset(pre + 10, ' ', 118);
            memcpy(pre + 10, h, sizeof h - 1);
            pre[127] = '\n';
            fwrite(pre, 1, sizeof pre, f);
            fwrite(data, 1, truncated ? n - 10 : n, f);
            fclose(f);
            _exit(0);
        }
        npy_array_t a;
        char err[256] = "";
        int rc = npy_read(fifo, &a, err, sizeof err);
        if (!truncated) {
            CHECK(rc == 0 && a.count == (int64_t)n && memcmp(a.data, data, n) == 0,
                  "read through a pipe: rc %d %s", rc, err);
            npy_free(&a);
        } else {
            CHECK(rc == PECOS_EFORMAT &&
                      strcmp(err, "data is truncated: expected 3000000 bytes, found 2999990") == 0,
                  "truncated pipe: rc %d \"%s\"", rc, err);
        }
        int status = 0;
        if (pid > 0) waitpid(pid, &status, 0);
        CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "pipe writer failed");
    }
    free(data);
}

static void test_malformed(void)
{
    static const unsigned char i4x10[40];
    char big[8200];

    put_bytes("empty.npy", "", 0);
    expect_error("empty.npy", PECOS_EFORMAT, "empty", "empty file");
    put_bytes("magic.npy", "\x93NUMPZ\x01\x00\x10\x00{}", 12);
    expect_error("magic.npy", PECOS_EFORMAT, "magic", "bad magic");
    put_bytes("text.npy", "hello", 5);
    expect_error("text.npy", PECOS_EFORMAT, "magic", "short text file");
    put_bytes("preamble.npy", "\x93NUMPY\x01\x00", 8);
    expect_error("preamble.npy", PECOS_EFORMAT, "truncated", "truncated preamble");
    put_bytes("preamble2.npy", "\x93NUMPY\x02\x00\x10\x00\x00", 11);
    expect_error("preamble2.npy", PECOS_EFORMAT, "truncated", "truncated v2 preamble");
    put_bytes("hdrtrunc.npy", "\x93NUMPY\x01\x00\x76\x00{'descr': '|i1'", 25);
    expect_error("hdrtrunc.npy", PECOS_EFORMAT, "truncated", "header length past end of file");
    put_bytes("hdrhuge.npy", "\x93NUMPY\x02\x00\xff\xff\xff\xff{}\n", 15);
    expect_error("hdrhuge.npy", PECOS_EFORMAT, "truncated", "v2 header length 4 GiB");
    put_bytes("v9.npy", "\x93NUMPY\x09\x00\x02\x00{}", 12);
    expect_error("v9.npy", PECOS_EFORMAT, "version 9.0", "unknown major version");
    put_bytes("v11.npy", "\x93NUMPY\x01\x01\x02\x00{}", 12);
    expect_error("v11.npy", PECOS_EFORMAT, "version 1.1", "unknown minor version");
    put_bytes("noterm.npy", "\x93NUMPY\x01\x00\x05\x00{'a':", 15);
    expect_error("noterm.npy", PECOS_EFORMAT, "newline", "header without newline");
    put_npy("open.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,)", "a", 1);
    expect_error("open.npy", PECOS_EFORMAT, "not terminated", "dict without '}'");
    put_bytes("nul.npy", "\x93NUMPY\x01\x00\x04\x00{\0}\n", 14);
    expect_error("nul.npy", PECOS_EFORMAT, "NUL", "NUL in header");
    put_npy("notdict.npy", 1, "['descr', '|i1']", "", 0);
    expect_error("notdict.npy", PECOS_EFORMAT, "not a dict", "header is a list");
    put_npy("after.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,)} x", "a",
            1);
    expect_error("after.npy", PECOS_EFORMAT, "after the dict", "text after the dict");
    put_npy("badkey.npy", 1, "{descr: '|i1', 'fortran_order': False, 'shape': (1,)}", "a", 1);
    expect_error("badkey.npy", PECOS_EFORMAT, "malformed", "unquoted key");
    put_npy("dup.npy", 1,
            "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), 'shape': (2,)}", "ab", 2);
    expect_error("dup.npy", PECOS_EFORMAT, "twice", "duplicate key");

    put_npy("fortran.npy", 1, "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3), }",
            "abcdef", 6);
    expect_error("fortran.npy", PECOS_EFORMAT, "Fortran order", "fortran_order True");
    put_npy("fortran2.npy", 1, "{'descr': '|i1', 'fortran_order': Truth, 'shape': (2,), }",
            "ab", 2);
    expect_error("fortran2.npy", PECOS_EFORMAT, "fortran_order", "fortran_order not a bool");

    put_npy("f8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", i4x10,
            16);
    expect_error("f8.npy", PECOS_EDTYPE, "'<f8'", "float64");
    put_npy("b1.npy", 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", "ab", 2);
    expect_error("b1.npy", PECOS_EDTYPE, "'|b1'", "bool");
    put_npy("c8.npy", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", i4x10, 8);
    expect_error("c8.npy", PECOS_EDTYPE, "'<c8'", "complex64");
    put_npy("obj.npy", 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", i4x10,
            16);
    expect_error("obj.npy", PECOS_EDTYPE, "'|O'", "object dtype");
    put_npy("i2.npy", 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", i4x10, 4);
    expect_error("i2.npy", PECOS_EDTYPE, "'<i2'", "int16");
    put_npy("pipe_i4.npy", 1, "{'descr': '|i4', 'fortran_order': False, 'shape': (1,), }",
            i4x10, 4);
    expect_error("pipe_i4.npy", PECOS_EDTYPE, "'|i4'", "'|' on a 4-byte type");
    put_npy("struct.npy", 1,
            "{'descr': [('a', '<i4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }",
            i4x10, 8);
    expect_error("struct.npy", PECOS_EDTYPE, "'[('a', '<i4'), ('b', '<f4')]'",
                 "structured dtype");
    put_npy("longdescr.npy", 1,
            "{'descr': '<U123456789012345678901234567890123456789012345678901234567890', "
            "'fortran_order': False, 'shape': (1,), }",
            "", 0);
    expect_error("longdescr.npy", PECOS_EDTYPE, "...'", "very long descr");

    put_npy("noshape.npy", 1, "{'descr': '|i1', 'fortran_order': False, }", "abcdef", 6);
    expect_error("noshape.npy", PECOS_EFORMAT, "'shape'", "missing shape");
    put_npy("nodescr.npy", 1, "{'fortran_order': False, 'shape': (2,), }", "ab", 2);
    expect_error("nodescr.npy", PECOS_EFORMAT, "'descr'", "missing descr");
    put_npy("nofortran.npy", 1, "{'descr': '|i1', 'shape': (2,), }", "ab", 2);
    expect_error("nofortran.npy", PECOS_EFORMAT, "'fortran_order'", "missing fortran_order");
    put_npy("shapeint.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': 6, }",
            "abcdef", 6);
    expect_error("shapeint.npy", PECOS_EFORMAT, "not a tuple", "shape is an int");
    put_npy("shapebad.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, x), }",
            "abcdef", 6);
    expect_error("shapebad.npy", PECOS_EFORMAT, "malformed", "shape with a name");
    put_npy("shapecomma.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (,), }",
            "", 0);
    expect_error("shapecomma.npy", PECOS_EFORMAT, "malformed", "shape (,)");
    put_npy("negdim.npy", 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, -3), }",
            "abcdef", 6);
    expect_error("negdim.npy", PECOS_EFORMAT, "negative dimension -3", "negative dimension");
    put_npy("huge.npy", 1,
            "{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
            i4x10, 8);
    expect_error("huge.npy", PECOS_EFORMAT, "too large", "shape whose product overflows");
    put_npy("huge2.npy", 1,
            "{'descr': '<i8', 'fortran_order': False, 'shape': (1152921504606846976, 4), }",
            i4x10, 8);
    expect_error("huge2.npy", PECOS_EFORMAT, "too large", "shape whose byte size overflows");
    put_npy("huge3.npy", 1,
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1099511627776, 1048576), }",
            i4x10, 8);
    expect_error("huge3.npy", PECOS_EFORMAT, "data is truncated", "huge shape, small file");
    put_npy("hugedim.npy", 1,
            "{'descr': '|i1', 'fortran_order': False, 'shape': (99999999999999999999,), }",
            i4x10, 8);
    expect_error("hugedim.npy", PECOS_EFORMAT, "64 bits", "dimension beyond int64");
    put_npy("ninedim.npy", 1,
            "{'descr': '|i1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", "a", 1);
    expect_error("ninedim.npy", PECOS_ESHAPE, "9 dimensions", "too many dimensions");
    put_npy("datatrunc.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (10,), }",
            i4x10, 39);
    expect_error("datatrunc.npy", PECOS_EFORMAT, "data is truncated: expected 40 bytes, found 39",
                 "data truncated");
    put_npy("nodata.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", "", 0);
    expect_error("nodata.npy", PECOS_EFORMAT, "expected 4 bytes, found 0", "no data at all");
    /* A long but valid-looking header (deep nesting in an unknown key) must not crash. */
    memset(big, '[', sizeof big);
    memcpy(big, "{'z': ", 6);
    big[sizeof big - 1] = '\0';
    put_npy("nest.npy", 2, big, "", 0);
    expect_error("nest.npy", PECOS_EFORMAT, NULL, "deeply nested header value");

    expect_error("does_not_exist.npy", PECOS_EIO, strerror(ENOENT), "missing file");
    CHECK(mkdir(tmp("adir"), 0700) == 0, "mkdir");
    expect_error("adir", PECOS_EIO, NULL, "directory");

    /* A NULL or tiny err buffer is fine. */
    npy_array_t a;
    char small[8];
    CHECK(npy_read(tmp("f8.npy"), &a, NULL, 0) == PECOS_EDTYPE, "NULL err buffer");
    CHECK(npy_read(tmp("f8.npy"), &a, small, sizeof small) == PECOS_EDTYPE &&
              strlen(small) == sizeof small - 1,
          "tiny err buffer is truncated and terminated");
}

static void test_write_alloc_errors(void)
{
    npy_array_t a;
    const int64_t s[] = {2, 3}, neg[] = {2, -1}, huge[] = {INT64_MAX, 2};
    const int64_t s9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

    CHECK(npy_alloc(&a, NPY_INT8, 9, s9) == PECOS_EPARAM && a.data == NULL, "alloc 9 dims");
    CHECK(npy_alloc(&a, NPY_INT8, -1, s) == PECOS_EPARAM && a.data == NULL, "alloc rank -1");
    CHECK(npy_alloc(&a, NPY_INT8, 2, neg) == PECOS_EPARAM && a.data == NULL, "alloc dim -1");
    CHECK(npy_alloc(&a, NPY_INT32, 2, huge) == PECOS_EPARAM && a.data == NULL,
          "alloc overflowing shape");
    CHECK(npy_alloc(&a, (npy_dtype_t)42, 2, s) == PECOS_EPARAM && a.data == NULL,
          "alloc invalid dtype");
    CHECK(npy_alloc(&a, NPY_INT8, 2, NULL) == PECOS_EPARAM, "alloc NULL shape");
    CHECK(npy_alloc(&a, NPY_FLOAT32, 2, s) == 0 && a.count == 6 && npy_nbytes(&a) == 24,
          "alloc 2x3 float32");
    if (!a.data) return;
    static const unsigned char zero[24];
    CHECK(memcmp(a.data, zero, sizeof zero) == 0, "alloc zeroes the data");

    char path[1100];
    snprintf(path, sizeof path, "%s/no/such/dir.npy", tmpdir);
    errno = 0;
    CHECK(npy_write(path, &a) == PECOS_EIO && errno == ENOENT, "write into a missing dir");
    a.count = 5;
    errno = 0;
    CHECK(npy_write(tmp("bad.npy"), &a) == PECOS_EPARAM && errno == EINVAL,
          "write with count not matching shape");
    a.count = 6;
    a.ndim = 9;
    CHECK(npy_write(tmp("bad.npy"), &a) == PECOS_EPARAM, "write with 9 dims");
    a.ndim = 2;
    struct stat st;
    CHECK(stat(tmp("bad.npy"), &st) != 0, "a rejected write leaves no file");
    /* A write that fails part way (file size limit in a child) reports EIO and removes
     * the partial file. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {.rlim_cur = 100, .rlim_max = 100};
        signal(SIGXFSZ, SIG_IGN);
        int64_t big[] = {1000};
        npy_array_t b;
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0 || npy_alloc(&b, NPY_INT8, 1, big) != 0) _exit(3);
        int rc = npy_write(tmp("partial.npy"), &b);
        int e = errno;
        _exit(rc == PECOS_EIO && e == EFBIG && access(tmp("partial.npy"), F_OK) != 0 ? 0 : 1);
    }
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "failed write: not EIO/EFBIG or partial file left (child status %d)", status);
    npy_free(&a);
    npy_free(&a);
    CHECK(a.data == NULL, "npy_free twice");
    npy_free(NULL);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_npy.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("FAIL: mkdtemp %s: %s\n", tmpdir, strerror(errno));
        printf("test_npy: 1 checks, 1 failed\n");
        return 1;
    }

    test_dtypes();
    test_roundtrips();
    test_numpy_bytes();
    test_header_forms();
    test_pipe();
    test_malformed();
    test_write_alloc_errors();

    for (int i = 0; i < nmade; i++) {
        char path[1100];
        if (snprintf(path, sizeof path, "%s/%s", tmpdir, made[i]) >= (int)sizeof path) continue;
        if (remove(path) != 0 && errno != ENOENT) printf("note: cannot remove %s\n", path);
    }
    if (rmdir(tmpdir) != 0) printf("note: cannot remove %s: %s\n", tmpdir, strerror(errno));
    printf("test_npy: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
