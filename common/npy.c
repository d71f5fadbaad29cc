/* npy.c - NumPy .npy reader and writer; see npy.h.
 *
 * File layout (numpy.lib.format):
 *
 *   "\x93NUMPY" major minor  header_len   header text                        data
 *   6 bytes     1     1      2 (v1) or    "{'descr': '<i4', 'fortran_order':   C order
 *                            4 (v2, v3)   False, 'shape': (2, 3), }   ...\n"
 *                            little-end.  header_len bytes, ends in '\n'
 *
 * np.save() pads the header with spaces so that the data starts at a multiple of 64.
 */
#define _POSIX_C_SOURCE 200809L
#include "npy.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pecos_err.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64              /* np.save() aligns the start of the data to this */
#define NPY_GROWTH_DIGITS 21      /* np.save() leaves room for shape[0] to grow to this */
#define NPY_MAX_HEADER (1u << 20) /* NumPy itself refuses headers over 10000 bytes */
#define NPY_CHUNK (1u << 20)      /* read step when the file size is unknown (pipes) */
#define NPY_SHAPE_TEXT 192        /* "(" + 8 * "-9223372036854775808, " + ")" fits */
#define NPY_QUOTE_MAX 48          /* longest descr quoted in an error message */

static const struct {
    const char *name;
    char kind;   /* descr type letter */
    size_t size; /* bytes per element; also the descr digit */
} dtypes[] = {
    [NPY_INT8] = {"int8", 'i', 1},        [NPY_UINT8] = {"uint8", 'u', 1},
    [NPY_INT32] = {"int32", 'i', 4},      [NPY_INT64] = {"int64", 'i', 8},
    [NPY_FLOAT16] = {"float16", 'f', 2},  [NPY_BFLOAT16] = {"bfloat16", 'u', 2},
    [NPY_FLOAT32] = {"float32", 'f', 4},  [NPY_UINT16] = {"uint16", 'u', 2},
};

#define NPY_NDTYPES (sizeof dtypes / sizeof dtypes[0])

/* What the header dict said; pointers point into the header text. */
typedef struct {
    const char *descr; /* descr value: string contents, or the raw literal if not a string */
    size_t descr_len;
    bool descr_is_str;
    int fortran;                   /* -1 missing, 0 False, 1 True */
    bool has_shape;
    int rank;                      /* may exceed NPY_MAX_DIMS; only the first are stored */
    int64_t shape[NPY_MAX_DIMS];
} npy_hdr_t;

static bool dtype_ok(npy_dtype_t t) { return (unsigned)t < NPY_NDTYPES; }

static bool host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

size_t npy_dtype_size(npy_dtype_t t) { return dtype_ok(t) ? dtypes[t].size : 0; }

const char *npy_dtype_name(npy_dtype_t t) { return dtype_ok(t) ? dtypes[t].name : "invalid"; }

size_t npy_nbytes(const npy_array_t *arr)
{
    return arr->count > 0 ? (size_t)arr->count * npy_dtype_size(arr->dtype) : 0;
}

/* Element count and byte size of a dtype/shape. Returns 0, -1 for a negative dim, or -2
 * if the size does not fit int64_t and size_t. */
static int shape_size(npy_dtype_t t, const int64_t *shape, int ndim, int64_t *count,
                      size_t *bytes)
{
    int64_t n = 1;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return -1;
        empty |= shape[i] == 0;
    }
    for (int i = 0; i < ndim && !empty; i++) {
        if (n > INT64_MAX / shape[i]) return -2;
        n *= shape[i];
    }
    if (empty) n = 0;
    size_t esize = npy_dtype_size(t);
    if ((uint64_t)n > (uint64_t)INT64_MAX / esize || (uint64_t)n > SIZE_MAX / esize) return -2;
    *count = n;
    *bytes = (size_t)n * esize;
    return 0;
}

/* Formats shape as Python's repr of a tuple: "()", "(3,)", "(1, 2, 3)". */
static void format_shape(char *buf, size_t size, const int64_t *shape, int ndim)
{
    size_t n = 0;
    buf[0] = '\0';
    n += (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (n < size) snprintf(buf + n, size - n, "%s", ndim == 1 ? ",)" : ")");
}

/* ---- Header text parser: a Python dict literal of strings, True/False and int tuples. */

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r') (*p)++;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_atom_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '.' || c == '+' || c == '-';
}

