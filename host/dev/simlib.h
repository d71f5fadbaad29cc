/* simlib.h - loads one verilated array variant (a shared library implementing sim/vsim.h).
 *
 * Variants are named DATAFLOW_DTYPE_ROWSxCOLS and live in PECOS_SIM_DIR (compiled in; the
 * environment variable of the same name overrides it). A missing variant is built on first
 * use (simlib_build: one line says so, the build's progress follows, on the stream the caller
 * gives (pecos passes stderr); the library
 * stays in that directory), never replaced by another size. With PECOS_NO_BUILD set
 * (pecos run --no-build) a missing variant is an error that says how to build it.
 * trace_enable loads the variant's _trace twin, the same model with FST tracing compiled in.
 */
#ifndef PECOS_SIMLIB_H
#define PECOS_SIMLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pecos_types.h"
#include "vsim.h"

/* An open array model: the loaded library and its model. Opaque: simlib_open() gives one,
 * the functions below drive it, simlib_close() frees it. */
typedef struct simlib simlib_t;

/* Loads variant (the array of dataflow df: "ws" for DF_WS and DF_IS, "os" for DF_OS; dtype,
 * rows, cols), opens and resets its model, and sets *out. trace_enable must be set if a
 * waveform will be dumped. progress: where an on-demand build reports (see simlib_build),
 * or NULL. Returns 0 or PECOS_ENOSIM with a one-line reason in err (*out NULL). */
int simlib_open(simlib_t **out, pecos_df_t df, pecos_dtype_t dtype, int rows, int cols,
                int trace_enable, FILE *progress, char *err, size_t errlen);
/* simlib_open() of the variant verilated with --sc (libpecos_sim_sc_NAME.so, built on
 * first use like the others), for a SystemC module's constructor (elaboration): its model
 * is an sc_module whose clock port is bound to clk (an sc_core::sc_in<bool> *), and
 * simlib_step() must then be called from an SC_THREAD: one step is one clock period. No
 * tracing. Returns 0, PECOS_ENOSIM or PECOS_ENOMEM (reason in err). */
int simlib_open_sc(simlib_t **out, pecos_df_t df, pecos_dtype_t dtype, int rows, int cols,
                   void *clk, FILE *progress, char *err, size_t errlen);
/* What the library says it is (rows, cols, dataflow and dtype names, ABI version). */
const vsim_info_t *simlib_info(const simlib_t *s);
/* The operand dtype of the loaded variant. */
pecos_dtype_t simlib_dtype(const simlib_t *s);
/* The library file loaded. */
const char *simlib_path(const simlib_t *s);
/* Whether the library reports RTL assertions (vsim_assert_status). */
bool simlib_has_asserts(const simlib_t *s);
/* The model's calls (sim/vsim.h): reset, one clock cycle with its inputs and outputs, the
 * cycle count and the RTL's own counters. */
void simlib_reset(simlib_t *s);
void simlib_step(simlib_t *s, const vsim_in_t *in, vsim_out_t *out);
uint64_t simlib_cycle(const simlib_t *s);
/* The out_valid of the last step (0 after open or reset): an output the array's counters
 * take in at the next clock edge (host/run/array_run.c predicts the busy counter with it). */
uint8_t simlib_last_out_valid(const simlib_t *s);
void simlib_counters(const simlib_t *s, vsim_counters_t *c);
/* Dumps cycles [from, to] to the FST file path (the model must be opened with
 * trace_enable); returns the library's status, 0 on success. */
int simlib_trace_open(simlib_t *s, const char *path, uint64_t from, uint64_t to);
/* Closes the waveform, flushing it. */
void simlib_trace_close(simlib_t *s);
/* Whether an RTL assertion of the model failed (cycle: when); 0 when it did not or the
 * library has no assertions. */
int simlib_assert_status(const simlib_t *s, uint64_t *cycle);

/* Something that watches every step and reset of a model (replay.h records them): called
 * after the model's own call. */
typedef struct {
    void (*step)(void *ctx, const vsim_in_t *in, const vsim_out_t *out);
    void (*reset)(void *ctx);
} simlib_observer_t;
/* Attaches obs with ctx to s (NULL detaches); one observer at a time. */
void simlib_observe(simlib_t *s, const simlib_observer_t *obs, void *ctx);
/* The observer attached to s (NULL if none), and its ctx in *ctx. */
const simlib_observer_t *simlib_observer(const simlib_t *s, void **ctx);

/* Writes the directory that holds the verilated libraries (array variants and
 * post-processing units) into dir: $PECOS_SIM_DIR, else the build's, else <exe dir>/sim. */
void simlib_dir(char *dir, size_t len);
/* Builds the missing model library NAME (an array variant "ws_int8_2x3", its traced twin
 * "ws_int8_2x3_trace", or a post-processing unit "post_L8") into dir through
 * sim/ondemand/ of the source tree pecos was built from, under a lock so that concurrent runs
 * build it once. Writes one line to progress and the build's output after it (progress NULL:
 * the build's output goes nowhere).
 * Returns 0 when the library exists afterwards; PECOS_ENOSIM with a one-line reason in err
 * when PECOS_NO_BUILD is set, the source tree or cmake is missing, or the build fails.
 * missing is the reason to report when building is off. */
int simlib_build(const char *dir, const char *name, const char *lib, const char *missing,
                 FILE *progress, char *err, size_t errlen);
/* If an RTL assertion of the model failed, writes "RTL assertion failed at cycle N (...)"
 * into err, prefixed with what (e.g. "layer conv1"), and returns PECOS_ESIM; else 0. */
int simlib_assert_check(const simlib_t *s, const char *what, char *err, size_t errlen);
/* Closes the model (flushing any open trace), unloads the library and frees s. Safe on NULL. */
void simlib_close(simlib_t *s);

#endif
