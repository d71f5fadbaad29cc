#define _POSIX_C_SOURCE 200809L
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pecos_err.h"

#define PLOT_NAME_MAX 64      /* bytes of a cleaned name, including the NUL */
#define PLOT_GNUPLOT_TIMEOUT 120 /* seconds */

/* Roofline canvas and plot area (fractions of the canvas, fixed so that labels can be
 * placed in pixels before gnuplot draws). */
#define RF_W 1250
#define RF_H 800
#define RF_L 0.07
#define RF_R 0.695
#define RF_B 0.085
#define RF_T 0.93
#define RF_FONT 8             /* label font size */
#define RF_CHAR_W 6.8         /* advance of one character at RF_FONT in the PNG, pixels (the
                                 SVG's is smaller), a little generous */
#define RF_LINE_H 13.0        /* label box height, pixels */
#define RF_POINT_R 6.0        /* half the size of a point marker, pixels */
#define RF_RIDGE_R 12.0       /* half the size of the ridge marker, pixels */
#define RF_LEVELS 4           /* label distances tried; from the third on, a leader line */

static const char *const level_name[PLOT_E_N] = {"DRAM", "GLB", "RF (PE registers)", "MAC"};
static const char *const level_color[PLOT_E_N] = {"#cc3311", "#ee7733", "#0077bb", "#009988"};

/* Copies s into out (outlen bytes) keeping valid UTF-8 and replacing control characters and
 * invalid bytes by '?'; truncates at a character boundary. Returns the number of characters. */
static int clean_text(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    int chars = 0;
    if (!s) s = "";
    while (*s) {
        const unsigned char c = (unsigned char)*s;
        int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                               : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (len > 1) {
            for (int i = 1; i < len; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80) len = 0;
            /* overlong forms, surrogates, beyond U+10FFFF */
            const unsigned char c1 = (unsigned char)s[1];
            if (len == 2 && c < 0xc2) len = 0;
            if (len == 3 && ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0))) len = 0;
            if (len == 4 && (c > 0xf4 || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)))
                len = 0;
        }
        const bool bad = len == 0 || (len == 1 && (c < 0x20 || c == 0x7f));
        const int take = bad ? 1 : len;
        if (o + (size_t)(bad ? 1 : len) + 1 > outlen) break;
        if (bad)
            out[o++] = '?';
        else
            for (int i = 0; i < len; i++) out[o++] = s[i];
        s += take;
        chars++;
    }
    if (outlen) out[o] = '\0';
    return chars;
}

/* Writes s as a gnuplot data-file string: double quotes, \" and \\ escaped. */
static void dat_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Writes s as a gnuplot script string: single quotes, ' doubled (no other escapes apply). */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* Creates dir and its missing parents. Returns 0 or PECOS_EIO with err set. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    const size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: directory name '%s' is empty or too long", dir);
    }
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        const char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            return pecos_fail(err, errlen, PECOS_EIO, "plot: cannot create directory %s: %s", path, strerror(errno));
        }
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: %s is not a directory", dir);
    }
    return 0;
}

/* An output file of the plot directory being written. */
typedef struct {
    FILE *f;
    char path[4200];
} out_t;

static int out_open(out_t *o, const char *dir, const char *name, char *err, size_t errlen)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->f = fopen(o->path, "w");
    if (!o->f) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: cannot write %s: %s", o->path, strerror(errno));
    }
    return 0;
}

static int out_close(out_t *o, char *err, size_t errlen)
{
    const bool bad = ferror(o->f) != 0;
    const int rc = fclose(o->f);
    o->f = NULL;
    if (bad || rc != 0) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: error writing %s", o->path);
    }
    return 0;
}

/* Per-layer values derived once for all plots. */
typedef struct {
    char name[PLOT_NAME_MAX];
    int chars;                 /* characters in name */
    double ai, perf;           /* ops/byte, ops/cycle (valid if on_roof) */
    bool on_roof;              /* drawn on the roofline */
    bool labelled;             /* chosen for a label */
    bool placed;               /* label found room */
    bool lead;                 /* label placed away from its point: draw a leader */
    double lx, ly;             /* label centre, data coordinates */
} lay_t;

typedef struct { double x0, y0, x1, y1; } box_t;

static bool box_overlap(box_t a, box_t b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/* True if segment (ax,ay)-(bx,by) crosses box r (Liang-Barsky clipping). */
static bool seg_hits_box(double ax, double ay, double bx, double by, box_t r)
{
    double t0 = 0, t1 = 1;
    const double dx = bx - ax, dy = by - ay;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {ax - r.x0, r.x1 - ax, ay - r.y0, r.y1 - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
        } else {
            const double t = q[i] / p[i];
            if (p[i] < 0) {
                if (t > t1) return false;
                if (t > t0) t0 = t;
            } else {
                if (t < t0) return false;
                if (t < t1) t1 = t;
            }
        }
    }
    return true;
}