/* Scans a '...' or "..." string literal at *p; returns 0 and its contents, or -1. */
static int scan_string(const char **p, const char **s, size_t *n)
{
    char q = **p;
    if (q != '\'' && q != '"') return -1;
    const char *e = *p + 1;
    while (*e && *e != q) e += (*e == '\\' && e[1]) ? 2 : 1;
    if (*e != q) return -1;
    *s = *p + 1;
    *n = (size_t)(e - *s);
    *p = e + 1;
    return 0;
}

/* Skips one literal: a string, a name or number, or a bracketed (), [] or {} with
 * anything nested inside. Returns 0 or -1. */
static int skip_value(const char **p)
{
    char close[32];
    int depth = 0;
    do {
        const char *s;
        size_t n;
        skip_ws(p);
        char c = **p;
        if (c == '\'' || c == '"') {
            if (scan_string(p, &s, &n) != 0) return -1;
        } else if (c == '(' || c == '[' || c == '{') {
            if (depth == (int)sizeof close) return -1;
            close[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
            (*p)++;
        } else if (depth > 0 && c == close[depth - 1]) {
            depth--;
            (*p)++;
        } else if (depth > 0 && (c == ',' || c == ':')) {
            (*p)++;
        } else if (is_atom_char(c)) {
            while (is_atom_char(**p)) (*p)++;
        } else {
            return -1;
        }
    } while (depth > 0);
    return 0;
}

/* Reports a syntax error at p in the header text that starts at h. */
static int syntax_error(const char *h, const char *p, char *err, size_t errlen)
{
    if (*p == '\0')
        pecos_fail(err, errlen, 0, "header dict is not terminated");
    else
        pecos_fail(err, errlen, 0, "header dict is malformed at offset %zu near '%.12s'",
                (size_t)(p - h), p);
    return PECOS_EFORMAT;
}

/* Parses the shape tuple at *p. Accepts "()", "(5,)", "(2, 3)", a trailing comma, "(5)"
 * and Python 2 longs "(5L,)". */
static int parse_shape(const char **p, npy_hdr_t *h, char *err, size_t errlen)
{
    if (**p != '(') {
        pecos_fail(err, errlen, 0, "header 'shape' is not a tuple");
        return PECOS_EFORMAT;
    }
    (*p)++;
    h->rank = 0;
    for (;;) {
        skip_ws(p);
        if (**p == ')') break;
        const char *num = *p;
        if (**p == '-') {
            do (*p)++;
            while (is_digit(**p));
            pecos_fail(err, errlen, 0, "header 'shape' has a negative dimension %.*s",
                    (int)(*p - num), num);
            return PECOS_EFORMAT;
        }
        if (!is_digit(**p)) {
            pecos_fail(err, errlen, 0, "header 'shape' is malformed near '%.12s'", *p);
            return PECOS_EFORMAT;
        }
        int64_t d = 0;
        for (; is_digit(**p); (*p)++) {
            int digit = **p - '0';
            if (d > (INT64_MAX - digit) / 10) {
                pecos_fail(err, errlen, 0, "header 'shape' has a dimension that does not fit 64 bits");
                return PECOS_EFORMAT;
            }
            d = d * 10 + digit;
        }
        if (**p == 'L' || **p == 'l') (*p)++;
        if (h->rank < NPY_MAX_DIMS) h->shape[h->rank] = d;
        h->rank++;
        skip_ws(p);
        if (**p == ',')
            (*p)++;
        else if (**p != ')') {
            pecos_fail(err, errlen, 0, "header 'shape' is malformed near '%.12s'", *p);
            return PECOS_EFORMAT;
        }
    }
    (*p)++;
    h->has_shape = true;
    return 0;
}

static bool key_is(const char *k, size_t n, const char *name)
{
    return n == strlen(name) && memcmp(k, name, n) == 0;
}

/* Parses the header dict text (NUL-terminated) into *h. Keys may come in any order;
 * unknown keys are skipped; a repeated key is an error. Returns 0 or PECOS_EFORMAT. */
static int parse_header(const char *text, npy_hdr_t *h, char *err, size_t errlen)
{
    const char *p = text;
    memset(h, 0, sizeof *h);
    h->fortran = -1;
    skip_ws(&p);
    if (*p != '{') {
        pecos_fail(err, errlen, 0, "header is not a dict");
        return PECOS_EFORMAT;
    }
    p++;
    for (;;) {
        const char *k, *v;
        size_t kn;
        int rc;
        skip_ws(&p);
        if (*p == '}') break;
        if (scan_string(&p, &k, &kn) != 0) return syntax_error(text, p, err, errlen);
        skip_ws(&p);
        if (*p != ':') return syntax_error(text, p, err, errlen);
        p++;
        skip_ws(&p);
        v = p;
        bool dup = false;
        if (key_is(k, kn, "descr")) {
            dup = h->descr != NULL;
            h->descr_is_str = scan_string(&p, &h->descr, &h->descr_len) == 0;
            if (!h->descr_is_str) {
                if (skip_value(&p) != 0) return syntax_error(text, p, err, errlen);
                h->descr = v;
                h->descr_len = (size_t)(p - v);
            }
        } else if (key_is(k, kn, "fortran_order")) {
            dup = h->fortran >= 0;
            if (strncmp(p, "True", 4) == 0 && !is_atom_char(p[4])) {
                h->fortran = 1;
                p += 4;
            } else if (strncmp(p, "False", 5) == 0 && !is_atom_char(p[5])) {
                h->fortran = 0;
                p += 5;
            } else {
                pecos_fail(err, errlen, 0, "header 'fortran_order' is neither True nor False");
                return PECOS_EFORMAT;
            }
        } else if (key_is(k, kn, "shape")) {
            dup = h->has_shape;
            if ((rc = parse_shape(&p, h, err, errlen)) != 0) return rc;
        } else if (skip_value(&p) != 0) {
            return syntax_error(text, p, err, errlen);
        }
        if (dup) {
            pecos_fail(err, errlen, 0, "header has key '%.*s' twice", (int)kn, k);
            return PECOS_EFORMAT;
        }
        skip_ws(&p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return syntax_error(text, p, err, errlen);
    }
    p++;
    skip_ws(&p);
    if (*p != '\0') {
        pecos_fail(err, errlen, 0, "header has text after the dict: '%.12s'", p);
        return PECOS_EFORMAT;
    }
    return 0;
}

/* Maps a descr string to a dtype. '<' and '>' are accepted (swap says whether the data
 * must be byte-swapped on this host), '|' only for one-byte types, '=' means this host's
 * order. Returns 0 or -1 if unsupported. */
static int descr_dtype(const char *d, size_t n, npy_dtype_t *t, bool *swap)
{
    static const npy_dtype_t readable[] = {NPY_INT8,    NPY_UINT8,   NPY_INT32, NPY_INT64,
                                           NPY_FLOAT16, NPY_FLOAT32, NPY_UINT16};
    if (n != 3 || d[0] == '\0' || !strchr("<>|=", d[0]) || !is_digit(d[2])) return -1;
    for (size_t i = 0; i < sizeof readable / sizeof readable[0]; i++) {
        npy_dtype_t r = readable[i];
        if (dtypes[r].kind != d[1] || dtypes[r].size != (size_t)(d[2] - '0')) continue;
        if (dtypes[r].size > 1 && d[0] == '|') return -1;
        *t = r;
        *swap = dtypes[r].size > 1 && (d[0] == '<' || d[0] == '>') &&
                (d[0] == '<') != host_is_le();
        return 0;
    }
    return -1;
}

/* Checks the parsed header and fills out's dtype, ndim, shape and count. */
static int header_to_array(const npy_hdr_t *h, npy_array_t *out, bool *swap, size_t *bytes,
                           char *err, size_t errlen)
{
    char shape[NPY_SHAPE_TEXT];
    const char *missing = NULL;
    if (!h->descr)
        missing = "descr";
    else if (h->fortran < 0)
        missing = "fortran_order";
    else if (!h->has_shape)
        missing = "shape";
    if (missing) {
        pecos_fail(err, errlen, 0, "header has no '%s' key", missing);
        return PECOS_EFORMAT;
    }
    if (!h->descr_is_str || descr_dtype(h->descr, h->descr_len, &out->dtype, swap) != 0) {
        bool cut = h->descr_len > NPY_QUOTE_MAX;
        pecos_fail(err, errlen, 0,
                "unsupported descr '%.*s%s' (supported: |i1 |u1 <i4 <i8 <f2 <f4 <u2 and their '>' forms)",
                (int)(cut ? NPY_QUOTE_MAX : h->descr_len), h->descr, cut ? "..." : "");
        return PECOS_EDTYPE;
    }
    if (h->fortran) {
        pecos_fail(err, errlen, 0, "Fortran order is not supported (save np.ascontiguousarray(x))");
        return PECOS_EFORMAT;
    }
    if (h->rank > NPY_MAX_DIMS) {
        pecos_fail(err, errlen, 0, "shape has %d dimensions, at most %d are supported", h->rank,
                NPY_MAX_DIMS);
        return PECOS_ESHAPE;
    }
    out->ndim = h->rank;
    memcpy(out->shape, h->shape, sizeof out->shape);
    if (shape_size(out->dtype, out->shape, out->ndim, &out->count, bytes) != 0) {
        format_shape(shape, sizeof shape, out->shape, out->ndim);
        pecos_fail(err, errlen, 0, "shape %s is too large", shape);
        return PECOS_EFORMAT;
    }
    return 0;
}

/* Reads exactly bytes of data into a new buffer. When the file size is unknown (a pipe),
 * the buffer grows as data arrives so a lying header cannot make us allocate much. */
static int read_data(FILE *f, size_t bytes, bool sized, void **data, char *err,
                     size_t errlen)
{
    size_t cap = sized || bytes <= NPY_CHUNK ? bytes : NPY_CHUNK, got = 0;
    unsigned char *buf = malloc(cap ? cap : 1), *grown;
    if (!buf) goto out_nomem;
    while (got < bytes) {
        if (got == cap) {
            cap = bytes - cap > cap ? 2 * cap : bytes;
            if (!(grown = realloc(buf, cap))) goto out_nomem;
            buf = grown;
        }
        size_t r = fread(buf + got, 1, cap - got, f);
        got += r;
        if (r == 0) break;
    }
    if (got < bytes) {
        int rc = ferror(f) ? PECOS_EIO : PECOS_EFORMAT;
        if (rc == PECOS_EIO)
            pecos_fail(err, errlen, 0, "read error: %s", strerror(errno));
        else
            pecos_fail(err, errlen, 0, "data is truncated: expected %zu bytes, found %zu", bytes,
                    got);
        free(buf);
        return rc;
    }
    *data = buf;
    return 0;
out_nomem:
    free(buf);
    pecos_fail(err, errlen, 0, "out of memory for %zu bytes of data", bytes);
    return PECOS_ENOMEM;
}

static void swap_bytes(void *data, int64_t count, size_t size)
{
    unsigned char *e = data;
    for (int64_t i = 0; i < count; i++, e += size) {
        for (size_t j = 0; j < size / 2; j++) {
            unsigned char b = e[j];
            e[j] = e[size - 1 - j];
            e[size - 1 - j] = b;
        }
    }
}

/* The preamble of an open .npy file f (sized: a regular file of fsize bytes): magic,
 * version, header length (*hlen), the preamble's length (*prelen). Returns 0 or a negative
 * code with the reason in err. */
static int read_preamble(FILE *f, bool sized, uint64_t fsize, size_t *prelen, uint64_t *hlen,
                         char *err, size_t errlen)
{
    unsigned char pre[12];
    size_t n = fread(pre, 1, 10, f);
    if (n < 10 && ferror(f)) return pecos_fail(err, errlen, PECOS_EIO, "read error: %s", strerror(errno));
    if (n == 0) return pecos_fail(err, errlen, PECOS_EFORMAT, "file is empty");
    if (memcmp(pre, NPY_MAGIC, n < NPY_MAGIC_LEN ? n : NPY_MAGIC_LEN) != 0)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "bad magic: not a .npy file");
    if (n < 10)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "header is truncated: file has only %zu bytes", n);
    *prelen = 10;
    if (pre[6] == 1 && pre[7] == 0) {
        *hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
    } else if ((pre[6] == 2 || pre[6] == 3) && pre[7] == 0) {
        *prelen = 12;
        if ((n = fread(pre + 10, 1, 2, f)) != 2)
            return pecos_fail(err, errlen, PECOS_EFORMAT, "header is truncated: file has only %zu bytes", 10 + n);
        *hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)pre[10] << 16 |
                (uint64_t)pre[11] << 24;
    } else {
        return pecos_fail(err, errlen, PECOS_EFORMAT, "unsupported .npy format version %u.%u", pre[6], pre[7]);
    }
    if (sized && *prelen + *hlen > fsize)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "header is truncated: header length %llu, file has %llu bytes",
                          (unsigned long long)*hlen, (unsigned long long)fsize);
    if (*hlen > NPY_MAX_HEADER)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "header length %llu is implausibly large", (unsigned long long)*hlen);
    return 0;
}

