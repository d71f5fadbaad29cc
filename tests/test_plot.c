/* test_plot.c - plot_network() on a fixed 6-layer network (two memory-bound FC layers,
 * compute-bound convs, names with '_' and '"'), a 70-layer one and the error paths.
 * Usage: test_plot OUTDIR (the plots stay there to be looked at). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "expect.h"
#include "pecos_err.h"
#include "plot.h"

/* Reads a whole file; NULL if missing. *len gets its size. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* XML text as gnuplot's SVG terminal writes it (& < > escaped). */
static void xml_text(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    for (; *s && o + 6 < outlen; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        if (rep) {
            memcpy(out + o, rep, strlen(rep));
            o += strlen(rep);
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The PNG at path has the signature, an IHDR first, and the given size. */
static void check_png(const char *dir, const char *name, uint32_t w, uint32_t h)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len = 0;
    unsigned char *p = (unsigned char *)slurp(path, &len);
    CHECK(p != NULL, "%s missing", path);
    if (!p) return;
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    CHECK(len > 33 && memcmp(p, sig, 8) == 0, "%s: no PNG signature", path);
    if (len > 33) {
        CHECK(be32(p + 8) == 13 && memcmp(p + 12, "IHDR", 4) == 0, "%s: no IHDR first", path);
        CHECK(be32(p + 16) == w && be32(p + 20) == h, "%s: size %ux%u, expected %ux%u", path,
              be32(p + 16), be32(p + 20), w, h);
    }
    free(p);
}

/* The SVG at path is an <svg> document holding every string of want (XML-escaped). */
static void check_svg(const char *dir, const char *name, const char *const *want, int nwant)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = slurp(path, NULL);
    CHECK(s != NULL, "%s missing", path);
    if (!s) return;
    CHECK(strstr(s, "<svg") != NULL && strstr(s, "</svg>") != NULL, "%s: not an <svg>", path);
    for (int i = 0; i < nwant; i++) {
        char x[256];
        xml_text(want[i], x, sizeof x);
        CHECK(strstr(s, x) != NULL, "%s: does not contain '%s'", path, x);
    }
    free(s);
}

static bool file_contains(const char *dir, const char *name, const char *what)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = slurp(path, NULL);
    const bool ok = s && strstr(s, what);
    free(s);
    return ok;
}

/* A layer with the given MACs, utilization of a rows x cols array and arithmetic intensity. */
static plot_layer_t mk(const char *name, uint64_t macs, double util, double ai, double bw, int pes)
{
    plot_layer_t L = {0};
    L.name = name;
    L.macs = macs;
    L.cycles = (uint64_t)ceil((double)macs / (util * pes));
    L.ideal_cycles = (macs + (uint64_t)pes - 1) / (uint64_t)pes;
    L.dram_bytes = (uint64_t)(2.0 * (double)macs / ai);
    const uint64_t mem = bw > 0 ? (uint64_t)ceil((double)L.dram_bytes / bw) : 0;
    L.roofline_cycles = mem > L.ideal_cycles ? mem : L.ideal_cycles;
    L.utilization = (double)macs / ((double)L.cycles * pes);
    L.energy_pj[PLOT_E_DRAM] = (double)L.dram_bytes / 4 * 640;
    L.energy_pj[PLOT_E_GLB] = (double)macs / 16 * 2 * 100;
    L.energy_pj[PLOT_E_RF] = (double)macs * 3 * 0.5;
    L.energy_pj[PLOT_E_MAC] = (double)macs * 0.23;
    return L;
}

static const char *const names6[6] = {"conv1",   "conv2",  "conv3_\"big\"",
                                      "conv4_dw", "fc6",    "fc7"};

