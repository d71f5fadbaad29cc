#define _GNU_SOURCE
#include "simlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pecos_err.h"

struct simlib {
    void *handle;        /* dlopen handle */
    vsim_t *v;           /* the model */
    vsim_info_t info;    /* what the library says it is */
    pecos_dtype_t dtype; /* info.dtype, parsed */
    char path[1024];     /* the library loaded */
    const simlib_observer_t *obs; /* or NULL */
    uint8_t last_out_valid; /* out_valid of the last step (0 after a reset) */
    void *obs_ctx;
    /* the library's functions (sim/vsim.h) */
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
};

#ifndef PECOS_SIM_DIR
#define PECOS_SIM_DIR "sim"
#endif
#ifndef PECOS_SRC_DIR
#define PECOS_SRC_DIR ""
#endif
#ifndef PECOS_CMAKE
#define PECOS_CMAKE "cmake"
#endif

/* True if s can go between single quotes in a shell command. */
static int shell_safe(const char *s)
{
    return strchr(s, '\'') == NULL && strchr(s, '\n') == NULL;
}

int simlib_build(const char *dir, const char *name, const char *lib, const char *missing,
                 FILE *progress, char *err, size_t errlen)
{
    const char *off = getenv("PECOS_NO_BUILD");
    if (off && *off) {
        snprintf(err, errlen, "%s", missing);
        return PECOS_ENOSIM;
    }
    char proj[PATH_MAX], bdir[PATH_MAX], lock[PATH_MAX];
    if (snprintf(proj, sizeof proj, "%s/sim/ondemand", PECOS_SRC_DIR) >= (int)sizeof proj ||
        snprintf(bdir, sizeof bdir, "%s/ondemand/%s", dir, name) >= (int)sizeof bdir ||
        snprintf(lock, sizeof lock, "%s/ondemand/%s.lock", dir, name) >= (int)sizeof lock) {
        snprintf(err, errlen, "%s; the library directory %s is too long to build it in", missing,
                 dir);
        return PECOS_ENOSIM;
    }
    if (PECOS_SRC_DIR[0] == '\0' || access(proj, R_OK) != 0) {
        snprintf(err, errlen, "%s; cannot build it here: the source tree %s is not there", missing,
                 PECOS_SRC_DIR);
        return PECOS_ENOSIM;
    }
    if (!shell_safe(dir) || !shell_safe(PECOS_SRC_DIR) || !shell_safe(PECOS_CMAKE)) {
        snprintf(err, errlen, "%s; cannot build it: a path contains a quote", missing);
        return PECOS_ENOSIM;
    }
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/ondemand", dir);
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(sub, 0777) != 0 && errno != EEXIST)) {
        snprintf(err, errlen, "%s; cannot create %s: %s", missing, sub, strerror(errno));
        return PECOS_ENOSIM;
    }
    /* One build per library: a concurrent run waits here, then finds the library. */
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0 || lockf(fd, F_LOCK, 0) != 0) {
        snprintf(err, errlen, "%s; cannot lock %s: %s", missing, lock, strerror(errno));
        if (fd >= 0) close(fd);
        return PECOS_ENOSIM;
    }
    int rc = 0;
    if (access(lib, R_OK) != 0) {
        char to[32] = ">/dev/null"; /* where the build's output goes */
        if (progress) {
            fprintf(progress,
                    "pecos: %s is not built yet: building it now (once, kept in %s; --no-build "
                    "turns this off)\n",
                    name, dir);
            fflush(progress);
            snprintf(to, sizeof to, "1>&%d", fileno(progress));
        }
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        if (ncpu < 1) ncpu = 1;
        char cmd[4 * PATH_MAX + 512];
        int n = snprintf(cmd, sizeof cmd,
                         "CCACHE_BASEDIR=\"${CCACHE_BASEDIR:-%s}\" && export CCACHE_BASEDIR && "
                         "'%s' -S '%s' -B '%s' -DPECOS_SRC_DIR='%s' -DPECOS_SIM_DIR='%s' "
                         "-DPECOS_ONDEMAND='%s' -DCMAKE_BUILD_TYPE=Release %s && "
                         "'%s' --build '%s' -j %ld %s",
                         PECOS_SRC_DIR, PECOS_CMAKE, proj, bdir, PECOS_SRC_DIR, dir, name, to,
                         PECOS_CMAKE, bdir, ncpu, to);
        if (n < 0 || n >= (int)sizeof cmd) {
            snprintf(err, errlen, "%s; the build command is too long", missing);
            rc = PECOS_ENOSIM;
        } else {
            int st = system(cmd);
            if (st != 0 || access(lib, R_OK) != 0) {
                snprintf(err, errlen, "%s; building it failed (status %d, see the output above)",
                         missing, st);
                rc = PECOS_ENOSIM;
            } else if (progress) {
                fprintf(progress, "pecos: built %s\n", lib);
            }
        }
    }
    close(fd); /* releases the lock */
    return rc;
}

