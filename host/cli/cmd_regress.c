/* cmd_regress.c - `pecos regress SPEC`: expands a sweep spec into `pecos run` jobs, runs them
 * locally (-j N) or as a Slurm job array (--slurm), and writes one merged report
 * (docs/REGRESS.md). `pecos regress --task DIR INDEX` is the runner of one task (what a Slurm
 * array task executes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd_regress.h"
#include "cli.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "regress.h"
#include "simlib.h"

#define WHO "pecos regress"
#define EXIT_INTERRUPTED 130

void cmd_regress_usage(FILE *f)
{
    fputs("usage: pecos regress SPEC.json [--list] [-j N] [--dir DIR] [--resume]\n"
          "                     [--slurm [--partition P] [--time T] [--account A]\n"
          "                      [--max-parallel N] [--chunk K] [--poll SECONDS] [--build-dir DIR]]\n"
          "  Expands the sweep spec (docs/REGRESS.md) into `pecos run` jobs with stable ids,\n"
          "  runs them and writes DIR/report.json, DIR/report.xml (JUnit), DIR/report.html.\n"
          "  --list          print the expansion (id and command of every job), run nothing\n"
          "  -j N            run N jobs at a time on this machine (default 1)\n"
          "  --dir DIR       run directory (default ./regress-NAME); each job's stdout, stderr\n"
          "                  and report live in DIR/jobs/ID/\n"
          "  --resume        run only the jobs without a result for the same command\n"
          "  --slurm         submit one sbatch --array (one task per job) and follow it with\n"
          "                  squeue; tasks that fail for infrastructure reasons (node failure,\n"
          "                  preemption, time-out) are resubmitted once. DIR and this pecos\n"
          "                  must be on a filesystem that the nodes share.\n"
          "  --chunk K       (with --slurm) K jobs per array task, run one after the other\n"
          "  --build-dir DIR (with --slurm) build the array variants the sweep needs and a\n"
          "                  pecos that loads them in DIR (a shared filesystem), once, and run that\n"
          "exit status: 0 every job passed, 1 a job failed or errored, 2 bad spec or usage,\n"
          "             130 interrupted (run again with --resume)\n",
          f);
}

static void warn_line(const char *line)
{
    fprintf(stderr, WHO ": warning: %s\n", line);
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* Line `index` of a task file: the job indices (tasks.txt lines) that array task runs. */
static int task_jobs(const char *file, int index, int *jobs, int max)
{
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    int n = -1;
    for (int i = 0; i <= index; i++)
        if (getline(&line, &cap, f) < 0) goto out;
    n = 0;
    for (char *p = line, *end; n < max; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        jobs[n++] = (int)v;
    }
out:
    free(line);
    fclose(f);
    return n;
}

/* `pecos regress --task DIR INDEX [--attempt N] [--job-timeout S] [--task-file F]`: runs job
 * INDEX of DIR, or the jobs on line INDEX of F, one after the other. */
static int task_main(int argc, char **argv)
{
    int index, attempt = 1;
    double timeout = 0;
    const char *task_file = NULL;
    if (argc < 4 || parse_int(argv[3], 0, 100000000, &index) != 0) {
        fprintf(stderr, WHO " --task DIR INDEX: INDEX must be a task number\n");
        return PECOS_EXIT_USAGE;
    }
    for (int i = 4; i < argc; i += 2) {
        if (i + 1 >= argc) {
            fprintf(stderr, WHO " --task: option %s needs a value\n", argv[i]);
            return PECOS_EXIT_USAGE;
        }
        if (strcmp(argv[i], "--attempt") == 0 && parse_int(argv[i + 1], 1, 100, &attempt) == 0) continue;
        if (strcmp(argv[i], "--task-file") == 0) {
            task_file = argv[i + 1];
            continue;
        }
        if (strcmp(argv[i], "--job-timeout") == 0) {
            char *end;
            timeout = strtod(argv[i + 1], &end);
            if (*end == '\0' && timeout > 0) continue;
        }
        fprintf(stderr, WHO " --task: bad option %s %s\n", argv[i], argv[i + 1]);
        return PECOS_EXIT_USAGE;
    }
    char err[REGRESS_ERR_MAX];
    int one = index, *jobs = &one, n = 1, code = PECOS_EXIT_PASS;
    if (task_file) {
        if (!(jobs = malloc(4096 * sizeof *jobs))) return PECOS_EXIT_FAIL;
        if ((n = task_jobs(task_file, index, jobs, 4096)) <= 0) {
            fprintf(stderr, WHO " --task: %s: no line %d\n", task_file, index);
            free(jobs);
            return PECOS_EXIT_USAGE;
        }
    }
    for (int i = 0; i < n; i++)
        if (regress_task_run(argv[2], jobs[i], timeout, attempt, err, sizeof err) != 0) {
            fprintf(stderr, WHO " --task: %s\n", err);
            code = PECOS_EXIT_FAIL;
            if (strstr(err, "stopped by signal")) break;
        }
    if (task_file) free(jobs);
    return code;
}

