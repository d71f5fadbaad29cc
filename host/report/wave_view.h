/* wave_view.h - a GTKWave save file for the waveform of one failing output (pecos run
 * --wave-on-fail): what a hardware engineer should see first when the dump opens.
 *
 * The view: a comment naming the failure, the primary marker on the cycle the first
 * mismatching output came out (FST time 2N+1, the rising edge of cycle N; the models dump
 * twice per cycle), named markers every few cycles labelled with the cycle number (a cycle
 * ruler on top of the time axis), the failing output lane, then the PEs of its column (row
 * 0 first: weight, operand, partial sums, valids) as signed decimals (hex for bf16/fp16),
 * then every lane of the bus ports split per lane, then the RTL's counters; zoomed so that
 * the dumped window fills the view. Signal names are those the verilated arrays' _trace
 * twins write (top scope "pecos", rtl/pecos_array_{ws,os}.sv's generate blocks).
 */
#ifndef PECOS_WAVE_VIEW_H
#define PECOS_WAVE_VIEW_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *fst;       /* the dump; [dumpfile] gets its absolute path */
    bool os;               /* the output-stationary array, else the held-operand (ws/is) one */
    bool fp;               /* bf16/fp16: 16-bit operands and fp32 sums, shown in hex */
    int rows, cols;        /* the array */
    int lane;              /* the failing output's lane (array column), 0..cols-1 */
    uint64_t cycle;        /* the global cycle it came out (the marker) */
    uint64_t from, to;     /* the dumped window, cycles */
    const char *what;      /* one line on the failure (layer, index, expected, got, seed) */
    const char *layer;     /* the layer's name */
    const char *expected, *got; /* the first mismatching output's values, as text */
} wave_view_t;

/* Writes the save file of v to path. Returns 0, or PECOS_EIO (errno says why). */
int wave_view_write(const char *path, const wave_view_t *v);

#endif
