/* regress_local.c - the run directory, the task runner (one job as a child process and its
 * result record) and the local engine of `pecos regress` (N jobs at a time).
 */
#define _GNU_SOURCE /* sigabbrev_np, open_memstream */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_out.h"
#include "pecos_err.h"
#include "pecos_time.h"
#include "regress.h"

#define CMD_MAX 65536

void regress_sleep(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes len bytes to path through a temporary file and rename() (readers never see half). */
static int write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static const char *const job_files[] = {"result.json", "report.json", "stdout.txt", "stderr.txt",
                                        "pecos_fail.fst", NULL};

int regress_prepare_dir(const regress_spec_t *s, const char *dir, bool resume, char *err,
                        size_t errlen)
{
    char path[PATH_MAX];
    if (mkdir_p(dir) != 0)
        return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot create: %s", dir, strerror(errno));
    /* the reports of an earlier run would outlive an interrupted one */
    static const char *const reports[] = {"report.json", "report.xml", "report.html"};
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, reports[k]);
        unlink(path);
    }
    size_t cap = 4096, n = 0;
    char *tasks = malloc(cap);
    if (!tasks) return PECOS_ENOMEM;
    for (int i = 0; i < s->njobs; i++) {
        const regress_job_t *j = &s->jobs[i];
        snprintf(path, sizeof path, "%s/jobs/%s", dir, j->id);
        if (mkdir_p(path) != 0) {
            free(tasks);
            return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot create: %s", path, strerror(errno));
        }
        if (!resume || !regress_has_result(dir, j))
            for (int k = 0; job_files[k]; k++) {
                snprintf(path, sizeof path, "%s/jobs/%s/%s", dir, j->id, job_files[k]);
                unlink(path);
            }
        /* argv, NUL-separated */
        size_t alen = 0;
        for (int a = 0; a < j->argc; a++) alen += strlen(j->argv[a]) + 1;
        char *buf = malloc(alen + 1), *p = buf;
        if (!buf) {
            free(tasks);
            return PECOS_ENOMEM;
        }
        for (int a = 0; a < j->argc; a++) {
            size_t l = strlen(j->argv[a]) + 1;
            memcpy(p, j->argv[a], l);
            p += l;
        }
        snprintf(path, sizeof path, "%s/jobs/%s/argv", dir, j->id);
        int rc = write_atomic(path, buf, alen);
        free(buf);
        if (rc != 0) {
            free(tasks);
            return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot write: %s", path, strerror(errno));
        }
        size_t l = strlen(j->id);
        if (n + l + 2 > cap) {
            char *nt = realloc(tasks, cap = (cap + l + 2) * 2);
            if (!nt) {
                free(tasks);
                return PECOS_ENOMEM;
            }
            tasks = nt;
        }
        memcpy(tasks + n, j->id, l);
        n += l;
        tasks[n++] = '\n';
    }
    snprintf(path, sizeof path, "%s/tasks.txt", dir);
    int rc = write_atomic(path, tasks, n);
    free(tasks);
    if (rc != 0) return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

char *regress_slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

bool regress_has_result(const char *dir, const regress_job_t *j)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/jobs/%s/result.json", dir, j->id);
    char *txt = regress_slurp(path, 1 << 20, NULL);
    if (!txt) return false;
    cJSON *r = cJSON_Parse(txt);
    free(txt);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "command");
    bool same = false;
    if (cJSON_IsString(c)) {
        char *cmd = malloc(CMD_MAX);
        if (cmd) {
            regress_job_cmdline(j, cmd, CMD_MAX);
            same = strcmp(cmd, c->valuestring) == 0;
            free(cmd);
        }
    }
    cJSON_Delete(r);
    return same;
}

int regress_child_stdio(const char *outpath, const char *errpath)
{
    int o = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int in = open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0) return -1;
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    return 0;
}

/* Starts argv in jobdir, its own process group, stdout/stderr into the directory. Returns the
 * child's pid or -1. */
