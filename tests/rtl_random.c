/* rtl_random.c - constrained-random conv shapes through `pecos run` on one array variant.
 *
 * usage: rtl_random PECOS DATAFLOW DTYPE ROWS COLS COUNT   (PECOS_SEED=n reproduces a run)
 *
 * Each case draws a shape (channels, sizes, filter, FC now and then) with its geometry: one
 * stride 1..4 or unequal strides 1..3, dilation 1 or 1..3 per axis, one pad 0..2 or four
 * pads 0..2, and on int8 a pad value now and then; the shape has at least one output. Each
 * runs with its own data seed and fails with the exact command line when pecos reports a
 * failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "rng.h"

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: rtl_random PECOS DATAFLOW DTYPE ROWS COLS COUNT\n");
        return 2;
    }
    const char *pecos = argv[1], *df = argv[2], *dtype = argv[3];
    int rows = atoi(argv[4]), cols = atoi(argv[5]), count = atoi(argv[6]);
    const char *env = getenv("PECOS_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 7;
    printf("rtl_random %s %s %dx%d: %d shapes, seed %llu (PECOS_SEED=%llu reproduces)\n", df, dtype, rows, cols,
           count, (unsigned long long)seed, (unsigned long long)seed);
    rng_t g;
    rng_seed(&g, seed);
    int failed = 0;
    for (int i = 0; i < count; i++) {
        char cmd[1024], layer[256];
        if (rng_range(&g, 0, 7) == 0) {
            snprintf(layer, sizeof layer, "fc,c=%d,k=%d", (int)rng_range(&g, 1, 300),
                     (int)rng_range(&g, 1, 80));
        } else {
            const int i8 = strcmp(dtype, "int8") == 0;
            int sh = (int)rng_range(&g, 1, 4), sw = sh, dh = 1, dw = 1;
            int pad[4];
            pad[0] = pad[1] = pad[2] = pad[3] = (int)rng_range(&g, 0, 2);
            if (rng_range(&g, 0, 2) == 0) { /* unequal strides */
                sh = (int)rng_range(&g, 1, 3);
                sw = (int)rng_range(&g, 1, 3);
            }
            if (rng_range(&g, 0, 2) == 0) { /* dilation */
                dh = (int)rng_range(&g, 1, 3);
                dw = (int)rng_range(&g, 1, 3);
            }
            if (rng_range(&g, 0, 2) == 0) /* asymmetric pads */
                for (int j = 0; j < 4; j++) pad[j] = (int)rng_range(&g, 0, 2);
            const int pv = i8 && rng_range(&g, 0, 3) == 0 ? (int)rng_range(&g, 0, 255) - 128 : 0;
            int h = (int)rng_range(&g, 1, 20), w = (int)rng_range(&g, 1, 20);
            /* the dilated filter fits the padded input: (r-1)*dil + 1 <= h + pads */
            int rmax = (h + pad[0] + pad[2] - 1) / dh + 1;
            int smax = (w + pad[1] + pad[3] - 1) / dw + 1;
            int r = (int)rng_range(&g, 1, rmax < 7 ? rmax : 7);
            int s = (int)rng_range(&g, 1, smax < 7 ? smax : 7);
            snprintf(layer, sizeof layer,
                     "conv,h=%d,w=%d,c=%d,k=%d,r=%d,s=%d,stride_h=%d,stride_w=%d,dil_h=%d,"
                     "dil_w=%d,pad_t=%d,pad_l=%d,pad_b=%d,pad_r=%d,pad_value=%d",
                     h, w, (int)rng_range(&g, 1, 24), (int)rng_range(&g, 1, 40), r, s, sh, sw,
                     dh, dw, pad[0], pad[1], pad[2], pad[3], pv);
        }
        unsigned long long dseed = rng_next(&g) % 1000000;
        snprintf(cmd, sizeof cmd,
                 "%s run --dataflow %s --dtype %s --rows %d --cols %d --seed %llu --layer %s", pecos,
                 df, dtype, rows, cols, dseed, layer);
        int st = system(cmd);
        if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("FAIL case %d (exit %d): %s\n", i, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                   cmd);
            failed++;
        }
    }
    printf("rtl_random %dx%d: %d passed, %d failed\n", rows, cols, count - failed, failed);
    return failed ? 1 : 0;
}
