/* topo.c - topology CSV loader (SCALE-Sim columns plus optional ones), chain check, counts. */
#include "topo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

#define TOPO_MAX_LINE 4096          /* bytes per line, without its line end */
#define TOPO_MAX_FIELDS 32          /* fields per line */
#define TOPO_MAX_FILE (16u << 20)   /* bytes per file */
#define TOPO_MAX_DIM (1 << 20)      /* H, W, R, S, stride, dilation, padding */
#define TOPO_MAX_CH (1 << 24)       /* C, K, groups */
#define TOPO_MAX_COUNT (1ull << 48) /* elements, weights, MACs of one layer */
#define TOPO_SHOW 40                /* bytes of the user's text quoted in a message */

enum { COL_NAME, COL_H, COL_W, COL_R, COL_S, COL_C, COL_K, COL_STRIDE, /* SCALE-Sim's */
       COL_PAD, COL_GROUPS, COL_DIL, COL_TYPE, COL_ACT, COL_INPUTS, COL_N };

static const char *const col_names[COL_N] = {
    "Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels",
    "Num Filter", "Strides",      "Padding",     "Groups",        "Dilation",     "Type",
    "Activation", "Inputs"};

static const char *const type_names[] = {"conv", "fc",  "maxpool", "avgpool",
                                         "gap",  "relu", "add",    "concat"};

const char *topo_type_name(topo_type_t type)
{
    return (unsigned)type < sizeof type_names / sizeof type_names[0] ? type_names[type] : "?";
}

/* Copies the NUL-terminated s into out (TOPO_SHOW + 4 bytes) for a message: control and
 * non-ASCII bytes shown as '?', at most TOPO_SHOW bytes, "..." when cut. */
static void shown(const char *s, char *out)
{
    size_t j = 0;
    for (; s[j] && j < TOPO_SHOW; j++)
        out[j] = (unsigned char)s[j] < 0x20 || (unsigned char)s[j] >= 0x7f ? '?' : s[j];
    if (s[j]) out[j++] = '.', out[j++] = '.', out[j++] = '.';
    out[j] = '\0';
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower((unsigned char)*a) != lower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Trims blanks at both ends of s in place; returns the new start. */
static char *trim(char *s)
{
    while (is_blank(*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1])) s[--n] = '\0';
    return s;
}

/* Splits line (modified in place) at commas into trimmed fields; drops one trailing empty
 * field (SCALE-Sim writes a trailing comma) when drop_trailing. Returns the count, or -1 if
 * more than TOPO_MAX_FIELDS. */
static int split(char *line, char **f, int drop_trailing)
{
    int n = 0;
    for (char *s = line;;) {
        char *comma = strchr(s, ',');
        if (n == TOPO_MAX_FIELDS) return -1;
        if (comma) *comma = '\0';
        f[n++] = trim(s);
        if (!comma) break;
        s = comma + 1;
    }
    if (drop_trailing && n > 1 && f[n - 1][0] == '\0') n--;
    return n;
}

/* Context of the parse, for messages. */
typedef struct {
    const char *fname;
    char *err;
    size_t errlen;
} ctx_t;

#define FAIL(rc_, ...) \
    do { \
        snprintf(buf_err, sizeof buf_err, __VA_ARGS__); \
        snprintf(cx->err, cx->errlen, "%s:%d: %s", cx->fname, line, buf_err); \
        return (rc_); \
    } while (0)

/* Parses a whole decimal number in [lo, hi] from the field of column col. */
static int parse_num(const ctx_t *cx, int line, int col, const char *s, long lo, long hi,
                     int *out)
{
    char buf_err[256], show[TOPO_SHOW + 4];
    if (*s == '\0') FAIL(PECOS_EFORMAT, "column '%s' is empty", col_names[col]);
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            shown(s, show);
            FAIL(PECOS_EFORMAT, "column '%s': '%s' is not a whole number", col_names[col], show);
        }
        if (v <= hi) v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi) {
        shown(s, show);
        FAIL(PECOS_EPARAM, "column '%s': %s is out of range %ld..%ld", col_names[col], show, lo,
             hi);
    }
    *out = (int)v;
    return 0;
}

