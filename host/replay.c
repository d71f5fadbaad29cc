#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* The recorder stands in for the model: s->v points at it, s's functions at the wrappers
 * below, which forward to the saved originals with the real model. */
typedef struct {
    simlib_t orig; /* s as it was: the real model and its functions */
    FILE *f;
    char path[1024];
    int os;               /* the "os" array: its beat carries first/last and no weight lane */
    size_t xbytes;        /* in_data: rows operands */
    size_t wbytes;        /* w_data: rows (ws) or cols (os) operands */
    size_t pbytes;        /* in_psum / out_psum: cols int32 */
} replay_t;

#define R(v) ((replay_t *)(void *)(v))

/* Writes n bytes (little-endian lanes) as one hex number, most significant byte first; zeros
 * if p is NULL. */
static void put_hex(FILE *f, const void *p, size_t n)
{
    const uint8_t *b = p;
    fputc(' ', f);
    for (size_t i = n; i-- > 0;) fprintf(f, "%02x", b ? b[i] : 0u);
}

static void rp_step(vsim_t *v, const vsim_in_t *in, vsim_out_t *out)
{
    replay_t *r = R(v);
    r->orig.step(r->orig.v, in, out);
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

static void rp_reset(vsim_t *v)
{
    replay_t *r = R(v);
    r->orig.reset(r->orig.v);
    fputs("R\n", r->f);
}

static void rp_info(const vsim_t *v, vsim_info_t *i) { R(v)->orig.get_info(R(v)->orig.v, i); }
static uint64_t rp_cycle(const vsim_t *v) { return R(v)->orig.cycle(R(v)->orig.v); }
static void rp_counters(const vsim_t *v, vsim_counters_t *c)
{
    R(v)->orig.counters(R(v)->orig.v, c);
}
static int rp_trace_open(vsim_t *v, const char *p, uint64_t a, uint64_t b)
{
    return R(v)->orig.trace_open(R(v)->orig.v, p, a, b);
}
static void rp_trace_close(vsim_t *v) { R(v)->orig.trace_close(R(v)->orig.v); }
static int rp_assert_status(const vsim_t *v, uint64_t *c)
{
    return R(v)->orig.assert_status ? R(v)->orig.assert_status(R(v)->orig.v, c) : 0;
}

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
    const vsim_info_t *i = &s->info;
    const size_t ew = strcmp(i->dtype, "int8") == 0 ? 1 : 2;
    r->orig = *s;
    r->os = strcmp(i->dataflow, "os") == 0;
    r->xbytes = (size_t)i->rows * ew;
    r->wbytes = (size_t)(r->os ? i->cols : i->rows) * ew;
    r->pbytes = (size_t)i->cols * 4;
    fprintf(r->f, "# pecos replay %s %s %d %d\n", i->dataflow, i->dtype, i->rows, i->cols);
    s->v = (vsim_t *)(void *)r;
    s->step = rp_step;
    s->reset = rp_reset;
    s->get_info = rp_info;
    s->cycle = rp_cycle;
    s->counters = rp_counters;
    s->trace_open = rp_trace_open;
    s->trace_close = rp_trace_close;
    s->assert_status = rp_assert_status;
    return 0;
}

int replay_detach(simlib_t *s, char *err, size_t errlen)
{
    if (s->step != rp_step) return 0;
    replay_t *r = R(s->v);
    const int bad = ferror(r->f) != 0;
    const int cl = fclose(r->f);
    int rc = 0;
    if (bad || cl != 0) {
        snprintf(err, errlen, "%s: cannot write the replay dump", r->path);
        rc = PECOS_EIO;
    }
    *s = r->orig;
    free(r);
    return rc;
}
