/* regress.h - `pecos regress`: a sweep spec expanded into jobs, run locally or as a Slurm
 * job array, merged into one report (docs/REGRESS.md).
 *
 * A job is one `pecos run` command line. It runs as a child process in its own directory
 * DIR/jobs/ID/ (stdout.txt, stderr.txt, report.json), and its outcome is recorded there in
 * result.json (exit status or signal, wall time, the command) by regress_task_run(), the one
 * piece of code that both engines use, so that a job gives the same record either way.
 *
 * Split by concern: regress_spec.c (spec parsing and expansion), regress_local.c (the task
 * runner and the local engine), regress_slurm.c (the Slurm engine), regress_report.c (the
 * merged JSON, JUnit XML and HTML reports). Library code returns PECOS_E* codes with a
 * one-line reason in err, and prints only progress lines where documented.
 */
#ifndef PECOS_REGRESS_H
#define PECOS_REGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGRESS_NAME_MAX 64
#define REGRESS_ERR_MAX 1024

typedef enum { REGRESS_WL_LAYERS, REGRESS_WL_NETWORK, REGRESS_WL_ONNX } regress_wl_kind_t;

/* One value of the workload axis: a group of --layer specs, a topology CSV or an ONNX model. */
typedef struct {
    char name[REGRESS_NAME_MAX];
    regress_wl_kind_t kind;
    char **layers;        /* kind LAYERS: nlayers --layer specs (owned) */
    int nlayers;
    char *path;           /* kind NETWORK/ONNX: absolute path (owned) */
    bool independent;     /* kind NETWORK: --independent-layers */
} regress_workload_t;

/* One value of the memory axis: a named set of `pecos run` options. */
typedef struct {
    char name[REGRESS_NAME_MAX];
    char **args;          /* nargs options (owned) */
    int nargs;
} regress_memcfg_t;

typedef struct {
    int rows, cols;
} regress_variant_t;

/* One job: the axis values (indices into the spec's axes) and its command line. */
typedef struct {
    char id[4 * REGRESS_NAME_MAX + 64];
    int wl, var, dtype, df, mem, seed; /* indices into the spec's axes */
    int64_t fault;        /* --inject-fault cycle, -1 = none */
    char **argv;          /* the command line, NULL-terminated (owned) */
    int argc;
} regress_job_t;

typedef struct {
    char name[REGRESS_NAME_MAX];  /* the spec's "name" (default: the file's base name) */
    char *path;                   /* the spec file (owned) */
    regress_variant_t *variants;
    int nvariants;
    char **dtypes;                /* "int8", "bf16", "fp16" (owned strings) */
    int ndtypes;
    char **dataflows;             /* "ws", "is", "os" */
    int ndataflows;
    regress_workload_t *wls;
    int nwls;
    regress_memcfg_t *mems;
    int nmems;
    uint64_t *seeds;
    int nseeds;
    char **args;                  /* extra options of every job */
    int nargs;
    double timeout_s;             /* per job, 0 = none */
    regress_job_t *jobs;          /* the expansion, in a fixed axis order */
    int njobs;
    int excluded;                 /* combinations removed by "exclude" */
} regress_spec_t;

/* A sleep of s seconds, the engines' polling pause (regress_local.c); their clock is
 * pecos_now() (common/pecos_time.h). */
void regress_sleep(double s);

/* Reads a whole small file (at most max bytes) into a NUL-terminated buffer that the caller
 * frees; *len (if len) = bytes read. NULL if it cannot be read or out of memory. */
char *regress_slurp(const char *path, size_t max, size_t *len);

/* In a forked child before exec: stdin from /dev/null, stdout and stderr into outpath and
 * errpath (created or truncated). Returns 0, or -1 if a file cannot be opened. */
int regress_child_stdio(const char *outpath, const char *errpath);

/* Parses the JSON spec at path (relative paths inside it are taken relative to the spec's
 * directory) and expands it into jobs whose command runs the pecos executable `pecos` (an
 * absolute path). Returns 0, or PECOS_EIO / PECOS_EFORMAT / PECOS_EPARAM with one line in err
 * that starts with the path. An expansion without jobs is PECOS_EPARAM. Warnings (an exclude
 * rule that matches nothing) go to warn (one line each, may be NULL). The caller frees s with
 * regress_spec_free(). */