/* a * b, or TOPO_MAX_COUNT + 1 when the product exceeds TOPO_MAX_COUNT. */
static uint64_t mulc(uint64_t a, uint64_t b)
{
    if (a == 0 || b == 0) return 0;
    if (a > TOPO_MAX_COUNT || b > TOPO_MAX_COUNT / a) return TOPO_MAX_COUNT + 1;
    return a * b;
}

uint64_t topo_in_elems(const topo_layer_t *L)
{
    const uint64_t e = mulc(mulc((uint64_t)L->c, (uint64_t)L->h), (uint64_t)L->w);
    return L->type == TOPO_ADD ? 2 * e : e;
}

uint64_t topo_out_elems(const topo_layer_t *L)
{
    return mulc(mulc((uint64_t)L->k, (uint64_t)L->p), (uint64_t)L->q);
}

uint64_t topo_weights(const topo_layer_t *L)
{
    if (L->type != TOPO_CONV && L->type != TOPO_FC) return 0;
    return mulc(mulc(mulc((uint64_t)L->k, (uint64_t)(L->c / L->groups)), (uint64_t)L->r),
                (uint64_t)L->s);
}

uint64_t topo_macs(const topo_layer_t *L)
{
    return mulc(mulc(topo_weights(L), (uint64_t)L->p), (uint64_t)L->q);
}

/* True if s is a valid layer name (see topo.h). */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63) return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == ',' || *s == '+' ||
            *s == '"' || *s == '\\')
            return 0;
    return 1;
}

/* Parses the Padding field: "N" or "T/L/B/R". */
static int parse_pad(const ctx_t *cx, int line, char *s, topo_layer_t *L)
{
    char buf_err[256], show[TOPO_SHOW + 4];
    if (*s == '\0') return 0;
    char tmp[TOPO_MAX_LINE + 1];
    shown(s, show);
    char *part[5];
    int n = 0;
    for (char *p = s;;) {
        char *slash = strchr(p, '/');
        if (n == 4) FAIL(PECOS_EFORMAT, "column 'Padding': '%s' is not N or T/L/B/R", show);
        if (slash) *slash = '\0';
        part[n++] = trim(p);
        if (!slash) break;
        p = slash + 1;
    }
    if (n != 1 && n != 4) FAIL(PECOS_EFORMAT, "column 'Padding': '%s' is not N or T/L/B/R", show);
    int v[4];
    for (int i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "%s", part[i]);
        int rc = parse_num(cx, line, COL_PAD, tmp, 0, TOPO_MAX_DIM, &v[i]);
        if (rc) return rc;
    }
    if (n == 1) v[1] = v[2] = v[3] = v[0];
    L->pad_t = v[0], L->pad_l = v[1], L->pad_b = v[2], L->pad_r = v[3];
    return 0;
}

