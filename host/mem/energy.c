/* energy.c - the per-access energy table: defaults, the `key value` text format, lookups. */
#include "energy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

#define ENERGY_MAX_LINE 255        /* bytes per line, without its "\n" or "\r\n" */
#define ENERGY_MAX_FILE (1u << 20) /* bytes per file read by energy_table_load */
#define ENERGY_SHOW 40             /* bytes of the user's text quoted in a message */

void energy_table_default(energy_table_t *t)
{
    *t = (energy_table_t){
        .dram = 640,      .sram_8k = 5,      .sram_32k = 10,    .sram_1m = 100,
        .rf = 0.5,        .mul_int8 = 0.2,   .add_int8 = 0.03,  .add_int16 = 0.05,
        .add_int32 = 0.1, .mul_int32 = 3.1,  .mul_fp16 = 1.1,   .add_fp16 = 0.4,
        .mul_fp32 = 3.7,  .add_fp32 = 0.9,
    };
}

static const struct {
    const char *name;
    size_t off; /* of the double in energy_table_t */
} energy_keys[] = {
    {"dram", offsetof(energy_table_t, dram)},
    {"sram_8k", offsetof(energy_table_t, sram_8k)},
    {"sram_32k", offsetof(energy_table_t, sram_32k)},
    {"sram_1m", offsetof(energy_table_t, sram_1m)},
    {"rf", offsetof(energy_table_t, rf)},
    {"mul_int8", offsetof(energy_table_t, mul_int8)},
    {"add_int8", offsetof(energy_table_t, add_int8)},
    {"add_int16", offsetof(energy_table_t, add_int16)},
    {"add_int32", offsetof(energy_table_t, add_int32)},
    {"mul_int32", offsetof(energy_table_t, mul_int32)},
    {"mul_fp16", offsetof(energy_table_t, mul_fp16)},
    {"add_fp16", offsetof(energy_table_t, add_fp16)},
    {"mul_fp32", offsetof(energy_table_t, mul_fp32)},
    {"add_fp32", offsetof(energy_table_t, add_fp32)},
};
#define ENERGY_NKEYS (sizeof energy_keys / sizeof energy_keys[0])

/* Copies the n bytes at s into out (outlen >= ENERGY_SHOW + 4) for a message: control
 * characters shown as '?', at most ENERGY_SHOW bytes, "..." when cut. */
