/* test_energy.c - the energy table: the defaults of host/mem/energy.h, file overrides (comments,
 * blank lines, CRLF, no trailing newline), every error case, the SRAM size buckets and the
 * MAC energies.
 *
 * Usage: test_energy   (temporary files go to a fresh directory under /tmp, removed after)
 * Prints "FAIL: ..." per failed check and a summary line; exits 0 only if all pass.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "energy.h"
#include "pecos_err.h"

#include "expect.h"

static void near(double got, double want, const char *what)
{
    char b[200];
    snprintf(b, sizeof b, "%s: got %.17g, expected %g", what, got, want);
    ok(fabs(got - want) < 1e-12, b);
}

/* Parses exactly len bytes copied to the heap with no terminator after them, so that
 * AddressSanitizer catches a read past len. */
static int parse_n(const char *text, size_t len, energy_table_t *t, char *err, size_t errlen)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) abort();
    memcpy(copy, text, len);
    const int rc = energy_table_parse(copy, len, t, err, errlen);
    free(copy);
    return rc;
}

/* Parses text (len bytes) and expects PECOS_EFORMAT with a one-line message naming line
 * `line` and containing `word`; the table must stay unchanged. */
static void bad_n(const char *text, size_t len, int line, const char *word)
{
    energy_table_t t, before;
    char err[256] = "", what[400], tag[24], shown[48];
    energy_table_default(&t);
    t.dram = 123; /* not a default: "unchanged" must mean this table, not the defaults */
    before = t;
    const int rc = parse_n(text, len, &t, err, sizeof err);
    size_t i;
    for (i = 0; i < len && i < 40; i++)
        shown[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
    shown[i] = '\0';
    snprintf(tag, sizeof tag, "line %d:", line);
    snprintf(what, sizeof what, "rejects [%s] with '%s' and '%s' (got %d: %s)", shown, tag, word,
             rc, err);
    ok(rc == PECOS_EFORMAT && strstr(err, tag) && strstr(err, word), what);
    snprintf(what, sizeof what, "error for [%s] is one line: [%s]", shown, err);
    ok(err[0] != '\0' && !strchr(err, '\n') && !strchr(err, '\r'), what);
    snprintf(what, sizeof what, "table unchanged after the error for [%s]", shown);
    ok(memcmp(&t, &before, sizeof t) == 0, what);
}

static void bad(const char *text, int line, const char *word)
{
    bad_n(text, strlen(text), line, word);
}

/* Parses text over the defaults and expects success. */
static void good(const char *text, energy_table_t *t, const char *what)
{
    char err[256] = "", b[400];
    energy_table_default(t);
    const int rc = parse_n(text, strlen(text), t, err, sizeof err);
    snprintf(b, sizeof b, "%s (got %d: %s)", what, rc, err);
    ok(rc == 0, b);
}

static int write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    const int rc = fwrite(bytes, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

int main(void)
{
    energy_table_t t, d;
    char err[256];

    /* ---- defaults: the numbers in energy.h */
    energy_table_default(&t);
    near(t.dram, 640, "default dram");
    near(t.sram_8k, 5, "default sram_8k");
    near(t.sram_32k, 10, "default sram_32k");
    near(t.sram_1m, 100, "default sram_1m");
    near(t.rf, 0.5, "default rf");
    near(t.mul_int8, 0.2, "default mul_int8");
    near(t.add_int8, 0.03, "default add_int8");
    near(t.add_int16, 0.05, "default add_int16");
    near(t.add_int32, 0.1, "default add_int32");
    near(t.mul_int32, 3.1, "default mul_int32");
    near(t.mul_fp16, 1.1, "default mul_fp16");
    near(t.add_fp16, 0.4, "default add_fp16");
    near(t.mul_fp32, 3.7, "default mul_fp32");
    near(t.add_fp32, 0.9, "default add_fp32");

    /* ---- lookups */
    near(energy_mac_pj(&t, 0), 0.3, "int8 MAC = mul_int8 + add_int32");
    near(energy_mac_pj(&t, 1), 2.0, "fp MAC = mul_fp16 + add_fp32");
    near(energy_mac_pj(&t, 7), 2.0, "any non-zero fp is the fp MAC");
    near(energy_sram_pj(&t, 1), 5, "1 B SRAM (the 8 KiB entry below it)");
    near(energy_sram_pj(&t, 8192), 5, "8 KiB SRAM");
    near(energy_sram_pj(&t, 16384), 7.5, "16 KiB SRAM: half way (log2) from 8 to 32 KiB");
    near(energy_sram_pj(&t, 32768), 10, "32 KiB SRAM");
    near(energy_sram_pj(&t, 65536), 28, "64 KiB SRAM: 10 + 90 * 1/5");
    near(energy_sram_pj(&t, 256 << 10), 64, "256 KiB SRAM: 10 + 90 * 3/5");
    near(energy_sram_pj(&t, 1 << 20), 100, "1 MiB SRAM");
    near(energy_sram_pj(&t, 2 << 20), 118, "2 MiB SRAM: the last segment continues");
    /* continuous at the table's points and monotone over a sweep */
    ok(fabs(energy_sram_pj(&t, 32769) - 10) < 1e-3, "32 KiB + 1 SRAM: no step (10 pJ)");
    double prev = 0;
    for (uint64_t b = 1024; b <= (64ull << 20); b += b / 8) {
        const double e = energy_sram_pj(&t, b);
        char b_what[96];
        snprintf(b_what, sizeof b_what, "SRAM energy does not fall at %llu bytes (%g after %g)",
                 (unsigned long long)b, e, prev);
        ok(e >= prev, b_what);
        prev = e;
    }

    /* ---- the full table, every key, written out as in the header */
    good("dram 1\nsram_8k 2\nsram_32k 3\nsram_1m 4\nrf 5\nmul_int8 6\nadd_int8 7\n"
         "add_int16 8\nadd_int32 9\nmul_int32 10\nmul_fp16 11\nadd_fp16 12\nmul_fp32 13\n"
         "add_fp32 14\n",
         &t, "parses a table of every key");
    {
        const double *v = &t.dram, want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        for (int i = 0; i < 14; i++) near(v[i], want[i], "every key sets its own field");
    }
    near(energy_sram_pj(&t, 100), 2, "SRAM lookup reads sram_8k from the table");
    near(energy_sram_pj(&t, 32768), 3, "SRAM lookup reads sram_32k from the table");
    near(energy_sram_pj(&t, 1 << 20), 4, "SRAM lookup reads sram_1m from the table");
    near(energy_mac_pj(&t, 0), 6 + 9, "int8 MAC reads mul_int8 + add_int32 from the table");
    near(energy_mac_pj(&t, 1), 11 + 14, "fp MAC reads mul_fp16 + add_fp32 from the table");

    /* ---- overrides: comments, blank lines, CRLF, no trailing newline; others keep defaults */
    energy_table_default(&d);
    good("# my table\r\n\r\ndram 1280   # doubled\r\n  rf\t1.5\nsram_1m 50", &t,
         "parses overrides with comments, blank lines, CRLF, no final newline");
    near(t.dram, 1280, "dram overridden");
    near(t.rf, 1.5, "rf overridden");
    near(t.sram_1m, 50, "sram_1m overridden (last line, no newline)");
    {
        energy_table_t e = t;
        e.dram = d.dram, e.rf = d.rf, e.sram_1m = d.sram_1m;
        ok(memcmp(&e, &d, sizeof e) == 0, "every key not in the text keeps its default");
    }
    /* parsing is over the values already in t, not over the defaults */
    energy_table_default(&t);
    t.mul_fp32 = 42;
    ok(energy_table_parse("dram 1\n", 7, &t, err, sizeof err) == 0 && t.dram == 1 &&
           t.mul_fp32 == 42,
       "keys not in the text keep the caller's values, not the defaults");
    good("# only a comment\n   # and an indented one\n\n\t\n", &t, "comment-only text");
    ok(memcmp(&t, &d, sizeof t) == 0, "comment-only text changes nothing");
    good("", &t, "empty text");
    ok(memcmp(&t, &d, sizeof t) == 0, "empty text changes nothing");
    good("dram 7#no space before the comment\r\nrf 0\t\r\n", &t, "'#' right after a value");
    near(t.dram, 7, "value before '#'");
    near(t.rf, 0, "zero is a valid value");
    good("mul_int8 .25\nadd_int8 3.\nadd_int16 1e2\nadd_int32 2.5E-1\nmul_int32 5e+0\n",
         &t, "decimal forms .25, 3., 1e2, 2.5E-1");
    near(t.mul_int8, 0.25, ".25");
    near(t.add_int8, 3, "3.");
    near(t.add_int16, 100, "1e2");
    near(t.add_int32, 0.25, "2.5E-1");
    near(t.mul_int32, 5, "5e+0");
    good("dram 5\r", &t, "a final line ending in a lone CR");
    near(t.dram, 5, "value before a final CR");
    good("rf 1\n\n\n", &t, "trailing blank lines");
    near(t.rf, 1, "rf before trailing blank lines");

    /* stops at len: the bytes after len would be a repeated key and garbage */
    energy_table_default(&t);
    ok(energy_table_parse("dram 7\nxx", 7, &t, err, sizeof err) == 0 && t.dram == 7,
       "does not read past len (\"dram 7\\nxx\", 7)");
    energy_table_default(&t);
    ok(energy_table_parse("dram 78", 6, &t, err, sizeof err) == 0 && t.dram == 7,
       "does not read past len mid-number (\"dram 78\", 6)");

    /* lines of exactly 255 bytes are fine, with or without CRLF */
    {
        char line[300];
        memset(line, ' ', sizeof line);
        memcpy(line, "dram 3", 6);
        line[255] = '\0';
        good(line, &t, "a 255-byte line");
        near(t.dram, 3, "value on a 255-byte line");
        memcpy(line + 255, "\r\n", 3);
        good(line, &t, "a 255-byte line ending in CRLF");
        line[255] = ' ';
        line[256] = '\0';
        bad(line, 1, "longer than 255 bytes");
        memcpy(line + 256, "\r\n", 3);
        bad(line, 1, "longer than 255 bytes");
        char two[600];
        snprintf(two, sizeof two, "rf 2\n# fine\n%s", line);
        bad(two, 3, "longer than 255 bytes");
    }

    /* ---- errors: each names its line, is one line, leaves the table alone */
    bad("dramm 640\n", 1, "unknown key 'dramm'");
    bad("# c\n\nDRAM 640\n", 3, "unknown key 'DRAM'");
    bad("rf 1\nrf\x01 2\n", 2, "unknown key 'rf?'");
    bad("rf 1\r\nsram\r 2\r\n", 2, "unknown key 'sram?'");
    bad("\x7f\n", 1, "unknown key '?'");
    bad("# c\ndram\n", 2, "dram has no value");
    bad("dram\r\n", 1, "dram has no value");
    bad("dram   # only a comment\n", 1, "dram has no value");
    bad("rf 1\ndram", 2, "dram has no value");
    bad("dram -1\n", 1, "not a finite non-negative");
    bad("dram -0\n", 1, "not a finite non-negative");
    bad("dram nan\n", 1, "not a finite non-negative");
    bad("dram NAN\n", 1, "not a finite non-negative");
    bad("dram inf\n", 1, "not a finite non-negative");
    bad("dram infinity\n", 1, "not a finite non-negative");
    bad("dram 1e999\n", 1, "'1e999' is not a finite non-negative");
    bad("dram 0x10\n", 1, "not a finite non-negative");
    bad("dram +1\n", 1, "not a finite non-negative");
    bad("dram 5pJ\n", 1, "'5pJ' is not a finite non-negative");
    bad("dram 1,5\n", 1, "not a finite non-negative");
    bad("dram .\n", 1, "not a finite non-negative");
    bad("dram 1e\n", 1, "not a finite non-negative");
    bad("dram 1e+\n", 1, "not a finite non-negative");
    bad("dram 5 6\n", 1, "unexpected '6' after the value of dram");
    bad("dram 5 6 # c\n", 1, "unexpected '6' after the value of dram");
    bad("rf 1\ndram 5 pJ\r\n", 2, "unexpected 'pJ'");
    bad("dram 5\nrf 1\ndram 6\n", 3, "dram given twice (first on line 1)");
    bad("dram 5\nrf 1\ndram 5\n", 3, "given twice");
    bad_n("dram 1\n\0rf 2\n", 13, 2, "unknown key '?rf'");
    bad_n("dram 1\0\n", 8, 1, "not a finite non-negative");
    bad("rf 1\r\n\r\nrf 2\r\n", 3, "rf given twice");
    bad("mul_int8 1\nadd_int8 -2", 2, "add_int8 '-2'");
    {
        char longkey[120];
        memset(longkey, 'k', sizeof longkey);
        memcpy(longkey + 100, " 1\n", 4);
        bad(longkey, 1, "unknown key 'kkkkkkkkkk");
    }

    /* a small err buffer is cut, still terminated */
    {
        char small[12];
        memset(small, 'x', sizeof small);
        energy_table_default(&t);
        ok(energy_table_parse("bogus 1", 7, &t, small, 8) == PECOS_EFORMAT &&
               memchr(small, '\0', 8) != NULL && small[8] == 'x',
           "a short err buffer is truncated and terminated within errlen");
    }

    /* ---- files */
    char dir[] = "/tmp/pecos_energy_XXXXXX", path[64], bigpath[64], badpath[64];
    ok(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/e.txt", dir);
    snprintf(bigpath, sizeof bigpath, "%s/big.txt", dir);
    snprintf(badpath, sizeof badpath, "%s/bad.txt", dir);
    const char *ftext = "# a file\r\nmul_int8 0.4\r\n\r\nsram_8k 6   # comment\r\nrf 0.25";
    ok(write_file(path, ftext, strlen(ftext)) == 0, "write the table file");
    energy_table_default(&t);
    ok(energy_table_load(path, &t, err, sizeof err) == 0, "loads a table file");
    near(t.mul_int8, 0.4, "file sets mul_int8");
    near(t.sram_8k, 6, "file sets sram_8k");
    near(t.rf, 0.25, "file sets rf (last line, no newline)");
    near(t.dram, 640, "file leaves dram at its default");

    ok(write_file(badpath, "rf 1\ndram x\n", 12) == 0, "write a malformed table file");
    energy_table_t before = t;
    err[0] = '\0';
    ok(energy_table_load(badpath, &t, err, sizeof err) == PECOS_EFORMAT &&
           strstr(err, "line 2:") && !strchr(err, '\n') && !strstr(err, badpath),
       "a malformed file is PECOS_EFORMAT naming line 2, not the path");
    ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after a malformed file");

    err[0] = '\0';
    char nopath[96];
    snprintf(nopath, sizeof nopath, "%s/does_not_exist.txt", dir);
    int rc = energy_table_load(nopath, &t, err, sizeof err);
    ok(rc == PECOS_EIO && strstr(err, "cannot read") && strstr(err, strerror(ENOENT)) &&
           !strchr(err, '\n') && !strstr(err, nopath),
       "a missing file is PECOS_EIO with strerror(ENOENT), without the path");
    ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after a missing file");

    err[0] = '\0';
    rc = energy_table_load(dir, &t, err, sizeof err);
    ok(rc == PECOS_EIO && strstr(err, "cannot read") && !strchr(err, '\n'),
       "a directory is PECOS_EIO with a reason");
    ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after reading a directory");

    /* over 1 MiB: comments only, so only the size can make it fail */
    {
        const size_t n = (1u << 20) + 1;
        char *big = malloc(n);
        ok(big != NULL, "allocate the big file");
        if (big) {
            for (size_t i = 0; i < n; i += 64) {
                const size_t m = n - i < 64 ? n - i : 64;
                memset(big + i, '#', m);
                big[i + m - 1] = '\n';
            }
            ok(write_file(bigpath, big, n) == 0, "write a 1 MiB + 1 file");
            err[0] = '\0';
            rc = energy_table_load(bigpath, &t, err, sizeof err);
            ok(rc != 0 && strstr(err, "1 MiB") && !strchr(err, '\n'),
               "a file over 1 MiB is rejected with the limit as the reason");
            ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after a too-large file");
            ok(write_file(bigpath, big, n - 1) == 0, "write a 1 MiB file");
            ok(energy_table_load(bigpath, &t, err, sizeof err) == 0, "a 1 MiB file is fine");
            free(big);
        }
    }
    unlink(path);
    unlink(badpath);
    unlink(bigpath);
    ok(rmdir(dir) == 0, "temporary directory removed");

    printf("test_energy: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
