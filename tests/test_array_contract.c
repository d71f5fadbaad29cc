/* test_array_contract.c - the WS array's timing contract, checked directly on the RTL.
 *
 * usage: test_array_contract ROWS COLS   (PECOS_SEED=n reproduces the random part)
 *
 * Checks, independent of the conv mapping: the output latency is exactly Rows+Cols-1;
 * a weight write is invisible to a beat in the same cycle and visible to the next one;
 * writes to one bank never disturb beats that use the other; the counters count (busy and
 * gated MACs exactly, from their definitions); no RTL assertion fires; a reset in the middle of a
 * stream restarts cleanly; and a long random stream (random weights, banks, psums, gaps) matches a scoreboard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "rng.h"
#include "simlib.h"

static simlib_t *sim;
static int R, C;
static int8_t wshadow[2][256][256]; /* [bank][row][col], the scoreboard's copy */
/* The busy counter's reference (rtl/pecos_perf_ctr.sv): an edge counts if it takes a beat or
 * a beat is in flight (taken by an earlier edge, its output not yet sampled by one). */
static uint64_t busy_ref;
/* The gated counter's reference (int8 zero gating, rtl/pecos_mac_fn.svh): a beat gates, per row r, every
 * column if its operand x[r] is zero, else the columns whose held weight in its bank is. */
static uint64_t gated_ref;
static int64_t inflight_ref;
static int out_prev; /* out_valid after the previous step: what the next edge samples */

/* One cycle with an optional weight write and an optional data beat. */
static int step(int wv, int wbank, int wcol, const int8_t *wdata, int dv, int dbank,
                const int8_t *x, const int32_t *psum, int32_t *out)
{
    vsim_in_t in = {.w_valid = (uint8_t)wv, .w_bank = (uint8_t)wbank, .w_col = (uint16_t)wcol,
                    .w_data = wdata, .in_valid = (uint8_t)dv, .in_bank = (uint8_t)dbank,
                    .in_data = x, .in_psum = psum};
    vsim_out_t o = {.out_psum = out};
    simlib_step(sim, &in, &o);
    busy_ref += (uint64_t)(dv || inflight_ref != 0);
    for (int r = 0; dv && r < R; r++)
        for (int c = 0; c < C; c++) gated_ref += x[r] == 0 || wshadow[dbank][r][c] == 0;
    inflight_ref += dv - out_prev;
    out_prev = o.out_valid;
    if (wv)
        for (int r = 0; r < R; r++) wshadow[wbank][r][wcol] = wdata[r];
    return o.out_valid;
}

static void expected(int bank, const int8_t *x, const int32_t *psum, int32_t *e)
{
    for (int c = 0; c < C; c++) {
        int64_t acc = psum[c];
        for (int r = 0; r < R; r++) acc += (int64_t)x[r] * wshadow[bank][r][c];
        e[c] = (int32_t)(uint32_t)acc;
    }
}

