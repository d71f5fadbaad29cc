/* postlib.h - loads one verilated post-processing unit (a shared library implementing
 * sim/vpost.h) by lane count.
 *
 * Libraries are named libpecos_post_L<Lanes>.so and live in PECOS_SIM_DIR (compiled in; the
 * environment variable of the same name overrides it), next to the array variants. A missing
 * lane count is an error that says how to build it, never a fallback to another size.
 */
#ifndef PECOS_POSTLIB_H
#define PECOS_POSTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vpost.h"

/* An open post-processing unit: the loaded library and its model. Opaque: postlib_open()
 * gives one, the functions below drive it, postlib_close() frees it. */
typedef struct postlib postlib_t;

/* Loads the PPU of `lanes` lanes, opens (dumping every cycle to fst_path unless it is NULL)
 * and resets its model, and sets *out. progress: where an on-demand build reports (see
 * simlib_build), or NULL. Returns 0 or PECOS_ENOSIM with a one-line reason in err (*out
 * NULL). */
int postlib_open(postlib_t **out, int lanes, const char *fst_path, FILE *progress, char *err,
                 size_t errlen);
/* postlib_open() of the unit verilated with --sc (libpecos_post_sc_L<lanes>.so), for a
 * SystemC module's constructor: its clock port is bound to clk (an sc_core::sc_in<bool> *);
 * postlib_step() must then be called from an SC_THREAD (one step, one clock period). */
int postlib_open_sc(postlib_t **out, int lanes, void *clk, FILE *progress, char *err,
                    size_t errlen);
/* Lanes, and LAT: steps from a window's last beat to its result (what the library says). */
int postlib_lanes(const postlib_t *p);
int postlib_latency(const postlib_t *p);
/* The model's calls (sim/vpost.h): reset, configuration, one clock cycle, the cycle count. */
void postlib_reset(postlib_t *p);
void postlib_config(postlib_t *p, const vpost_cfg_t *cfg);
void postlib_step(postlib_t *p, bool valid, bool first, bool last, int count, const int32_t *acc,
                  const int32_t *bias, bool *out_valid, int8_t *out);
uint64_t postlib_cycle(const postlib_t *p);
/* Whether an RTL assertion of the model failed (cycle: when); 0 when it did not or the
 * library has no assertions. */
int postlib_assert_status(const postlib_t *p, uint64_t *cycle);
/* Something that watches every configuration, step and reset of the unit (replay.h records
 * them): called after the model's own call, with what the step put out (out only when
 * out_valid). */
typedef struct {
    void (*config)(void *ctx, const vpost_cfg_t *cfg);
    void (*step)(void *ctx, bool valid, bool first, bool last, int count, const int32_t *acc,
                 const int32_t *bias, bool out_valid, const int8_t *out);
    void (*reset)(void *ctx);
} postlib_observer_t;
/* Attaches obs with ctx to p (NULL detaches); one observer at a time. */
void postlib_observe(postlib_t *p, const postlib_observer_t *obs, void *ctx);
/* The observer attached to p (NULL if none), and its ctx in *ctx. */
const postlib_observer_t *postlib_observer(const postlib_t *p, void **ctx);
/* Closes the model (flushing any dump), unloads the library and frees p. Safe on NULL. */
void postlib_close(postlib_t *p);

#endif
