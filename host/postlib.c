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

#define LOAD_SYM(field, name)                                                                  \
    do {                                                                                       \
        *(void **)(&p->field) = dlsym(p->handle, name);                                        \
        if (!p->field) {                                                                       \
            snprintf(err, errlen, "%s: missing symbol %s", p->path, name);                     \
            goto out_close;                                                                    \
        }                                                                                      \
    } while (0)

int postlib_open(postlib_t *p, int lanes, const char *fst_path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    memset(p, 0, sizeof *p);
    if (lanes < 1 || lanes > 256) {
        snprintf(err, errlen, "post-processing lanes %d: must be 1..256", lanes);
        return PECOS_ENOSIM;
    }
    simlib_dir(dir, sizeof dir);
    int plen = snprintf(p->path, sizeof p->path, "%s/libpecos_post_L%d.so", dir, lanes);
    if (plen < 0 || plen >= (int)sizeof p->path) {
        snprintf(err, errlen, "PECOS_SIM_DIR is too long");
        return PECOS_ENOSIM;
    }
    if (access(p->path, R_OK) != 0) {
        char missing[1400], name[32];
        snprintf(missing, sizeof missing,
                 "no post-processing model for %d lanes (%s not found); build it with: cmake "
                 "-B build -DPECOS_POST_LANES=%d && cmake --build build --target pecos_post_L%d",
                 lanes, p->path, lanes, lanes);
        snprintf(name, sizeof name, "post_L%d", lanes);
        int rc = simlib_build(dir, name, p->path, missing, err, errlen);
        if (rc != 0) return rc;
    }
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

void postlib_close(postlib_t *p)
{
    if (p->v) p->close(p->v);
    p->v = NULL;
    if (p->handle) dlclose(p->handle);
    p->handle = NULL;
}