/* Every array library the jobs need must exist, else one line naming them and the command
 * that builds them (never a silent fallback, never forty identical job errors). */
static int check_variants(const regress_spec_t *s)
{
    char dir[PATH_MAX], missing[4096] = "", list[4096] = "";
    simlib_dir(dir, sizeof dir);
    int nmiss = 0;
    for (int i = 0; i < s->njobs; i++) {
        char v[128], path[PATH_MAX + 160], key[132];
        regress_job_variant(s, &s->jobs[i], v, sizeof v);
        snprintf(key, sizeof key, " %s;", v);
        if (strstr(missing, key)) continue;
        snprintf(path, sizeof path, "%s/libpecos_sim_%s.so", dir, v);
        if (access(path, R_OK) == 0) continue;
        size_t l = strlen(missing);
        snprintf(missing + l, sizeof missing - l, "%s", key);
        l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", nmiss ? ";" : "", v);
        nmiss++;
    }
    if (nmiss == 0) return 0;
    fprintf(stderr, WHO ": %s: the sweep needs %d array variant%s not built in %s: %s (build: cmake "
                    "--preset release -DPECOS_VARIANTS=\"<the built ones>;%s\" && cmake --build --preset "
                    "release, or exclude them in the spec)\n",
            s->path, nmiss, nmiss == 1 ? "" : "s", dir, list, list);
    return -1;
}

#ifndef PECOS_SOURCE_DIR
#error "PECOS_SOURCE_DIR (the source tree, for --build-dir) must be defined by the build"
#endif

/* Runs a command in the foreground (stdout/stderr inherited); returns its exit status. */
static int run_fg(char *const *argv)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, WHO ": cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* --build-dir: configures and builds pecos with exactly the variants the sweep needs in bdir
 * (once; later runs build incrementally). Writes the built pecos into pecos_out. */