/* The header text (hlen bytes) of f into *text (allocated here, NUL-terminated; the caller
 * frees it, also on failure). Returns 0 or a negative code with the reason in err. */
static int read_header_text(FILE *f, uint64_t hlen, char **text, char *err, size_t errlen)
{
    size_t n;
    if (!(*text = malloc((size_t)hlen + 1))) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
    if ((n = fread(*text, 1, (size_t)hlen, f)) != hlen) {
        if (ferror(f)) return pecos_fail(err, errlen, PECOS_EIO, "read error: %s", strerror(errno));
        return pecos_fail(err, errlen, PECOS_EFORMAT, "header is truncated: header length %llu, found %zu bytes",
                          (unsigned long long)hlen, n);
    }
    (*text)[hlen] = '\0';
    if (memchr(*text, '\0', (size_t)hlen)) return pecos_fail(err, errlen, PECOS_EFORMAT, "header contains a NUL byte");
    if (hlen == 0 || (*text)[hlen - 1] != '\n')
        return pecos_fail(err, errlen, PECOS_EFORMAT, "header is not terminated by a newline");
    return 0;
}

/* The header and data of the open .npy file f (sized: a regular file of fsize bytes) into
 * out. Returns 0 or a negative code with the reason in err. */
static int read_npy(FILE *f, bool sized, uint64_t fsize, npy_array_t *out, char *err, size_t errlen)
{
    char *text = NULL;
    npy_hdr_t h;
    size_t prelen = 10, bytes = 0;
    uint64_t hlen = 0;
    bool swap = false;
    int rc = read_preamble(f, sized, fsize, &prelen, &hlen, err, errlen);
    if (rc != 0) return rc;
    if ((rc = read_header_text(f, hlen, &text, err, errlen)) != 0) goto out_free_text;
    if ((rc = parse_header(text, &h, err, errlen)) != 0) goto out_free_text;
    if ((rc = header_to_array(&h, out, &swap, &bytes, err, errlen)) != 0) goto out_free_text;

    /* Data. */
    if (sized && bytes > fsize - prelen - hlen) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "data is truncated: expected %zu bytes, found %llu", bytes,
                        (unsigned long long)(fsize - prelen - hlen));
        goto out_free_text;
    }
    if ((rc = read_data(f, bytes, sized, &out->data, err, errlen)) != 0) goto out_free_text;
    if (swap) swap_bytes(out->data, out->count, npy_dtype_size(out->dtype));
