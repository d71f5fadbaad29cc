/* fuzz_layer.c - libFuzzer target: --layer parsing must accept or reject any string with a
 * one-line reason, and an accepted layer must be consistent (positive sizes, output >= 1). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char spec[600], err[512] = "";
    if (size >= sizeof spec) size = sizeof spec - 1;
    memcpy(spec, data, size);
    spec[size] = '\0';
    layer_t L;
    if (layer_parse(spec, 0, &L, err, sizeof err) == 0) {
        if (L.c < 1 || L.h < 1 || L.w < 1 || L.k < 1 || L.r < 1 || L.s < 1 || L.stride < 1 ||
            L.pad < 0 || L.p < 1 || L.q < 1)
            abort();
        if ((L.h + 2 * L.pad - L.r) / L.stride + 1 != L.p) abort();
        (void)layer_macs(&L);
    } else if (err[0] == '\0' || strchr(err, '\n')) {
        abort();
    }
    return 0;
}
