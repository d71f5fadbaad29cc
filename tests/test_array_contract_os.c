/* test_array_contract_os.c - the OS array's timing contract, checked on the verilated model
 * through the C ABI (sim/vsim.h, "os" variants).
 *
 * usage: test_array_contract_os ROWS COLS   (PECOS_SEED=n reproduces the random part)
 *
 * Step numbering: vsim_step number t (0 after reset) presents a beat and returns the outputs
 * after that step's rising edge. For a block whose last beat is presented in step tL, output
 * row i (i = 0..Rows-1) is returned by step tL + Rows + Cols + 1 + i and carries pixel row
 * Rows-1-i for every column (rtl/pecos_array_os.sv); out_valid is low in every other step.
 * Checks: idle steps after reset give no output and leave every counter at 0; that latency
 * on a single block; one-beat blocks at exactly the minimum spacing
 * (last beats Rows steps apart); in_psum used on first beats only (junk elsewhere, junk in
 * every lane while in_valid is 0); a long random stream (block lengths 1..40, idle steps
 * inside and between blocks) against a scoreboard of every value and the step it leaves;
 * the counters (busy exactly, from its definition); no RTL assertion fired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT_MAX_FAIL_LINES 20 /* a broken array fails every beat */
#include "expect.h"
#include "rng.h"
#include "simlib.h"

#define MAXD 256
static simlib_t *sim;
static int R, C;
static uint64_t step_no; /* steps since reset */
static rng_t g;

/* Expected output rows, in step order: ring of (step, values). */
typedef struct {
    uint64_t step;
    int32_t v[MAXD];
} exp_row_t;
static exp_row_t *q;
static size_t qcap, qhead, qlen;

/* The block being fed: accumulators per PE (int64, stored mod 2^32). */
static int64_t acc[MAXD][MAXD];
static uint64_t last_tl; /* step of the previous block's last beat */
static int any_block;
static uint64_t beats;
/* The busy counter's reference (rtl/pecos_array_os.sv): an edge counts if it takes a beat,
 * a block is open, or output rows of finished blocks have not been sampled yet. */
static uint64_t busy_ref, pending_ref;
/* The gated counter's reference (int8 zero gating, rtl/pecos_mac_fn.svh): a beat gates every PE but
 * those of a nonzero x and a nonzero w. */
static uint64_t gated_ref;
static int open_ref, due_prev;

static void push_block(uint64_t tl)
{
    for (int i = 0; i < R; i++) {
        exp_row_t *e = &q[(qhead + qlen++) % qcap];
        e->step = tl + (uint64_t)R + (uint64_t)C + 1 + (uint64_t)i;
        for (int c = 0; c < C; c++) e->v[c] = (int32_t)(uint32_t)acc[R - 1 - i][c];
    }
}

/* One step: a beat (valid) or idle with junk lanes; checks the output against the queue. */
static void step(int valid, int first, int last)
{
    int8_t x[MAXD], w[MAXD];
    int32_t init[MAXD], out[MAXD];
    /* a quarter of the operands zero: gated MACs */
    for (int r = 0; r < R; r++)
        x[r] = rng_range(&g, 0, 3) == 0 ? 0 : (int8_t)rng_range(&g, -128, 127);
    for (int c = 0; c < C; c++) {
        w[c] = rng_range(&g, 0, 3) == 0 ? 0 : (int8_t)rng_range(&g, -128, 127);
        init[c] = (int32_t)rng_range(&g, -(1 << 30), 1 << 30);
    }
    vsim_in_t in = {.in_valid = (uint8_t)valid, .in_first = (uint8_t)first,
                    .in_last = (uint8_t)last, .in_data = x, .w_data = w, .in_psum = init};
    if (valid) {
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++) {
                acc[r][c] = (first ? init[c] : acc[r][c]) + (int64_t)x[r] * w[c];
                gated_ref += x[r] == 0 || w[c] == 0;
            }
        beats++;
        if (last) {
            if (any_block)
                CHECK(step_no >= last_tl + (uint64_t)R, "test bug: spacing at step %llu",
                      (unsigned long long)step_no);
            push_block(step_no);
            last_tl = step_no;
            any_block = 1;
        }
    }
    vsim_out_t o = {.out_psum = out};
    simlib_step(sim, &in, &o);
    const int due = qlen > 0 && q[qhead].step == step_no;
    busy_ref += (uint64_t)(valid || open_ref || pending_ref != 0);
    if (valid) open_ref = !last;
    pending_ref += (valid && last ? (uint64_t)R : 0) - (uint64_t)due_prev;
    due_prev = due;
    CHECK(o.out_valid == due, "step %llu: out_valid %d, expected %d",
          (unsigned long long)step_no, o.out_valid, due);
    if (due && o.out_valid) {
        for (int c = 0; c < C; c++)
            CHECK(out[c] == q[qhead].v[c], "step %llu col %d: got %d, expected %d",
                  (unsigned long long)step_no, c, out[c], q[qhead].v[c]);
    }
    if (due) {
        qhead = (qhead + 1) % qcap;
        qlen--;
    }
    step_no++;
}