/* The largest 1, 2 or 5 x 10^k at most v (v > 0). */
static double nice_floor(double v)
{
    const double d = pow(10, floor(log10(v)));
    const double m = v / d * (1 + 1e-12);
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * d;
}

/* The smallest 1, 2 or 5 x 10^k at least v (v > 0). */
static double nice_ceil(double v)
{
    const double d = pow(10, floor(log10(v)));
    const double m = v / d * (1 - 1e-12);
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * d;
}

/* Tics of a log axis from lo to hi: 1, 2, 5 x 10^k up to four decades, else decades with
 * minor tics. */
static void gp_log_tics(FILE *f, char axis, double lo, double hi)
{
    if (log10(hi / lo) > 4.01) {
        fprintf(f, "set %ctics 10\nset m%ctics 10\n", axis, axis);
        return;
    }
    static const double m[3] = {1, 2, 5};
    fprintf(f, "unset m%ctics\nset %ctics (", axis, axis);
    int first = 1;
    for (int k = (int)floor(log10(lo)) - 1; k <= (int)ceil(log10(hi)); k++)
        for (int j = 0; j < 3; j++) {
            const double v = m[j] * pow(10, k);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            fprintf(f, "%s%g", first ? "" : ", ", v);
            first = 0;
        }
    fprintf(f, ")\n");
}

/* The roofline's axes: data (log10) to pixels, y up. */
typedef struct {
    double lx0, lx1, ly0, ly1; /* log10 of the axis ranges */
} axes_t;

static double px_x(const axes_t *a, double x)
{
    return RF_W * (RF_L + (log10(x) - a->lx0) / (a->lx1 - a->lx0) * (RF_R - RF_L));
}
static double px_y(const axes_t *a, double y)
{
    return RF_H * (RF_B + (log10(y) - a->ly0) / (a->ly1 - a->ly0) * (RF_T - RF_B));
}
static double data_x(const axes_t *a, double px)
{
    return pow(10.0, a->lx0 + (px / RF_W - RF_L) / (RF_R - RF_L) * (a->lx1 - a->lx0));
}
static double data_y(const axes_t *a, double py)
{
    return pow(10.0, a->ly0 + (py / RF_H - RF_B) / (RF_T - RF_B) * (a->ly1 - a->ly0));
}

/* Index order: largest MACs first, then network order. */
static void sort_by_macs(const plot_layer_t *layers, int n, int *idx)
{
    for (int i = 0; i < n; i++) idx[i] = i;
    for (int i = 1; i < n; i++) { /* insertion sort: stable and deterministic */
        const int v = idx[i];
        int j = i - 1;
        while (j >= 0 && layers[idx[j]].macs < layers[v].macs) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
}

/* Segments of the roof lines in pixels, for label placement. */
typedef struct { double ax, ay, bx, by; } seg_t;

/* Places the labels of the chosen layers (largest MACs first) where they overlap no point,
 * no placed label and, if possible, no roof line; a label that finds no room is dropped. */
static void place_labels(const axes_t *ax, lay_t *lay, int n, const int *order,
                         const seg_t *segs, int nseg, const double *ridge_px)
{
    box_t *placed = malloc(sizeof(box_t) * (size_t)(n > 0 ? n : 1));
    int np = 0;
    if (!placed) return;
    const box_t area = {RF_W * RF_L + 2, RF_H * RF_B + 2, RF_W * RF_R - 2, RF_H * RF_T - 2};
    static const int dirs[8][2] = {{1, 0}, {-1, 0}, {1, 1}, {1, -1},
                                   {-1, 1}, {-1, -1}, {0, 1}, {0, -1}};
    for (int k = 0; k < n; k++) {
        lay_t *L = &lay[order[k]];
        if (!L->labelled) continue;
        const double px = px_x(ax, L->ai), py = px_y(ax, L->perf);
        const double w = L->chars * RF_CHAR_W + 6, h = RF_LINE_H;
        bool found = false;
        box_t best = {0, 0, 0, 0};
        int best_level = 0;
        for (int pass = 0; pass < 2 && !found; pass++) {
            for (int level = 0; level < RF_LEVELS && !found; level++) {
                const double gap = RF_POINT_R + 2 + level * 14.0;
                for (int d = 0; d < 8 && !found; d++) {
                    const double cx = px + dirs[d][0] * (gap + w / 2);
                    const double cy = py + dirs[d][1] * (gap * 0.8 + h / 2);
                    const box_t b = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
                    if (b.x0 < area.x0 || b.x1 > area.x1 || b.y0 < area.y0 || b.y1 > area.y1)
                        continue;
                    bool ok = true;
                    for (int i = 0; i < n && ok; i++) {
                        if (!lay[i].on_roof) continue;
                        const double qx = px_x(ax, lay[i].ai), qy = px_y(ax, lay[i].perf);
                        const box_t pb = {qx - RF_POINT_R, qy - RF_POINT_R, qx + RF_POINT_R,
                                          qy + RF_POINT_R};
                        ok = !box_overlap(b, pb);
                    }
                    if (ok && ridge_px) {
                        const box_t rb = {ridge_px[0] - RF_RIDGE_R, ridge_px[1] - RF_RIDGE_R,
                                          ridge_px[0] + RF_RIDGE_R, ridge_px[1] + RF_RIDGE_R};
                        ok = !box_overlap(b, rb);
                    }
                    for (int i = 0; i < np && ok; i++) ok = !box_overlap(b, placed[i]);
                    for (int i = 0; i < nseg && ok && pass == 0; i++)
                        ok = !seg_hits_box(segs[i].ax, segs[i].ay, segs[i].bx, segs[i].by, b);
                    if (ok) {
                        found = true;
                        best = b;
                        best_level = level;
                    }
                }
            }
        }
        if (!found) continue;
        placed[np++] = best;
        L->placed = true;
        L->lead = best_level >= 2;
        L->lx = data_x(ax, (best.x0 + best.x1) / 2);
        L->ly = data_y(ax, (best.y0 + best.y1) / 2);
    }
    free(placed);
}

/* Writes the common head of a script: terminal SVG, output, encoding, font. */
static void gp_head(FILE *f, const char *what, int w, int h)
{
    fprintf(f, "# %s.gp - written by pecos; re-plot with: gnuplot %s.gp\n", what, what);
    fprintf(f, "reset\nset encoding utf8\n");
    fprintf(f, "set terminal svg size %d,%d noenhanced font 'Sans,10' background '#ffffff'\n", w,
            h);
    fprintf(f, "set output '%s.svg'\n", what);
}

/* Writes the common tail: the same plot as PNG. */
static void gp_tail(FILE *f, const char *what, int w, int h)
{
    fprintf(f, "set terminal pngcairo size %d,%d noenhanced font 'Sans,10' background "
               "'#ffffff'\n",
            w, h);
    fprintf(f, "set output '%s.png'\nreplot\nset output\n", what);
}

/* Writes "<title>: <what>" as a gnuplot string (title may be empty). */
static void gp_title(FILE *f, const char *title, const char *what)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s%s%s", title, title[0] ? ": " : "", what);
    gp_str(f, buf);
}

