/* procpool.h - independent units of work on forked processes, their results in shared memory.
 *
 * The caller prepares everything the units read (they are inherited by fork: the children
 * see the parent's memory as it was, copy-on-write), says how many bytes each unit's result
 * has, and gets the results back in the parent. Units are handed out one at a time from a
 * shared counter in the caller's order (longest first balances the processes best). A child
 * writes only its units' result bytes; nothing else it does reaches the parent, and it ends
 * with _exit (the parent's stdio buffers are never flushed twice).
 *
 * The number of processes a machine offers is procpool_cpus(): the CPUs this process may run
 * on (sched_getaffinity: taskset, cgroups, a Slurm allocation), or $PECOS_JOBS when set.
 */
#ifndef PECOS_PROCPOOL_H
#define PECOS_PROCPOOL_H

#include <stddef.h>

typedef struct {
    int jobs;            /* processes (>= 1); the parent only waits */
    int n;               /* units */
    const int *order;    /* the n units in the order they are handed out */
    const size_t *size;  /* [n] bytes of each unit's result */
    /* In a child: runs unit u, writes its result (size[u] bytes) to out. Returns 0, or a
     * nonzero code that the parent gets in rc[u]: then no process takes another unit (those
     * not taken keep PROCPOOL_LOST). */
    int (*run)(void *ctx, int u, void *out);
    /* In a child, once, before its first unit (may be NULL). */
    void (*child_init)(void *ctx);
    /* In the parent, as each unit finishes (may be NULL): u, its result, units done. */
    void (*done)(void *ctx, int u, const void *out, int ndone);
    void *ctx;
} procpool_t;

typedef struct {
    void *map;           /* the shared mapping */
    size_t maplen;
    const unsigned char **out; /* [n] each unit's result, in the mapping */
    int *rc;             /* [n] each unit's code (PROCPOOL_LOST: its process died first) */
} procpool_res_t;

#define PROCPOOL_LOST (-1000)

/* Runs p's units. Returns 0 when every process ended normally (each unit's code in res->rc;
 * after a nonzero one, the units nobody took have PROCPOOL_LOST),
 * or -1 with the reason in err (this process has threads besides the caller's, which a fork
 * would leave behind with their locks held; no shared memory; fork failed: nothing ran; a
 * process killed by a signal or ended early: its units' rc is PROCPOOL_LOST). res is to be freed with
 * procpool_free() in either case. */
int procpool_run(const procpool_t *p, procpool_res_t *res, char *err, size_t errlen);
void procpool_free(procpool_res_t *res);

/* The processes this machine offers this run: $PECOS_JOBS (1..1024) when set, else the CPUs
 * of this process's affinity mask (at least 1). */
int procpool_cpus(void);

#endif
