/* postlib.h - loads one verilated post-processing unit (a shared library implementing
 * sim/vpost.h) by lane count.
 *
 * Libraries are named libpecos_post_L<Lanes>.so and live in PECOS_SIM_DIR (compiled in; the
 * environment variable of the same name overrides it), next to the array variants. A missing
 * lane count is an error that says how to build it, never a fallback to another size.
 */
#ifndef PECOS_POSTLIB_H
#define PECOS_POSTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vpost.h"

typedef struct {
    void *handle;    /* dlopen handle */
    vpost_t *v;      /* the model */
    int lanes;       /* what the library says */
    int latency;     /* LAT: steps from a window's last beat to its result */
    char path[1024]; /* the library loaded */
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
} postlib_t;

/* Loads the PPU of `lanes` lanes, opens (dumping every cycle to fst_path unless it is NULL)
 * and resets its model. Returns 0 or PECOS_ENOSIM with a one-line reason in err. */
int postlib_open(postlib_t *p, int lanes, const char *fst_path, char *err, size_t errlen);
/* Closes the model (flushing any dump) and unloads the library. Safe on a zeroed p. */
void postlib_close(postlib_t *p);

#endif
