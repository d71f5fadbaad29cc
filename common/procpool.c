#define _GNU_SOURCE
#include "procpool.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The head of the shared mapping; then rc[n], then the results, each 16-byte aligned. */
typedef struct {
    atomic_int next;     /* the next index into order[] */
    atomic_int stop;     /* a unit returned nonzero: no more units are handed out */
} head_t;

static size_t align16(size_t x)
{
    return (x + 15) & ~(size_t)15;
}

int procpool_cpus(void)
{
    const char *e = getenv("PECOS_JOBS");
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == '\0' && v >= 1 && v <= 1024) return (int)v;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The threads of this process (/proc/self/status), or 0 if unknown. */
static int threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    int n = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1) break;
    fclose(f);
    return n;
}

/* A child: takes units until none is left, reports each finished one on fd. */
static void child(const procpool_t *p, head_t *h, int *rc, unsigned char *const *out, int fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* not left running when the parent is killed */
    if (p->child_init) p->child_init(p->ctx);
    while (!atomic_load(&h->stop)) {
        const int k = atomic_fetch_add(&h->next, 1);
        if (k >= p->n) break;
        const int u = p->order[k];
        rc[u] = p->run(p->ctx, u, out[u]);
        if (rc[u] != 0) atomic_store(&h->stop, 1);
        ssize_t w;
        do w = write(fd, &u, sizeof u);
        while (w < 0 && errno == EINTR);
    }
    _exit(0);
}

int procpool_run(const procpool_t *p, procpool_res_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    const int nt = threads();
    if (nt > 1) { /* a child would hold a copy of their locks, and no thread to release them */
        snprintf(err, errlen, "this process has %d threads: a forked worker would get only one",
                 nt);
        return -1;
    }
    const size_t rc_off = align16(sizeof(head_t));
    size_t len = align16(rc_off + sizeof(int) * (size_t)p->n);
    unsigned char **out = calloc((size_t)p->n + 1, sizeof *out);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t *off = calloc((size_t)p->n + 1, sizeof *off);
    if (!off) {
        free(out);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int u = 0; u < p->n; u++) {
        off[u] = len;
        len += align16(p->size[u] ? p->size[u] : 1);
    }
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        free(out);
        free(off);
        snprintf(err, errlen, "cannot map %zu bytes of shared memory: %s", len, strerror(errno));
        return -1;
    }
    head_t *h = map;
    atomic_init(&h->next, 0);
    atomic_init(&h->stop, 0);
    int *rc = (int *)((unsigned char *)map + rc_off);
    for (int u = 0; u < p->n; u++) {
        rc[u] = PROCPOOL_LOST;
        out[u] = (unsigned char *)map + off[u];
    }
    free(off);
    res->map = map;
    res->maplen = len;
    res->out = (const unsigned char **)out;
    res->rc = rc;

    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL); /* nothing buffered is copied into the children */
    const int jobs = p->jobs < 1 ? 1 : p->jobs > p->n ? p->n : p->jobs;
    pid_t *pid = calloc((size_t)jobs + 1, sizeof *pid);
    int started = 0, ret = 0;
    if (!pid) {
        snprintf(err, errlen, "out of memory");
        ret = -1;
    }
    for (; ret == 0 && started < jobs; started++) {
        pid[started] = fork();
        if (pid[started] == 0) {
            close(fds[0]);
            child(p, h, rc, out, fds[1]);
        }
        if (pid[started] < 0) {
            snprintf(err, errlen, "fork: %s", strerror(errno));
            ret = -1;
        }
    }
    close(fds[1]);
    /* The parent: each finished unit, until every child has closed its end. */
    int done = 0, u;
    for (;;) {
        const ssize_t r = read(fds[0], &u, sizeof u);
        if (r < 0 && errno == EINTR) continue;
        if (r != (ssize_t)sizeof u) break;
        done++;
        if (p->done && u >= 0 && u < p->n) p->done(p->ctx, u, out[u], done);
    }
    close(fds[0]);
    for (int j = 0; j < started; j++) {
        if (pid[j] <= 0) continue;
        int st;
        while (waitpid(pid[j], &st, 0) < 0 && errno == EINTR) {
        }
        if (ret == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            if (WIFSIGNALED(st))
                snprintf(err, errlen, "a worker process was killed by signal %d", WTERMSIG(st));
            else
                snprintf(err, errlen, "a worker process ended with status %d",
                         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            ret = -1;
        }
    }
    free(pid);
    if (ret == 0 && done < p->n && !atomic_load(&h->stop)) {
        snprintf(err, errlen, "%d of %d units did not finish", p->n - done, p->n);
        ret = -1;
    }
    return ret;
}

void procpool_free(procpool_res_t *res)
{
    if (res->map) munmap(res->map, res->maplen);
    free(res->out);
    memset(res, 0, sizeof *res);
}