/* Validates the fields of one row into L (inputs not resolved: text kept in inputs_txt). */
static int parse_row(const ctx_t *cx, int line, char **f, const int *colidx,
                     const topo_t *t, topo_layer_t *L, char *inputs_txt, size_t inlen)
{
    char buf_err[256], show[TOPO_SHOW + 4];
    int rc;
    memset(L, 0, sizeof *L);
    L->line = line;
    L->stride = L->dil = L->groups = 1;
    const char *name = f[colidx[COL_NAME]];
    shown(name, show);
    if (!name_ok(name))
        FAIL(PECOS_EFORMAT,
             "column 'Layer name': '%s' is not a name (1..63 printable characters, no space, "
             "',', '+', '\"' or '\\')",
             show);
    if (eq_nocase(name, "input"))
        FAIL(PECOS_EFORMAT, "column 'Layer name': 'input' is reserved for the network input");
    for (int j = 0; j < t->n; j++)
        if (strcmp(t->layers[j].name, name) == 0)
            FAIL(PECOS_EFORMAT, "layer '%s': duplicate name (first on line %d)", show,
                 t->layers[j].line);
    snprintf(L->name, sizeof L->name, "%s", name);

    /* Type first: it decides which columns matter. */
    if (colidx[COL_TYPE] >= 0 && f[colidx[COL_TYPE]][0] != '\0') {
        const char *ty = f[colidx[COL_TYPE]];
        size_t i = 0;
        while (i < sizeof type_names / sizeof type_names[0] && !eq_nocase(ty, type_names[i])) i++;
        if (i == sizeof type_names / sizeof type_names[0]) {
            shown(ty, show);
            FAIL(PECOS_EFORMAT,
                 "column 'Type': unknown type '%s' (conv, fc, maxpool, avgpool, gap, relu, add, "
                 "concat)",
                 show);
        }
        L->type = (topo_type_t)i;
    }
    const bool ignores_filter =
        L->type == TOPO_GAP || L->type == TOPO_RELU || L->type == TOPO_ADD || L->type == TOPO_CONCAT;
    int *dims[] = {&L->h, &L->w, &L->r, &L->s, &L->c, &L->k, &L->stride};
    const int cols[] = {COL_H, COL_W, COL_R, COL_S, COL_C, COL_K, COL_STRIDE};
    for (int i = 0; i < 7; i++) {
        const long hi = cols[i] == COL_C || cols[i] == COL_K ? TOPO_MAX_CH : TOPO_MAX_DIM;
        /* ignored columns must still be numbers (SCALE-Sim reads them), any value >= 0 */
        const bool ignored = (ignores_filter && (cols[i] == COL_R || cols[i] == COL_S ||
                                                 cols[i] == COL_STRIDE)) ||
                             (L->type == TOPO_FC && cols[i] == COL_STRIDE);
        int v;
        if ((rc = parse_num(cx, line, cols[i], f[colidx[cols[i]]], ignored ? 0 : 1, hi, &v)))
            return rc;
        *dims[i] = ignored ? 1 : v;
    }
    if (colidx[COL_PAD] >= 0 && (rc = parse_pad(cx, line, f[colidx[COL_PAD]], L))) return rc;
    if (colidx[COL_GROUPS] >= 0 && f[colidx[COL_GROUPS]][0] &&
        (rc = parse_num(cx, line, COL_GROUPS, f[colidx[COL_GROUPS]], 1, TOPO_MAX_CH, &L->groups)))
        return rc;
    if (colidx[COL_DIL] >= 0 && f[colidx[COL_DIL]][0] &&
        (rc = parse_num(cx, line, COL_DIL, f[colidx[COL_DIL]], 1, TOPO_MAX_DIM, &L->dil)))
        return rc;
    if (colidx[COL_ACT] >= 0 && f[colidx[COL_ACT]][0]) {
        const char *a = f[colidx[COL_ACT]];
        if (eq_nocase(a, "relu")) {
            L->relu = true;
        } else if (!eq_nocase(a, "none")) {
            shown(a, show);
            FAIL(PECOS_EFORMAT, "column 'Activation': unknown activation '%s' (none, relu)", show);
        }
    }
    snprintf(inputs_txt, inlen, "%s", colidx[COL_INPUTS] >= 0 ? f[colidx[COL_INPUTS]] : "");

    /* Per-type rules. */
    const char *tn = type_names[L->type];
    const bool padded = L->pad_t || L->pad_l || L->pad_b || L->pad_r;
    if (L->type != TOPO_CONV && L->groups != 1)
        FAIL(PECOS_EPARAM, "layer '%s': column 'Groups' must be 1 for %s", L->name, tn);
    if (L->type != TOPO_CONV && L->dil != 1)
        FAIL(PECOS_EPARAM, "layer '%s': column 'Dilation' must be 1 for %s", L->name, tn);
    if (L->type != TOPO_CONV && L->type != TOPO_MAXPOOL && L->type != TOPO_AVGPOOL && padded)
        FAIL(PECOS_EPARAM, "layer '%s': column 'Padding' must be 0 for %s", L->name, tn);
    if (L->type != TOPO_CONV && L->type != TOPO_FC && L->k != L->c)
        FAIL(PECOS_EPARAM, "layer '%s': %s needs 'Num Filter' (%d) == 'Channels' (%d)", L->name,
             tn, L->k, L->c);
    if (L->c % L->groups != 0 || L->k % L->groups != 0)
        FAIL(PECOS_EPARAM,
             "layer '%s': 'Channels' %d and 'Num Filter' %d must both be divisible by 'Groups' %d",
             L->name, L->c, L->k, L->groups);
    if (L->type == TOPO_FC && (L->r != L->h || L->s != L->w))
        FAIL(PECOS_EPARAM,
             "layer '%s': fc needs 'Filter Height'x'Filter Width' (%dx%d) == 'IFMAP Height'x'IFMAP "
             "Width' (%dx%d), SCALE-Sim's FC form",
             L->name, L->r, L->s, L->h, L->w);
    if ((L->type == TOPO_MAXPOOL || L->type == TOPO_AVGPOOL) &&
        (L->pad_t >= L->r || L->pad_b >= L->r || L->pad_l >= L->s || L->pad_r >= L->s))
        FAIL(PECOS_EPARAM, "layer '%s': %s padding %d/%d/%d/%d must be smaller than the %dx%d window",
             L->name, tn, L->pad_t, L->pad_l, L->pad_b, L->pad_r, L->r, L->s);
    if (L->type == TOPO_GAP) L->r = L->h, L->s = L->w;

    /* Output size. */
    if (L->type == TOPO_FC || L->type == TOPO_GAP) {
        L->p = L->q = 1;
    } else if (ignores_filter) {
        L->p = L->h, L->q = L->w;
    } else {
        const long long eh = (long long)L->dil * (L->r - 1) + 1, ew = (long long)L->dil * (L->s - 1) + 1;
        const long long ph = (long long)L->h + L->pad_t + L->pad_b, pw = (long long)L->w + L->pad_l + L->pad_r;
        if (eh > ph || ew > pw)
            FAIL(PECOS_EPARAM,
                 "layer '%s': output size < 1: the %lldx%lld %s (dilated) is larger than the "
                 "padded %lldx%lld input",
                 L->name, eh, ew, L->type == TOPO_CONV ? "filter" : "window", ph, pw);
        L->p = (int)((ph - eh) / L->stride + 1);
        L->q = (int)((pw - ew) / L->stride + 1);
    }
    const uint64_t counts[] = {topo_in_elems(L), topo_out_elems(L), topo_macs(L)};
    const char *what[] = {"input elements", "output elements", "MACs"};
    for (int i = 0; i < 3; i++)
        if (counts[i] > TOPO_MAX_COUNT)
            FAIL(PECOS_EPARAM, "layer '%s': too large: %s exceed 2^48", L->name, what[i]);
    return 0;
}

