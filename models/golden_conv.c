/* golden_conv.c - reference int8 convolution (see golden_conv.h for the exact semantics). */
#include "golden_conv.h"

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

static const axis_names_t axis_h = {"h", "pad_top", "pad_bottom", "r", "dil_h", "stride_h"};
static const axis_names_t axis_w = {"w", "pad_left", "pad_right", "s", "dil_w", "stride_w"};

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
static int check_spatial(const golden_conv_t *cv, int *p, int *q, char *err, size_t errlen)
{
    int rc;

    rc = axis_out(&axis_h, cv->h, cv->pad_top, cv->pad_bottom, cv->r, cv->dil_h, cv->stride_h,
                  p, err, errlen);
    if (rc)
        return rc;
    return axis_out(&axis_w, cv->w, cv->pad_left, cv->pad_right, cv->s, cv->dil_w, cv->stride_w,
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
static int check_all(const golden_conv_t *cv, int *p, int *q, char *err, size_t errlen)
{
    int rc;

    if (cv == NULL)
        return fail(err, errlen, "conv parameters are NULL");
    if (cv->c < 1)
        return fail(err, errlen, "c must be >= 1 (got %d)", cv->c);
    if (cv->k < 1)
        return fail(err, errlen, "k must be >= 1 (got %d)", cv->k);
    if (cv->groups < 1)
        return fail(err, errlen, "groups must be >= 1 (got %d)", cv->groups);
    if (cv->c % cv->groups != 0)
        return fail(err, errlen, "groups %d does not divide c %d", cv->groups, cv->c);
    if (cv->k % cv->groups != 0)
        return fail(err, errlen, "groups %d does not divide k %d", cv->groups, cv->k);
    if (cv->pad_value < INT8_MIN || cv->pad_value > INT8_MAX)
        return fail(err, errlen, "pad_value must be in -128..127 (got %d)", cv->pad_value);
    rc = check_spatial(cv, p, q, err, errlen);
    if (rc)
        return rc;

    size_t n_in = 1, n_w = 1, n_out = 1;

    if (!mul_fits(&n_in, cv->c) || !mul_fits(&n_in, cv->h) || !mul_fits(&n_in, cv->w))
        return fail(err, errlen, "ifmap c*h*w = %d*%d*%d elements is too large", cv->c, cv->h,
                    cv->w);
    if (!mul_fits(&n_w, cv->k) || !mul_fits(&n_w, cv->c / cv->groups) ||
        !mul_fits(&n_w, cv->r) || !mul_fits(&n_w, cv->s))
        return fail(err, errlen, "weights k*(c/groups)*r*s = %d*%d*%d*%d elements is too large",
                    cv->k, cv->c / cv->groups, cv->r, cv->s);
    if (!mul_fits(&n_out, cv->k) || !mul_fits(&n_out, *p) || !mul_fits(&n_out, *q))
        return fail(err, errlen, "output k*p*q = %d*%d*%d elements is too large", cv->k, *p, *q);
    return 0;
}

int golden_conv_out_hw(const golden_conv_t *cv, int *p, int *q)
{
    int pp = 0, qq = 0;

    if (cv == NULL || p == NULL || q == NULL)
        return PECOS_EPARAM;
    if (check_spatial(cv, &pp, &qq, NULL, 0))
        return PECOS_EPARAM;
    *p = pp;
    *q = qq;
    return 0;
}

int golden_conv_check(const golden_conv_t *cv, char *err, size_t errlen)
{
    int p, q;
    int rc = check_all(cv, &p, &q, err, errlen);

    if (rc == 0 && err != NULL && errlen > 0)
        err[0] = '\0';
    return rc;
}

/* Low 32 bits of sum as a two's-complement int32, i.e. what a wrapping int32 accumulator
 * holds. Same value as (int32_t)(uint32_t)sum on gcc/clang, but without relying on the
 * implementation-defined unsigned-to-signed conversion. */
static int32_t wrap_i32(int64_t sum)
{
    uint32_t u = (uint32_t)sum; /* conversion to unsigned is modulo 2^32 */

    if (u <= INT32_MAX)
        return (int32_t)u;
    return (int32_t)(u - 0x80000000u) + INT32_MIN; /* u - 2^32 */
}

int golden_conv_i8(const golden_conv_t *cv, const int8_t *ifmap, const int8_t *weights,
                   const int32_t *bias, int32_t *out)
{
    int P, Q;

    if (ifmap == NULL || weights == NULL || out == NULL)
        return PECOS_EPARAM;
    if (check_all(cv, &P, &Q, NULL, 0))
        return PECOS_EPARAM;

    const int H = cv->h, W = cv->w, R = cv->r, S = cv->s;
    const int cpg = cv->c / cv->groups; /* input channels per group */
    const int kpg = cv->k / cv->groups; /* output channels per group */

    for (int k = 0; k < cv->k; k++) {
        const int g = k / kpg;
        const int8_t *in_g = ifmap + (size_t)g * cpg * H * W;   /* first channel of group g */
        const int8_t *w_k = weights + (size_t)k * cpg * R * S; /* w[k][0][0][0] */
        int32_t *out_k = out + (size_t)k * P * Q;

        for (int p = 0; p < P; p++) {
            for (int q = 0; q < Q; q++) {
                int64_t sum = bias != NULL ? bias[k] : 0;

                for (int c = 0; c < cpg; c++) {
                    const int8_t *in_c = in_g + (size_t)c * H * W;
                    const int8_t *w_c = w_k + (size_t)c * R * S;

                    for (int r = 0; r < R; r++) {
                        const int ih = p * cv->stride_h - cv->pad_top + r * cv->dil_h;
                        const int8_t *w_row = w_c + (size_t)r * S;

                        for (int s = 0; s < S; s++) {
                            const int iw = q * cv->stride_w - cv->pad_left + s * cv->dil_w;
                            /* a padded cell holds pad_value */
                            const int x = ih < 0 || ih >= H || iw < 0 || iw >= W
                                              ? cv->pad_value
                                              : in_c[(size_t)ih * W + iw];

                            sum += (int64_t)x * w_row[s];
                        }
                    }
                }
                out_k[(size_t)p * Q + q] = wrap_i32(sum);
            }
        }
    }
    return 0;
}
