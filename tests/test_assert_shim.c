/* test_assert_shim.c - an RTL assertion in a verilated variant is a reported failure, not a
 * crash: drives a weight beat to a column that does not exist (the WsWeightColInRange
 * contract) into the "ws" int8 ROWSxCOLS model and requires vsim_assert_status() to report
 * it at that step's cycle, the model to keep running, and simlib_assert_check() to turn it
 * into one error line that names the cycle. The model itself prints the PECOS_ASSERT line
 * naming the assertion on stdout (the ctest regex checks it).
 *
 * usage: test_assert_shim ROWS COLS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"
#include "simlib.h"

int main(int argc, char **argv)
{
    char err[1024];
    if (argc != 3) {
        fprintf(stderr, "usage: test_assert_shim ROWS COLS\n");
        return 2;
    }
    const int R = atoi(argv[1]), C = atoi(argv[2]);
    simlib_t *s;
    if (simlib_open(&s, DF_WS, PECOS_INT8, R, C, 0, stderr, err, sizeof err) != 0) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    int failed = 0;
    uint64_t cyc = 0;
    if (!simlib_has_asserts(s)) {
        printf("FAIL: %s has no vsim_assert_status (not verilated with assertions)\n", simlib_path(s));
        simlib_close(s);
        return 1;
    }
    int8_t w[256] = {0};
    int32_t out[256];
    vsim_in_t in = {0};
    vsim_out_t o = {.out_psum = out};
    for (int t = 0; t < 5; t++) simlib_step(s, &in, &o); /* cycles 0..4: all quiet */
    if (simlib_assert_status(s, &cyc)) {
        printf("FAIL: an assertion fired on idle cycles (cycle %llu)\n", (unsigned long long)cyc);
        failed++;
    }
    in.w_valid = 1;
    in.w_col = (uint16_t)C; /* one past the last column: cycle 5 */
    in.w_data = w;
    simlib_step(s, &in, &o);
    in.w_valid = 0;
    for (int t = 0; t < 3; t++) simlib_step(s, &in, &o); /* the model keeps running */
    if (!simlib_assert_status(s, &cyc) || cyc != 5) {
        printf("FAIL: the out-of-range column was not reported at cycle 5 (status %d, cycle %llu)\n",
               simlib_assert_status(s, &cyc), (unsigned long long)cyc);
        failed++;
    }
    if (simlib_assert_check(s, "layer t", err, sizeof err) != PECOS_ESIM ||
        !strstr(err, "layer t: RTL assertion failed at cycle 5")) {
        printf("FAIL: simlib_assert_check said '%s'\n", err);
        failed++;
    } else {
        printf("reported: %s\n", err);
    }
    if (simlib_cycle(s) != 9) {
        printf("FAIL: the model stopped at cycle %llu\n", (unsigned long long)simlib_cycle(s));
        failed++;
    }
    simlib_close(s);
    printf("%s: test_assert_shim %dx%d\n", failed ? "FAIL" : "PASS", R, C);
    return failed ? 1 : 0;
}
