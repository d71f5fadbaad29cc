#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* The recorder: a simlib observer that appends every step and reset of the model. */
typedef struct {
    FILE *f;
    char path[1024];
    int os;               /* the "os" array: its beat carries first/last and no weight lane */
    size_t xbytes;        /* in_data: rows operands */
    size_t wbytes;        /* w_data: rows (ws) or cols (os) operands */
    size_t pbytes;        /* in_psum / out_psum: cols int32 */
} replay_t;

/* Writes n bytes (little-endian lanes) as one hex number, most significant byte first; zeros
 * if p is NULL. */
static void put_hex(FILE *f, const void *p, size_t n)
{
    const uint8_t *b = p;
    fputc(' ', f);
    for (size_t i = n; i-- > 0;) fprintf(f, "%02x", b ? b[i] : 0u);
}

static void rp_step(void *ctx, const vsim_in_t *in, const vsim_out_t *out)
{
    replay_t *r = ctx;
    FILE *f = r->f;
    if (r->os) {
        fprintf(f, "S %x %x %x", in->in_valid, in->in_valid ? in->in_first : 0,
                in->in_valid ? in->in_last : 0);
        put_hex(f, in->in_valid ? in->in_data : NULL, r->xbytes);
        put_hex(f, in->in_valid ? in->w_data : NULL, r->wbytes);
        put_hex(f, in->in_valid && in->in_first ? in->in_psum : NULL, r->pbytes);
    } else {
        fprintf(f, "S %x %x %x", in->w_valid, in->w_valid ? in->w_bank : 0,
                in->w_valid ? in->w_col : 0);
        put_hex(f, in->w_valid ? in->w_data : NULL, r->wbytes);
        fprintf(f, " %x %x", in->in_valid, in->in_valid ? in->in_bank : 0);
        put_hex(f, in->in_valid ? in->in_data : NULL, r->xbytes);
        put_hex(f, in->in_valid ? in->in_psum : NULL, r->pbytes);
    }
    fprintf(f, " %x", out->out_valid);
    put_hex(f, out->out_valid ? out->out_psum : NULL, r->pbytes);
    fputc('\n', f);
}

static void rp_reset(void *ctx)
{
    replay_t *r = ctx;
    fputs("R\n", r->f);
}

static const simlib_observer_t rp_observer = {.step = rp_step, .reset = rp_reset};

int replay_attach(simlib_t *s, const char *path, char *err, size_t errlen)
{
    replay_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return PECOS_ENOMEM;
    }
    r->f = fopen(path, "w");
    if (!r->f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(r);
        return PECOS_EIO;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    const vsim_info_t *i = simlib_info(s);
    const size_t ew = pecos_dtype_bytes(simlib_dtype(s));
    pecos_df_t array = DF_WS;
    pecos_df_parse(i->dataflow, &array);
    r->os = array == DF_OS;
    r->xbytes = (size_t)i->rows * ew;
    r->wbytes = (size_t)(r->os ? i->cols : i->rows) * ew;
    r->pbytes = (size_t)i->cols * 4;
    fprintf(r->f, "# pecos replay %s %s %d %d\n", i->dataflow, i->dtype, i->rows, i->cols);
    simlib_observe(s, &rp_observer, r);
    return 0;
}

int replay_detach(simlib_t *s, char *err, size_t errlen)
{
    void *ctx;
    if (simlib_observer(s, &ctx) != &rp_observer) return 0;
    replay_t *r = ctx;
    const int bad = ferror(r->f) != 0;
    const int cl = fclose(r->f);
    int rc = 0;
    if (bad || cl != 0) {
        snprintf(err, errlen, "%s: cannot write the replay dump", r->path);
        rc = PECOS_EIO;
    }
    simlib_observe(s, NULL, NULL);
    free(r);
    return rc;
}
