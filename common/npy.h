/* npy.h - NumPy .npy reader and writer.
 *
 * Reads format versions 1.0, 2.0 and 3.0 in C order; writes version 1.0 exactly as
 * np.save() does for a C-contiguous array (same header text, growth spaces and 64-byte
 * alignment). In memory, data is C order in the host's byte order; big-endian files are
 * byte-swapped on read. bfloat16 has no NumPy dtype: it is stored as uint16 ('<u2').
 */
#ifndef PECOS_NPY_H
#define PECOS_NPY_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    NPY_INT8,
    NPY_UINT8,
    NPY_INT32,
    NPY_INT64,
    NPY_FLOAT16,
    NPY_BFLOAT16,
    NPY_FLOAT32,
    NPY_UINT16
} npy_dtype_t;

#define NPY_MAX_DIMS 8

typedef struct {
    npy_dtype_t dtype;
    int ndim;                    /* 0 (scalar) .. NPY_MAX_DIMS */
    int64_t shape[NPY_MAX_DIMS]; /* shape[0..ndim-1] */
    int64_t count;               /* number of elements (product of shape; 1 for ndim 0) */
    void *data;                  /* count * npy_dtype_size(dtype) bytes, C order; owned */
} npy_array_t;

/* Bytes per element of t, or 0 if t is not a valid npy_dtype_t. */
size_t npy_dtype_size(npy_dtype_t t);

/* "int8", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "uint16";
 * "invalid" if t is not a valid npy_dtype_t. Static string, never NULL. */
const char *npy_dtype_name(npy_dtype_t t);

/* Size of arr's data in bytes: arr->count * npy_dtype_size(arr->dtype). */
size_t npy_nbytes(const npy_array_t *arr);

/* Reads path into *out; the caller frees it with npy_free(). Returns 0 or a negative
 * PECOS_E* code: PECOS_EIO (cannot open or read), PECOS_EFORMAT (malformed or
 * truncated), PECOS_EDTYPE (unsupported descr), PECOS_ESHAPE (more than NPY_MAX_DIMS),
 * PECOS_ENOMEM. On failure *out is zeroed (out->data is NULL) and a one-line reason
 * without the file name and without a trailing newline is written to err (errlen bytes;
 * err may be NULL if errlen is 0). '<u2' reads as NPY_UINT16; callers that expect
 * bfloat16 reinterpret it. Trailing bytes after the data are ignored. */
int npy_read(const char *path, npy_array_t *out, char *err, size_t errlen);

/* Writes arr to path as .npy version 1.0, C order, byte-identical to np.save(). NPY_BFLOAT16
 * is written as '<u2'. Returns 0, PECOS_EIO (errno tells why; a partly written file is
 * removed) or PECOS_EPARAM (arr is inconsistent: bad dtype or rank, negative dims, count
 * not the product of shape, NULL data; errno is EINVAL). */
int npy_write(const char *path, const npy_array_t *arr);

/* Fills *arr with a zeroed array of the given dtype and shape (shape may be NULL if ndim
 * is 0); free it with npy_free(). Returns 0, PECOS_EPARAM (bad dtype, rank or dims, or
 * the size overflows) or PECOS_ENOMEM; on failure arr->data is NULL. */
int npy_alloc(npy_array_t *arr, npy_dtype_t dtype, int ndim, const int64_t *shape);

/* Frees arr's data and sets it to NULL; safe on a zeroed or already freed array. */
void npy_free(npy_array_t *arr);

#endif
