/* simlib.h - loads one verilated array variant (a shared library implementing sim/vsim.h).
 *
 * Variants are named DATAFLOW_DTYPE_ROWSxCOLS and live in PECOS_SIM_DIR (compiled in; the
 * environment variable of the same name overrides it). A missing variant is an error that
 * says how to build it, never a fallback to another size.
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
/* If an RTL assertion of the model failed, writes "RTL assertion failed at cycle N (...)"
 * into err, prefixed with what (e.g. "layer conv1"), and returns PECOS_ESIM; else 0. */
int simlib_assert_check(const simlib_t *s, const char *what, char *err, size_t errlen);
/* Closes the model (flushing any open trace) and unloads the library. Safe on a zeroed s. */
void simlib_close(simlib_t *s);

#endif
