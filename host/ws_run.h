/* ws_run.h - runs one convolution on the weight-stationary array, cycle by cycle.
 *
 * The host owns time: each cycle it decides what enters the weight lane and the data lane
 * from the state it has seen so far (which bank is free, which fold's weights are in, which
 * partial sums came back), clocks the model once and collects the outputs. It never
 * computes a schedule in advance; models/ws_model.c predicts the result independently.
 *
 * Mapping (im2col): beat j of fold (kg, cf) carries, on row r, the input element that
 * reduction index cf*Rows + r (c, ry, sx) meets at output pixel j = p*Q + q; column c holds
 * the weights of output channel kg*Cols + c. Lanes past C*R*S or K carry zeros.
 */
#ifndef PECOS_WS_RUN_H
#define PECOS_WS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "simlib.h"

/* Operands are esz-byte elements (1: int8; 2: bf16/fp16 bit patterns), partial sums 32-bit
 * words (int32, or fp32 bit patterns): the loop moves bits and never interprets them. */
typedef struct {
    const layer_t *layer;
    size_t esz;            /* operand bytes: 1 or 2, must match the loaded variant */
    const void *ifmap;     /* [C,H,W] */
    const void *weights;   /* [K,C,R,S] */
    const int32_t *bias;   /* [K] or NULL: the first fold's initial partial sums */
    int32_t *out;          /* [K,P,Q], written */
    uint64_t *out_cycle;   /* [KG*P*Q], written: global cycle each final beat came out */
    uint64_t fault_cycle;  /* self-test: corrupt the first output at or after this global
                              cycle (UINT64_MAX: never) */
} ws_job_t;

typedef struct {
    uint64_t start_cycle;  /* global cycle of the layer's first cycle */
    uint64_t cycles;       /* first cycle to the cycle of the last output, inclusive */
    uint64_t beats;        /* data beats issued */
    uint64_t wbeats;       /* weight beats issued */
    vsim_counters_t rtl;   /* the RTL's own counters over the layer */
} ws_stats_t;

/* Runs job on the model s (already open and reset). Returns 0, PECOS_ENOMEM, or PECOS_ESIM
 * (the RTL broke the protocol: an output with nothing in flight, or no output for too long)
 * with a one-line reason in err. */
int ws_run_conv(simlib_t *s, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen);

#endif
