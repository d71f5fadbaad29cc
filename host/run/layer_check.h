/* layer_check.h - the checks of one layer's run (inside host/run/): the state a run hands
 * to them, and one function per check. layer_run() (layer_run.c) runs the layer on the
 * array and calls them in order; nothing outside run/ includes this header.
 *
 *   1. the outputs bit-exact against the golden conv (fp: in the array's accumulation
 *      order, plus the error against float64);
 *   2. the cycles against the cycle model (exact with unbounded memory) or between the
 *      roofline and the predicted schedule +-10%, and the DRAM traffic against the tiling's
 *      model;
 *   3. the RTL's own counters against what the host drove;
 *   4. fused (--fuse-ppu): the post-processing unit's int8 results against the golden chain.
 * A failed check gives one FAIL line on the caller's log (layer, first mismatch, expected,
 * got, seed, cycle) and the re-run hook with a waveform window.
 */
#ifndef PECOS_LAYER_CHECK_H
#define PECOS_LAYER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "array_run.h"
#include "fpconv.h"
#include "layer_run.h"
#include "mem_model.h"

/* One layer's run: the tiling, the RTL's outputs and when each came out, the references. */
typedef struct {
    const layer_run_cfg_t *o;
    pecos_df_t df;
    const layer_t *L;
    bool fp;
    fp_fmt_t fmt;
    size_t esz, out_n;
    tiling_t tiling;
    ws_stats_t st;
    mem_model_t mm;
    int32_t *ref;          /* the golden conv (int32, or fp32 bits in the array's order) */
    double *ref64;         /* fp: the float64 reference */
    uint64_t *out_cycle;   /* global cycle each output last came out */
    uint16_t *out_lane;    /* the output lane (array column) it came out on */
} layer_run_t;

/* Check 1: the outputs against the golden conv; fills res's bit-exact fields. Returns 0, or
 * PECOS_ENOMEM or the golden model's code (printed). */
int layer_check_outputs(layer_run_t *r, const void *ifmap, const void *weights,
                        const int32_t *bias_v, const int32_t *out, layer_result_t *res);
/* Checks 2 and 3: cycles and traffic against the models, the RTL's counters against the
 * host's; fills res's counters, memory results and energy. Returns 0 or the model's code
 * (printed). */
int layer_check_models(layer_run_t *r, layer_result_t *res);
/* Check 4, fused (r->o->fuse): the unit's int8 results against the golden chain (the golden
 * conv of check 1, then golden_post with the unit's configuration) and its latency; fills
 * res->fused. Returns 0, or PECOS_ENOMEM or the golden model's code (printed). */
int layer_check_fused(layer_run_t *r, layer_result_t *res);
/* One FAIL line per failed check, and the re-run hook where a waveform helps. */
void layer_check_report(const layer_run_t *r, const layer_result_t *res);
/* Prints one line to the caller's log (nothing without one). */
void layer_say(const layer_run_cfg_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
