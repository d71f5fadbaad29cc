/* fuzz_npy.c - libFuzzer target: npy_read must return an error or a consistent array for any
 * bytes, never crash, hang or read out of bounds. The input is handed over as a memfd path,
 * so the real file-reading code runs. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_npy", 0);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    npy_array_t a;
    char err[256];
    if (npy_read(path, &a, err, sizeof err) == 0) {
        /* A success must describe exactly the bytes it owns. */
        int64_t count = 1;
        for (int i = 0; i < a.ndim; i++) count *= a.shape[i];
        if (count != a.count || a.ndim < 0 || a.ndim > NPY_MAX_DIMS) abort();
        volatile uint8_t sink = 0;
        const size_t bytes = (size_t)a.count * npy_dtype_size(a.dtype);
        for (size_t i = 0; i < bytes; i++) sink ^= ((const uint8_t *)a.data)[i];
        (void)sink;
        npy_free(&a);
    } else if (err[0] == '\0' || strchr(err, '\n')) {
        abort(); /* every failure has exactly one line of reason */
    }
    return 0;
}
