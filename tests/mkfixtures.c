/* mkfixtures.c - writes the small .npy fixtures the bad-input tests use into DIR. */
#include <stdio.h>
#include <string.h>

#include "npy.h"

static int put(const char *dir, const char *name, npy_dtype_t t, int nd, const int64_t *shape)
{
    char path[1024];
    npy_array_t a;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (npy_alloc(&a, t, nd, shape) != 0) return 1;
    memset(a.data, 1, (size_t)a.count * npy_dtype_size(t));
    int rc = npy_write(path, &a);
    npy_free(&a);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkfixtures DIR\n");
        return 2;
    }
    const char *d = argv[1];
    int64_t i4[4] = {1, 2, 5, 5}, w4[4] = {3, 2, 3, 3};
    int bad = put(d, "i8_1x2x5x5.npy", NPY_INT8, 4, i4) | put(d, "i32_1x2x5x5.npy", NPY_INT32, 4, i4) |
              put(d, "i8_3x2x3x3.npy", NPY_INT8, 4, w4) | put(d, "f32_1x2x5x5.npy", NPY_FLOAT32, 4, i4) |
              put(d, "f32_3x2x3x3.npy", NPY_FLOAT32, 4, w4);
    /* truncated: a valid header for 50 int8 values followed by only 10 of them */
    char path[1024], full[1024];
    snprintf(full, sizeof full, "%s/i8_1x2x5x5.npy", d);
    snprintf(path, sizeof path, "%s/truncated.npy", d);
    FILE *in = fopen(full, "rb"), *out = fopen(path, "wb");
    if (!in || !out) return 1;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n - 40, out);
    fclose(in);
    fclose(out);
    /* found by fuzz_npy: header text after the dict containing a newline, which the error
     * message used to quote verbatim (a two-line error) */
    snprintf(path, sizeof path, "%s/newline_in_header.npy", d);
    out = fopen(path, "wb");
    if (!out) return 1;
    const char hdr[] = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\"  \n";
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(sizeof hdr - 1), 0};
    fwrite(pre, 1, sizeof pre, out);
    fwrite(hdr, 1, sizeof hdr - 1, out);
    fwrite("\1\1\1\1", 1, 4, out);
    fclose(out);
    return bad;
}