static void shown(const char *s, size_t n, char *out)
{
    size_t j = 0;
    for (; j < n && j < ENERGY_SHOW; j++)
        out[j] = (unsigned char)s[j] < 0x20 || s[j] == 0x7f ? '?' : s[j];
    if (n > ENERGY_SHOW) out[j++] = '.', out[j++] = '.', out[j++] = '.';
    out[j] = '\0';
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* True if the n bytes at s are a non-negative decimal number: digits with an optional
 * fraction (at least one digit in all), then an optional exponent. No sign, hex, inf, nan. */
static int is_decimal(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
    if (digits == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i == n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    return i == n;
}

int energy_table_parse(const char *text, size_t len, energy_table_t *t, char *err,
                       size_t errlen)
{
    energy_table_t nt = *t;
    size_t first[ENERGY_NKEYS] = {0}; /* line a key was set on, 0: not yet */
    char show[ENERGY_SHOW + 4];
    size_t pos = 0;
    for (size_t line = 1; pos < len; line++) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        if (n > 0 && s[n - 1] == '\r') n--; /* CRLF line end */
        if (n > ENERGY_MAX_LINE) {
            snprintf(err, errlen, "line %zu: longer than %d bytes", line, ENERGY_MAX_LINE);
            return PECOS_EFORMAT;
        }
        /* a '#' starts a comment wherever it is */
        const char *hash = memchr(s, '#', n);
        if (hash) n = (size_t)(hash - s);
        size_t i = 0;
        while (i < n && is_blank(s[i])) i++;
        if (i == n) continue; /* blank or comment line */
        const size_t k0 = i;
        while (i < n && !is_blank(s[i])) i++;
        const size_t klen = i - k0;
        while (i < n && is_blank(s[i])) i++;
        const size_t v0 = i;
        while (i < n && !is_blank(s[i])) i++;
        const size_t vlen = i - v0;
        while (i < n && is_blank(s[i])) i++;
        const size_t r0 = i; /* anything after the value */
        size_t r1 = n;
        while (r1 > r0 && is_blank(s[r1 - 1])) r1--;

        size_t ki = 0;
        while (ki < ENERGY_NKEYS && !(strlen(energy_keys[ki].name) == klen &&
                                      memcmp(energy_keys[ki].name, s + k0, klen) == 0))
            ki++;
        if (ki == ENERGY_NKEYS) {
            shown(s + k0, klen, show);
            snprintf(err, errlen, "line %zu: unknown key '%s'", line, show);
            return PECOS_EFORMAT;
        }
        const char *key = energy_keys[ki].name;
        if (vlen == 0) {
            snprintf(err, errlen, "line %zu: %s has no value", line, key);
            return PECOS_EFORMAT;
        }
        if (r1 > r0) {
            shown(s + r0, r1 - r0, show);
            snprintf(err, errlen, "line %zu: unexpected '%s' after the value of %s", line, show,
                     key);
            return PECOS_EFORMAT;
        }
        double x = HUGE_VAL;
        if (is_decimal(s + v0, vlen)) {
            char num[ENERGY_MAX_LINE + 1];
            memcpy(num, s + v0, vlen);
            num[vlen] = '\0';
            x = strtod(num, NULL); /* underflow to 0 or a subnormal is fine */
        }
        if (!isfinite(x) || x < 0) {
            shown(s + v0, vlen, show);
            snprintf(err, errlen,
                     "line %zu: %s '%s' is not a finite non-negative decimal number of pJ", line,
                     key, show);
            return PECOS_EFORMAT;
        }
        if (first[ki]) {
            snprintf(err, errlen, "line %zu: %s given twice (first on line %zu)", line, key,
                     first[ki]);
            return PECOS_EFORMAT;
        }
        first[ki] = line;
        memcpy((char *)&nt + energy_keys[ki].off, &x, sizeof x);
    }
    *t = nt;
    return 0;
}

int energy_table_load(const char *path, energy_table_t *t, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return PECOS_EIO;
    }
    int rc;
    char *buf = malloc(ENERGY_MAX_FILE + 1);
    if (!buf) {
        snprintf(err, errlen, "cannot read: out of memory for a %u-byte buffer",
                 ENERGY_MAX_FILE + 1);
        rc = PECOS_EIO;
        goto out_close;
    }
    errno = 0;
    const size_t n = fread(buf, 1, ENERGY_MAX_FILE + 1, f);
    const int read_errno = errno;
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read: %s",
                 read_errno ? strerror(read_errno) : "read error");
        rc = PECOS_EIO;
    } else if (n > ENERGY_MAX_FILE) {
        snprintf(err, errlen, "larger than 1 MiB, too large for an energy table");
        rc = PECOS_EFORMAT;
    } else {
        rc = energy_table_parse(buf, n, t, err, errlen);
    }
    free(buf);
out_close:
    fclose(f);
    return rc;
}

double energy_sram_pj(const energy_table_t *t, uint64_t bytes)
{
    /* linear in log2(capacity) between the table's points: 8 KiB (2^13), 32 KiB (2^15),
     * 1 MiB (2^20); the 8 KiB entry below, the last segment's slope above */
    if (bytes <= 8u << 10) return t->sram_8k;
    const double lg = log2((double)bytes);
    if (bytes <= 32u << 10) return t->sram_8k + (t->sram_32k - t->sram_8k) * (lg - 13) / 2;
    return t->sram_32k + (t->sram_1m - t->sram_32k) * (lg - 15) / 5;
}

double energy_mac_pj(const energy_table_t *t, int fp)
{
    return fp ? t->mul_fp16 + t->add_fp32 : t->mul_int8 + t->add_int32;
}