/* Resolves layer i's Inputs text (modified in place) into producer indices. */
static int resolve_inputs(const ctx_t *cx, topo_t *t, int i, char *txt)
{
    char buf_err[256], show[TOPO_SHOW + 4];
    topo_layer_t *L = &t->layers[i];
    const int line = L->line;
    const char *tn = type_names[L->type];
    if (txt[0] == '\0') {
        L->ninputs = 1;
        L->inputs[0] = i - 1; /* -1 for the first row: the network input */
    } else {
        char *part[TOPO_MAX_INPUTS + 1];
        int n = 0;
        for (char *p = txt;;) {
            char *plus = strchr(p, '+');
            if (n == TOPO_MAX_INPUTS)
                FAIL(PECOS_EPARAM, "layer '%s': column 'Inputs': more than %d inputs", L->name,
                     TOPO_MAX_INPUTS);
            if (plus) *plus = '\0';
            part[n++] = trim(p);
            if (!plus) break;
            p = plus + 1;
        }
        for (int k = 0; k < n; k++) {
            shown(part[k], show);
            if (part[k][0] == '\0')
                FAIL(PECOS_EFORMAT, "layer '%s': column 'Inputs': empty name between '+'", L->name);
            int j = -1;
            if (eq_nocase(part[k], "input")) {
                L->inputs[k] = -1;
                continue;
            }
            for (int m = 0; m < t->n; m++)
                if (strcmp(t->layers[m].name, part[k]) == 0) j = m;
            if (j < 0)
                FAIL(PECOS_EFORMAT, "layer '%s': column 'Inputs': unknown input name '%s'", L->name,
                     show);
            if (j >= i)
                FAIL(PECOS_EFORMAT,
                     "layer '%s': column 'Inputs': '%s' is defined on line %d, after this row "
                     "(a layer must come after its inputs)",
                     L->name, show, t->layers[j].line);
            L->inputs[k] = j;
        }
        L->ninputs = n;
    }
    if (L->type == TOPO_ADD && L->ninputs != 2)
        FAIL(PECOS_EPARAM, "layer '%s': add takes exactly 2 inputs, got %d", L->name, L->ninputs);
    if (L->type == TOPO_CONCAT && L->ninputs < 2)
        FAIL(PECOS_EPARAM, "layer '%s': concat takes 2 to %d inputs, got %d", L->name,
             TOPO_MAX_INPUTS, L->ninputs);
    if (L->type != TOPO_ADD && L->type != TOPO_CONCAT && L->ninputs != 1)
        FAIL(PECOS_EPARAM, "layer '%s': %s takes exactly 1 input, got %d", L->name, tn, L->ninputs);
    return 0;
}

