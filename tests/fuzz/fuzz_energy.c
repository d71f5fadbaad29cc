/* fuzz_energy.c - libFuzzer target: an --energy-table text of any bytes is accepted or
 * rejected (PECOS_EFORMAT) with a non-empty one-line reason that leaves the table as it was;
 * an accepted table holds only finite, non-negative values. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "pecos_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    energy_table_t t, before;
    char err[256];
    memset(err, 'x', sizeof err);
    err[0] = '\0';
    energy_table_default(&t);
    before = t;
    const int rc = energy_table_parse((const char *)data, size, &t, err, sizeof err);
    if (rc == 0) {
        const double v[] = {t.dram,      t.sram_8k,   t.sram_32k, t.sram_1m,  t.rf,
                            t.mul_int8,  t.add_int8,  t.add_int16, t.add_int32, t.mul_int32,
                            t.mul_fp16,  t.add_fp16,  t.mul_fp32, t.add_fp32};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            if (!isfinite(v[i]) || v[i] < 0) abort();
    } else {
        if (rc != PECOS_EFORMAT) abort();
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0' || strchr(err, '\n')) abort();
        if (strncmp(err, "line ", 5) != 0) abort();
        if (memcmp(&t, &before, sizeof t) != 0) abort();
    }
    return 0;
}