static int build_variants(const regress_spec_t *s, const char *bdir, char *pecos_out, size_t len)
{
    char list[8192] = "", def[8300], jobs[32];
    for (int i = 0; i < s->njobs; i++) {
        char v[128], key[132];
        regress_job_variant(s, &s->jobs[i], v, sizeof v);
        snprintf(key, sizeof key, ";%s;", v);
        char probe[8200];
        snprintf(probe, sizeof probe, ";%s;", list);
        if (strstr(probe, key)) continue;
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", l ? ";" : "", v);
    }
    if (!PECOS_SOURCE_DIR[0]) {
        fprintf(stderr, WHO ": --build-dir: this pecos does not know its source directory\n");
        return -1;
    }
    snprintf(def, sizeof def, "-DPECOS_VARIANTS=%s", list);
    snprintf(jobs, sizeof jobs, "-j%ld", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(stderr, WHO ": building pecos and %s in %s\n", list, bdir);
    char *cfg[] = {(char *)"cmake", (char *)"-S", (char *)PECOS_SOURCE_DIR, (char *)"-B", (char *)bdir,
                   (char *)"-DCMAKE_BUILD_TYPE=Release", (char *)"-DBUILD_TESTING=OFF", def, NULL};
    /* everything the configured list builds: pecos, those variants and a post-processing
     * unit per column count (pecos itself no longer depends on the model libraries) */
    char *bld[] = {(char *)"cmake", (char *)"--build", (char *)bdir, jobs, NULL};
    if (run_fg(cfg) != 0 || run_fg(bld) != 0) {
        fprintf(stderr, WHO ": --build-dir %s: the build failed (see above)\n", bdir);
        return -1;
    }
    char rp[PATH_MAX];
    if (!realpath(bdir, rp)) return -1;
    return snprintf(pecos_out, len, "%s/pecos", rp) < (int)len ? 0 : -1;
}

/* The options of `pecos regress SPEC.json`. */
typedef struct {
    const char *spec_path, *dir_opt, *build_dir;
    bool list, resume, slurm;
    int par;                  /* -j */
    regress_slurm_opts_t so;  /* the --slurm options */
} regress_opts_t;

/* Parses argv into *o. Returns 0, 1 for --help (usage printed) or -1 (message printed). */
static int regress_parse(int argc, char **argv, regress_opts_t *o)
{
    *o = (regress_opts_t){.par = 1, .so = {.poll_s = 1.0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_regress_usage(stdout);
            return 1;
        }
        if (strcmp(a, "--list") == 0) {
            o->list = true;
            continue;
        }
        if (strcmp(a, "--resume") == 0) {
            o->resume = true;
            continue;
        }
        if (strcmp(a, "--slurm") == 0) {
            o->slurm = true;
            continue;
        }
        if (a[0] != '-') {
            if (o->spec_path) {
                fprintf(stderr, WHO ": one spec only ('%s' and '%s')\n", o->spec_path, a);
                return -1;
            }
            o->spec_path = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, WHO ": option %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            if (parse_int(v, 1, 1024, &o->par) != 0) {
                fprintf(stderr, WHO ": -j %s: must be 1..1024\n", v);
                return -1;
            }
        } else if (strcmp(a, "--dir") == 0) {
            o->dir_opt = v;
        } else if (strcmp(a, "--partition") == 0) {
            o->so.partition = v;
        } else if (strcmp(a, "--time") == 0) {
            o->so.time_limit = v;
        } else if (strcmp(a, "--account") == 0) {
            o->so.account = v;
        } else if (strcmp(a, "--max-parallel") == 0) {
            if (parse_int(v, 1, 1000000, &o->so.max_parallel) != 0) {
                fprintf(stderr, WHO ": --max-parallel %s: must be a positive integer\n", v);
                return -1;
            }
        } else if (strcmp(a, "--poll") == 0) {
            char *end;
            o->so.poll_s = strtod(v, &end);
            if (*end || end == v || o->so.poll_s < 0.05 || o->so.poll_s > 600) {
                fprintf(stderr, WHO ": --poll %s: must be 0.05..600 seconds\n", v);
                return -1;
            }
        } else if (strcmp(a, "--chunk") == 0) {
            if (parse_int(v, 1, 4096, &o->so.chunk) != 0) {
                fprintf(stderr, WHO ": --chunk %s: must be 1..4096 jobs per task\n", v);
                return -1;
            }
        } else if (strcmp(a, "--build-dir") == 0) {
            o->build_dir = v;
        } else {
            fprintf(stderr, WHO ": unknown option %s (see pecos regress --help)\n", a);
            return -1;
        }
    }
    return 0;
}

/* The checks across options. Returns 0 or -1 (message printed). */
static int regress_validate(const regress_opts_t *o)
{
    const regress_slurm_opts_t *so = &o->so;
    if (!o->spec_path) {
        fprintf(stderr, WHO ": no spec given (see pecos regress --help)\n");
        return -1;
    }
    if (!o->slurm && (so->partition || so->time_limit || so->account || so->max_parallel || so->chunk ||
                      o->build_dir)) {
        fprintf(stderr, WHO ": --partition, --time, --account, --max-parallel, --chunk and --build-dir go with --slurm\n");
        return -1;
    }
    if (o->slurm && o->par != 1) {
        fprintf(stderr, WHO ": -j is for the local engine (--slurm: --max-parallel)\n");
        return -1;
    }
    return 0;
}

/* --list: prints the id and command line of every job. Returns a PECOS_EXIT_* code. */
static int regress_list(const regress_spec_t *s)
{
    char *cmd = malloc(65536);
    if (!cmd) return PECOS_EXIT_USAGE;
    for (int i = 0; i < s->njobs; i++) {
        regress_job_cmdline(&s->jobs[i], cmd, 65536);
        printf("%s\t%s\n", s->jobs[i].id, cmd);
    }
    free(cmd);
    fprintf(stderr, WHO ": %s: %d jobs (%d combinations excluded)\n", s->name, s->njobs, s->excluded);
    return PECOS_EXIT_PASS;
}

/* --build-dir: builds the variants and a pecos there and reloads the spec *s for that pecos
 * (written into pecos). Returns 0 or -1 (message printed; *s freed). */
static int regress_use_build_dir(const regress_opts_t *o, regress_spec_t *s, char *pecos, size_t len)
{
    char built[PATH_MAX], err[REGRESS_ERR_MAX];
    if (build_variants(s, o->build_dir, built, sizeof built) != 0) {
        regress_spec_free(s);
        return -1;
    }
    regress_spec_free(s);
    if (regress_spec_load(o->spec_path, built, s, err, sizeof err, NULL) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        return -1;
    }
    snprintf(pecos, len, "%s", built);
    char simdir[PATH_MAX + 8];
    snprintf(simdir, sizeof simdir, "%s/sim", o->build_dir);
    setenv("PECOS_SIM_DIR", simdir, 1); /* for the check below */
    return 0;
}

