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
    size_t xbytes;        /* in_data: rows operands (post: out_data, lanes int8) */
    size_t wbytes;        /* w_data: rows (ws) or cols (os) operands */
    size_t pbytes;        /* in_psum / out_psum: cols int32 (post: acc, bias, lanes int32) */
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

/* A recorder writing to path (created or truncated); NULL with the reason in err. */
static replay_t *rp_open(const char *path, char *err, size_t errlen, int *rc)
{
    replay_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        *rc = PECOS_ENOMEM;
        return NULL;
    }
    r->f = fopen(path, "w");
    if (!r->f) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        free(r);
        *rc = PECOS_EIO;
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    return r;
}

/* Closes and frees r; PECOS_EIO (reason in err) if the dump was not written completely. */
static int rp_close(replay_t *r, char *err, size_t errlen)
{
    const int bad = ferror(r->f) != 0;
    const int cl = fclose(r->f);
    int rc = 0;
    if (bad || cl != 0) {
        snprintf(err, errlen, "%s: cannot write the replay dump", r->path);
        rc = PECOS_EIO;
    }
    free(r);
    return rc;
}

int replay_attach(simlib_t *s, const char *path, char *err, size_t errlen)
{
    int rc;
    replay_t *r = rp_open(path, err, errlen, &rc);
    if (!r) return rc;
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
    simlib_observe(s, NULL, NULL);
    return rp_close(ctx, err, errlen);
}

/* ---- the post-processing unit --------------------------------------------------------- */

static void rp_post_config(void *ctx, const vpost_cfg_t *c)
{
    replay_t *r = ctx;
    fprintf(r->f, "C %x %x %x %x %x %x\n", (unsigned)(c->mult & 0x7FFFFFFFu),
            (unsigned)(c->shift & 0x3F), (unsigned)(uint8_t)c->zp, c->rq_en, c->relu_en,
            (unsigned)(c->pool_mode & 3));
}

static void rp_post_step(void *ctx, bool valid, bool first, bool last, int count,
                         const int32_t *acc, const int32_t *bias, bool out_valid,
                         const int8_t *out)
{
    replay_t *r = ctx;
    FILE *f = r->f;
    fprintf(f, "S %x %x %x %x", valid, valid && first, valid && last,
            valid ? (unsigned)(count & 0xFF) : 0u);
    put_hex(f, valid ? acc : NULL, r->pbytes);
    put_hex(f, valid ? bias : NULL, r->pbytes); /* NULL bias: zeros, as the shim applies */
    fprintf(f, " %x", out_valid);
    put_hex(f, out_valid ? out : NULL, r->xbytes);
    fputc('\n', f);
}

static const postlib_observer_t rp_post_observer = {
    .config = rp_post_config, .step = rp_post_step, .reset = rp_reset};

int replay_attach_post(postlib_t *p, const char *path, char *err, size_t errlen)
{
    int rc;
    replay_t *r = rp_open(path, err, errlen, &rc);
    if (!r) return rc;
    const int lanes = postlib_lanes(p);
    r->xbytes = (size_t)lanes;     /* out_data: int8 a lane */
    r->pbytes = (size_t)lanes * 4; /* acc, bias: int32 a lane */
    fprintf(r->f, "# pecos replay post %d\n", lanes);
    postlib_observe(p, &rp_post_observer, r);
    return 0;
}

int replay_detach_post(postlib_t *p, char *err, size_t errlen)
{
    void *ctx;
    if (!p || postlib_observer(p, &ctx) != &rp_post_observer) return 0;
    postlib_observe(p, NULL, NULL);
    return rp_close(ctx, err, errlen);
}