static int write_layers_dat(const char *dir, const char *title, const plot_cfg_t *cfg,
                            const plot_layer_t *layers, const lay_t *lay, int n, char *err,
                            size_t errlen)
{
    out_t o;
    int rc = out_open(&o, dir, "layers.dat", err, errlen);
    if (rc) return rc;
    FILE *f = o.f;
    fprintf(f, "# pecos network report: %s\n", title);
    fprintf(f, "# array %dx%d, peak %d ops/cycle, DRAM %g bytes/cycle (0 = unbounded)\n",
            cfg->rows, cfg->cols, 2 * cfg->rows * cfg->cols, cfg->dram_bw);
    fprintf(f, "# 1 index  2 macs  3 cycles  4 ideal_cycles  5 roofline_cycles  6 dram_bytes  "
               "7 utilization_pct  8 intensity_ops_per_byte  9 ops_per_cycle  10 e_dram_uJ  "
               "11 e_glb_uJ  12 e_rf_uJ  13 e_mac_uJ  14 e_total_uJ  15 name\n");
    for (int i = 0; i < n; i++) {
        const plot_layer_t *p = &layers[i];
        const double ops = 2.0 * (double)p->macs;
        const double ai = p->dram_bytes ? ops / (double)p->dram_bytes : NAN;
        const double perf = p->cycles ? ops / (double)p->cycles : NAN;
        const double *e = p->energy_pj;
        fprintf(f, "%d %llu %llu %llu %llu %llu %.6g %.9g %.9g %.9g %.9g %.9g %.9g %.9g ", i,
                (unsigned long long)p->macs, (unsigned long long)p->cycles,
                (unsigned long long)p->ideal_cycles, (unsigned long long)p->roofline_cycles,
                (unsigned long long)p->dram_bytes, 100.0 * p->utilization, ai, perf, e[0] / 1e6,
                e[1] / 1e6, e[2] / 1e6, e[3] / 1e6, (e[0] + e[1] + e[2] + e[3]) / 1e6);
        dat_str(f, lay[i].name);
        fputc('\n', f);
    }
    return out_close(&o, err, errlen);
}

/* The roofline plot across its phases: the roofs, the axes, the counts. */
typedef struct {
    double peak, bw, ridge;        /* ops/cycle; DRAM bytes/cycle (0: unbounded); ops/byte */
    double xmin, xmax, ymin, ymax; /* the axes' ranges (data coordinates) */
    int npts, nlab, nplaced;       /* layers on the plot, of them labelled, labels placed */
    int hidden[3];                 /* layers left out: 0 MACs, no DRAM traffic, 0 cycles */
    double roof[3][2];             /* solid roof: points (x, y) */
    int nroof;
    double ext[2][2][2];           /* dashed extensions: [segment][end][x,y] */
    int next;
} roof_t;