/* Base name of path without a ".csv" suffix, into out (64 bytes). */
static void base_name(const char *path, char *out)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(out, 64, "%s", b);
    size_t n = strlen(out);
    if (n > 4 && eq_nocase(out + n - 4, ".csv")) out[n - 4] = '\0';
}

/* The parser's state across the lines of one file. */
typedef struct {
    bool have_header;
    int ncols;             /* the header's columns */
    int colidx[COL_N];     /* each known column's field index in a row, or -1 */
    char **inputs_txt;     /* per layer, the raw Inputs field */
    int cap;               /* layers and inputs_txt allocated */
} rows_t;

/* The header line (split into f, nf fields): SCALE-Sim's 8 columns in order, then optional
 * known ones. Returns 0 or PECOS_EFORMAT (message in cx->err). */
static int parse_header(const ctx_t *cx, int line, char **f, int nf, rows_t *r, topo_t *t)
{
    char *err = cx->err;
    const size_t errlen = cx->errlen;
    const char *fname = cx->fname;
    char show[TOPO_SHOW + 4];
    if (nf < 0 || nf < 8) {
        snprintf(err, errlen,
                 "%s:%d: bad header: expected at least SCALE-Sim's 8 columns 'Layer name, "
                 "IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                 "Filter, Strides'",
                 fname, line);
        return PECOS_EFORMAT;
    }
    for (int c = 0; c < COL_N; c++) r->colidx[c] = -1;
    for (int c = 0; c < nf; c++) {
        /* SCALE-Sim reads its eight columns by position; its shipped files carry
         * notes after an empty column name (Resnet50.csv: "Strides,,,Eh,Ew,e2"):
         * from an empty name on, columns are ignored. */
        if (c >= 8 && f[c][0] == '\0') break;
        int id = -1;
        for (int k = 0; k < COL_N; k++)
            if (eq_nocase(f[c], col_names[k])) id = k;
        shown(f[c], show);
        if (c < 8 && id != c) {
            snprintf(err, errlen, "%s:%d: bad header: column %d is '%s', expected '%s'",
                     fname, line, c + 1, show, col_names[c]);
            return PECOS_EFORMAT;
        }
        if (id < 0) {
            snprintf(err, errlen,
                     "%s:%d: bad header: unknown column '%s' (optional: Padding, Groups, "
                     "Dilation, Type, Activation, Inputs)",
                     fname, line, show);
            return PECOS_EFORMAT;
        }
        if (r->colidx[id] >= 0) {
            snprintf(err, errlen, "%s:%d: bad header: column '%s' given twice", fname,
                     line, col_names[id]);
            return PECOS_EFORMAT;
        }
        r->colidx[id] = c;
    }
    r->ncols = nf;
    r->have_header = true;
    t->scalesim = true;
    for (int c = COL_PAD; c < COL_N; c++) t->scalesim = t->scalesim && r->colidx[c] < 0;
    return 0;
}

