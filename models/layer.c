/* layer.c - the layer descriptor: output size, validation, MACs, the shape string. */
#include "layer.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "pecos_err.h"

/* Names of the fields that describe one spatial axis, for error messages. */
typedef struct {
    const char *in, *pad_lo, *pad_hi, *f, *dil, *stride;
} axis_names_t;

static const axis_names_t axis_h = {"h", "pad_t", "pad_b", "r", "dil_h", "stride_h"};
static const axis_names_t axis_w = {"w", "pad_l", "pad_r", "s", "dil_w", "stride_w"};

/* Writes a formatted one-line reason into err (if there is room) and returns PECOS_EPARAM. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return PECOS_EPARAM;
}

/* Validates one spatial axis and computes its output length:
 *   out = floor((in + pad_lo + pad_hi - dil*(f-1) - 1) / stride) + 1.
 * Returns 0 or PECOS_EPARAM (reason in err). */
static int axis_out(const axis_names_t *n, int in, int pad_lo, int pad_hi, int f, int dil,
                    int stride, int *out, char *err, size_t errlen)
{
    if (in < 1)
        return fail(err, errlen, "%s must be >= 1 (got %d)", n->in, in);
    if (f < 1)
        return fail(err, errlen, "%s must be >= 1 (got %d)", n->f, f);
    if (stride < 1)
        return fail(err, errlen, "%s must be >= 1 (got %d)", n->stride, stride);
    if (dil < 1)
        return fail(err, errlen, "%s must be >= 1 (got %d)", n->dil, dil);
    if (pad_lo < 0)
        return fail(err, errlen, "%s must be >= 0 (got %d)", n->pad_lo, pad_lo);
    if (pad_hi < 0)
        return fail(err, errlen, "%s must be >= 0 (got %d)", n->pad_hi, pad_hi);

    int64_t padded = (int64_t)in + pad_lo + pad_hi;
    int64_t extent = (int64_t)dil * (f - 1) + 1; /* input span of one dilated filter window */

    if (padded > INT_MAX)
        return fail(err, errlen, "%s %d + %s %d + %s %d is too large", n->in, in, n->pad_lo,
                    pad_lo, n->pad_hi, pad_hi);
    if (extent > padded)
        return fail(err, errlen, "no output along %s: %s %d + %s %d + %s %d = %" PRId64 " is smaller than the filter extent %s %d * (%s %d - 1) + 1 = %" PRId64,
                    n->in, n->in, in, n->pad_lo, pad_lo, n->pad_hi, pad_hi, padded, n->dil, dil,
                    n->f, f, extent);
    *out = (int)((padded - extent) / stride + 1);
    return 0;
}

/* Checks the spatial fields and computes P, Q. Returns 0 or PECOS_EPARAM (reason in err). */
static int check_spatial(const layer_t *L, int *p, int *q, char *err, size_t errlen)
{
    int rc;

    rc = axis_out(&axis_h, L->h, L->pad_t, L->pad_b, L->r, L->dil_h, L->stride_h,
                  p, err, errlen);
    if (rc)
        return rc;
    return axis_out(&axis_w, L->w, L->pad_l, L->pad_r, L->s, L->dil_w, L->stride_w,
                    q, err, errlen);
}

/* *acc *= x if the product fits in size_t; returns false otherwise. x >= 1. */
static bool mul_fits(size_t *acc, int x)
{
    if (*acc > SIZE_MAX / (size_t)x)
        return false;
    *acc *= (size_t)x;
    return true;
}

