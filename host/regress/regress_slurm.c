/* regress_slurm.c - the Slurm engine of `pecos regress`: one sbatch --array (one task per
 * job), followed with squeue, task states read with scontrol (no accounting database), one
 * resubmission of the tasks that failed for infrastructure reasons.
 *
 * A task runs `pecos regress --task DIR INDEX`: the same runner and result record as the
 * local engine, so both engines give the same results job by job.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pecos_err.h"
#include "pecos_time.h"
#include "regress.h"


static volatile sig_atomic_t g_stop;
static void on_stop(int sig)
{
    g_stop = sig;
}

/* Runs argv (PATH lookup) with stdout into outpath and stderr into errpath, killing it after
 * timeout_s. Returns its exit status (0..255), or -1 (could not run, killed, timed out). */
static int run_cmd(char *const *argv, const char *outpath, const char *errpath, double timeout_s)
{
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (regress_child_stdio(outpath, errpath) != 0) _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    double t0 = pecos_now();
    int st;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return -1;
        if (pecos_now() - t0 > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        regress_sleep(0.02);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* First line of a file, for messages. */
static void first_line(const char *path, char *buf, size_t len)
{
    char *t = regress_slurp(path, 4096, NULL);
    snprintf(buf, len, "%s", t ? t : "");
    buf[strcspn(buf, "\n")] = '\0';
    free(t);
}

/* Shell-quotes w into f. */
static void sh_quote(FILE *f, const char *w)
{
    fputc('\'', f);
    for (; *w; w++)
        if (*w == '\'')
            fputs("'\\''", f);
        else
            fputc(*w, f);
    fputc('\'', f);
}

/* The --array list of tasks: ranges of consecutive indices, "0-3,7,9-10". */
static char *array_spec(const int *idx, int n, int max_parallel)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1) j++;
        fprintf(f, "%s%d", i ? "," : "", idx[i]);
        if (j > i) fprintf(f, "-%d", idx[j]);
        i = j + 1;
    }
    if (max_parallel > 0) fprintf(f, "%%%d", max_parallel);
    fclose(f);
    return buf;
}

static bool infra_state(const char *st)
{
    return strcmp(st, "NODE_FAIL") == 0 || strcmp(st, "PREEMPTED") == 0 ||
           strcmp(st, "TIMEOUT") == 0 || strcmp(st, "BOOT_FAIL") == 0 ||
           strcmp(st, "DEADLINE") == 0;
}