/* A layer's row (split into f, nf fields) appended to t, its Inputs text kept for later.
 * A row of commas is skipped. Returns 0 or a negative code (message in cx->err). */
static int parse_layer(const ctx_t *cx, int line, char **f, int nf, rows_t *r, topo_t *t)
{
    char *err = cx->err;
    const size_t errlen = cx->errlen;
    const char *fname = cx->fname;
    if (nf == r->ncols + 1 && f[nf - 1][0] == '\0') nf--; /* trailing comma */
    bool all_empty = true;
    for (int c = 0; c < nf && all_empty; c++) all_empty = f[c][0] == '\0';
    if (nf > 0 && all_empty) return 0; /* a row of commas (SCALE-Sim's Resnet50.csv) */
    if (nf != r->ncols) {
        if (nf < 0)
            snprintf(err, errlen, "%s:%d: more than %d fields, expected %d (the header's columns)",
                     fname, line, TOPO_MAX_FIELDS, r->ncols);
        else
            snprintf(err, errlen, "%s:%d: %d fields, expected %d (the header's columns)",
                     fname, line, nf, r->ncols);
        return PECOS_EFORMAT;
    }
    if (t->n == TOPO_MAX_LAYERS) {
        snprintf(err, errlen, "%s:%d: more than %d layers", fname, line, TOPO_MAX_LAYERS);
        return PECOS_EPARAM;
    }
    if (t->n == r->cap) {
        const int ncap = r->cap ? 2 * r->cap : 16;
        topo_layer_t *nl2 = realloc(t->layers, (size_t)ncap * sizeof *nl2);
        if (nl2) t->layers = nl2;
        char **ni = realloc(r->inputs_txt, (size_t)ncap * sizeof *ni);
        if (ni) r->inputs_txt = ni;
        if (!nl2 || !ni) {
            snprintf(err, errlen, "%s:%d: out of memory", fname, line);
            return PECOS_ENOMEM;
        }
        r->cap = ncap;
    }
    const char *in = r->colidx[COL_INPUTS] >= 0 ? f[r->colidx[COL_INPUTS]] : "";
    const size_t inlen = strlen(in) + 1;
    r->inputs_txt[t->n] = malloc(inlen);
    if (!r->inputs_txt[t->n]) {
        snprintf(err, errlen, "%s:%d: out of memory", fname, line);
        return PECOS_ENOMEM;
    }
    const int rc = parse_row(cx, line, f, r->colidx, t, &t->layers[t->n], r->inputs_txt[t->n], inlen);
    t->n++; /* inputs_txt[n-1] is owned from here on */
    return rc;
}

/* After the last line: a header and a layer were there; the inputs resolve; t's name and
 * path. Returns 0 or a negative code (message in cx->err). */
static int parse_end(const ctx_t *cx, const rows_t *r, topo_t *t)
{
    char *err = cx->err;
    const size_t errlen = cx->errlen;
    const char *fname = cx->fname;
    int rc;
    if (!r->have_header) {
        snprintf(err, errlen, "%s: empty file, expected a header 'Layer name, IFMAP Height, ...'",
                 fname);
        return PECOS_EFORMAT;
    }
    if (t->n == 0) {
        snprintf(err, errlen, "%s: no layers after the header", fname);
        return PECOS_EFORMAT;
    }
    for (int i = 0; i < t->n; i++)
        if ((rc = resolve_inputs(cx, t, i, r->inputs_txt[i]))) return rc;
    base_name(fname, t->name);
    t->path = malloc(strlen(fname) + 1);
    if (!t->path) {
        snprintf(err, errlen, "%s: out of memory", fname);
        return PECOS_ENOMEM;
    }
    strcpy(t->path, fname);
    return 0;
}

