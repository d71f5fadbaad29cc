/* rtl_random.c - constrained-random conv shapes through `pecos run` on one array variant.
 *
 * usage: rtl_random PECOS DATAFLOW DTYPE ROWS COLS COUNT   (PECOS_SEED=n reproduces a run)
 *
 * Each case draws a shape (channels, sizes, filter, stride 1..4, pad 0..2, FC now and then)
 * that has at least one output, runs it with its own data seed, and fails with the exact
 * command line when pecos reports a failure.
 */
#include <stdio.h>
#include <stdlib.h>
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
            int pad = (int)rng_range(&g, 0, 2), stride = (int)rng_range(&g, 1, 4);
            int h = (int)rng_range(&g, 1, 20), w = (int)rng_range(&g, 1, 20);
            int r = (int)rng_range(&g, 1, h + 2 * pad < 7 ? h + 2 * pad : 7);
            int s = (int)rng_range(&g, 1, w + 2 * pad < 7 ? w + 2 * pad : 7);
            snprintf(layer, sizeof layer, "conv,h=%d,w=%d,c=%d,k=%d,r=%d,s=%d,stride=%d,pad=%d",
                     h, w, (int)rng_range(&g, 1, 24), (int)rng_range(&g, 1, 40), r, s, stride,
                     pad);
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
