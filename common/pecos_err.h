/* pecos_err.h - error codes shared by the host and the golden models.
 *
 * Functions that act return int: 0 on success, a negative PECOS_E* code on failure.
 * pecos_strerror() turns a code into words. The caller that knows the context (file,
 * layer, parameter) prints the one-line message; library code does not print.
 */
#ifndef PECOS_ERR_H
#define PECOS_ERR_H

enum {
    PECOS_OK = 0,
    PECOS_EIO = -1,      /* file cannot be opened, read or written */
    PECOS_EFORMAT = -2,  /* malformed file contents (bad magic, header, truncated) */
    PECOS_EDTYPE = -3,   /* wrong or unsupported element type */
    PECOS_ESHAPE = -4,   /* wrong shape or rank */
    PECOS_EPARAM = -5,   /* out-of-range or malformed parameter */
    PECOS_ENOMEM = -6,   /* allocation failed */
    PECOS_ENOSIM = -7,   /* simulation model variant not built / not loadable */
    PECOS_ESIM = -8,     /* simulation protocol error (unexpected output, timeout) */
    PECOS_ENOTSUP = -9,  /* valid input that this tool does not support (operator, mapping) */
};

/* Returns a static string describing code (never NULL). */
const char *pecos_strerror(int code);

/* Formats a one-line reason into err (if err != NULL and errlen > 0; control characters,
 * e.g. from names read out of a file, become '?') and returns code. */
int pecos_fail(char *err, unsigned long errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