out_free_text:
    free(text);
    return rc;
}

int npy_read(const char *path, npy_array_t *out, char *err, size_t errlen)
{
    struct stat st;
    int rc;
    pecos_fail(err, errlen, 0, "%s", "");
    if (!out || !path) return pecos_fail(err, errlen, PECOS_EPARAM, "no %s given", out ? "path" : "output array");
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return pecos_fail(err, errlen, PECOS_EIO, "%s", strerror(errno));
    if (fstat(fileno(f), &st) != 0)
        rc = pecos_fail(err, errlen, PECOS_EIO, "cannot stat: %s", strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = pecos_fail(err, errlen, PECOS_EIO, "%s", strerror(EISDIR));
    else
        rc = read_npy(f, S_ISREG(st.st_mode), S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, out, err, errlen);
    fclose(f);
    if (rc != 0) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Whether arr is self-consistent enough to be written. */
static bool array_ok(const npy_array_t *arr)
{
    int64_t count;
    size_t bytes;
    return dtype_ok(arr->dtype) && arr->ndim >= 0 && arr->ndim <= NPY_MAX_DIMS &&
           shape_size(arr->dtype, arr->shape, arr->ndim, &count, &bytes) == 0 &&
           count == arr->count && (bytes == 0 || arr->data != NULL);
}

int npy_write(const char *path, const npy_array_t *arr)
{
    char shape[NPY_SHAPE_TEXT], text[512];
    if (!path || !arr || !array_ok(arr)) {
        errno = EINVAL;
        return PECOS_EPARAM;
    }

    /* Header exactly as np.save() writes it: sorted keys, repr() values, spaces so that
     * shape[0] can grow to NPY_GROWTH_DIGITS digits in place, then spaces and '\n' up to
     * the next multiple of NPY_ALIGN. NumPy's pad is never 0: an aligned header gets 64. */
    const char order = dtypes[arr->dtype].size == 1 ? '|' : host_is_le() ? '<' : '>';
    format_shape(shape, sizeof shape, arr->shape, arr->ndim);
    int len = snprintf(text, sizeof text,
                       "{'descr': '%c%c%zu', 'fortran_order': False, 'shape': %s, }", order,
                       dtypes[arr->dtype].kind, dtypes[arr->dtype].size, shape);
    size_t grow = arr->ndim > 0
                      ? NPY_GROWTH_DIGITS - (size_t)snprintf(NULL, 0, "%lld",
                                                             (long long)arr->shape[0])
                      : 0;
    size_t hlen = (size_t)len + grow + 1;
    size_t pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
    assert(len > 0 && hlen + pad < sizeof text); /* at most ~240 + 20 + 1 + 64 */
    memset(text + len, ' ', grow + pad);
    hlen += pad;
    text[hlen - 1] = '\n';
    const unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                   (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};

    size_t bytes = npy_nbytes(arr);
    struct stat st;
    FILE *f = fopen(path, "wb");
    if (!f) return PECOS_EIO;
    bool regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode); /* never remove a device */
    errno = 0;
    bool ok = fwrite(pre, 1, sizeof pre, f) == sizeof pre && fwrite(text, 1, hlen, f) == hlen &&
              (bytes == 0 || fwrite(arr->data, 1, bytes, f) == bytes);
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        if (regular) remove(path);
        errno = saved ? saved : EIO;
        return PECOS_EIO;
    }
    return 0;
}

int npy_alloc(npy_array_t *arr, npy_dtype_t dtype, int ndim, const int64_t *shape)
{
    size_t bytes;
    if (!arr) return PECOS_EPARAM;
    memset(arr, 0, sizeof *arr);
    if (!dtype_ok(dtype) || ndim < 0 || ndim > NPY_MAX_DIMS || (ndim > 0 && !shape))
        return PECOS_EPARAM;
    for (int i = 0; i < ndim; i++) arr->shape[i] = shape[i];
    if (shape_size(dtype, arr->shape, ndim, &arr->count, &bytes) != 0) {
        memset(arr, 0, sizeof *arr);
        return PECOS_EPARAM;
    }
    if (!(arr->data = calloc(bytes ? bytes : 1, 1))) {
        memset(arr, 0, sizeof *arr);
        return PECOS_ENOMEM;
    }
    arr->dtype = dtype;
    arr->ndim = ndim;
    return 0;
}

void npy_free(npy_array_t *arr)
{
    if (!arr) return;
    free(arr->data);
    arr->data = NULL;
}
