/* simlib.h - loads one verilated array variant (a shared library implementing sim/vsim.h).
 *
 * Variants are named DATAFLOW_DTYPE_ROWSxCOLS and live in PECOS_SIM_DIR (compiled in; the
 * environment variable of the same name overrides it). A missing variant is built on first
 * use (simlib_build: one line says so, the build's progress shows on stderr, the library
 * stays in that directory), never replaced by another size. With PECOS_NO_BUILD set
 * (pecos run --no-build) a missing variant is an error that says how to build it.
 * trace_enable loads the variant's _trace twin, the same model with FST tracing compiled in.
 */
#ifndef PECOS_SIMLIB_H
#define PECOS_SIMLIB_H

#include <stddef.h>
#include <stdint.h>

#include "vsim.h"

typedef struct {
    void *handle;        /* dlopen handle */
    vsim_t *v;           /* the model */
    vsim_info_t info;    /* what the library says it is */
    char path[1024];     /* the library loaded */
    vsim_t *(*open)(int trace_enable);
    void (*get_info)(const vsim_t *, vsim_info_t *);
    void (*reset)(vsim_t *);
    void (*step)(vsim_t *, const vsim_in_t *, vsim_out_t *);
    uint64_t (*cycle)(const vsim_t *);
    void (*counters)(const vsim_t *, vsim_counters_t *);
    int (*trace_open)(vsim_t *, const char *, uint64_t, uint64_t);
    void (*trace_close)(vsim_t *);
    void (*close)(vsim_t *);
    int (*assert_status)(const vsim_t *, uint64_t *); /* NULL: the library has no assertions */
} simlib_t;

/* Loads variant (dataflow, dtype, rows, cols), opens and resets its model. trace_enable must
 * be set if a waveform will be dumped. Returns 0 or PECOS_ENOSIM with a one-line reason in err. */
int simlib_open(simlib_t *s, const char *dataflow, const char *dtype, int rows, int cols,
                int trace_enable, char *err, size_t errlen);
/* Writes the directory that holds the verilated libraries (array variants and
 * post-processing units) into dir: $PECOS_SIM_DIR, else the build's, else <exe dir>/sim. */
void simlib_dir(char *dir, size_t len);
/* Builds the missing model library NAME (an array variant "ws_int8_2x3", its traced twin
 * "ws_int8_2x3_trace", or a post-processing unit "post_L8") into dir through
 * sim/ondemand/ of the source tree pecos was built from, under a lock so that concurrent runs
 * build it once. Prints one line to stderr and the build's output after it.
 * Returns 0 when the library exists afterwards; PECOS_ENOSIM with a one-line reason in err
 * when PECOS_NO_BUILD is set, the source tree or cmake is missing, or the build fails.
 * missing is the reason to report when building is off. */
int simlib_build(const char *dir, const char *name, const char *lib, const char *missing,
                 char *err, size_t errlen);
/* If an RTL assertion of the model failed, writes "RTL assertion failed at cycle N (...)"
 * into err, prefixed with what (e.g. "layer conv1"), and returns PECOS_ESIM; else 0. */
int simlib_assert_check(const simlib_t *s, const char *what, char *err, size_t errlen);
/* Closes the model (flushing any open trace) and unloads the library. Safe on a zeroed s. */
void simlib_close(simlib_t *s);

#endif