static void six_layers(plot_layer_t *L, double bw)
{
    const int pes = 256;
    L[0] = mk(names6[0], 105415200, 0.78, 240, bw, pes);
    L[1] = mk(names6[1], 223948800, 0.93, 170, bw, pes);
    L[2] = mk(names6[2], 149520384, 0.88, 120, bw, pes);
    L[3] = mk(names6[3], 112140288, 0.52, 80, bw, pes);
    /* memory-bound: 0.9 of the memory roof at intensity ~2 */
    L[4] = mk(names6[4], 37748736, 2.0 * 0.9 * 8 / 512, 2.0, bw, pes);
    L[5] = mk(names6[5], 16777216, 1.9 * 0.85 * 8 / 512, 1.9, bw, pes);
}

static const char *const outputs[6] = {"roofline.svg", "roofline.png", "utilization.svg",
                                       "utilization.png", "energy.svg", "energy.png"};

static void check_set(const char *dir, const char *const *names, int n, bool bounded)
{
    for (int i = 0; i < 6; i++) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, outputs[i]);
        CHECK(stat(path, &st) == 0 && st.st_size > 0, "%s missing or empty", path);
    }
    static const char *const scripts[4] = {"layers.dat", "roofline.gp", "utilization.gp",
                                           "energy.gp"};
    for (int i = 0; i < 4; i++)
        CHECK(file_contains(dir, scripts[i], "#"), "%s/%s missing", dir, scripts[i]);
    check_png(dir, "roofline.png", 1250, 800);
    check_png(dir, "utilization.png", n > 44 ? 200 + 16 * (uint32_t)n : 900, 600);
    check_png(dir, "energy.png", (n > 44 ? 200 + 16 * (uint32_t)n : 900) + 320, 600);
    const char *axes_r[] = {"arithmetic intensity (ops/byte", "achieved performance (ops/cycle",
                            "compute roof: 512 ops/cycle (16x16 PEs)",
                            bounded ? "memory roof: 8 bytes/cycle" : "no memory roof",
                            bounded ? "ridge point: 64 ops/byte" : "DRAM bandwidth unbounded"};
    check_svg(dir, "roofline.svg", axes_r, 5);
    const char *axes_u[] = {"PE utilization (%)", "layer (network order)", "MAC-weighted mean",
                            "roofline bound"};
    check_svg(dir, "utilization.svg", axes_u, 4);
    const char *axes_e[] = {"energy (\xc2\xb5J)", "layer (network order)", "DRAM: ", "GLB: ",
                            "RF (PE registers): ", "MAC: "};
    check_svg(dir, "energy.svg", axes_e, 6);
    check_svg(dir, "utilization.svg", names, n);
    check_svg(dir, "energy.svg", names, n);
}