/* Each layer's intensity and performance (lay[].on_roof, .ai, .perf), the layers left out,
 * and the axes' ranges. */
static void roof_points(roof_t *rf, const plot_layer_t *layers, lay_t *lay, int n)
{
    const double peak = rf->peak, bw = rf->bw, ridge = rf->ridge;
    double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = peak;
    for (int i = 0; i < n; i++) {
        const plot_layer_t *p = &layers[i];
        if (p->macs == 0) {
            rf->hidden[0]++;
            continue;
        }
        if (p->dram_bytes == 0) {
            rf->hidden[1]++;
            continue;
        }
        if (p->cycles == 0) {
            rf->hidden[2]++;
            continue;
        }
        lay[i].on_roof = true;
        lay[i].ai = 2.0 * (double)p->macs / (double)p->dram_bytes;
        lay[i].perf = 2.0 * (double)p->macs / (double)p->cycles;
        xlo = fmin(xlo, lay[i].ai);
        xhi = fmax(xhi, lay[i].ai);
        ylo = fmin(ylo, lay[i].perf);
        yhi = fmax(yhi, lay[i].perf);
        rf->npts++;
    }
    if (bw > 0) {
        xlo = fmin(xlo, ridge);
        xhi = fmax(xhi, ridge);
    }
    if (xhi == 0) xlo = xhi = 1; /* nothing to show: one decade around 1 */
    if (!(ylo < INFINITY)) ylo = peak;
    /* Room on the right and below for labels, above for the roof. */
    rf->xmin = nice_floor(xlo / 1.6), rf->xmax = nice_ceil(xhi * 2.5);
    rf->ymin = nice_floor(ylo / 1.6), rf->ymax = nice_ceil(yhi * 1.4);
}

/* Roof segments (data coordinates): solid roof, dashed extensions. */
static void roof_segments(roof_t *rf)
{
    const double peak = rf->peak, bw = rf->bw, ridge = rf->ridge;
    const double xmin = rf->xmin, xmax = rf->xmax, ymin = rf->ymin, ymax = rf->ymax;
    double(*roof)[2] = rf->roof;
    double(*ext)[2][2] = rf->ext;
    int nroof = 0, next = 0;
    if (bw > 0) {
        const double x0 = fmax(xmin, ymin / bw);
        roof[nroof][0] = x0, roof[nroof][1] = x0 * bw, nroof++;
        roof[nroof][0] = ridge, roof[nroof][1] = peak, nroof++;
        roof[nroof][0] = xmax, roof[nroof][1] = peak, nroof++;
        ext[next][0][0] = xmin, ext[next][0][1] = peak;
        ext[next][1][0] = ridge, ext[next][1][1] = peak;
        next++;
        const double x1 = fmin(xmax, ymax / bw);
        if (x1 > ridge) {
            ext[next][0][0] = ridge, ext[next][0][1] = peak;
            ext[next][1][0] = x1, ext[next][1][1] = x1 * bw;
            next++;
        }
    } else {
        roof[nroof][0] = xmin, roof[nroof][1] = peak, nroof++;
        roof[nroof][0] = xmax, roof[nroof][1] = peak, nroof++;
    }
    rf->nroof = nroof;
    rf->next = next;
}

/* Labels: every layer on the plot, or the PLOT_MAX_LABELS largest by MACs, placed clear of
 * the roofs (lay[].labelled, .placed, .lx, .ly, .lead). Returns 0 or PECOS_ENOMEM. */
static int roof_labels(roof_t *rf, const plot_layer_t *layers, lay_t *lay, int n, char *err,
                       size_t errlen)
{
    const axes_t ax = {log10(rf->xmin), log10(rf->xmax), log10(rf->ymin), log10(rf->ymax)};
    const double(*roof)[2] = rf->roof;
    const double(*ext)[2][2] = rf->ext;
    seg_t segs[8];
    int nseg = 0;
    for (int i = 0; i + 1 < rf->nroof; i++)
        segs[nseg++] = (seg_t){px_x(&ax, roof[i][0]), px_y(&ax, roof[i][1]),
                               px_x(&ax, roof[i + 1][0]), px_y(&ax, roof[i + 1][1])};
    for (int i = 0; i < rf->next; i++)
        segs[nseg++] = (seg_t){px_x(&ax, ext[i][0][0]), px_y(&ax, ext[i][0][1]),
                               px_x(&ax, ext[i][1][0]), px_y(&ax, ext[i][1][1])};
    int *order = malloc(sizeof(int) * (size_t)n);
    if (!order) return pecos_fail(err, errlen, PECOS_ENOMEM, "plot: out of memory");
    sort_by_macs(layers, n, order);
    for (int k = 0; k < n && rf->nlab < PLOT_MAX_LABELS; k++)
        if (lay[order[k]].on_roof) {
            lay[order[k]].labelled = true;
            rf->nlab++;
        }
    const double ridge_px[2] = {rf->bw > 0 ? px_x(&ax, rf->ridge) : 0, px_y(&ax, rf->peak)};
    place_labels(&ax, lay, n, order, segs, nseg, rf->bw > 0 ? ridge_px : NULL);
    free(order);
    for (int i = 0; i < n; i++) rf->nplaced += lay[i].placed;
    return 0;
}