/* A block of n beats starting when the spacing allows it, gap idle steps before. */
static void block(int n, int gap, int inner_idle)
{
    for (int i = 0; i < gap; i++) step(0, 0, 0);
    /* the last beat may not come before last_tl + R: pad with idle steps up front */
    if (any_block) {
        const uint64_t min_tl = last_tl + (uint64_t)R;
        while (step_no + (uint64_t)(n - 1) < min_tl) step(0, 0, 0);
    }
    for (int i = 0; i < n; i++) {
        if (inner_idle && i > 0 && rng_range(&g, 0, 3) == 0) step(0, 0, 0);
        step(1, i == 0, i == n - 1);
    }
}

static void drain(void)
{
    for (int i = 0; i < 2 * (R + C) + 8; i++) step(0, 0, 0);
    CHECK(qlen == 0, "%zu output rows never came", qlen);
}

int main(int argc, char **argv)
{
    char err[1024];
    if (argc != 3) {
        fprintf(stderr, "usage: test_array_contract_os ROWS COLS\n");
        return 2;
    }
    R = atoi(argv[1]);
    C = atoi(argv[2]);
    if (R < 1 || C < 1 || R > MAXD || C > MAXD) {
        fprintf(stderr, "test_array_contract_os: ROWS and COLS must be 1..%d\n", MAXD);
        return 2;
    }
    if (simlib_open(&sim, DF_OS, PECOS_INT8, R, C, 0, stderr, err, sizeof err) != 0) {
        fprintf(stderr, "test_array_contract_os: %s\n", err);
        return 2;
    }
    const char *env = getenv("PECOS_SEED");
    const uint64_t seed = env ? strtoull(env, NULL, 10) : 11;
    rng_seed(&g, seed);
    qcap = 64 * (size_t)R + 64;
    q = malloc(sizeof *q * qcap);
    if (!q) return 2;
    simlib_reset(sim);
    step_no = 0;

    /* 0. Idle after reset (junk lanes, in_valid low): no output, and every counter stays 0:
     * the valid, open-block and in-flight state leaves reset low. Then reset again. */
    for (int i = 0; i < 2 * (R + C) + 8; i++) step(0, 0, 0);
    vsim_counters_t k0;
    simlib_counters(sim, &k0);
    CHECK(k0.beats == 0 && k0.wbeats == 0 && k0.busy == 0 && k0.macs == 0 && k0.gated == 0,
          "after reset and %llu idle steps: counters beats %llu, weight beats %llu, busy %llu, "
          "MACs %llu, gated %llu, expected all 0",
          (unsigned long long)step_no, (unsigned long long)k0.beats,
          (unsigned long long)k0.wbeats, (unsigned long long)k0.busy,
          (unsigned long long)k0.macs, (unsigned long long)k0.gated);
    simlib_reset(sim);
    step_no = 0;

    /* 1. One block of 3 beats at steps 0..2: rows out in steps 2+R+C+1 .. 2+2R+C. */
    block(3, 0, 0);
    drain();
    CHECK(last_tl == 2, "first block's last beat at step %llu", (unsigned long long)last_tl);

    /* 2. One-beat blocks at the minimum spacing, then a long block and a one-beat block
     * right after it. */
    for (int i = 0; i < 5; i++) block(1, 0, 0);
    block(37, 0, 0);
    block(1, 0, 0);
    block(1, 0, 0);
    drain();

    /* 3 and 4. The random stream (junk lanes whenever in_valid is 0, junk in_psum on
     * non-first beats come with every step). */
    for (int b = 0; b < 400; b++) {
        const int n = (int)rng_range(&g, 1, 40);
        const int gap = rng_range(&g, 0, 2) == 0 ? (int)rng_range(&g, 0, 2 * R) : 0;
        block(n, gap, rng_range(&g, 0, 3) == 0);
    }
    drain();

    /* 5. Counters. */
    vsim_counters_t k;
    simlib_counters(sim, &k);
    CHECK(k.beats == beats, "beats counter %llu, expected %llu", (unsigned long long)k.beats,
          (unsigned long long)beats);
    CHECK(k.wbeats == 0, "weight-beat counter %llu, expected 0", (unsigned long long)k.wbeats);
    CHECK(k.macs == beats * (uint64_t)R * (uint64_t)C, "MAC counter %llu, expected %llu",
          (unsigned long long)k.macs, (unsigned long long)(beats * (uint64_t)R * (uint64_t)C));
    CHECK(k.busy > 0 && k.busy <= step_no, "busy counter %llu of %llu steps",
          (unsigned long long)k.busy, (unsigned long long)step_no);
    CHECK(k.busy == busy_ref, "busy counter %llu, expected exactly %llu",
          (unsigned long long)k.busy, (unsigned long long)busy_ref);
    CHECK(k.gated == gated_ref && k.gated > 0, "gated counter %llu, expected exactly %llu",
          (unsigned long long)k.gated, (unsigned long long)gated_ref);
    uint64_t acyc = 0;
    CHECK(!simlib_assert_status(sim, &acyc),
          "RTL assertion failed at cycle %llu", (unsigned long long)acyc);

    printf("test_array_contract_os %dx%d: %llu beats, %d checks, %d failed (seed %llu)\n", R,
           C, (unsigned long long)beats, checks, failed, (unsigned long long)seed);
    free(q);
    simlib_close(sim);
    return failed ? 1 : 0;
}
