/* test_report_csv.c - report_csv() on three hand-filled layers, parsed back with an RFC 4180
 * reader: header, column count, names with commas and quotes, values, pass/FAIL, errors.
 * Usage: test_report_csv OUT.csv */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "pecos_err.h"
#include "report_csv.h"

#define MAXF 96
#define MAXR 8

typedef struct {
    char *f[MAXR][MAXF];
    int nf[MAXR];
    int nr;
    int bad; /* malformed: bare quote inside a field, text after a closing quote, bare LF */
} csv_t;

/* Parses s (RFC 4180, CRLF records). Fields point into a copy owned by the caller's buf. */
static void csv_parse(char *s, csv_t *c)
{
    memset(c, 0, sizeof *c);
    char *w = s;
    while (*s && c->nr < MAXR) {
        int r = c->nr;
        for (;;) {
            char *start = w;
            if (*s == '"') {
                s++;
                for (;;) {
                    if (!*s) { c->bad = 1; break; }
                    if (*s == '"' && s[1] == '"') { *w++ = '"'; s += 2; continue; }
                    if (*s == '"') { s++; break; }
                    *w++ = *s++;
                }
                if (*s != ',' && *s != '\r') c->bad = 1;
            } else {
                while (*s && *s != ',' && *s != '\r' && *s != '\n') {
                    if (*s == '"') c->bad = 1;
                    *w++ = *s++;
                }
            }
            const char sep = *s;
            *w++ = '\0';
            if (c->nf[r] < MAXF) c->f[r][c->nf[r]++] = start;
            if (sep == ',') { s++; continue; }
            if (sep == '\r' && s[1] == '\n') { s += 2; break; }
            c->bad = 1; /* bare LF or EOF without CRLF */
            while (*s) s++;
            break;
        }
        c->nr++;
    }
}

static int col(const csv_t *c, const char *name)
{
    for (int i = 0; i < c->nf[0]; i++)
        if (strcmp(c->f[0][i], name) == 0) return i;
    printf("FAIL: no column %s\n", name);
    failed++;
    return 0;
}

static void expect_str(const char *what, const char *got, const char *want)
{
    checks++;
    if (strcmp(got, want) != 0) {
        failed++;
        printf("FAIL: %s: got '%s', expected '%s'\n", what, got, want);
    }
}

static unsigned long long u(const csv_t *c, int row, const char *name)
{
    return strtoull(c->f[row][col(c, name)], NULL, 10);
}