void simlib_dir(char *dir, size_t len)
{
    const char *env = getenv("PECOS_SIM_DIR");
    if (env && *env) {
        snprintf(dir, len, "%s", env);
        return;
    }
    if (access(PECOS_SIM_DIR, R_OK) == 0) {
        snprintf(dir, len, "%s", PECOS_SIM_DIR);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        if (snprintf(dir, len, "%s/sim", exe) < (int)len) return;
    }
    snprintf(dir, len, "%s", PECOS_SIM_DIR);
}

#define LOAD_SYM(field, name)                                                                  \
    do {                                                                                       \
        *(void **)(&s->field) = dlsym(s->handle, name);                                        \
        if (!s->field) {                                                                       \
            snprintf(err, errlen, "%s: missing symbol %s", s->path, name);                     \
            goto out_close;                                                                    \
        }                                                                                      \
    } while (0)

/* Loads the library at s->path and its symbols, opens the model and checks that it is the
 * variant asked for. Returns 0 or PECOS_ENOSIM (reason in err; the library unloaded). */
static int load_variant(simlib_t *s, pecos_df_t df, pecos_dtype_t dtype, int rows, int cols,
                        int trace_enable, char *err, size_t errlen)
{
    const char *array = pecos_df_array(df), *dt = pecos_dtype_name(dtype);
    s->handle = dlopen(s->path, RTLD_NOW | RTLD_LOCAL);
    if (!s->handle) {
        snprintf(err, errlen, "cannot load %s: %s", s->path, dlerror());
        return PECOS_ENOSIM;
    }
    LOAD_SYM(open, "vsim_open");
    LOAD_SYM(get_info, "vsim_info");
    LOAD_SYM(reset, "vsim_reset");
    LOAD_SYM(step, "vsim_step");
    LOAD_SYM(cycle, "vsim_cycle");
    LOAD_SYM(counters, "vsim_counters");
    LOAD_SYM(trace_open, "vsim_trace_open");
    LOAD_SYM(trace_close, "vsim_trace_close");
    LOAD_SYM(close, "vsim_close");
    *(void **)(&s->assert_status) = dlsym(s->handle, "vsim_assert_status"); /* optional */
    s->v = s->open(trace_enable);
    if (!s->v) {
        snprintf(err, errlen, "%s: vsim_open failed", s->path);
        goto out_close;
    }
    s->get_info(s->v, &s->info);
    pecos_df_t got_df = DF_N;
    s->dtype = PECOS_DTYPE_N;
    if (s->info.dtype) pecos_dtype_parse(s->info.dtype, &s->dtype);
    if (s->info.dataflow) pecos_df_parse(s->info.dataflow, &got_df);
    if (s->info.abi_version != VSIM_ABI_VERSION || s->info.rows != rows ||
        s->info.cols != cols || s->dtype != dtype || got_df != (df == DF_OS ? DF_OS : DF_WS)) {
        snprintf(err, errlen, "%s: library is %s %s %dx%d ABI %u, expected %s %s %dx%d ABI %d",
                 s->path, s->info.dataflow, s->info.dtype, s->info.rows, s->info.cols,
                 s->info.abi_version, array, dt, rows, cols, VSIM_ABI_VERSION);
        goto out_model;
    }
    return 0;

out_model:
    s->close(s->v);
    s->v = NULL;
out_close:
    dlclose(s->handle);
    s->handle = NULL;
    return PECOS_ENOSIM;
}

/* simlib_open() of the flavour "" (the plain model) or "sc_" (verilated with --sc, see
 * simlib_open_sc()). */
