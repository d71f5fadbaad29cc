#include "energy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

void energy_table_default(energy_table_t *t)
{
    *t = (energy_table_t){.dram = 640, .sram_8k = 5, .sram_32k = 10, .sram_1m = 100,
                          .rf = 0.5, .mul_int8 = 0.2, .add_int8 = 0.03, .add_int16 = 0.05,
                          .add_int32 = 0.1, .mul_int32 = 3.1, .mul_fp16 = 1.1,
                          .add_fp16 = 0.4, .mul_fp32 = 3.7, .add_fp32 = 0.9};
}

typedef struct {
    const char *key;
    size_t off;
} key_t_;

static const key_t_ keys[] = {
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
#define NKEYS (sizeof keys / sizeof keys[0])

/* Copies s (n bytes) into out for an error message, control characters shown as '?'. */
static void shown(const char *s, size_t n, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 1 < outlen && j < 40; i++)
        out[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[j] = '\0';
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int energy_table_parse(const char *text, size_t len, energy_table_t *t, char *err,
                       size_t errlen)
{
    energy_table_t nt = *t;
    unsigned seen = 0;
    size_t pos = 0;
    for (int line = 1; pos < len; line++) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        const size_t n = eol - pos;
        char buf[256], show[48];
        if (n > 255) {
            snprintf(err, errlen, "line %d: longer than 255 bytes", line);
            return PECOS_EFORMAT;
        }
        memcpy(buf, text + pos, n);
        buf[n] = '\0';
        pos = eol + 1;
        if (memchr(buf, '\0', n)) {
            snprintf(err, errlen, "line %d: a NUL byte", line);
            return PECOS_EFORMAT;
        }
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        char *p = buf;
        while (is_space(*p)) p++;
        if (*p == '\0') continue;
        char *k = p;
        while (*p && !is_space(*p)) p++;
        const size_t klen = (size_t)(p - k);
        while (is_space(*p)) p++;
        char *v = p;
        while (*p && !is_space(*p)) p++;
        char *vend = p;
        while (is_space(*p)) p++;
        size_t ki = 0;
        while (ki < NKEYS && !(strlen(keys[ki].key) == klen && strncmp(keys[ki].key, k, klen) == 0))
            ki++;
        if (ki == NKEYS) {
            shown(k, klen, show, sizeof show);
            snprintf(err, errlen, "line %d: unknown key '%s'", line, show);
            return PECOS_EFORMAT;
        }
        if (v == vend) {
            snprintf(err, errlen, "line %d: %s has no value", line, keys[ki].key);
            return PECOS_EFORMAT;
        }
        if (*p) {
            shown(p, strlen(p), show, sizeof show);
            snprintf(err, errlen, "line %d: unexpected '%s' after the value of %s", line, show,
                     keys[ki].key);
            return PECOS_EFORMAT;
        }
        *vend = '\0';
        char *end;
        errno = 0;
        const double x = strtod(v, &end);
        if (errno || end != vend || !isfinite(x) || x < 0) {
            shown(v, strlen(v), show, sizeof show);
            snprintf(err, errlen, "line %d: %s '%s' is not a non-negative number of pJ", line,
                     keys[ki].key, show);
            return PECOS_EFORMAT;
        }
        if (seen >> ki & 1) {
            snprintf(err, errlen, "line %d: %s given twice", line, keys[ki].key);
            return PECOS_EFORMAT;
        }
        seen |= 1u << ki;
        *(double *)((char *)&nt + keys[ki].off) = x;
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
    const size_t cap = 1 << 20;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return PECOS_ENOMEM;
    }
    const size_t n = fread(buf, 1, cap + 1, f);
    const int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        rc = PECOS_EIO;
    } else if (n > cap) {
        snprintf(err, errlen, "larger than 1 MiB: not an energy table");
        rc = PECOS_EFORMAT;
    } else {
        rc = energy_table_parse(buf, n, t, err, errlen);
    }
    free(buf);
    return rc;
}

double energy_sram_pj(const energy_table_t *t, uint64_t bytes)
{
    if (bytes <= 8u << 10) return t->sram_8k;
    if (bytes <= 32u << 10) return t->sram_32k;
    return t->sram_1m;
}

double energy_mac_pj(const energy_table_t *t, int fp)
{
    return fp ? t->mul_fp16 + t->add_fp32 : t->mul_int8 + t->add_int32;
}