static bool same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char pa[512], pb[512];
    size_t la = 0, lb = 0;
    snprintf(pa, sizeof pa, "%s/%s", a_dir, name);
    snprintf(pb, sizeof pb, "%s/%s", b_dir, name);
    char *a = slurp(pa, &la), *b = slurp(pb, &lb);
    const bool same = a && b && la == lb && memcmp(a, b, la) == 0;
    free(a);
    free(b);
    return same;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_plot OUTDIR\n");
        return 2;
    }
    const char *out = argv[1];
    char dir[400], dir2[400], err[512];
    plot_layer_t L[6];

    /* 1. six layers, 16x16, 8 bytes/cycle */
    six_layers(L, 8);
    plot_cfg_t cfg = {"six layers on 16x16 int8 ws, 8 B/cycle", 16, 16, 8.0};
    plot_cfg_t cfg70 = {"ResNet-like, 70 layers on 16x16 int8 ws, 8 B/cycle", 16, 16, 8.0};
    snprintf(dir, sizeof dir, "%s/six", out);
    int rc = plot_network(dir, &cfg, L, 6, err, sizeof err);
    CHECK(rc == 0, "six layers: rc %d (%s)", rc, err);
    check_set(dir, names6, 6, true);
    check_svg(dir, "roofline.svg", names6, 6); /* every layer labelled */
    CHECK(file_contains(dir, "layers.dat", "\"conv3_\\\"big\\\"\""),
          "layers.dat: name not escaped as \"conv3_\\\"big\\\"\"");
    CHECK(!file_contains(dir, "roofline.svg", "left out"), "six layers: a label was left out");
    /* the memory-bound layers are on the memory side, the convs on the compute side */
    CHECK(file_contains(dir, "roofline.dat", "\"fc6\"") &&
              file_contains(dir, "roofline.dat", "\"conv1\""),
          "roofline.dat lacks layers");

    /* 2. deterministic: the same input again gives the same bytes */
    snprintf(dir2, sizeof dir2, "%s/six_again", out);
    rc = plot_network(dir2, &cfg, L, 6, err, sizeof err);
    CHECK(rc == 0, "six layers again: rc %d (%s)", rc, err);
    static const char *const all[] = {"roofline.svg",    "roofline.png",  "utilization.svg",
                                      "utilization.png", "energy.svg",    "energy.png",
                                      "layers.dat",      "roofline.dat",  "roofline.gp",
                                      "utilization.gp",  "energy.gp"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        CHECK(same_file(dir, dir2, all[i]), "%s differs between two runs", all[i]);

    /* 3. unbounded bandwidth: no memory roof, said on the plot */
    six_layers(L, 0);
    plot_cfg_t cfg0 = {"six layers, DRAM unbounded", 16, 16, 0.0};
    snprintf(dir, sizeof dir, "%s/six_bw0", out);
    rc = plot_network(dir, &cfg0, L, 6, err, sizeof err);
    CHECK(rc == 0, "bw=0: rc %d (%s)", rc, err);
    check_set(dir, names6, 6, false);
    CHECK(!file_contains(dir, "roofline.svg", "bytes/cycle x intensity"), "bw=0: a memory roof is drawn");

    /* 4. seventy layers (ResNet-50-like) with a 0-MAC layer: labels limited, key says so */
    enum { N70 = 70 };
    plot_layer_t big[N70];
    char names70[N70][24];
    const char *np70[N70];
    for (int i = 0; i < N70; i++) {
        snprintf(names70[i], sizeof names70[i], "res%d%c_branch2%c", 2 + i / 18,
                 'a' + (i / 3) % 6, 'a' + i % 3);
        np70[i] = names70[i];
        const double ai = 12.0 * pow(1.09, i % 40) * (i % 3 == 1 ? 1.8 : 1.0);
        const double util = 0.35 + 0.6 * ((i * 37) % 100) / 100.0;
        big[i] = mk(names70[i], (uint64_t)(20000000 + 3000000ull * (uint64_t)((i * 13) % 29)),
                    util, ai, 8, 256);
        const double mem_util = ai * 8 / 512; /* cannot beat the memory roof */
        if (util > mem_util) big[i] = mk(names70[i], big[i].macs, mem_util * 0.95, ai, 8, 256);
    }
    big[N70 - 1].macs = 0; /* a pooling layer */
    big[N70 - 1].utilization = 0;
    snprintf(dir, sizeof dir, "%s/seventy", out);
    rc = plot_network(dir, &cfg70, big, N70, err, sizeof err);
    CHECK(rc == 0, "70 layers: rc %d (%s)", rc, err);
    check_set(dir, np70, N70, true);
    char note[96];
    snprintf(note, sizeof note, "labels: the %d largest of %d layers by MACs", PLOT_MAX_LABELS,
             N70 - 1);
    CHECK(file_contains(dir, "roofline.svg", note), "70 layers: key lacks '%s'", note);
    CHECK(file_contains(dir, "roofline.svg", "not shown: 1 layer with 0 MACs"),
          "70 layers: the 0-MAC layer is not reported as left out");

    /* 5. hostile names and numbers, in a directory whose name has a space and quotes:
     * every name gets through as text; a network of nothing still plots */
    static const char *const odd[6] = {"it's", "back\\slash", "tab\there", "\xff\xfe bad utf8",
                                       "", ("a_very_long_layer_name_that_goes_on_and_on_and_on_"
                                            "and_on_and_on_past_sixty_four_bytes")};
    static const char *const odd_shown[6] = {"it's", "back\\slash", "tab?here", "?? bad utf8",
                                             "L4", "a_very_long_layer_name_that_goes_on"};
    plot_layer_t O[6];
    six_layers(O, 8);
    for (int i = 0; i < 6; i++) O[i].name = odd[i];
    O[4].name = NULL;
    plot_cfg_t cfgo = {"quotes ' \" and \\ in a title", 4, 4, 0.5};
    snprintf(dir, sizeof dir, "%s/odd dir 'q' \"qq\"", out);
    rc = plot_network(dir, &cfgo, O, 6, err, sizeof err);
    CHECK(rc == 0, "odd names: rc %d (%s)", rc, err);
    check_svg(dir, "utilization.svg", odd_shown, 6);
    check_svg(dir, "energy.svg", odd_shown, 6);
    for (int i = 0; i < 6; i++) {
        O[i].macs = O[i].cycles = O[i].dram_bytes = 0;
        O[i].utilization = 0;
        for (int j = 0; j < PLOT_E_N; j++) O[i].energy_pj[j] = 0;
    }
    snprintf(dir, sizeof dir, "%s/nothing", out);
    rc = plot_network(dir, &cfgo, O, 6, err, sizeof err);
    CHECK(rc == 0, "all-zero network: rc %d (%s)", rc, err);
    CHECK(file_contains(dir, "roofline.svg", "not shown: 6 layers with 0 MACs"),
          "all-zero network: key does not say why nothing is shown");

    /* 6. errors */
    snprintf(dir, sizeof dir, "%s/a_file", out);
    FILE *f = fopen(dir, "w");
    if (f) fclose(f);
    snprintf(dir, sizeof dir, "%s/a_file/plots", out);
    err[0] = '\0';
    rc = plot_network(dir, &cfg, L, 6, err, sizeof err);
    CHECK(rc == PECOS_EIO, "dir under a file: rc %d, expected PECOS_EIO", rc);
    CHECK(err[0] && !strchr(err, '\n') && strstr(err, "a_file"), "dir under a file: err '%s'",
          err);
    printf("unwritable dir: %s\n", err);

    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", "/nonexistent-pecos-test", 1);
    snprintf(dir, sizeof dir, "%s/no_gnuplot", out);
    rc = plot_network(dir, &cfg, L, 6, err, sizeof err);
    CHECK(rc == PECOS_EIO, "no gnuplot: rc %d, expected PECOS_EIO", rc);
    CHECK(strstr(err, "gnuplot") && !strchr(err, '\n'), "no gnuplot: err '%s'", err);
    printf("gnuplot missing: %s\n", err);
    if (saved) setenv("PATH", saved, 1);
    free(saved);

    rc = plot_network(dir, &cfg, L, 0, err, sizeof err);
    CHECK(rc == PECOS_EPARAM, "n=0: rc %d, expected PECOS_EPARAM", rc);
    plot_cfg_t badcfg = {"x", 0, 16, 8};
    rc = plot_network(dir, &badcfg, L, 6, err, sizeof err);
    CHECK(rc == PECOS_EPARAM, "rows=0: rc %d, expected PECOS_EPARAM", rc);
    badcfg = (plot_cfg_t){"x", 16, 16, -1};
    rc = plot_network(dir, &badcfg, L, 6, err, sizeof err);
    CHECK(rc == PECOS_EPARAM, "bw<0: rc %d, expected PECOS_EPARAM", rc);

    printf("%s: %d checks, %d failed (plots in %s)\n", failed ? "FAIL" : "PASS", checks, failed,
           out);
    return failed ? 1 : 0;
}
