#include "pecos_types.h"

#include <string.h>

#include "pecos_err.h"

static const char *const dtype_names[PECOS_DTYPE_N] = {"int8", "bf16", "fp16"};
static const char *const df_names[DF_N] = {"ws", "is", "os"};

const char *pecos_dtype_name(pecos_dtype_t dt)
{
    return (unsigned)dt < PECOS_DTYPE_N ? dtype_names[dt] : "?";
}

int pecos_dtype_parse(const char *name, pecos_dtype_t *dt)
{
    for (int i = 0; i < PECOS_DTYPE_N; i++)
        if (name && strcmp(name, dtype_names[i]) == 0) {
            *dt = (pecos_dtype_t)i;
            return 0;
        }
    return PECOS_EDTYPE;
}

size_t pecos_dtype_bytes(pecos_dtype_t dt) { return dt == PECOS_INT8 ? 1u : 2u; }

bool pecos_dtype_is_fp(pecos_dtype_t dt) { return dt == PECOS_BF16 || dt == PECOS_FP16; }

const char *pecos_df_name(pecos_df_t df) { return (unsigned)df < DF_N ? df_names[df] : "?"; }

int pecos_df_parse(const char *name, pecos_df_t *df)
{
    for (int i = 0; i < DF_N; i++)
        if (name && strcmp(name, df_names[i]) == 0) {
            *df = (pecos_df_t)i;
            return 0;
        }
    return PECOS_EPARAM;
}

const char *pecos_df_array(pecos_df_t df) { return df == DF_OS ? "os" : "ws"; }