static pid_t spawn_job(const char *jobdir, char *const *argv)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* the job dies with its runner (Ctrl-C of the engine, a Slurm task whose node process
     * was killed): an orphan would write into a directory that a retry owns */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (chdir(jobdir) != 0) _exit(127);
    /* the engine fills the machine with jobs: a --network job runs its layers on one process
     * (pecos run --jobs), unless the user's environment says otherwise */
    setenv("PECOS_JOBS", "1", 0);
    if (regress_child_stdio("stdout.txt", "stderr.txt") != 0) _exit(127);
    execv(argv[0], argv);
    fprintf(stderr, "pecos regress: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Writes jobdir/result.json from a wait status. */
static int record_result(const char *jobdir, const char *id, const char *cmd, int status,
                         bool timed_out, double wall, int attempt)
{
    char *buf = NULL, host[256] = "";
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return PECOS_ENOMEM;
    gethostname(host, sizeof host - 1);
    fprintf(f, "{\"id\": ");
    json_str(f, id);
    fprintf(f, ", \"command\": ");
    json_str(f, cmd);
    if (WIFEXITED(status))
        fprintf(f, ", \"exit\": %d, \"signal\": null", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(f, ", \"exit\": null, \"signal\": \"SIG%s\"", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        fprintf(f, ", \"exit\": null, \"signal\": null");
    fprintf(f, ", \"timed_out\": %s, \"wall_seconds\": %.3f, \"attempt\": %d, \"host\": ",
            timed_out ? "true" : "false", wall, attempt);
    json_str(f, host);
    fprintf(f, "}\n");
    fclose(f);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/result.json", jobdir);
    int rc = write_atomic(path, buf, len);
    free(buf);
    return rc == 0 ? 0 : PECOS_EIO;
}

/* argv of a prepared job: the file holds NUL-separated words. Returns a NULL-terminated
 * array whose strings point into *store (both owned by the caller), or NULL. */
static char **load_argv(const char *jobdir, char **store, char *cmd, size_t cmdlen)
{
    char path[PATH_MAX + 16];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/argv", jobdir);
    if (!(*store = regress_slurp(path, 1 << 20, &len)) || len == 0) return NULL;
    int n = 0;
    for (size_t i = 0; i < len; i++) n += (*store)[i] == '\0';
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (!argv) return NULL;
    regress_job_t tmp = {.argv = argv, .argc = n};
    for (size_t i = 0, a = 0; i < len && (int)a < n; a++) {
        argv[a] = *store + i;
        i += strlen(*store + i) + 1;
    }
    regress_job_cmdline(&tmp, cmd, cmdlen);
    return argv;
}

static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    g_stop = sig;
}

int regress_task_run(const char *dir, int index, double timeout_s, int attempt, char *err,
                     size_t errlen)
{
    char path[PATH_MAX], id[512] = "", jobdir[PATH_MAX];
    snprintf(path, sizeof path, "%s/tasks.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot read: %s", path, strerror(errno));
    for (int i = 0; i <= index; i++)
        if (!fgets(id, sizeof id, f)) {
            fclose(f);
            return pecos_fail(err, errlen, PECOS_EPARAM, "%s: no task %d", path, index);
        }
    fclose(f);
    id[strcspn(id, "\n")] = '\0';
    snprintf(jobdir, sizeof jobdir, "%s/jobs/%s", dir, id);
    char *store = NULL, *cmd = malloc(CMD_MAX);
    char **argv = cmd ? load_argv(jobdir, &store, cmd, CMD_MAX) : NULL;
    if (!argv) {
        free(store);
        free(cmd);
        return pecos_fail(err, errlen, PECOS_EIO, "%s/argv: cannot read", jobdir);
    }
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* a task whose Slurm step daemon dies (node failure) must not go on as an orphan */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    double t0 = pecos_now();
    pid_t pid = spawn_job(jobdir, argv);
    int status = 0, rc = 0;
    bool timed_out = false;
    if (pid < 0) {
        rc = pecos_fail(err, errlen, PECOS_EIO, "fork: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            rc = pecos_fail(err, errlen, PECOS_EIO, "waitpid: %s", strerror(errno));
            goto out;
        }
        if (g_stop) {
            /* cancelled: stop the job and leave it without a result */
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            rc = pecos_fail(err, errlen, PECOS_EIO, "task %d (%s) stopped by signal %d", index, id, (int)g_stop);
            goto out;
        }
        if (timeout_s > 0 && pecos_now() - t0 > timeout_s && !timed_out) {
            timed_out = true;
            kill(-pid, SIGKILL);
        }
        regress_sleep(0.02);
    }
    kill(-pid, SIGKILL); /* anything the job left behind in its group */
    if (record_result(jobdir, id, cmd, status, timed_out, pecos_now() - t0, attempt) != 0)
        rc = pecos_fail(err, errlen, PECOS_EIO, "%s/result.json: cannot write", jobdir);
out:
    free(argv);
    free(store);
    free(cmd);
    return rc;
}

/* --- local engine ------------------------------------------------------------------------ */

typedef struct {
    int job;          /* index in s->jobs, -1 = free slot */
    pid_t pid;
    double t0;
    bool timed_out;
} slot_t;

static void fmt_dur(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* The local engine's state across its phases (start, reap, watch, progress). */
typedef struct {
    const regress_spec_t *s;
    const regress_local_opts_t *o;
    char *err;
    size_t errlen;
    int *todo;            /* job indices to run */
    int ntodo, next, done, failed, running, par;
    slot_t *slots;        /* par running-job slots */
    char *cmd;            /* CMD_MAX bytes: a job's command line */
    int rc;
    double t0, last_draw;
} local_run_t;

enum { REAP_ON, REAP_AGAIN, REAP_DONE }; /* what the loop does after lr_reap */

/* Starts jobs into free slots until every slot runs one (or a fork fails). */
static void lr_start(local_run_t *L)
{
    while (!g_stop && L->next < L->ntodo && L->running < L->par) {
        int k = 0;
        while (L->slots[k].job >= 0) k++;
        const regress_job_t *j = &L->s->jobs[L->todo[L->next]];
        char jobdir[PATH_MAX];
        snprintf(jobdir, sizeof jobdir, "%s/jobs/%s", L->o->dir, j->id);
        pid_t pid = spawn_job(jobdir, j->argv);
        if (pid < 0) {
            L->rc = pecos_fail(L->err, L->errlen, PECOS_EIO, "fork: %s", strerror(errno));
            g_stop = SIGTERM;
            break;
        }
        L->slots[k] = (slot_t){.job = L->todo[L->next], .pid = pid, .t0 = pecos_now()};
        L->next++;
        L->running++;
    }
}

/* A finished job of slot k: its result.json and (without a progress line) its log line. */
static void lr_record(local_run_t *L, int k, int status)
{
    const regress_job_t *j = &L->s->jobs[L->slots[k].job];
    char jobdir[PATH_MAX];
    snprintf(jobdir, sizeof jobdir, "%s/jobs/%s", L->o->dir, j->id);
    regress_job_cmdline(j, L->cmd, CMD_MAX);
    if (record_result(jobdir, j->id, L->cmd, status, L->slots[k].timed_out,
                      pecos_now() - L->slots[k].t0, 1) != 0) {
        L->rc = pecos_fail(L->err, L->errlen, PECOS_EIO, "%s/result.json: cannot write", jobdir);
        g_stop = SIGTERM;
        return;
    }
    L->done++;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    L->failed += !ok;
    if (L->o->progress_tty) return;
    char what[64];
    if (L->slots[k].timed_out)
        snprintf(what, sizeof what, "TIMEOUT");
    else if (WIFSIGNALED(status))
        snprintf(what, sizeof what, "SIG%s", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        snprintf(what, sizeof what, "%s", WEXITSTATUS(status) == 0 ? "pass" : WEXITSTATUS(status) == 1 ? "FAIL" : "ERROR");
    fprintf(stderr, "regress: [%d/%d] %-5s %s (%.1f s)\n", L->done, L->ntodo, what, j->id,
            pecos_now() - L->slots[k].t0);
}

/* Reaps one finished child (or sleeps a little when none has finished). */
static int lr_reap(local_run_t *L)
{
    int status;
    pid_t w = waitpid(-1, &status, WNOHANG);
    if (w > 0) {
        int k = 0;
        while (k < L->par && L->slots[k].pid != w) k++;
        if (k == L->par) return REAP_AGAIN; /* not one of ours */
        kill(-w, SIGKILL);
        L->running--;
        /* a job that we stopped (Ctrl-C) keeps no result: --resume runs it again */
        bool stopped_by_us = g_stop && WIFSIGNALED(status) && !L->slots[k].timed_out;
        if (!stopped_by_us) lr_record(L, k, status);
        L->slots[k].job = -1;
        L->slots[k].pid = 0;
    } else if (w < 0 && errno == ECHILD) {
        return REAP_DONE;
    } else {
        regress_sleep(0.05);
    }
    return REAP_ON;
}

/* Timeouts and Ctrl-C: kills the jobs concerned. */
static void lr_watch(local_run_t *L)
{
    for (int k = 0; k < L->par; k++) {
        slot_t *sl = &L->slots[k];
        if (sl->job < 0) continue;
        if (g_stop) {
            kill(-sl->pid, SIGTERM);
        } else if (L->s->timeout_s > 0 && !sl->timed_out && pecos_now() - sl->t0 > L->s->timeout_s) {
            sl->timed_out = true;
            kill(-sl->pid, SIGKILL);
        }
    }
}

/* The progress line on a terminal, redrawn at most every 0.25 s and at the end. */
static void lr_progress(local_run_t *L)
{
    if (!(L->o->progress_tty && (pecos_now() - L->last_draw > 0.25 || L->done == L->ntodo))) return;
    L->last_draw = pecos_now();
    double el = pecos_now() - L->t0;
    char e1[32], e2[32] = "?";
    fmt_dur(el, e1, sizeof e1);
    if (L->done > 0) fmt_dur(el / L->done * (L->ntodo - L->done) / 1.0, e2, sizeof e2);
    fprintf(stderr, "\rregress: %d/%d done, %d failed, %d running, elapsed %s, ETA %s   ", L->done,
            L->ntodo, L->failed, L->running, e1, e2);
}

/* Runs the jobs of L->todo, L->par at a time, until all are done or Ctrl-C. */
static void lr_loop(local_run_t *L)
{
    struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    g_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    L->t0 = pecos_now();
    L->last_draw = 0;
    while (L->done < L->ntodo) {
        lr_start(L);
        if (g_stop && L->running == 0) break;
        int r = lr_reap(L);
        if (r == REAP_AGAIN) continue;
        if (r == REAP_DONE) break;
        lr_watch(L);
        lr_progress(L);
    }
    if (L->o->progress_tty) fprintf(stderr, "\n");
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

int regress_local_run(const regress_spec_t *s, const regress_local_opts_t *o, char *err,
                      size_t errlen)
{
    int n = s->njobs;
    local_run_t L = {.s = s, .o = o, .err = err, .errlen = errlen,
                     .par = o->jobs_parallel > 0 ? o->jobs_parallel : 1};
    L.todo = malloc((size_t)n * sizeof *L.todo);
    L.slots = calloc((size_t)L.par, sizeof *L.slots);
    L.cmd = malloc(CMD_MAX);
    if (!L.todo || !L.slots || !L.cmd) {
        L.rc = PECOS_ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (!o->resume || !regress_has_result(o->dir, &s->jobs[i])) L.todo[L.ntodo++] = i;
    for (int i = 0; i < L.par; i++) L.slots[i].job = -1;
    if (o->resume)
        fprintf(stderr, "regress: %d of %d jobs already have a result; running %d\n", n - L.ntodo, n, L.ntodo);
    lr_loop(&L);
    if (L.rc == 0 && g_stop) {
        fprintf(stderr, "regress: interrupted: %d of %d jobs have a result; run again with --resume for the rest\n",
                n - L.ntodo + L.done, n);
        L.rc = 1;
    }
out:
    free(L.todo);
    free(L.slots);
    free(L.cmd);
    return L.rc;
}
