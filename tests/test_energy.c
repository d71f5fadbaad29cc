/* test_energy.c - the energy table: defaults from the seeds, file overrides, every error. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "energy.h"
#include "pecos_err.h"

static int checks, failed;

static void ok(int cond, const char *what)
{
    checks++;
    if (!cond) {
        failed++;
        printf("FAIL: %s\n", what);
    }
}

static void near(double got, double want, const char *what)
{
    char b[160];
    snprintf(b, sizeof b, "%s: got %g, expected %g", what, got, want);
    ok(fabs(got - want) < 1e-12, b);
}

/* Parses text and expects an error naming line `line` and containing `word`; the table
 * must stay unchanged. */
static void bad(const char *text, int line, const char *word)
{
    energy_table_t t, before;
    char err[256] = "", what[320], tag[24];
    energy_table_default(&t);
    t.dram = 123;
    before = t;
    const int rc = energy_table_parse(text, strlen(text), &t, err, sizeof err);
    snprintf(tag, sizeof tag, "line %d", line);
    snprintf(what, sizeof what, "rejects [%.40s] with 'line %d' and '%s' (got %d: %s)", text,
             line, word, rc, err);
    ok(rc == PECOS_EFORMAT && strstr(err, tag) && strstr(err, word) && !strchr(err, '\n'),
       what);
    ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after an error");
}

int main(void)
{
    energy_table_t t;
    char err[256];
    energy_table_default(&t);
    near(t.dram, 640, "dram");
    near(t.sram_8k, 5, "sram_8k");
    near(t.sram_32k, 10, "sram_32k");
    near(t.sram_1m, 100, "sram_1m");
    near(t.rf, 0.5, "rf");
    near(t.mul_int8, 0.2, "mul_int8");
    near(t.add_int8, 0.03, "add_int8");
    near(t.add_int16, 0.05, "add_int16");
    near(t.add_int32, 0.1, "add_int32");
    near(t.mul_int32, 3.1, "mul_int32");
    near(t.mul_fp16, 1.1, "mul_fp16");
    near(t.add_fp16, 0.4, "add_fp16");
    near(t.mul_fp32, 3.7, "mul_fp32");
    near(t.add_fp32, 0.9, "add_fp32");
    near(energy_mac_pj(&t, 0), 0.3, "int8 MAC = mul_int8 + add_int32");
    near(energy_mac_pj(&t, 1), 2.0, "fp MAC = mul_fp16 + add_fp32");
    near(energy_sram_pj(&t, 1), 5, "1 B SRAM");
    near(energy_sram_pj(&t, 8192), 5, "8 KiB SRAM");
    near(energy_sram_pj(&t, 8193), 10, "8 KiB + 1 SRAM");
    near(energy_sram_pj(&t, 32768), 10, "32 KiB SRAM");
    near(energy_sram_pj(&t, 32769), 100, "32 KiB + 1 SRAM");
    near(energy_sram_pj(&t, 1 << 20), 100, "1 MiB SRAM");
    near(energy_sram_pj(&t, 2 << 20), 100, "2 MiB SRAM (the 1 MiB entry)");

    /* overrides: comments, blank lines, CRLF, no trailing newline; others keep defaults */
    const char *good = "# my table\r\n\r\ndram 1280   # doubled\r\n  rf\t1.5\nsram_1m 50";
    ok(energy_table_parse(good, strlen(good), &t, err, sizeof err) == 0, "parses overrides");
    near(t.dram, 1280, "dram overridden");
    near(t.rf, 1.5, "rf overridden");
    near(t.sram_1m, 50, "sram_1m overridden");
    near(t.sram_8k, 5, "sram_8k kept");
    near(t.mul_int8, 0.2, "mul_int8 kept");
    ok(energy_table_parse("", 0, &t, err, sizeof err) == 0, "empty text is no override");
    ok(energy_table_parse("dram 7\nxx", 7, &t, err, sizeof err) == 0 && t.dram == 7,
       "does not read past len");

    bad("dramm 640\n", 1, "unknown key 'dramm'");
    bad("# c\ndram\n", 2, "no value");
    bad("dram -1\n", 1, "non-negative");
    bad("dram nan\n", 1, "non-negative");
    bad("dram inf\n", 1, "non-negative");
    bad("dram 1e999\n", 1, "non-negative");
    bad("dram 5pJ\n", 1, "non-negative");
    bad("dram 5 6\n", 1, "unexpected '6'");
    bad("dram 5\nrf 1\ndram 6\n", 3, "twice");
    bad("rf 1\nrf\x01 2\n", 2, "unknown key 'rf?'");
    char longline[400];
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "dram 1", 6);
    longline[399] = '\0';
    bad(longline, 1, "longer than 255");

    /* files */
    char dir[] = "/tmp/pecos_energy_XXXXXX", path[64];
    ok(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(path, sizeof path, "%s/e.txt", dir);
    FILE *f = fopen(path, "w");
    ok(f != NULL, "create the table file");
    if (f) {
        fputs("mul_int8 0.4\n", f);
        fclose(f);
    }
    energy_table_default(&t);
    ok(energy_table_load(path, &t, err, sizeof err) == 0 && t.mul_int8 == 0.4,
       "loads a table file");
    energy_table_t before = t;
    const int rc = energy_table_load("/nonexistent/e.txt", &t, err, sizeof err);
    ok(rc == PECOS_EIO && strstr(err, "cannot read") && !strchr(err, '\n'),
       "a missing file is PECOS_EIO with a reason");
    ok(memcmp(&t, &before, sizeof t) == 0, "table unchanged after a missing file");
    unlink(path);
    rmdir(dir);

    printf("test_energy: %d checks, %d failed\n", checks, failed);
    return failed ? 1 : 0;
}