/* DIR/roofline.dat: the layers on the roofline with their label positions. */
static int roof_write_dat(const char *dir, const roof_t *rf, const plot_layer_t *layers,
                          const lay_t *lay, int n, char *err, size_t errlen)
{
    out_t o;
    int rc = out_open(&o, dir, "roofline.dat", err, errlen);
    if (rc) return rc;
    fprintf(o.f, "# layers on the roofline (MACs > 0, DRAM bytes > 0); label position NaN: not "
                 "labelled\n# 1 index  2 intensity_ops_per_byte  3 ops_per_cycle  4 macs  "
                 "5 compute_side(ai>=ridge)  6 label_x  7 label_y  8 leader  9 name\n");
    for (int i = 0; i < n; i++) {
        const lay_t *L = &lay[i];
        if (!L->on_roof) continue;
        fprintf(o.f, "%d %.9g %.9g %llu %d ", i, L->ai, L->perf,
                (unsigned long long)layers[i].macs, rf->bw <= 0 || L->ai >= rf->ridge);
        if (L->placed)
            fprintf(o.f, "%.9g %.9g %d ", L->lx, L->ly, L->lead);
        else
            fprintf(o.f, "NaN NaN 0 ");
        dat_str(o.f, L->name);
        fputc('\n', o.f);
    }
    return out_close(&o, err, errlen);
}

/* The plot command of roofline.gp: the roofs, the layers, the notes in the key. */
static void roof_gp_plot(FILE *f, const roof_t *rf, const plot_cfg_t *cfg)
{
    const double bw = rf->bw;
    const int npts = rf->npts, nlab = rf->nlab, nplaced = rf->nplaced, next = rf->next;
    const int *hidden = rf->hidden;
    fprintf(f, "plot $roof using 1:2 every ::%d with lines lw 2.5 lc rgb '#222222' title "
               "sprintf('compute roof: %%g ops/cycle (%dx%d PEs)', peak)",
            rf->nroof - 2, cfg->rows, cfg->cols);
    if (bw > 0) {
        fprintf(f, ", \\\n  $roof using 1:2 every ::0::1 with lines lw 2.5 lc rgb '#882255' "
                   "title sprintf('memory roof: %%g bytes/cycle x intensity', bw)");
        if (next)
            fprintf(f, ", \\\n  $roof_ext using 1:2 with lines dt 2 lw 1 lc rgb '#888888' "
                       "title 'roofs extended'");
        fprintf(f, ", \\\n  '+' using (peak/bw):(peak) every ::0::0 with points pt 6 ps 2.2 "
                   "lw 1.5 lc rgb '#222222' title sprintf('ridge point: %%g ops/byte', "
                   "peak/bw)");
    } else {
        fprintf(f, ", \\\n  keyentry title 'no memory roof: DRAM bandwidth unbounded'");
    }
    if (npts) {
        fprintf(f, ", \\\n  'roofline.dat' using 2:3:($8 > 0 ? $6 - $2 : NaN):($7 - $3) with "
                   "vectors nohead lw 0.7 lc rgb '#999999' notitle");
        fprintf(f, ", \\\n  'roofline.dat' using 6:7:9 with labels center boxed font ',%d' "
                   "tc rgb '#333333' notitle",
                RF_FONT);
        if (bw > 0) {
            fprintf(f, ", \\\n  'roofline.dat' using 2:($5 == 0 ? $3 : NaN) with points pt 7 "
                       "ps 1.1 lc rgb '#cc3311' title 'layer (memory side of the ridge)'");
            fprintf(f, ", \\\n  'roofline.dat' using 2:($5 != 0 ? $3 : NaN) with points pt 5 "
                       "ps 1.0 lc rgb '#0077bb' title 'layer (compute side of the ridge)'");
        } else {
            fprintf(f, ", \\\n  'roofline.dat' using 2:3 with points pt 7 ps 1.1 lc rgb "
                       "'#0077bb' title 'layer'");
        }
    }
    char note[160];
    if (npts > nlab) {
        snprintf(note, sizeof note, "labels: the %d largest of %d layers by MACs", nlab, npts);
        fprintf(f, ", \\\n  keyentry title ");
        gp_str(f, note);
    }
    if (nplaced < nlab) {
        snprintf(note, sizeof note, "%d label%s left out (no room)", nlab - nplaced,
                 nlab - nplaced == 1 ? "" : "s");
        fprintf(f, ", \\\n  keyentry title ");
        gp_str(f, note);
    }
    static const char *const why[3] = {"with 0 MACs", "without DRAM traffic", "with 0 cycles"};
    for (int j = 0; j < 3; j++) {
        if (!hidden[j]) continue;
        snprintf(note, sizeof note, "not shown: %d layer%s %s", hidden[j],
                 hidden[j] == 1 ? "" : "s", why[j]);
        fprintf(f, ", \\\n  keyentry title ");
        gp_str(f, note);
    }
    fprintf(f, "\n");
}