/* Runs the jobs of s in run directory dir with the local or the Slurm engine and writes the
 * report. Returns a PECOS_EXIT_* code (or EXIT_INTERRUPTED). */
static int regress_run(regress_opts_t *o, const regress_spec_t *s, const char *dir, const char *pecos)
{
    char err[REGRESS_ERR_MAX];
    int rc;
    fprintf(stderr, WHO ": %s: %d jobs (%d excluded), %s, results in %s\n", s->name, s->njobs, s->excluded,
            o->slurm ? "Slurm job array" : "local", dir);
    double t0 = pecos_now();
    regress_jobrun_t *runs = NULL;
    if (o->slurm) {
        if (!(runs = calloc((size_t)s->njobs, sizeof *runs))) return PECOS_EXIT_USAGE;
        o->so.dir = dir;
        o->so.pecos = pecos;
        o->so.resume = o->resume;
        o->so.progress_tty = isatty(2);
        rc = regress_slurm_run(s, &o->so, runs, err, sizeof err);
    } else {
        const regress_local_opts_t lo = {.dir = dir, .jobs_parallel = o->par, .resume = o->resume,
                                         .progress_tty = isatty(2) != 0};
        rc = regress_local_run(s, &lo, err, sizeof err);
    }
    int exit_code;
    if (rc < 0) {
        fprintf(stderr, WHO ": %s\n", err);
        exit_code = PECOS_EXIT_USAGE;
    } else if (rc == 1) {
        exit_code = EXIT_INTERRUPTED;
    } else {
        regress_totals_t t;
        if (regress_report_write(s, dir, o->slurm ? "slurm" : "local", runs, pecos_now() - t0, &t, err,
                                 sizeof err) != 0) {
            fprintf(stderr, WHO ": %s\n", err);
            exit_code = PECOS_EXIT_USAGE;
        } else {
            printf("regress %s: %d passed, %d failed, %d errors of %d jobs; %s/report.{json,xml,html}\n",
                   s->name, t.pass, t.fail, t.error, s->njobs, dir);
            exit_code = pecos_exit_code(0, t.fail + t.error == 0);
        }
    }
    free(runs);
    return exit_code;
}

int cmd_regress(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--task") == 0) return task_main(argc, argv);
    regress_opts_t o;
    const int prc = regress_parse(argc, argv, &o);
    if (prc) return prc > 0 ? PECOS_EXIT_PASS : PECOS_EXIT_USAGE;
    if (regress_validate(&o) != 0) return PECOS_EXIT_USAGE;

    char pecos[PATH_MAX], err[REGRESS_ERR_MAX];
    ssize_t n = readlink("/proc/self/exe", pecos, sizeof pecos - 1);
    if (n <= 0) {
        fprintf(stderr, WHO ": cannot find this executable (/proc/self/exe)\n");
        return PECOS_EXIT_USAGE;
    }
    pecos[n] = '\0';
    regress_spec_t s;
    if (regress_spec_load(o.spec_path, pecos, &s, err, sizeof err, warn_line) != 0) {
        fprintf(stderr, WHO ": %s\n", err);
        return PECOS_EXIT_USAGE;
    }
    if (o.list) {
        const int code = regress_list(&s);
        regress_spec_free(&s);
        return code;
    }
    if (o.build_dir && regress_use_build_dir(&o, &s, pecos, sizeof pecos) != 0) return PECOS_EXIT_USAGE;
    if (check_variants(&s) != 0) {
        regress_spec_free(&s);
        return PECOS_EXIT_USAGE;
    }
    char dirbuf[PATH_MAX], dir[PATH_MAX];
    if (!o.dir_opt) {
        snprintf(dirbuf, sizeof dirbuf, "regress-%s", s.name);
        o.dir_opt = dirbuf;
    }
    int rc = regress_prepare_dir(&s, o.dir_opt, o.resume, err, sizeof err);
    if (rc == 0 && !realpath(o.dir_opt, dir))
        rc = pecos_fail(err, sizeof err, PECOS_EIO, "%s: %s", o.dir_opt, strerror(errno));
    if (rc != 0) {
        fprintf(stderr, WHO ": --dir %s\n", err);
        regress_spec_free(&s);
        return PECOS_EXIT_USAGE;
    }
    const int exit_code = regress_run(&o, &s, dir, pecos);
    regress_spec_free(&s);
    return exit_code;
}