/* Full validation; on success writes P and Q. Returns 0 or PECOS_EPARAM (reason in err). */
static int check_all(const layer_t *L, int *p, int *q, char *err, size_t errlen)
{
    int rc;

    if (L == NULL)
        return fail(err, errlen, "conv parameters are NULL");
    if (L->c < 1)
        return fail(err, errlen, "c must be >= 1 (got %d)", L->c);
    if (L->k < 1)
        return fail(err, errlen, "k must be >= 1 (got %d)", L->k);
    if (L->groups < 1)
        return fail(err, errlen, "groups must be >= 1 (got %d)", L->groups);
    if (L->c % L->groups != 0)
        return fail(err, errlen, "groups %d does not divide c %d", L->groups, L->c);
    if (L->k % L->groups != 0)
        return fail(err, errlen, "groups %d does not divide k %d", L->groups, L->k);
    if (L->pad_value < INT8_MIN || L->pad_value > INT8_MAX)
        return fail(err, errlen, "pad_value must be in -128..127 (got %d)", L->pad_value);
    rc = check_spatial(L, p, q, err, errlen);
    if (rc)
        return rc;

    size_t n_in = 1, n_w = 1, n_out = 1;

    if (!mul_fits(&n_in, L->c) || !mul_fits(&n_in, L->h) || !mul_fits(&n_in, L->w))
        return fail(err, errlen, "ifmap c*h*w = %d*%d*%d elements is too large", L->c, L->h,
                    L->w);
    if (!mul_fits(&n_w, L->k) || !mul_fits(&n_w, L->c / L->groups) ||
        !mul_fits(&n_w, L->r) || !mul_fits(&n_w, L->s))
        return fail(err, errlen, "weights k*(c/groups)*r*s = %d*%d*%d*%d elements is too large",
                    L->k, L->c / L->groups, L->r, L->s);
    if (!mul_fits(&n_out, L->k) || !mul_fits(&n_out, *p) || !mul_fits(&n_out, *q))
        return fail(err, errlen, "output k*p*q = %d*%d*%d elements is too large", L->k, *p, *q);
    return 0;
}

int layer_out_hw(const layer_t *L, int *p, int *q)
{
    int pp = 0, qq = 0;

    if (L == NULL || p == NULL || q == NULL)
        return PECOS_EPARAM;
    if (check_spatial(L, &pp, &qq, NULL, 0))
        return PECOS_EPARAM;
    *p = pp;
    *q = qq;
    return 0;
}

int layer_check(const layer_t *L, char *err, size_t errlen)
{
    int p, q;
    int rc = check_all(L, &p, &q, err, errlen);

    if (rc == 0 && err != NULL && errlen > 0)
        err[0] = '\0';
    return rc;
}

uint64_t layer_macs(const layer_t *L)
{
    const int g = L->groups > 1 ? L->groups : 1; /* 0: a layer built before groups existed */
    return (uint64_t)L->k * L->p * L->q * (L->c / g) * L->r * L->s;
}

int layer_plain(const layer_t *L)
{
    return L->stride_h == L->stride_w && L->dil_h == 1 && L->dil_w == 1 && L->pad_t == L->pad_l &&
           L->pad_t == L->pad_b && L->pad_t == L->pad_r && L->pad_value == 0;
}

void layer_shape_str(const layer_t *L, char *buf, size_t len)
{
    char st[32], dl[32] = "", pd[64], pv[16] = "";
    if (L->stride_h == L->stride_w)
        snprintf(st, sizeof st, "%d", L->stride_h);
    else
        snprintf(st, sizeof st, "%dx%d", L->stride_h, L->stride_w);
    if (L->dil_h != 1 || L->dil_w != 1) snprintf(dl, sizeof dl, "/d%dx%d", L->dil_h, L->dil_w);
    if (L->pad_t == L->pad_l && L->pad_t == L->pad_b && L->pad_t == L->pad_r)
        snprintf(pd, sizeof pd, "%d", L->pad_t);
    else
        snprintf(pd, sizeof pd, "%d,%d,%d,%d", L->pad_t, L->pad_l, L->pad_b, L->pad_r);
    if (L->pad_value) snprintf(pv, sizeof pv, "/pv%d", L->pad_value);
    snprintf(buf, len, "%dx%dx%d -> %dx%dx%d, %dx%d/s%s%s/p%s%s", L->c, L->h, L->w, L->k, L->p,
             L->q, L->r, L->s, st, dl, pd, pv);
}