/* Reads KEY=VALUE from a `scontrol -o` line (value up to the next space). */
static bool field(const char *line, const char *key, char *out, size_t len)
{
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl) {
        if ((p == line || p[-1] == ' ') && p[kl] == '=') {
            p += kl + 1;
            size_t n = strcspn(p, " \n");
            if (n >= len) n = len - 1;
            memcpy(out, p, n);
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

typedef struct {
    const regress_spec_t *s;
    const regress_slurm_opts_t *o;
    char sdir[PATH_MAX];    /* DIR/slurm */
    char *err;
    size_t errlen;
} sctx_t;

/* Submits the jobs idx[n] as attempt `attempt`, chunk jobs per array task (task t runs the
 * jobs on line t of DIR/slurm/tasks_aN.txt); writes the Slurm job id into jobid and the
 * number of tasks into *ntasks. */
static int submit(sctx_t *c, const int *idx, int n, int attempt, char *jobid, size_t idlen,
                  int *ntasks)
{
    char script[PATH_MAX + 32], out[PATH_MAX + 32], errp[PATH_MAX + 32], logs[PATH_MAX + 64],
        tfile[PATH_MAX + 32];
    int chunk = c->o->chunk > 0 ? c->o->chunk : 1;
    *ntasks = (n + chunk - 1) / chunk;
    snprintf(tfile, sizeof tfile, "%s/tasks_a%d.txt", c->sdir, attempt);
    FILE *f = fopen(tfile, "w");
    if (!f) return pecos_fail(c->err, c->errlen, PECOS_EIO, "%s: cannot write: %s", tfile, strerror(errno));
    for (int t = 0; t < *ntasks; t++)
        for (int i = t * chunk; i < n && i < (t + 1) * chunk; i++)
            fprintf(f, "%d%c", idx[i], i + 1 == n || i + 1 == (t + 1) * chunk ? '\n' : ' ');
    if (fclose(f) != 0) return pecos_fail(c->err, c->errlen, PECOS_EIO, "%s: cannot write", tfile);
    snprintf(script, sizeof script, "%s/task_a%d.sh", c->sdir, attempt);
    f = fopen(script, "w");
    if (!f) return pecos_fail(c->err, c->errlen, PECOS_EIO, "%s: cannot write: %s", script, strerror(errno));
    fprintf(f, "#!/bin/sh\n# pecos regress: Slurm array task (attempt %d) of spec %s\nexec ", attempt, c->s->name);
    sh_quote(f, c->o->pecos);
    fputs(" regress --task ", f);
    sh_quote(f, c->o->dir);
    fprintf(f, " \"$SLURM_ARRAY_TASK_ID\" --attempt %d --task-file ", attempt);
    sh_quote(f, tfile);
    if (c->s->timeout_s > 0) fprintf(f, " --job-timeout %g", c->s->timeout_s);
    fputc('\n', f);
    if (fclose(f) != 0 || chmod(script, 0755) != 0)
        return pecos_fail(c->err, c->errlen, PECOS_EIO, "%s: cannot write: %s", script, strerror(errno));

    int *tix = malloc((size_t)*ntasks * sizeof *tix);
    if (!tix) return PECOS_ENOMEM;
    for (int t = 0; t < *ntasks; t++) tix[t] = t;
    char *arr = array_spec(tix, *ntasks, c->o->max_parallel);
    free(tix);
    if (!arr) return PECOS_ENOMEM;
    char a_name[REGRESS_NAME_MAX + 32], a_part[256], a_time[128], a_acct[256],
        a_chdir[PATH_MAX + 16];
    char *a_arr_full = malloc(strlen(arr) + 16);
    if (!a_arr_full) {
        free(arr);
        return PECOS_ENOMEM;
    }
    sprintf(a_arr_full, "--array=%s", arr);
    snprintf(a_name, sizeof a_name, "--job-name=pecos-%s", c->s->name);
    snprintf(logs, sizeof logs, "--output=%s/a%d_%%A_%%a.out", c->sdir, attempt);
    snprintf(a_chdir, sizeof a_chdir, "--chdir=%s", c->o->dir);
    char *argv[16];
    int k = 0;
    argv[k++] = (char *)"sbatch";
    argv[k++] = (char *)"--parsable";
    argv[k++] = (char *)"--no-requeue"; /* the retry policy is ours, and reported */
    argv[k++] = a_arr_full;
    argv[k++] = a_name;
    argv[k++] = logs;
    argv[k++] = a_chdir;
    if (c->o->partition) {
        snprintf(a_part, sizeof a_part, "--partition=%s", c->o->partition);
        argv[k++] = a_part;
    }
    if (c->o->time_limit) {
        snprintf(a_time, sizeof a_time, "--time=%s", c->o->time_limit);
        argv[k++] = a_time;
    }
    if (c->o->account) {
        snprintf(a_acct, sizeof a_acct, "--account=%s", c->o->account);
        argv[k++] = a_acct;
    }
    argv[k++] = script;
    argv[k] = NULL;
    snprintf(out, sizeof out, "%s/sbatch_a%d.out", c->sdir, attempt);
    snprintf(errp, sizeof errp, "%s/sbatch_a%d.err", c->sdir, attempt);
    int st = run_cmd(argv, out, errp, 120);
    free(arr);
    free(a_arr_full);
    if (st != 0) {
        char why[512];
        first_line(errp, why, sizeof why);
        return pecos_fail(c->err, c->errlen, PECOS_EIO, "sbatch failed (exit %d): %s", st, why);
    }
    first_line(out, jobid, idlen);
    jobid[strcspn(jobid, ";")] = '\0';
    if (!jobid[0] || strspn(jobid, "0123456789") != strlen(jobid))
        return pecos_fail(c->err, c->errlen, PECOS_EIO, "sbatch printed no job id (%s)", out);
    fprintf(stderr, "regress: submitted Slurm job %s: %d task%s (attempt %d)\n", jobid, *ntasks,
            *ntasks == 1 ? "" : "s", attempt);
    return 0;
}

/* Follows the array with squeue until no task of it is queued or running. Returns 0, 1 when
 * interrupted (the array is cancelled) or PECOS_EIO. */
static int follow(sctx_t *c, const char *jobid, int n)
{
    char out[PATH_MAX + 32], errp[PATH_MAX + 32], line[256];
    snprintf(out, sizeof out, "%s/squeue.out", c->sdir);
    snprintf(errp, sizeof errp, "%s/squeue.err", c->sdir);
    /* -r: one line per array task (a pending array is otherwise one line) */
    char *argv[] = {(char *)"squeue", (char *)"-h", (char *)"-r", (char *)"-j", (char *)jobid,
                    (char *)"-o", (char *)"%T", NULL};
    int bad = 0;
    double t0 = pecos_now(), last = 0;
    for (;;) {
        if (g_stop) {
            char *cancel[] = {(char *)"scancel", (char *)jobid, NULL};
            run_cmd(cancel, out, errp, 60);
            if (c->o->progress_tty) fputc('\n', stderr);
            fprintf(stderr, "regress: interrupted: cancelled Slurm job %s; run again with --resume for the jobs without a result\n", jobid);
            return 1;
        }
        int st = run_cmd(argv, out, errp, 60);
        if (st != 0) {
            first_line(errp, line, sizeof line);
            /* a job that left the controller's memory is done too */
            if (strstr(line, "Invalid job id")) break;
            if (++bad >= 10)
                return pecos_fail(c->err, c->errlen, PECOS_EIO, "squeue failed 10 times in a row: %s", line);
        } else {
            bad = 0;
            FILE *f = fopen(out, "r");
            int pend = 0, run = 0, other = 0;
            while (f && fgets(line, sizeof line, f)) {
                if (strncmp(line, "PENDING", 7) == 0)
                    pend++;
                else if (strncmp(line, "RUNNING", 7) == 0 || strncmp(line, "CONFIGURING", 11) == 0)
                    run++;
                else if (line[0] != '\n')
                    other++;
            }
            if (f) fclose(f);
            if (pend + run + other == 0) break;
            if (pecos_now() - last > (c->o->progress_tty ? 0.5 : 10.0)) {
                last = pecos_now();
                int done = n - pend - run - other;
                long el = (long)(pecos_now() - t0), eta = done > 0 ? (long)((double)el / done * (n - done)) : -1;
                char etas[32] = "?";
                if (eta >= 0) snprintf(etas, sizeof etas, "%ld:%02ld", eta / 60, eta % 60);
                fprintf(stderr, "%sregress: Slurm job %s: %d/%d done, %d running, %d pending, elapsed %ld:%02ld, ETA %s%s",
                        c->o->progress_tty ? "\r" : "", jobid, done < 0 ? 0 : done, n, run, pend + other,
                        el / 60, el % 60, etas, c->o->progress_tty ? "   " : "\n");
            }
        }
        regress_sleep(c->o->poll_s > 0 ? c->o->poll_s : 1.0);
    }
    if (c->o->progress_tty) fputc('\n', stderr);
    return 0;
}

/* Reads every task's state of jobid into states[task index] ("" = not reported). */
static int task_states(sctx_t *c, const char *jobid, char (*states)[64], char (*reasons)[128], int n)
{
    char out[PATH_MAX + 32], errp[PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/scontrol_%s.out", c->sdir, jobid);
    snprintf(errp, sizeof errp, "%s/scontrol_%s.err", c->sdir, jobid);
    char *argv[] = {(char *)"scontrol", (char *)"-o", (char *)"show", (char *)"job", (char *)jobid, NULL};
    for (int i = 0; i < n; i++) states[i][0] = reasons[i][0] = '\0';
    if (run_cmd(argv, out, errp, 60) != 0) {
        char why[256];
        first_line(errp, why, sizeof why);
        fprintf(stderr, "regress: scontrol show job %s failed: %s\n", jobid, why);
        return 0; /* the tasks without a state are reported as such */
    }
    FILE *f = fopen(out, "r");
    if (!f) return 0;
    size_t cap = 0;
    char *line = NULL;
    while (getline(&line, &cap, f) > 0) {
        char tid[64], st[64], reason[96] = "", ec[32] = "";
        if (!field(line, "ArrayTaskId", tid, sizeof tid) || !field(line, "JobState", st, sizeof st)) continue;
        if (strspn(tid, "0123456789") != strlen(tid)) continue; /* a range of pending tasks */
        int t = atoi(tid);
        if (t < 0 || t >= n) continue;
        field(line, "Reason", reason, sizeof reason);
        field(line, "ExitCode", ec, sizeof ec);
        snprintf(states[t], 64, "%s", st);
        snprintf(reasons[t], 128, "reason %s, exit code %s", reason, ec);
    }
    free(line);
    fclose(f);
    return 0;
}

int regress_slurm_run(const regress_spec_t *s, const regress_slurm_opts_t *o,
                      regress_jobrun_t *runs, char *err, size_t errlen)
{
    sctx_t c = {.s = s, .o = o, .err = err, .errlen = errlen};
    int n = s->njobs, rc = 0, ntodo = 0, nretry = 0;
    snprintf(c.sdir, sizeof c.sdir, "%s/slurm", o->dir);
    if (mkdir(c.sdir, 0777) != 0 && errno != EEXIST)
        return pecos_fail(err, errlen, PECOS_EIO, "%s: cannot create: %s", c.sdir, strerror(errno));
    int *todo = malloc((size_t)n * sizeof *todo), *retry = malloc((size_t)n * sizeof *retry);
    char(*states)[64] = calloc((size_t)n, sizeof *states);
    char(*reasons)[128] = calloc((size_t)n, sizeof *reasons);
    if (!todo || !retry || !states || !reasons) {
        rc = PECOS_ENOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        runs[i] = (regress_jobrun_t){.attempts = 0};
        if (!o->resume || !regress_has_result(o->dir, &s->jobs[i])) todo[ntodo++] = i;
    }
    if (o->resume)
        fprintf(stderr, "regress: %d of %d jobs already have a result; submitting %d\n", n - ntodo, n, ntodo);
    struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    g_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    for (int attempt = 1; attempt <= 2 && ntodo > 0; attempt++) {
        char jobid[64];
        int ntasks, chunk = o->chunk > 0 ? o->chunk : 1;
        if ((rc = submit(&c, todo, ntodo, attempt, jobid, sizeof jobid, &ntasks)) != 0) break;
        for (int i = 0; i < ntodo; i++) runs[todo[i]].attempts = attempt;
        if ((rc = follow(&c, jobid, ntasks)) != 0) break;
        task_states(&c, jobid, states, reasons, ntasks);
        nretry = 0;
        for (int i = 0; i < ntodo; i++) {
            int t = todo[i], task = i / chunk; /* job t ran in array task `task` */
            const char *st = states[task];
            regress_jobrun_t *r = &runs[t];
            if (infra_state(st) && attempt == 1) {
                snprintf(r->retried, sizeof r->retried, "%s", st);
                retry[nretry++] = t;
                /* whatever the failed attempt left is not a result */
                char p[PATH_MAX + 64];
                snprintf(p, sizeof p, "%s/jobs/%s/result.json", o->dir, s->jobs[t].id);
                unlink(p);
                fprintf(stderr, "regress: task %d (%s): Slurm says %s (%s); resubmitting it once\n", task,
                        s->jobs[t].id, st, reasons[task]);
            } else if (infra_state(st)) {
                snprintf(r->engine_error, sizeof r->engine_error,
                         "Slurm task %s again after a resubmission for %s (%s)", st, r->retried, reasons[task]);
            } else if (strcmp(st, "COMPLETED") == 0) {
                if (!regress_has_result(o->dir, &s->jobs[t]))
                    snprintf(r->engine_error, sizeof r->engine_error,
                             "Slurm says COMPLETED but the task left no result (see slurm/a%d_%s_%d.out)",
                             attempt, jobid, task);
            } else {
                snprintf(r->engine_error, sizeof r->engine_error, "Slurm task %s (%s)",
                         st[0] ? st : "state unknown (scontrol does not report it)", reasons[task]);
            }
        }
        memcpy(todo, retry, (size_t)nretry * sizeof *todo);
        ntodo = nretry;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
out:
    free(todo);
    free(retry);
    free(states);
    free(reasons);
    return rc;
}
