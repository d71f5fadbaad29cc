/* fuzz_energy.c - libFuzzer target: an --energy-table file is accepted or rejected with one
 * line; an accepted table holds only finite, non-negative values. */
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
    energy_table_t t;
    char err[256] = "";
    energy_table_default(&t);
    const int rc = energy_table_parse((const char *)data, size, &t, err, sizeof err);
    if (rc == 0) {
        const double *v = (const double *)&t;
        for (size_t i = 0; i < sizeof t / sizeof(double); i++)
            if (!isfinite(v[i]) || v[i] < 0) abort();
    } else if (rc != PECOS_EFORMAT || err[0] == '\0' || strchr(err, '\n')) {
        abort();
    }
    return 0;
}
