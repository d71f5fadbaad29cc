#include "pecos_err.h"

#include <stdarg.h>
#include <stdio.h>

const char *pecos_strerror(int code)
{
    switch (code) {
    case PECOS_OK: return "success";
    case PECOS_EIO: return "I/O error";
    case PECOS_EFORMAT: return "malformed file";
    case PECOS_EDTYPE: return "wrong or unsupported dtype";
    case PECOS_ESHAPE: return "wrong shape";
    case PECOS_EPARAM: return "invalid parameter";
    case PECOS_ENOMEM: return "out of memory";
    case PECOS_ENOSIM: return "simulation model not available";
    case PECOS_ESIM: return "simulation protocol error";
    case PECOS_ENOTSUP: return "not supported";
    default: return "unknown error";
    }
}

int pecos_fail(char *err, unsigned long errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        for (char *c = err; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    }
    return code;
}
