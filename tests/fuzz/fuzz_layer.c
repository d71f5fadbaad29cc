/* fuzz_layer.c - libFuzzer target: --layer parsing must accept or reject any string with a
 * one-line reason, and an accepted layer must be consistent (positive sizes, output >= 1). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layer_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char spec[600], err[512] = "";
    if (size >= sizeof spec) size = sizeof spec - 1;
    memcpy(spec, data, size);
    spec[size] = '\0';
    layer_t L;
    if (layer_parse(spec, 0, &L, err, sizeof err) == 0) {
        if (L.c < 1 || L.h < 1 || L.w < 1 || L.k < 1 || L.r < 1 || L.s < 1 || L.stride_h < 1 ||
            L.stride_w < 1 || L.dil_h < 1 || L.dil_w < 1 || L.pad_t < 0 || L.pad_l < 0 ||
            L.pad_b < 0 || L.pad_r < 0 || L.pad_value < -128 || L.pad_value > 127 || L.p < 1 ||
            L.q < 1)
            abort();
        if ((L.h + L.pad_t + L.pad_b - L.dil_h * (L.r - 1) - 1) / L.stride_h + 1 != L.p ||
            (L.w + L.pad_l + L.pad_r - L.dil_w * (L.s - 1) - 1) / L.stride_w + 1 != L.q)
            abort();
        (void)layer_macs(&L);
    } else if (err[0] == '\0' || strchr(err, '\n')) {
        abort();
    }
    return 0;
}