int topo_parse(const char *text, size_t len, const char *fname, topo_t *t, char *err,
               size_t errlen)
{
    ctx_t ctx = {fname, err, errlen}, *cx = &ctx;
    rows_t r = {0};
    int rc = 0, line = 0;
    char *f[TOPO_MAX_FIELDS];
    char *linebuf = malloc(TOPO_MAX_LINE + 1);
    memset(t, 0, sizeof *t);
    if (!linebuf) {
        snprintf(err, errlen, "%s: out of memory", fname);
        return PECOS_ENOMEM;
    }
    size_t pos = 0;
    while (pos < len && !rc) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        line++;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n > TOPO_MAX_LINE) {
            snprintf(err, errlen, "%s:%d: line longer than %d bytes", fname, line, TOPO_MAX_LINE);
            rc = PECOS_EFORMAT;
        } else if (memchr(s, '\0', n)) {
            snprintf(err, errlen, "%s:%d: NUL byte in a text file", fname, line);
            rc = PECOS_EFORMAT;
        } else {
            memcpy(linebuf, s, n);
            linebuf[n] = '\0';
            if (trim(linebuf)[0] == '\0') continue; /* blank line */
            if (!r.have_header)
                rc = parse_header(cx, line, f, split(linebuf, f, 1), &r, t);
            else
                rc = parse_layer(cx, line, f, split(linebuf, f, 0), &r, t);
        }
    }
    if (!rc) rc = parse_end(cx, &r, t);
    if (rc) {
        free(t->layers);
        t->layers = NULL;
    }
    if (r.inputs_txt)
        for (int i = 0; i < t->n; i++) free(r.inputs_txt[i]);
    free(r.inputs_txt);
    free(linebuf);
    if (rc) t->n = 0;
    return rc;
}

int topo_load(const char *path, topo_t *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return PECOS_EIO;
    }
    int rc;
    char *buf = malloc(TOPO_MAX_FILE + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: cannot read: out of memory", path);
        rc = PECOS_ENOMEM;
        goto out_close;
    }
    errno = 0;
    const size_t n = fread(buf, 1, TOPO_MAX_FILE + 1, fp);
    const int read_errno = errno;
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 read_errno ? strerror(read_errno) : "read error");
        rc = PECOS_EIO;
    } else if (n > TOPO_MAX_FILE) {
        snprintf(err, errlen, "%s: larger than 16 MiB, too large for a topology", path);
        rc = PECOS_EFORMAT;
    } else {
        rc = topo_parse(buf, n, path, t, err, errlen);
    }
    free(buf);
out_close:
    fclose(fp);
    return rc;
}

