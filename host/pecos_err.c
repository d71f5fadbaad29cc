#include "pecos_err.h"

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