/* DIR/roofline.gp: the gnuplot script of the roofline. */
static int roof_write_gp(const char *dir, const char *title, const plot_cfg_t *cfg,
                         const roof_t *rf, char *err, size_t errlen)
{
    const double peak = rf->peak, bw = rf->bw;
    const double xmin = rf->xmin, xmax = rf->xmax, ymin = rf->ymin, ymax = rf->ymax;
    out_t o;
    int rc = out_open(&o, dir, "roofline.gp", err, errlen);
    if (rc) return rc;
    FILE *f = o.f;
    gp_head(f, "roofline", RF_W, RF_H);
    fprintf(f, "peak = %.9g  # ops/cycle: 2 x %d x %d PEs\n", peak, cfg->rows, cfg->cols);
    fprintf(f, "bw = %.9g  # DRAM bytes/cycle (0: unbounded, no memory roof)\n", bw);
    fprintf(f, "set title ");
    gp_title(f, title, bw > 0 ? "roofline" : "roofline (DRAM bandwidth unbounded: no memory roof)");
    fprintf(f, "\nset logscale xy 10\nset xrange [%.9g:%.9g]\nset yrange [%.9g:%.9g]\n", xmin,
            xmax, ymin, ymax);
    fprintf(f, "set format x '%%g'\nset format y '%%g'\n");
    gp_log_tics(f, 'x', xmin, xmax);
    gp_log_tics(f, 'y', ymin, ymax);
    fprintf(f, "set grid xtics ytics mxtics mytics back lt 1 lw 0.8 lc rgb '#d4d4d4', lt 1 "
               "lw 0.5 lc rgb '#ececec'\n");
    fprintf(f, "set xlabel 'arithmetic intensity (ops/byte = 2 x MACs / DRAM bytes)'\n");
    fprintf(f, "set ylabel 'achieved performance (ops/cycle = 2 x MACs / cycles)'\n");
    fprintf(f, "set lmargin at screen %.3f\nset rmargin at screen %.3f\nset bmargin at screen "
               "%.3f\nset tmargin at screen %.3f\n",
            RF_L, RF_R, RF_B, RF_T);
    fprintf(f, "set key at screen %.3f,%.3f left top Left reverse noautotitle spacing 1.3 "
               "font ',9'\n",
            RF_R + 0.015, RF_T);
    fprintf(f, "set style textbox opaque noborder margins 1,1\nset clip two\n");
    fprintf(f, "$roof << EOD\n");
    for (int i = 0; i < rf->nroof; i++) fprintf(f, "%.9g %.9g\n", rf->roof[i][0], rf->roof[i][1]);
    fprintf(f, "EOD\n$roof_ext << EOD\n");
    for (int i = 0; i < rf->next; i++)
        fprintf(f, "%.9g %.9g\n%.9g %.9g\n\n", rf->ext[i][0][0], rf->ext[i][0][1], rf->ext[i][1][0],
                rf->ext[i][1][1]);
    fprintf(f, "EOD\n");
    roof_gp_plot(f, rf, cfg);
    gp_tail(f, "roofline", RF_W, RF_H);
    return out_close(&o, err, errlen);
}

/* The roofline: DIR/roofline.dat and DIR/roofline.gp; lay[] gets each layer's point and
 * label. Returns 0 or a negative code with the reason in err. */
static int write_roofline(const char *dir, const char *title, const plot_cfg_t *cfg,
                          const plot_layer_t *layers, lay_t *lay, int n, char *err,
                          size_t errlen)
{
    roof_t rf = {.peak = 2.0 * cfg->rows * cfg->cols, .bw = cfg->dram_bw};
    rf.ridge = rf.bw > 0 ? rf.peak / rf.bw : 0;
    roof_points(&rf, layers, lay, n);
    roof_segments(&rf);
    int rc = roof_labels(&rf, layers, lay, n, err, errlen);
    if (!rc) rc = roof_write_dat(dir, &rf, layers, lay, n, err, errlen);
    if (!rc) rc = roof_write_gp(dir, title, cfg, &rf, err, errlen);
    return rc;
}

/* Canvas width of a bar chart of n layers. */
static int bars_width(int n)
{
    const int w = 200 + 16 * n;
    return w < 900 ? 900 : w > 4000 ? 4000 : w;
}

/* Bar chart setup shared by the utilization and energy plots: x axis of n layers with their
 * names as rotated tic labels (written here: gnuplot's xtic() does not unescape quotes). */