int topo_check_chain(const topo_t *t, char *err, size_t errlen)
{
    const char *fname = t->path ? t->path : "";
    int in_c = 0, in_h = 0, in_w = 0, in_line = 0; /* network input, from its first reader */
    for (int i = 0; i < t->n; i++) {
        const topo_layer_t *L = &t->layers[i];
        long long csum = 0;
        for (int k = 0; k < L->ninputs; k++) {
            const int j = L->inputs[k];
            int pc, ph, pw;
            const char *pn;
            char pname[80];
            if (j < 0) {
                if (in_line == 0 && L->type == TOPO_CONCAT) {
                    snprintf(err, errlen,
                             "%s:%d: layer '%s': a concat cannot be the first reader of the "
                             "network input (its channels would not be known)",
                             fname, L->line, L->name);
                    return PECOS_EPARAM;
                }
                if (in_line == 0) /* the first reader defines the network input */
                    in_c = L->c, in_h = L->h, in_w = L->w, in_line = L->line;
                pc = in_c, ph = in_h, pw = in_w;
                snprintf(pname, sizeof pname, "the network input (as first read on line %d)",
                         in_line);
                pn = pname;
            } else {
                const topo_layer_t *P = &t->layers[j];
                pc = P->k, ph = P->p, pw = P->q;
                snprintf(pname, sizeof pname, "input '%s'", P->name);
                pn = pname;
            }
            bool ok;
            if (L->type == TOPO_CONCAT) {
                ok = ph == L->h && pw == L->w;
                csum += pc;
            } else if (L->type == TOPO_FC) {
                ok = (pc == L->c && ph == L->h && pw == L->w) ||
                     (long long)pc * ph * pw == (long long)L->c * L->h * L->w;
            } else {
                ok = pc == L->c && ph == L->h && pw == L->w;
            }
            if (!ok) {
                snprintf(err, errlen,
                         "%s:%d: layer '%s': %s is %dx%dx%d (CxHxW), but the row reads "
                         "%dx%dx%d%s",
                         fname, L->line, L->name, pn, pc, ph, pw, L->c, L->h, L->w,
                         L->type == TOPO_CONCAT ? " (concat: H and W must match)" : "");
                return PECOS_EPARAM;
            }
        }
        if (L->type == TOPO_CONCAT && csum != L->c) {
            snprintf(err, errlen,
                     "%s:%d: layer '%s': concat inputs have %lld channels in all, but the row "
                     "says 'Channels' %d",
                     fname, L->line, L->name, csum, L->c);
            return PECOS_EPARAM;
        }
    }
    return 0;
}

int topo_layer_spec(const topo_layer_t *L, char *buf, size_t len)
{
    if (L->type != TOPO_CONV && L->type != TOPO_FC) return PECOS_ENOTSUP;
    int n;
    if (L->type == TOPO_FC)
        n = snprintf(buf, len, "fc,c=%d,k=%d,name=%s", L->c * L->h * L->w, L->k, L->name);
    else if (L->groups != 1 || L->dil != 1 || L->pad_t != L->pad_l || L->pad_t != L->pad_b ||
             L->pad_t != L->pad_r)
        return PECOS_ENOTSUP;
    else
        n = snprintf(buf, len, "conv,h=%d,w=%d,c=%d,k=%d,r=%d,s=%d,stride=%d,pad=%d,name=%s",
                     L->h, L->w, L->c, L->k, L->r, L->s, L->stride, L->pad_t, L->name);
    return n > 0 && (size_t)n < len ? 0 : PECOS_EPARAM;
}

int topo_to_layer(const topo_layer_t *T, layer_t *L)
{
    if (T->type != TOPO_CONV && T->type != TOPO_FC) return PECOS_ENOTSUP;
    const bool fc = T->type == TOPO_FC;
    const int c = fc ? (int)((size_t)T->c * T->h * T->w) : T->c; /* fc: the input flattened */
    *L = (layer_t){.type = fc ? LAYER_FC : LAYER_CONV, .c = c,
                   .h = fc ? 1 : T->h, .w = fc ? 1 : T->w, .k = T->k, .r = fc ? 1 : T->r,
                   .s = fc ? 1 : T->s, .stride_h = fc ? 1 : T->stride,
                   .stride_w = fc ? 1 : T->stride, .dil_h = fc ? 1 : T->dil,
                   .dil_w = fc ? 1 : T->dil, .pad_t = fc ? 0 : T->pad_t,
                   .pad_l = fc ? 0 : T->pad_l, .pad_b = fc ? 0 : T->pad_b,
                   .pad_r = fc ? 0 : T->pad_r, .groups = fc ? 1 : T->groups, .p = T->p,
                   .q = T->q};
    snprintf(L->name, sizeof L->name, "%s", T->name);
    return 0;
}

void topo_free(topo_t *t)
{
    free(t->layers);
    free(t->path);
    memset(t, 0, sizeof *t);
}
