/* vsim.h - C ABI over one verilated array variant.
 *
 * Every variant (dataflow, data type, rows, cols) is its own shared library exporting these
 * symbols; the host dlopen()s the one its options name (host/dev/simlib.c). The model is an owned
 * object: nothing here is static. One vsim_step() is one clock cycle: inputs are applied,
 * the rising edge is evaluated, and the outputs after that edge are returned.
 */
#ifndef PECOS_VSIM_H
#define PECOS_VSIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSIM_ABI_VERSION 4

/* The build of a variant defines VSIM_API as default visibility; all else is hidden. */
#ifndef VSIM_API
#define VSIM_API
#endif

typedef struct vsim vsim_t;

typedef struct {
    uint32_t abi_version; /* VSIM_ABI_VERSION of the library */
    int rows;             /* array rows (reduction lanes) */
    int cols;             /* array columns (output lanes) */
    const char *dtype;    /* "int8", "bf16" or "fp16" */
    const char *dataflow; /* "ws" (held operand: runs the WS and IS dataflows) or "os" */
} vsim_info_t;

/* Inputs of one cycle. Pointers may be NULL when the matching valid is 0. Operands are int8
 * for the int8 variants and 16-bit patterns (uint16_t) for bf16/fp16; partial sums are int32,
 * or fp32 bit patterns for bf16/fp16.
 * "ws" variants: a held-operand beat (w_*) writes one column's rows operands into a bank; a
 * data beat (in_*) streams rows operands against a bank, with cols partial sums entering at
 * the top. "os" variants: only the data beat exists; it carries rows operands (in_data, one
 * per pixel row), cols weights (w_data) and, on a first beat, cols initial accumulators
 * (in_psum); w_valid, w_bank, w_col and in_bank are ignored. */
typedef struct {
    uint8_t w_valid;        /* ws: held-operand beat present */
    uint8_t w_bank;         /* ws: bank written */
    uint16_t w_col;         /* ws: column written */
    const void *w_data;     /* ws: rows operands; os: cols weights (with the data beat) */
    uint8_t in_valid;       /* data beat present */
    uint8_t in_bank;        /* ws: bank the beat multiplies with */
    uint8_t in_first;       /* os: first beat of a block (accumulators start at in_psum) */
    uint8_t in_last;        /* os: last beat of a block (the results drain after it) */
    const void *in_data;    /* rows operands */
    const int32_t *in_psum; /* cols partial sums (ws) / initial accumulators (os, first beat) */
} vsim_in_t;

/* Outputs after the cycle's rising edge. out_psum is caller-owned, cols elements; it is
 * written only when out_valid is 1. */
typedef struct {
    uint8_t out_valid;
    int32_t *out_psum;
} vsim_out_t;

typedef struct {
    uint64_t beats;  /* data beats accepted */
    uint64_t wbeats; /* weight beats accepted */
    uint64_t busy;   /* cycles with a beat entering or in flight */
    uint64_t macs;   /* PE-cycles with a valid product (rows*cols per beat) */
    uint64_t gated;  /* MACs whose multiplier an operand of zero gated (int8; counted as
                        their beat enters; 0 on bf16/fp16) */
} vsim_counters_t;

/* Creates a model (held in reset after vsim_reset). trace_enable must be 1 for
 * vsim_trace_open() to work later; it costs speed. Returns NULL on failure. */
VSIM_API vsim_t *vsim_open(int trace_enable);
VSIM_API void vsim_info(const vsim_t *v, vsim_info_t *info);
/* Applies reset for a few cycles; the cycle counter restarts at 0. */
VSIM_API void vsim_reset(vsim_t *v);
VSIM_API void vsim_step(vsim_t *v, const vsim_in_t *in, vsim_out_t *out);
/* Cycles stepped since the last reset. */
VSIM_API uint64_t vsim_cycle(const vsim_t *v);
VSIM_API void vsim_counters(const vsim_t *v, vsim_counters_t *c);
/* RTL assertions (rtl/pecos_assert.svh; the variants are verilated with --assert): returns
 * 1 if one failed since vsim_open, with *cycle the vsim_cycle() of the step in which the
 * first one fired (0 if it fired at elaboration or in reset); else 0. The failure itself
 * is printed on stdout by the model ("%Error: FILE:LINE: Assertion failed in INSTANCE:
 * PECOS_ASSERT Name failed: ..."); later assertions are switched off so that it stays the
 * only line. The model keeps running: the caller decides to stop. Optional: the host looks
 * the symbol up and treats a library without it as having no assertions. */
VSIM_API int vsim_assert_status(const vsim_t *v, uint64_t *cycle);
/* Opens an FST dump; only cycles in [from, to] (inclusive, vsim_cycle numbering) are dumped.
 * Returns 0, or -1 if tracing was not enabled at open or the file cannot be created. */
VSIM_API int vsim_trace_open(vsim_t *v, const char *path, uint64_t from, uint64_t to);
/* Flushes and closes the dump (no-op if none is open). */
VSIM_API void vsim_trace_close(vsim_t *v);
VSIM_API void vsim_close(vsim_t *v);

#ifdef __cplusplus
}
#endif

#endif