static void gp_bars(FILE *f, const lay_t *lay, int n)
{
    fprintf(f, "set xrange [-0.6:%d.4]\n", n - 1);
    fprintf(f, "set xtics rotate by 50 right nomirror scale 0 font ',%d' (", n > 40 ? 7 : 9);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s", i ? ", \\\n  " : "\\\n  ");
        gp_str(f, lay[i].name);
        fprintf(f, " %d", i);
    }
    fprintf(f, ")\n");
    fprintf(f, "set xlabel 'layer (network order)'\n");
    fprintf(f, "set grid ytics back lt 1 lw 0.8 lc rgb '#dcdcdc'\nset border 3\nset ytics nomirror\n");
    fprintf(f, "set key outside top center horizontal\n");
    fprintf(f, "set boxwidth 0.75 relative\nset style fill solid 0.85 border rgb '#444444'\n");
}

static int write_utilization(const char *dir, const char *title, const plot_cfg_t *cfg,
                             const plot_layer_t *layers, const lay_t *lay, int n, char *err,
                             size_t errlen)
{
    double wsum = 0, macs = 0, cycles = 0;
    for (int i = 0; i < n; i++) {
        wsum += (double)layers[i].macs * layers[i].utilization;
        macs += (double)layers[i].macs;
        cycles += (double)layers[i].cycles;
    }
    const double mean = macs > 0 ? 100.0 * wsum / macs : 0;
    const double overall =
        cycles > 0 ? 100.0 * macs / (cycles * (double)cfg->rows * (double)cfg->cols) : 0;
    out_t o;
    int rc = out_open(&o, dir, "utilization.gp", err, errlen);
    if (rc) return rc;
    FILE *f = o.f;
    const int w = bars_width(n);
    gp_head(f, "utilization", w, 600);
    char what[200];
    snprintf(what, sizeof what,
             "PE utilization per layer (%dx%d PEs; network: %.1f %% = all MACs / (all cycles "
             "x PEs))",
             cfg->rows, cfg->cols, overall);
    fprintf(f, "set title ");
    gp_title(f, title, what);
    fprintf(f, "\nmean = %.9g  # MAC-weighted mean utilization, %%\n", mean);
    gp_bars(f, lay, n);
    fprintf(f, "set ylabel 'PE utilization (%%)'\nset yrange [0:104]\nset ytics 0,10,100\n");
    fprintf(f, "plot 'layers.dat' using 1:7 with boxes lc rgb '#4477aa' title "
               "'layer utilization', \\\n  'layers.dat' using 1:($2 > 0 && $5 > 0 ? "
               "100.0 * $4 / $5 : NaN) with points pt 6 ps 1.0 lw 1.5 lc rgb '#222222' title "
               "'roofline bound (ideal/roofline)', \\\n  mean with lines lw 2 dt 2 "
               "lc rgb '#cc3311' title sprintf('MAC-weighted mean: %%.1f %%%%', mean)\n");
    gp_tail(f, "utilization", w, 600);
    return out_close(&o, err, errlen);
}

/* Formats an energy in uJ without exponents: 19460, 968.3, 0.0123. */
static const char *fmt_uj(double v, char *buf, size_t len)
{
    snprintf(buf, len, v >= 1000 ? "%.0f" : v >= 1 ? "%.1f" : "%.3g", v);
    return buf;
}

static int write_energy(const char *dir, const char *title, const plot_layer_t *layers,
                        const lay_t *lay, int n, char *err, size_t errlen)
{
    double tot[PLOT_E_N] = {0}, all = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < PLOT_E_N; j++) tot[j] += layers[i].energy_pj[j] / 1e6;
    for (int j = 0; j < PLOT_E_N; j++) all += tot[j];
    out_t o;
    int rc = out_open(&o, dir, "energy.gp", err, errlen);
    if (rc) return rc;
    FILE *f = o.f;
    const int w = bars_width(n) + 320; /* the key on the right */
    gp_head(f, "energy", w, 600);
    char what[120], num[32];
    snprintf(what, sizeof what, "energy per layer by level (total %s \xc2\xb5J)",
             fmt_uj(all, num, sizeof num));
    fprintf(f, "set title ");
    gp_title(f, title, what);
    fprintf(f, "\n");
    gp_bars(f, lay, n);
    fprintf(f, "set ylabel 'energy (\xc2\xb5J)'\nset yrange [0:*]\n");
    fprintf(f, "set key outside right top vertical invert Left reverse title 'by level, "
               "network total (share)'\n");
    fprintf(f, "set style data histograms\nset style histogram rowstacked\n");
    fprintf(f, "plot ");
    for (int j = 0; j < PLOT_E_N; j++) {
        char t[96];
        snprintf(t, sizeof t, "%s: %s \xc2\xb5J (%.1f %%)", level_name[j],
                 fmt_uj(tot[j], num, sizeof num),
                 all > 0 ? 100.0 * tot[j] / all : 0.0);
        fprintf(f, "%s'layers.dat' using %d lc rgb '%s' title ", j ? ", \\\n  " : "", 10 + j,
                level_color[j]);
        gp_str(f, t);
    }
    fprintf(f, "\n");
    gp_tail(f, "energy", w, 600);
    return out_close(&o, err, errlen);
}