static int open_flavour(simlib_t **out, const char *flavour, pecos_df_t df, pecos_dtype_t dtype,
                        int rows, int cols, int trace_enable, FILE *progress, char *err,
                        size_t errlen)
{
    const char *array = pecos_df_array(df), *dt = pecos_dtype_name(dtype);
    char dir[PATH_MAX];
    *out = NULL;
    simlib_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return PECOS_ENOMEM;
    }
    simlib_dir(dir, sizeof dir);
    const char *twin = trace_enable ? "_trace" : "";
    char name[96];
    snprintf(name, sizeof name, "%s%s_%s_%dx%d%s", flavour, array, dt, rows, cols, twin);
    int rc = PECOS_ENOSIM;
    int plen = snprintf(s->path, sizeof s->path, "%s/libpecos_sim_%s.so", dir, name);
    if (plen < 0 || plen >= (int)sizeof s->path) {
        snprintf(err, errlen, "PECOS_SIM_DIR is too long");
        goto out_free;
    }
    if (access(s->path, R_OK) != 0) {
        char missing[1400];
        snprintf(missing, sizeof missing,
                 "no simulation model for dataflow %s, dtype %s, %dx%d array%s (%s not found); "
                 "build it with: cmake -B build -DPECOS_VARIANTS='%s;...' && cmake --build build",
                 array, dt, rows, cols, trace_enable ? " with tracing" : "", s->path, name);
        rc = simlib_build(dir, name, s->path, missing, progress, err, errlen);
        if (rc != 0) goto out_free;
    }
    rc = load_variant(s, df, dtype, rows, cols, trace_enable, err, errlen);
    if (rc != 0) goto out_free;
    *out = s;
    return 0;

out_free:
    free(s);
    return rc;
}

int simlib_open(simlib_t **out, pecos_df_t df, pecos_dtype_t dtype, int rows, int cols,
                int trace_enable, FILE *progress, char *err, size_t errlen)
{
    return open_flavour(out, "", df, dtype, rows, cols, trace_enable, progress, err, errlen);
}

int simlib_open_sc(simlib_t **out, pecos_df_t df, pecos_dtype_t dtype, int rows, int cols,
                   void *clk, FILE *progress, char *err, size_t errlen)
{
    int rc = open_flavour(out, "sc_", df, dtype, rows, cols, 0, progress, err, errlen);
    if (rc != 0) return rc;
    simlib_t *s = *out;
    int (*bind)(vsim_t *, void *);
    *(void **)(&bind) = dlsym(s->handle, "vsim_sc_bind");
    if (!bind || bind(s->v, clk) != 0) {
        snprintf(err, errlen, "%s: %s", s->path,
                 bind ? "vsim_sc_bind failed" : "missing symbol vsim_sc_bind");
        simlib_close(s);
        *out = NULL;
        return PECOS_ENOSIM;
    }
    return 0;
}

const vsim_info_t *simlib_info(const simlib_t *s) { return &s->info; }
pecos_dtype_t simlib_dtype(const simlib_t *s) { return s->dtype; }
const char *simlib_path(const simlib_t *s) { return s->path; }
bool simlib_has_asserts(const simlib_t *s) { return s->assert_status != NULL; }

void simlib_reset(simlib_t *s)
{
    s->reset(s->v);
    s->last_out_valid = 0;
    if (s->obs && s->obs->reset) s->obs->reset(s->obs_ctx);
}

void simlib_step(simlib_t *s, const vsim_in_t *in, vsim_out_t *out)
{
    s->step(s->v, in, out);
    s->last_out_valid = out->out_valid;
    if (s->obs && s->obs->step) s->obs->step(s->obs_ctx, in, out);
}

uint8_t simlib_last_out_valid(const simlib_t *s) { return s->last_out_valid; }

uint64_t simlib_cycle(const simlib_t *s) { return s->cycle(s->v); }
void simlib_counters(const simlib_t *s, vsim_counters_t *c) { s->counters(s->v, c); }

int simlib_trace_open(simlib_t *s, const char *path, uint64_t from, uint64_t to)
{
    return s->trace_open(s->v, path, from, to);
}

void simlib_trace_close(simlib_t *s) { s->trace_close(s->v); }

int simlib_assert_status(const simlib_t *s, uint64_t *cycle)
{
    return s->v && s->assert_status ? s->assert_status(s->v, cycle) : 0;
}

void simlib_observe(simlib_t *s, const simlib_observer_t *obs, void *ctx)
{
    s->obs = obs;
    s->obs_ctx = obs ? ctx : NULL;
}

const simlib_observer_t *simlib_observer(const simlib_t *s, void **ctx)
{
    if (ctx) *ctx = s->obs_ctx;
    return s->obs;
}

int simlib_assert_check(const simlib_t *s, const char *what, char *err, size_t errlen)
{
    uint64_t cycle = 0;
    if (!simlib_assert_status(s, &cycle)) return 0;
    snprintf(err, errlen,
             "%s: RTL assertion failed at cycle %llu (the PECOS_ASSERT line on stdout names it)",
             what, (unsigned long long)cycle);
    return PECOS_ESIM;
}

void simlib_close(simlib_t *s)
{
    if (!s) return;
    if (s->v) s->close(s->v);
    if (s->handle) dlclose(s->handle);
    free(s);
}
