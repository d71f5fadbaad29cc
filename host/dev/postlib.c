#define _GNU_SOURCE
#include "postlib.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pecos_err.h"
#include "simlib.h"

struct postlib {
    void *handle;    /* dlopen handle */
    vpost_t *v;      /* the model */
    int lanes;       /* what the library says */
    int latency;     /* LAT: steps from a window's last beat to its result */
    char path[1024]; /* the library loaded */
    /* the library's functions (sim/vpost.h) */
    vpost_t *(*open)(const char *fst_path_or_null);
    int (*abi_version)(void);
    int (*get_lanes)(void);
    int (*get_latency)(void);
    void (*reset)(vpost_t *);
    void (*config)(vpost_t *, const vpost_cfg_t *);
    void (*step)(vpost_t *, bool valid, bool first, bool last, int count, const int32_t *acc,
                 const int32_t *bias, bool *out_valid, int8_t *out);
    uint64_t (*cycle)(const vpost_t *);
    void (*close)(vpost_t *);
    int (*assert_status)(const vpost_t *, uint64_t *); /* NULL: no assertions in the library */
    const postlib_observer_t *obs;                     /* or NULL */
    void *obs_ctx;
};

#define LOAD_SYM(field, name)                                                                  \
    do {                                                                                       \
        *(void **)(&p->field) = dlsym(p->handle, name);                                        \
        if (!p->field) {                                                                       \
            snprintf(err, errlen, "%s: missing symbol %s", p->path, name);                     \
            goto out_close;                                                                    \
        }                                                                                      \
    } while (0)

/* Loads p->path (lanes lanes) and its symbols and opens the model. Returns 0 or PECOS_ENOSIM
 * (reason in err; the library unloaded). */
static int load_unit(postlib_t *p, int lanes, const char *fst_path, char *err, size_t errlen)
{
    p->handle = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
    if (!p->handle) {
        snprintf(err, errlen, "cannot load %s: %s", p->path, dlerror());
        return PECOS_ENOSIM;
    }
    LOAD_SYM(open, "vpost_open");
    LOAD_SYM(abi_version, "vpost_abi_version");
    LOAD_SYM(get_lanes, "vpost_lanes");
    LOAD_SYM(get_latency, "vpost_latency");
    LOAD_SYM(reset, "vpost_reset");
    LOAD_SYM(config, "vpost_config");
    LOAD_SYM(step, "vpost_step");
    LOAD_SYM(cycle, "vpost_cycle");
    LOAD_SYM(close, "vpost_close");
    *(void **)(&p->assert_status) = dlsym(p->handle, "vpost_assert_status"); /* optional */
    p->lanes = p->get_lanes();
    p->latency = p->get_latency();
    if (p->abi_version() != VPOST_ABI_VERSION || p->lanes != lanes) {
        snprintf(err, errlen, "%s: library has %d lanes ABI %d, expected %d lanes ABI %d",
                 p->path, p->lanes, p->abi_version(), lanes, VPOST_ABI_VERSION);
        goto out_close;
    }
    p->v = p->open(fst_path);
    if (!p->v) {
        snprintf(err, errlen, "%s: vpost_open failed%s%s", p->path,
                 fst_path ? ", cannot write " : "", fst_path ? fst_path : "");
        goto out_close;
    }
    return 0;

out_close:
    dlclose(p->handle);
    p->handle = NULL;
    return PECOS_ENOSIM;
}

/* postlib_open() of the flavour "" (the plain model) or "sc_" (postlib_open_sc()). */
static int open_flavour(postlib_t **out, const char *flavour, int lanes, const char *fst_path,
                        FILE *progress, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    *out = NULL;
    if (lanes < 1 || lanes > 256) {
        snprintf(err, errlen, "post-processing lanes %d: must be 1..256", lanes);
        return PECOS_ENOSIM;
    }
    postlib_t *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return PECOS_ENOMEM;
    }
    simlib_dir(dir, sizeof dir);
    int plen = snprintf(p->path, sizeof p->path, "%s/libpecos_post_%sL%d.so", dir, flavour,
                        lanes);
    if (plen < 0 || plen >= (int)sizeof p->path) {
        snprintf(err, errlen, "PECOS_SIM_DIR is too long");
        goto out_free;
    }
    if (access(p->path, R_OK) != 0) {
        char missing[1400], name[32];
        snprintf(missing, sizeof missing,
                 "no post-processing model for %d lanes (%s not found); build it with: cmake "
                 "-B build -DPECOS_POST_LANES=%d && cmake --build build --target pecos_post_%sL%d",
                 lanes, p->path, lanes, flavour, lanes);
        snprintf(name, sizeof name, "post_%sL%d", flavour, lanes);
        int rc = simlib_build(dir, name, p->path, missing, progress, err, errlen);
        if (rc != 0) {
            free(p);
            return rc;
        }
    }
    if (load_unit(p, lanes, fst_path, err, errlen) != 0) goto out_free;
    *out = p;
    return 0;

out_free:
    free(p);
    return PECOS_ENOSIM;
}

int postlib_open(postlib_t **out, int lanes, const char *fst_path, FILE *progress, char *err,
                 size_t errlen)
{
    return open_flavour(out, "", lanes, fst_path, progress, err, errlen);
}

int postlib_open_sc(postlib_t **out, int lanes, void *clk, FILE *progress, char *err,
                    size_t errlen)
{
    int rc = open_flavour(out, "sc_", lanes, NULL, progress, err, errlen);
    if (rc != 0) return rc;
    postlib_t *p = *out;
    int (*bind)(vpost_t *, void *);
    *(void **)(&bind) = dlsym(p->handle, "vpost_sc_bind");
    if (!bind || bind(p->v, clk) != 0) {
        snprintf(err, errlen, "%s: %s", p->path,
                 bind ? "vpost_sc_bind failed" : "missing symbol vpost_sc_bind");
        postlib_close(p);
        *out = NULL;
        return PECOS_ENOSIM;
    }
    return 0;
}

int postlib_lanes(const postlib_t *p) { return p->lanes; }
int postlib_latency(const postlib_t *p) { return p->latency; }
void postlib_reset(postlib_t *p)
{
    p->reset(p->v);
    if (p->obs) p->obs->reset(p->obs_ctx);
}

void postlib_config(postlib_t *p, const vpost_cfg_t *cfg)
{
    p->config(p->v, cfg);
    if (p->obs) p->obs->config(p->obs_ctx, cfg);
}

void postlib_step(postlib_t *p, bool valid, bool first, bool last, int count, const int32_t *acc,
                  const int32_t *bias, bool *out_valid, int8_t *out)
{
    p->step(p->v, valid, first, last, count, acc, bias, out_valid, out);
    if (p->obs) p->obs->step(p->obs_ctx, valid, first, last, count, acc, bias, *out_valid, out);
}

void postlib_observe(postlib_t *p, const postlib_observer_t *obs, void *ctx)
{
    p->obs = obs;
    p->obs_ctx = obs ? ctx : NULL;
}

const postlib_observer_t *postlib_observer(const postlib_t *p, void **ctx)
{
    if (ctx) *ctx = p->obs_ctx;
    return p->obs;
}

uint64_t postlib_cycle(const postlib_t *p) { return p->cycle(p->v); }

int postlib_assert_status(const postlib_t *p, uint64_t *cycle)
{
    return p->v && p->assert_status ? p->assert_status(p->v, cycle) : 0;
}

void postlib_close(postlib_t *p)
{
    if (!p) return;
    if (p->v) p->close(p->v);
    if (p->handle) dlclose(p->handle);
    free(p);
}