/* Runs `gnuplot roofline.gp utilization.gp energy.gp` in dir (fork/exec, no shell), stdin
 * from /dev/null, stdout and stderr captured. Returns 0 or PECOS_EIO with err set to the
 * first line gnuplot reported. */
static int run_gnuplot(const char *dir, char *err, size_t errlen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: pipe: %s", strerror(errno));
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return pecos_fail(err, errlen, PECOS_EIO, "plot: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        const int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        if (chdir(dir) != 0) {
            dprintf(2, "cannot enter %s: %s\n", dir, strerror(errno));
            _exit(126);
        }
        char *const argv[] = {"gnuplot", "roofline.gp", "utilization.gp", "energy.gp", NULL};
        execvp("gnuplot", argv);
        dprintf(2, "gnuplot not found (%s): install Debian's gnuplot-nox\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char out[4096];
    size_t len = 0;
    bool timed_out = false;
    const time_t start = time(NULL);
    for (;;) {
        struct pollfd p = {fds[0], POLLIN, 0};
        const int pr = poll(&p, 1, 1000);
        if (pr < 0 && errno != EINTR) break;
        if (pr > 0) {
            char buf[1024];
            const ssize_t r = read(fds[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            for (ssize_t i = 0; i < r && len + 1 < sizeof out; i++) out[len++] = buf[i];
        }
        if (time(NULL) - start > PLOT_GNUPLOT_TIMEOUT) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
    }
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        return pecos_fail(err, errlen, PECOS_EIO, "plot: gnuplot took more than %d s in %s: killed",
                PLOT_GNUPLOT_TIMEOUT, dir);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    /* The reason: gnuplot's located error line ("file" line N: ...), else the last line. */
    const char *why = "";
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t' || *line == '^') line++;
        if (!*line) continue;
        if (!why[0] || (line[0] == '"' && why[0] != '"')) why = line;
    }
    if (WIFEXITED(status))
        return pecos_fail(err, errlen, PECOS_EIO, "plot: gnuplot failed in %s (exit %d): %s", dir,
                          WEXITSTATUS(status), why);
    return pecos_fail(err, errlen, PECOS_EIO, "plot: gnuplot killed by signal %d in %s: %s",
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0, dir, why);
}

int plot_network(const char *dir, const plot_cfg_t *cfg, const plot_layer_t *layers, int n,
                 char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!dir || !cfg || !layers || n < 1) {
        return pecos_fail(err, errlen, PECOS_EPARAM, "plot: no %s", !dir ? "directory" : !cfg ? "config" : "layers");
    }
    if (cfg->rows < 1 || cfg->cols < 1 || cfg->rows > 65536 || cfg->cols > 65536 ||
        !(cfg->dram_bw >= 0) || !isfinite(cfg->dram_bw)) {
        return pecos_fail(err, errlen, PECOS_EPARAM, "plot: bad array %dx%d or DRAM bandwidth %g", cfg->rows, cfg->cols,
                cfg->dram_bw);
    }
    int rc = make_dirs(dir, err, errlen);
    if (rc) return rc;
    lay_t *lay = calloc((size_t)n, sizeof *lay);
    if (!lay) {
        return pecos_fail(err, errlen, PECOS_ENOMEM, "plot: out of memory");
    }
    char title[256];
    clean_text(cfg->title, title, sizeof title);
    for (int i = 0; i < n; i++) {
        char fallback[16];
        const char *nm = layers[i].name;
        if (!nm || !nm[0]) {
            snprintf(fallback, sizeof fallback, "L%d", i);
            nm = fallback;
        }
        lay[i].chars = clean_text(nm, lay[i].name, sizeof lay[i].name);
    }
    rc = write_layers_dat(dir, title, cfg, layers, lay, n, err, errlen);
    if (!rc) rc = write_roofline(dir, title, cfg, layers, lay, n, err, errlen);
    if (!rc) rc = write_utilization(dir, title, cfg, layers, lay, n, err, errlen);
    if (!rc) rc = write_energy(dir, title, layers, lay, n, err, errlen);
    free(lay);
    if (rc) return rc;
    rc = run_gnuplot(dir, err, errlen);
    if (rc) return rc;
    static const char *const outputs[] = {"roofline.svg",    "roofline.png", "utilization.svg",
                                          "utilization.png", "energy.svg",   "energy.png"};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, outputs[i]);
        if (stat(path, &st) != 0 || st.st_size == 0) {
            return pecos_fail(err, errlen, PECOS_EIO, "plot: gnuplot did not write %s", path);
        }
    }
    return 0;
}
