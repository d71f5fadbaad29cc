/* backend.h - where a layer runs when it is not the array model in this process: a backend
 * takes the job that layer_run() and device_post() would have run on the verilated models
 * and returns what the run produced; every check then runs on the host as usual.
 *
 * The one backend today is the SystemC accelerator (sim/sc/, `pecos run --backend sc`): its
 * driver writes the tensors into system memory through a TLM socket, programs the
 * accelerator's registers, waits for its interrupt and reads the outputs and counters back.
 */
#ifndef PECOS_BACKEND_H
#define PECOS_BACKEND_H

#include <stddef.h>

#include "array_run.h"

struct device_post_job;
struct device_post_res;

typedef struct layer_backend {
    const char *name; /* "sc" */
    void *ctx;
    /* Runs job (array_run_conv()'s contract: job->port is NULL, the tensors are in job's
     * buffers; fills st and job->out, out_cycle, out_lane). Returns 0, PECOS_EPARAM (the
     * layer does not fit; reason in err), PECOS_ESIM (the accelerator failed; reason in err)
     * or PECOS_ENOMEM. */
    int (*conv)(void *ctx, const ws_job_t *job, ws_stats_t *st, char *err, size_t errlen);
    /* Runs one map on the post-processing unit (device_post_exec()'s contract). */
    int (*post)(void *ctx, const struct device_post_job *job, struct device_post_res *res,
                char *err, size_t errlen);
} layer_backend_t;

#endif