int regress_spec_load(const char *path, const char *pecos, regress_spec_t *s, char *err,
                      size_t errlen, void (*warn)(const char *line));
void regress_spec_free(regress_spec_t *s);

/* The array library a job needs (e.g. "ws_int8_4x4"; is runs on the ws library). */
void regress_job_variant(const regress_spec_t *s, const regress_job_t *j, char *buf, size_t len);

/* Writes the command line of j as one shell-quoted line into buf. */
void regress_job_cmdline(const regress_job_t *j, char *buf, size_t len);

/* --- the task runner (regress_local.c) -------------------------------------------------- */

/* Prepares DIR for a run of s: creates DIR/jobs/ID/ for every job, writes each job's argv
 * (DIR/jobs/ID/argv, NUL-separated) and the task list DIR/tasks.txt (line i = job i's id).
 * With resume false, removes the previous results of these jobs. Returns 0 or PECOS_EIO. */
int regress_prepare_dir(const regress_spec_t *s, const char *dir, bool resume, char *err,
                        size_t errlen);

/* True if DIR/jobs/ID/result.json exists and records the same command as j. */
bool regress_has_result(const char *dir, const regress_job_t *j);

/* Runs task `index` of DIR (as written by regress_prepare_dir) in the foreground: the job's
 * command with stdout/stderr into its directory, then result.json (written atomically).
 * timeout_s > 0 kills the job's process group after that many seconds. attempt is recorded.
 * Returns 0 when a result was recorded (whatever the job's verdict), else PECOS_E*. */
int regress_task_run(const char *dir, int index, double timeout_s, int attempt, char *err,
                     size_t errlen);

/* --- engines ----------------------------------------------------------------------------- */

typedef struct {
    const char *dir;      /* run directory (absolute) */
    int jobs_parallel;    /* -j */
    bool resume;
    bool progress_tty;    /* a \r progress line (else one line per finished job) */
} regress_local_opts_t;

/* Runs every job of s that has no result, N at a time. SIGINT/SIGTERM stop it cleanly: the
 * running jobs are terminated and left without a result. Returns 0 when every job has a
 * result, 1 when interrupted, or PECOS_E* (err set). */
int regress_local_run(const regress_spec_t *s, const regress_local_opts_t *o, char *err,
                      size_t errlen);

/* Per-job information that only the engine knows, merged into the reports' "run" parts. */
typedef struct {
    int attempts;             /* 1, or 2 after a resubmission */
    char retried[32];         /* the Slurm state that caused the resubmission, "" = none */
    char engine_error[256];   /* why the engine has no result for it ("" = none) */
} regress_jobrun_t;

typedef struct {
    const char *dir;
    const char *pecos;        /* the executable the tasks run (the runner) */
    const char *partition, *time_limit, *account; /* NULL = Slurm's defaults */
    int max_parallel;         /* %N of --array, 0 = no limit */
    int chunk;                /* jobs per array task (1: one task per job) */
    double poll_s;            /* squeue polling interval */
    bool resume;
    bool progress_tty;
} regress_slurm_opts_t;

/* Submits the jobs of s without a result as one sbatch --array (one task per job, or per
 * chunk of o->chunk jobs: a task's Slurm state then applies to all of its jobs), follows
 * it with squeue, reads the tasks' states with scontrol, resubmits once the tasks that failed
 * for infrastructure reasons (NODE_FAIL, PREEMPTED, TIMEOUT, BOOT_FAIL, DEADLINE), and fills
 * runs[njobs]. Returns 0 (every task ended; some may lack a result, see runs), 1 when
 * interrupted (the array is cancelled), or PECOS_E* (err set). */
int regress_slurm_run(const regress_spec_t *s, const regress_slurm_opts_t *o,
                      regress_jobrun_t *runs, char *err, size_t errlen);

/* --- reports (regress_report.c) ---------------------------------------------------------- */

typedef struct {
    int pass, fail, error;
} regress_totals_t;

/* Reads every job's result and report from dir and writes dir/report.json, report.xml
 * (JUnit) and report.html. runs may be NULL (local engine). engine names the engine.
 * Fills t. Returns 0 or PECOS_EIO (err set). */
int regress_report_write(const regress_spec_t *s, const char *dir, const char *engine,
                         const regress_jobrun_t *runs, double wall_s, regress_totals_t *t,
                         char *err, size_t errlen);

#endif
