#define _GNU_SOURCE
#include "simlib.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pecos_err.h"

#ifndef PECOS_SIM_DIR
#define PECOS_SIM_DIR "sim"
#endif

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

int simlib_open(simlib_t *s, const char *dataflow, const char *dtype, int rows, int cols,
                int trace_enable, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    memset(s, 0, sizeof *s);
    simlib_dir(dir, sizeof dir);
    int plen = snprintf(s->path, sizeof s->path, "%s/libpecos_sim_%s_%s_%dx%d.so", dir, dataflow,
                        dtype, rows, cols);
    if (plen < 0 || plen >= (int)sizeof s->path) {
        snprintf(err, errlen, "PECOS_SIM_DIR is too long");
        return PECOS_ENOSIM;
    }
    if (access(s->path, R_OK) != 0) {
        snprintf(err, errlen,
                 "no simulation model for dataflow %s, dtype %s, %dx%d array (%s not found); "
                 "build it with: cmake -B build -DPECOS_VARIANTS='%s_%s_%dx%d;...' && cmake "
                 "--build build",
                 dataflow, dtype, rows, cols, s->path, dataflow, dtype, rows, cols);
        return PECOS_ENOSIM;
    }
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
    if (s->info.abi_version != VSIM_ABI_VERSION || s->info.rows != rows ||
        s->info.cols != cols || strcmp(s->info.dtype, dtype) != 0 ||
        strcmp(s->info.dataflow, dataflow) != 0) {
        snprintf(err, errlen, "%s: library is %s %s %dx%d ABI %u, expected %s %s %dx%d ABI %d",
                 s->path, s->info.dataflow, s->info.dtype, s->info.rows, s->info.cols,
                 s->info.abi_version, dataflow, dtype, rows, cols, VSIM_ABI_VERSION);
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

int simlib_assert_check(const simlib_t *s, const char *what, char *err, size_t errlen)
{
    uint64_t cycle = 0;
    if (!s->v || !s->assert_status || !s->assert_status(s->v, &cycle)) return 0;
    snprintf(err, errlen,
             "%s: RTL assertion failed at cycle %llu (the PECOS_ASSERT line on stdout names it)",
             what, (unsigned long long)cycle);
    return PECOS_ESIM;
}

void simlib_close(simlib_t *s)
{
    if (s->v) s->close(s->v);
    s->v = NULL;
    if (s->handle) dlclose(s->handle);
    s->handle = NULL;
}