static void fill(layer_result_t *r, const char *name, unsigned long long base)
{
    memset(r, 0, sizeof *r);
    snprintf(r->layer.name, sizeof r->layer.name, "%s", name);
    r->layer = (layer_t){.type = LAYER_CONV, .c = 3, .h = 32, .w = 30, .k = 8, .r = 3, .s = 3,
                         .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
                         .pad_t = 1, .pad_l = 1, .pad_b = 1, .pad_r = 1, .p = 32, .q = 30};
    snprintf(r->layer.name, sizeof r->layer.name, "%s", name);
    r->macs = 8ull * 32 * 30 * 27 + base;
    r->cycles = 1000 + base;
    r->model_cycles = 990 + base;
    r->ideal_cycles = 810 + base;
    r->start_cycle = 5 * base;
    r->utilization = 0.8125;
    r->bitexact = r->cycles_match = r->counters_ok = true;
    r->sim_seconds = 0.25;
    r->wall_seconds = 0.5;
    layer_mem_t *m = &r->mem;
    snprintf(m->tiling, sizeof m->tiling, "k8.c3.p32 order k,p,c");
    m->tiles = 1;
    m->visits = 1;
    m->dram_rd = 3000 + base;
    m->dram_wr = 7680 + base;
    m->dram_bus = 11000 + base;
    m->model_dram = m->dram_rd + m->dram_wr;
    m->compulsory = m->model_dram;
    for (int j = 0; j < 3; j++) {
        m->glb_rd[j] = 100 * (j + 1) + base;
        m->glb_wr[j] = 1000 * (j + 1) + base;
    }
    m->rf_rd = 777 + base;
    m->rf_wr = 888 + base;
    for (int j = 0; j < 4; j++) m->stall[j] = 10 * (j + 1) + base;
    for (int j = 0; j < ENERGY_N; j++) m->energy_pj[j] = 1.5 * (j + 1) + (double)base;
    m->intensity = 2.5;
    m->roofline_cycles = 850 + base;
    m->predicted_cycles = 1010 + base;
    m->traffic_ok = m->bounds_ok = true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report_csv OUT.csv\n");
        return 2;
    }
    layer_result_t res[3];
    fill(&res[0], "conv1", 0);
    fill(&res[1], "fc \"big\", 1", 1);
    fill(&res[2], "res2a_branch2a", 2);
    res[1].layer.type = LAYER_FC;
    res[2].bitexact = false;
    res[2].mismatches = 17;
    run_config_t cfg = {.rows = 16, .cols = 16, .dataflow = "ws", .dtype = "int8", .seed = 1,
                        .dram_bw = 8, .dram_latency = 100, .glb_desc = "256 KiB unified"};
    expect("report_csv rc", (unsigned long long)-report_csv(argv[1], &cfg, res, 3), 0);

    FILE *f = fopen(argv[1], "rb");
    static char text[1 << 16], buf[1 << 16];
    size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[len] = '\0';
    memcpy(buf, text, len + 1);
    csv_t c;
    csv_parse(buf, &c);
    expect("well-formed", (unsigned long long)c.bad, 0);
    expect("records (header + 3 layers)", (unsigned long long)c.nr, 4);
    expect("header columns", (unsigned long long)c.nf[0], 65);
    for (int r = 1; r < c.nr; r++) expect("row columns == header", c.nf[r], c.nf[0]);
    if (c.nr != 4 || c.bad || c.nf[0] < 65) {
        printf("FAIL: %d checks, %d failed\n", checks, failed);
        return 1;
    }
    expect_str("first column", c.f[0][0], "index");
    expect_str("name 0", c.f[1][col(&c, "name")], "conv1");
    expect_str("name 1 (comma, quotes)", c.f[2][col(&c, "name")], "fc \"big\", 1");
    expect_str("name 2 (underscores)", c.f[3][col(&c, "name")], "res2a_branch2a");
    expect("quoting on the wire", strstr(text, ",\"fc \"\"big\"\", 1\",") != NULL, 1);
    expect_str("type 1", c.f[2][col(&c, "type")], "fc");
    expect_str("tiling (commas)", c.f[1][col(&c, "tiling")], "k8.c3.p32 order k,p,c");
    expect_str("check 0", c.f[1][col(&c, "check")], "pass");
    expect_str("check 2", c.f[3][col(&c, "check")], "FAIL");
    expect("mismatches 2", u(&c, 3, "mismatches"), 17);
    expect("bitexact 2", u(&c, 3, "bitexact"), 0);
    for (int r = 1; r <= 3; r++) {
        const unsigned long long b = (unsigned long long)(r - 1);
        expect("index", u(&c, r, "index"), b);
        expect("c", u(&c, r, "c"), 3);
        expect("q", u(&c, r, "q"), 30);
        expect("k", u(&c, r, "k"), 8);
        expect("macs", u(&c, r, "macs"), 8ull * 32 * 30 * 27 + b);
        expect("cycles", u(&c, r, "cycles"), 1000 + b);
        expect("model_cycles", u(&c, r, "model_cycles"), 990 + b);
        expect("ideal_cycles", u(&c, r, "ideal_cycles"), 810 + b);
        expect("roofline_cycles", u(&c, r, "roofline_cycles"), 850 + b);
        expect("predicted_cycles", u(&c, r, "predicted_cycles"), 1010 + b);
        expect("utilization x 1e4", (unsigned long long)(strtod(c.f[r][col(&c, "utilization")],
                                                                NULL) * 1e4 + 0.5), 8125);
        expect("dram_bytes_read", u(&c, r, "dram_bytes_read"), 3000 + b);
        expect("dram_bytes_written", u(&c, r, "dram_bytes_written"), 7680 + b);
        expect("glb_ifmap_bytes_read", u(&c, r, "glb_ifmap_bytes_read"), 100 + b);
        expect("glb_weight_bytes_written", u(&c, r, "glb_weight_bytes_written"), 2000 + b);
        expect("glb_psum_bytes_read", u(&c, r, "glb_psum_bytes_read"), 300 + b);
        expect("glb_psum_bytes_written", u(&c, r, "glb_psum_bytes_written"), 3000 + b);
        expect("stall_compute", u(&c, r, "stall_compute"), 10 + b);
        expect("stall_fill_drain", u(&c, r, "stall_fill_drain"), 20 + b);
        expect("stall_dma", u(&c, r, "stall_dma"), 30 + b);
        expect("stall_glb_port", u(&c, r, "stall_glb_port"), 40 + b);
        expect("energy_dram_pj x 10", (unsigned long long)(strtod(c.f[r][col(&c, "energy_dram_pj")], NULL) * 10 + 0.5), 15 + 10 * b);
        expect("energy_mac_pj x 10", (unsigned long long)(strtod(c.f[r][col(&c, "energy_mac_pj")], NULL) * 10 + 0.5), 60 + 10 * b);
        expect("energy_total_pj x 10", (unsigned long long)(strtod(c.f[r][col(&c, "energy_total_pj")], NULL) * 10 + 0.5), 150 + 40 * b);
        expect("intensity x 10", (unsigned long long)(strtod(c.f[r][col(&c, "arithmetic_intensity")], NULL) * 10 + 0.5), 25);
        expect("sim_cycles_per_second", u(&c, r, "sim_cycles_per_second"), 4 * (1000 + b));
        expect("rows", u(&c, r, "rows"), 16);
        expect("dram_latency", u(&c, r, "dram_latency"), 100);
        expect_str("dataflow", c.f[r][col(&c, "dataflow")], "ws");
    }
    expect("unwritable path", (unsigned long long)-report_csv("/nonexistent-dir/x.csv", &cfg, res, 3),
           (unsigned long long)-PECOS_EIO);
    printf("%s: %d checks, %d failed\n", failed ? "FAIL" : "PASS", checks, failed);
    return failed ? 1 : 0;
}