int main(int argc, char **argv)
{
    char err[1024];
    if (argc != 3) {
        fprintf(stderr, "usage: test_array_contract ROWS COLS\n");
        return 2;
    }
    R = atoi(argv[1]);
    C = atoi(argv[2]);
    if (R < 1 || R > 256 || C < 1 || C > 256) {
        fprintf(stderr, "test_array_contract: ROWS and COLS must be 1..256\n");
        return 2;
    }
    if (simlib_open(&sim, DF_WS, PECOS_INT8, R, C, 0, stderr, err, sizeof err) != 0) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    const char *env = getenv("PECOS_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 10) : 20261122;
    printf("test_array_contract %dx%d: seed %llu (PECOS_SEED=%llu reproduces)\n", R, C,
           (unsigned long long)seed, (unsigned long long)seed);
    rng_t g;
    rng_seed(&g, seed);
    const int D = R + C - 1;
    int8_t w[256], x[256];
    int32_t ps[256], out[256], e[256];
    memset(wshadow, 0, sizeof wshadow); /* reset clears the weight banks */

    /* 1. Latency: load bank 0, one beat, output exactly D cycles later. */
    for (int c = 0; c < C; c++) {
        for (int r = 0; r < R; r++) w[r] = (int8_t)rng_range(&g, -128, 127);
        CHECK(!step(1, 0, c, w, 0, 0, NULL, NULL, out), "output during weight load");
    }
    for (int r = 0; r < R; r++) x[r] = (int8_t)rng_range(&g, -128, 127);
    for (int c = 0; c < C; c++) ps[c] = (int32_t)rng_range(&g, -1000000, 1000000);
    expected(0, x, ps, e);
    int seen = step(0, 0, 0, NULL, 1, 0, x, ps, out);
    int lat = seen ? 0 : -1;
    for (int t = 1; t <= D + 4 && lat < 0; t++)
        if (step(0, 0, 0, NULL, 0, 0, NULL, NULL, out)) lat = t;
    CHECK(lat == D, "latency %d, expected Rows+Cols-1 = %d", lat, D);
    if (lat >= 0)
        for (int c = 0; c < C; c++)
            CHECK(out[c] == e[c], "latency beat col %d: got %d expected %d", c, out[c], e[c]);

    /* 2. Same-cycle write is invisible, next-cycle beat sees it. Bank 1, all columns
     * rewritten one by one while beats on bank 1 run alongside. */
    int pend = 0, head = 0;
    static int32_t exp_q[1024][256];
    for (int c = 0; c < C; c++) {
        for (int r = 0; r < R; r++) w[r] = (int8_t)rng_range(&g, -128, 127);
        for (int r = 0; r < R; r++) x[r] = (int8_t)rng_range(&g, -128, 127);
        for (int cc = 0; cc < C; cc++) ps[cc] = 0;
        expected(1, x, ps, exp_q[(head + pend) % 1024]); /* before this cycle's write */
        pend++;
        if (step(1, 1, c, w, 1, 1, x, ps, out)) {
            for (int cc = 0; cc < C; cc++)
                CHECK(out[cc] == exp_q[head][cc], "same-cycle write leaked: col %d", cc);
            head = (head + 1) % 1024;
            pend--;
        }
    }
    for (int t = 0; t < D + 2 && pend; t++)
        if (step(0, 0, 0, NULL, 0, 0, NULL, NULL, out)) {
            for (int cc = 0; cc < C; cc++)
                CHECK(out[cc] == exp_q[head][cc], "same-cycle write leaked: col %d got %d "
                      "expected %d", cc, out[cc], exp_q[head][cc]);
            head = (head + 1) % 1024;
            pend--;
        }
    CHECK(pend == 0, "%d beats never came out", pend);

    /* 3. Random stream: random weight writes to either bank, beats on either bank with
     * random psums, random gaps; every output matches the scoreboard in order. */
    vsim_counters_t c0, c1;
    simlib_counters(sim, &c0);
    static int32_t q[4096][256];
    int qh = 0, qn = 0, beats = 0, wbeats = 0, outs = 0;
    const int cycles = 20000;
    for (int t = 0; t < cycles + D + 2; t++) {
        int wv = t < cycles && rng_range(&g, 0, 3) == 0;
        int dv = t < cycles && rng_range(&g, 0, 2) != 0;
        int wb = (int)rng_range(&g, 0, 1), wc = (int)rng_range(&g, 0, C - 1);
        int db = (int)rng_range(&g, 0, 1);
        /* a quarter of the operands zero: gated MACs */
        for (int r = 0; r < R; r++)
            w[r] = rng_range(&g, 0, 3) == 0 ? 0 : (int8_t)rng_range(&g, -128, 127);
        for (int r = 0; r < R; r++)
            x[r] = rng_range(&g, 0, 3) == 0 ? 0 : (int8_t)rng_range(&g, -128, 127);
        for (int c = 0; c < C; c++) ps[c] = (int32_t)rng_range(&g, INT32_MIN, INT32_MAX);
        if (dv) {
            expected(db, x, ps, q[(qh + qn) % 4096]);
            qn++;
            beats++;
        }
        wbeats += wv;
        if (step(wv, wb, wc, w, dv, db, x, ps, out)) {
            outs++;
            if (qn == 0) {
                CHECK(0, "output with no beat in flight at stream cycle %d", t);
                break;
            }
            for (int c = 0; c < C; c++)
                if (out[c] != q[qh][c]) {
                    CHECK(0, "stream cycle %d col %d: got %d expected %d", t, c, out[c],
                          q[qh][c]);
                    break;
                }
            qh = (qh + 1) % 4096;
            qn--;
        }
    }
    CHECK(qn == 0 && outs == beats, "stream: %d beats in, %d out", beats, outs);
    simlib_counters(sim, &c1);
    CHECK(c1.beats - c0.beats == (uint64_t)beats, "beat counter %llu, expected %d",
          (unsigned long long)(c1.beats - c0.beats), beats);
    CHECK(c1.wbeats - c0.wbeats == (uint64_t)wbeats, "weight counter %llu, expected %d",
          (unsigned long long)(c1.wbeats - c0.wbeats), wbeats);
    CHECK(c1.macs - c0.macs == (uint64_t)beats * R * C, "MAC counter %llu, expected %llu",
          (unsigned long long)(c1.macs - c0.macs), (unsigned long long)beats * R * C);
    CHECK(c1.busy - c0.busy <= (uint64_t)(cycles + D + 2) && c1.busy - c0.busy >= (uint64_t)beats,
          "busy counter %llu out of range", (unsigned long long)(c1.busy - c0.busy));
    /* Exact: every cycle since reset with a beat entering or in flight. */
    CHECK(c1.busy == busy_ref, "busy counter %llu, expected %llu", (unsigned long long)c1.busy,
          (unsigned long long)busy_ref);
    CHECK(c1.gated == gated_ref && c1.gated > c0.gated, "gated counter %llu, expected %llu",
          (unsigned long long)c1.gated, (unsigned long long)gated_ref);
    uint64_t acyc = 0;
    CHECK(!simlib_assert_status(sim, &acyc),
          "RTL assertion failed at cycle %llu", (unsigned long long)acyc);

    /* 4. Reset in the middle of a stream: beats in flight are dropped, no output is valid
     * for a pipeline's length, the counters restart at 0, weights are cleared, and the next
     * beat computes against them from scratch. */
    for (int t = 0; t < D / 2 + 1; t++) {
        for (int r = 0; r < R; r++) x[r] = (int8_t)rng_range(&g, -128, 127);
        for (int c = 0; c < C; c++) ps[c] = (int32_t)rng_range(&g, -1000, 1000);
        step(t % 3 == 0, 0, t % C, x, 1, 0, x, ps, out);
    }
    simlib_reset(sim);
    memset(wshadow, 0, sizeof wshadow);
    busy_ref = 0;
    gated_ref = 0;
    inflight_ref = 0;
    out_prev = 0;
    int ghost = 0;
    for (int t = 0; t < D + 4; t++) ghost += step(0, 0, 0, NULL, 0, 0, NULL, NULL, out);
    CHECK(ghost == 0, "%d outputs valid after a mid-stream reset", ghost);
    simlib_counters(sim, &c1);
    CHECK(c1.beats == 0 && c1.wbeats == 0 && c1.busy == 0 && c1.macs == 0 && c1.gated == 0,
          "counters after reset: beats %llu wbeats %llu busy %llu macs %llu gated %llu",
          (unsigned long long)c1.beats, (unsigned long long)c1.wbeats,
          (unsigned long long)c1.busy, (unsigned long long)c1.macs,
          (unsigned long long)c1.gated);
    for (int bank = 1; bank >= 0; bank--) { /* both banks are all zeros after reset: out = psum */
        for (int r = 0; r < R; r++) x[r] = (int8_t)rng_range(&g, -128, 127);
        for (int c = 0; c < C; c++) ps[c] = (int32_t)rng_range(&g, -1000, 1000);
        expected(bank, x, ps, e);
        int got = step(0, 0, 0, NULL, 1, bank, x, ps, out) ? 0 : -1;
        for (int t = 1; t <= D + 2 && got < 0; t++)
            if (step(0, 0, 0, NULL, 0, 0, NULL, NULL, out)) got = t;
        CHECK(got == D, "after reset, bank %d: latency %d, expected %d", bank, got, D);
        for (int c = 0; c < C && got == D; c++)
            CHECK(out[c] == e[c], "after reset, bank %d col %d: got %d expected %d", bank, c,
                  out[c], e[c]);
    }
    for (int t = 0; t < 2; t++) step(0, 0, 0, NULL, 0, 0, NULL, NULL, out);
    simlib_counters(sim, &c1);
    /* the banks' weights are zero after reset: every MAC of both beats is gated */
    CHECK(c1.busy == busy_ref && c1.beats == 2 && c1.macs == 2 * (uint64_t)R * C &&
              c1.gated == 2 * (uint64_t)R * C && gated_ref == c1.gated,
          "counters after reset and one beat: busy %llu (expected %llu), beats %llu, macs %llu, "
          "gated %llu",
          (unsigned long long)c1.busy, (unsigned long long)busy_ref,
          (unsigned long long)c1.beats, (unsigned long long)c1.macs,
          (unsigned long long)c1.gated);
    CHECK(!simlib_assert_status(sim, &acyc),
          "RTL assertion failed at cycle %llu", (unsigned long long)acyc);

    simlib_close(sim);
    printf("test_array_contract %dx%d: %d checks, %d failed\n", R, C, checks, failed);
    return failed ? 1 : 0;
}
