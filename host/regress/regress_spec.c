/* regress_spec.c - the sweep spec of `pecos regress`: JSON (cJSON) to a list of jobs.
 *
 * The axes are crossed in a fixed order (workload, variant, dtype, dataflow, memory, seed);
 * "exclude" rules remove combinations; "inject_fault" adds --inject-fault to the jobs it
 * matches. A job's id is made of its axis values, so it does not depend on the order of the
 * expansion or on the other values of an axis: --resume survives edits of the spec.
 */
#define _GNU_SOURCE /* realpath */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pecos_err.h"
#include "pecos_types.h"
#include "regress.h"

/* axis keys used by "exclude" and "inject_fault" */
enum { K_VARIANT, K_DTYPE, K_DATAFLOW, K_WORKLOAD, K_MEMORY, K_SEED, K_ID, K_N };
static const char *const key_names[K_N] = {"variant", "dtype", "dataflow", "workload",
                                           "memory", "seed", "id"};

typedef struct {
    const char *path;
    char *err;
    size_t errlen;
} ctx_t;

static int fail(ctx_t *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ctx_t *c, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pecos_fail(c->err, c->errlen, code, "%s: %s", c->path, msg);
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Names: 1..63 of [A-Za-z0-9_+-]. No '.': it separates the fields of a job id, so that
 * distinct axis values always give distinct ids. */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= REGRESS_NAME_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '+' || *s == '-'))
            return false;
    return true;
}

/* A derived name: every other character becomes '_'. */
static void name_sanitize(const char *s, char *out)
{
    size_t i = 0;
    for (; s[i] && i < REGRESS_NAME_MAX - 1; i++) {
        char ch = s[i];
        out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '+' || ch == '-')
                     ? ch
                     : '_';
    }
    out[i] = '\0';
    if (i == 0) snprintf(out, REGRESS_NAME_MAX, "_");
}

/* An existing file named in the spec, made absolute (relative to the spec's directory). */
static int resolve_path(ctx_t *c, const char *specdir, const char *what, const char *p, char **out)
{
    char joined[PATH_MAX * 2], abs[PATH_MAX];
    if (p[0] == '/')
        snprintf(joined, sizeof joined, "%s", p);
    else
        snprintf(joined, sizeof joined, "%s/%s", specdir, p);
    if (!realpath(joined, abs))
        return fail(c, PECOS_EPARAM, "%s '%s': %s", what, p, strerror(errno));
    if (!(*out = xstrdup(abs))) return fail(c, PECOS_ENOMEM, "out of memory");
    return 0;
}

/* An axis given as an array (or a single value). Returns the array or NULL (absent). */
static const cJSON *axis(const cJSON *root, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(root, key);
}

static void free_list_n(char **l, int n)
{
    if (!l) return;
    for (int i = 0; i < n; i++) free(l[i]);
    free(l);
}

/* Strings of an array (or one string) into a new array of owned strings. */
static int string_list(ctx_t *c, const cJSON *v, const char *key, char ***out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!v) return 0;
    if (cJSON_IsString(v)) {
        if (!(*out = calloc(1, sizeof **out)) || !((*out)[0] = xstrdup(v->valuestring)))
            return fail(c, PECOS_ENOMEM, "out of memory");
        *n = 1;
        return 0;
    }
    if (!cJSON_IsArray(v)) return fail(c, PECOS_EFORMAT, "\"%s\" must be an array of strings", key);
    int cnt = cJSON_GetArraySize(v);
    if (!(*out = calloc((size_t)cnt + 1, sizeof **out))) return fail(c, PECOS_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        if (!cJSON_IsString(e))
            return fail(c, PECOS_EFORMAT, "\"%s\"[%d] must be a string", key, *n);
        if (!((*out)[*n] = xstrdup(e->valuestring))) return fail(c, PECOS_ENOMEM, "out of memory");
        (*n)++;
    }
    return 0;
}

/* A default axis of one value. */
static int one_string(ctx_t *c, const char *v, char ***out, int *n)
{
    free_list_n(*out, *n);
    *n = 0;
    if (!(*out = calloc(2, sizeof **out)) || !((*out)[0] = xstrdup(v)))
        return fail(c, PECOS_ENOMEM, "out of memory");
    *n = 1;
    return 0;
}

/* "RxC" -> rows, cols (1..256). */
static bool parse_rxc(const char *s, int *r, int *cc)
{
    char tail;
    if (sscanf(s, "%dx%d%c", r, cc, &tail) != 2) return false;
    return *r >= 1 && *r <= 256 && *cc >= 1 && *cc <= 256;
}

static int parse_variants(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    const cJSON *v = axis(root, "variants");
    if (!v) return fail(c, PECOS_EFORMAT, "\"variants\" is missing (e.g. [\"4x4\", \"8x8\"])");
    if (!cJSON_IsArray(v)) return fail(c, PECOS_EFORMAT, "\"variants\" must be an array");
    int cnt = cJSON_GetArraySize(v);
    if (!(s->variants = calloc((size_t)cnt + 1, sizeof *s->variants)))
        return fail(c, PECOS_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        regress_variant_t *V = &s->variants[s->nvariants];
        if (cJSON_IsString(e)) {
            if (!parse_rxc(e->valuestring, &V->rows, &V->cols))
                return fail(c, PECOS_EPARAM, "\"variants\"[%d] '%s': must be ROWSxCOLS, each 1..256",
                            s->nvariants, e->valuestring);
        } else if (cJSON_IsObject(e)) {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "rows");
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(e, "cols");
            if (!cJSON_IsNumber(r) || !cJSON_IsNumber(k) || r->valuedouble < 1 ||
                r->valuedouble > 256 || k->valuedouble < 1 || k->valuedouble > 256 ||
                r->valuedouble != (int)r->valuedouble || k->valuedouble != (int)k->valuedouble)
                return fail(c, PECOS_EPARAM, "\"variants\"[%d]: needs integer \"rows\" and \"cols\", each 1..256",
                            s->nvariants);
            V->rows = r->valueint;
            V->cols = k->valueint;
        } else {
            return fail(c, PECOS_EFORMAT, "\"variants\"[%d] must be \"RxC\" or {\"rows\": R, \"cols\": C}",
                        s->nvariants);
        }
        for (int i = 0; i < s->nvariants; i++)
            if (s->variants[i].rows == V->rows && s->variants[i].cols == V->cols)
                return fail(c, PECOS_EPARAM, "\"variants\": %dx%d is given twice", V->rows, V->cols);
        s->nvariants++;
    }
    return 0;
}

static int check_enum(ctx_t *c, const char *key, char **vals, int n, const char *const *allowed)
{
    for (int i = 0; i < n; i++) {
        bool ok = false;
        for (int a = 0; allowed[a]; a++) ok = ok || strcmp(vals[i], allowed[a]) == 0;
        if (!ok) return fail(c, PECOS_EPARAM, "\"%s\"[%d] '%s' is not one of the allowed values", key, i, vals[i]);
        for (int j = 0; j < i; j++)
            if (strcmp(vals[i], vals[j]) == 0)
                return fail(c, PECOS_EPARAM, "\"%s\": '%s' is given twice", key, vals[i]);
    }
    return 0;
}

static regress_workload_t *new_wl(ctx_t *c, regress_spec_t *s, int *cap)
{
    if (s->nwls == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        regress_workload_t *w = realloc(s->wls, (size_t)nc * sizeof *w);
        if (!w) {
            fail(c, PECOS_ENOMEM, "out of memory");
            return NULL;
        }
        s->wls = w;
        *cap = nc;
    }
    regress_workload_t *w = &s->wls[s->nwls++];
    memset(w, 0, sizeof *w);
    return w;
}

/* The name= field of a --layer spec, if any. */
static void layer_name(const char *spec, int idx, char *out)
{
    const char *p = strstr(spec, "name=");
    while (p && p != spec && p[-1] != ',') p = strstr(p + 1, "name=");
    if (p) {
        char buf[REGRESS_NAME_MAX];
        size_t i = 0;
        for (p += 5; *p && *p != ',' && i < sizeof buf - 1; p++) buf[i++] = *p;
        buf[i] = '\0';
        name_sanitize(buf, out);
    } else {
        snprintf(out, REGRESS_NAME_MAX, "layer%d", idx);
    }
}

/* name of a file workload: its base name without the extension (ONNX "model.onnx": the
 * directory's name, as ONNX test cases are laid out). */
static void file_name(const char *path, const char *ext, char *out)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    size_t n = strlen(base), e = strlen(ext);
    if (n > e && strcmp(base + n - e, ext) == 0) base[n - e] = '\0';
    if (strcmp(base, "model") == 0 && base != buf) {
        base[-1] = '\0';
        char *d = strrchr(buf, '/');
        base = d ? d + 1 : buf;
    }
    name_sanitize(base, out);
}

static int wl_name(ctx_t *c, const cJSON *e, const char *key, int idx, char *out, bool *given)
{
    const cJSON *n = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
    *given = false;
    if (!n) return 0;
    if (!cJSON_IsString(n) || !name_ok(n->valuestring))
        return fail(c, PECOS_EPARAM, "\"%s\"[%d].name must be 1..63 characters of A-Z a-z 0-9 _ + -",
                    key, idx);
    snprintf(out, REGRESS_NAME_MAX, "%s", n->valuestring);
    *given = true;
    return 0;
}

static int parse_workloads(ctx_t *c, const char *specdir, const cJSON *root, regress_spec_t *s)
{
    int cap = 0, idx;
    const cJSON *e, *v;
    bool given;
    char nm[REGRESS_NAME_MAX];

    if ((v = axis(root, "layers"))) {
        if (!cJSON_IsArray(v)) return fail(c, PECOS_EFORMAT, "\"layers\" must be an array");
        idx = 0;
        cJSON_ArrayForEach(e, v)
        {
            regress_workload_t *w = new_wl(c, s, &cap);
            if (!w) return PECOS_ENOMEM;
            w->kind = REGRESS_WL_LAYERS;
            if (cJSON_IsString(e)) {
                if (!(w->layers = calloc(1, sizeof *w->layers)) || !(w->layers[0] = xstrdup(e->valuestring)))
                    return fail(c, PECOS_ENOMEM, "out of memory");
                w->nlayers = 1;
                layer_name(e->valuestring, idx, w->name);
            } else if (cJSON_IsObject(e)) {
                int rc = wl_name(c, e, "layers", idx, w->name, &given);
                if (rc) return rc;
                if (!given) return fail(c, PECOS_EFORMAT, "\"layers\"[%d]: a group of layers needs a \"name\"", idx);
                if ((rc = string_list(c, cJSON_GetObjectItemCaseSensitive(e, "layers"), "layers[].layers",
                                      &w->layers, &w->nlayers)) != 0)
                    return rc;
                if (w->nlayers == 0)
                    return fail(c, PECOS_EPARAM, "\"layers\"[%d] '%s': \"layers\" is missing or empty", idx, w->name);
            } else {
                return fail(c, PECOS_EFORMAT, "\"layers\"[%d] must be a --layer spec or {\"name\": N, \"layers\": [...]}", idx);
            }
            idx++;
        }
    }
    static const char *const fkeys[2] = {"networks", "onnx"};
    for (int f = 0; f < 2; f++) {
        if (!(v = axis(root, fkeys[f]))) continue;
        if (!cJSON_IsArray(v)) return fail(c, PECOS_EFORMAT, "\"%s\" must be an array", fkeys[f]);
        idx = 0;
        cJSON_ArrayForEach(e, v)
        {
            regress_workload_t *w = new_wl(c, s, &cap);
            if (!w) return PECOS_ENOMEM;
            w->kind = f == 0 ? REGRESS_WL_NETWORK : REGRESS_WL_ONNX;
            const cJSON *p = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "path") : e;
            if (!cJSON_IsString(p))
                return fail(c, PECOS_EFORMAT, "\"%s\"[%d] must be a path or {\"path\": P[, \"name\": N]}", fkeys[f], idx);
            int rc = wl_name(c, e, fkeys[f], idx, nm, &given);
            if (rc) return rc;
            if ((rc = resolve_path(c, specdir, fkeys[f], p->valuestring, &w->path)) != 0) return rc;
            if (given)
                snprintf(w->name, sizeof w->name, "%s", nm);
            else
                file_name(w->path, f == 0 ? ".csv" : ".onnx", w->name);
            idx++;
        }
    }
    if (s->nwls == 0)
        return fail(c, PECOS_EPARAM, "no workload: give \"layers\", \"networks\" or \"onnx\"");
    for (int i = 0; i < s->nwls; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(s->wls[i].name, s->wls[j].name) == 0)
                return fail(c, PECOS_EPARAM, "two workloads are named '%s' (give one a \"name\")", s->wls[i].name);
    return 0;
}

/* Splits a string of options on spaces (no quoting: give an array for arguments with spaces). */
static int split_words(ctx_t *c, const char *str, char ***out, int *n)
{
    int cap = 8;
    *n = 0;
    if (!(*out = calloc((size_t)cap, sizeof **out))) return fail(c, PECOS_ENOMEM, "out of memory");
    const char *p = str;
    while (*p) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t') q++;
        if (*n + 1 >= cap) {
            char **nl = realloc(*out, (size_t)(cap *= 2) * sizeof **out);
            if (!nl) return fail(c, PECOS_ENOMEM, "out of memory");
            *out = nl;
        }
        if (!((*out)[*n] = malloc((size_t)(q - p) + 1))) return fail(c, PECOS_ENOMEM, "out of memory");
        memcpy((*out)[*n], p, (size_t)(q - p));
        (*out)[(*n)++][q - p] = '\0';
        p = q;
    }
    return 0;
}

static int parse_memory(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    const cJSON *v = axis(root, "memory");
    if (!v) {
        /* one configuration: the defaults of pecos run */
        if (!(s->mems = calloc(1, sizeof *s->mems))) return fail(c, PECOS_ENOMEM, "out of memory");
        snprintf(s->mems[0].name, sizeof s->mems[0].name, "default");
        s->nmems = 1;
        return 0;
    }
    if (!cJSON_IsObject(v))
        return fail(c, PECOS_EFORMAT, "\"memory\" must be an object of named option sets, e.g. {\"bw16\": \"--dram-bw 16 --glb-kib 64\"}");
    int cnt = cJSON_GetArraySize(v);
    if (cnt == 0) return fail(c, PECOS_EPARAM, "\"memory\" is empty");
    if (!(s->mems = calloc((size_t)cnt, sizeof *s->mems))) return fail(c, PECOS_ENOMEM, "out of memory");
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        regress_memcfg_t *m = &s->mems[s->nmems];
        if (!name_ok(e->string))
            return fail(c, PECOS_EPARAM, "\"memory\": '%s' is not a name (1..63 of A-Z a-z 0-9 _ + -)", e->string);
        for (int i = 0; i < s->nmems; i++) /* the name is in every job id: one of each */
            if (strcmp(s->mems[i].name, e->string) == 0)
                return fail(c, PECOS_EPARAM, "\"memory\": '%s' is given twice", e->string);
        snprintf(m->name, sizeof m->name, "%s", e->string);
        s->nmems++;
        int rc = cJSON_IsString(e) ? split_words(c, e->valuestring, &m->args, &m->nargs)
                                   : string_list(c, e, "memory", &m->args, &m->nargs);
        if (rc) return rc;
        for (int i = 0; i < m->nargs; i++)
            if (strcmp(m->args[i], "--json") == 0 || strcmp(m->args[i], "--seed") == 0)
                return fail(c, PECOS_EPARAM, "\"memory\".%s: %s is set by pecos regress", m->name, m->args[i]);
    }
    return 0;
}

static int parse_seeds(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    const cJSON *v = axis(root, "seeds");
    int cnt = v ? cJSON_GetArraySize(v) : 0;
    if (v && !cJSON_IsArray(v)) return fail(c, PECOS_EFORMAT, "\"seeds\" must be an array of integers");
    if (!(s->seeds = calloc((size_t)(cnt ? cnt : 1), sizeof *s->seeds))) return fail(c, PECOS_ENOMEM, "out of memory");
    if (!v) {
        s->seeds[0] = 1;
        s->nseeds = 1;
        return 0;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 9007199254740992.0 ||
            e->valuedouble != (double)(uint64_t)e->valuedouble)
            return fail(c, PECOS_EPARAM, "\"seeds\"[%d] must be a non-negative integer", s->nseeds);
        uint64_t sd = (uint64_t)e->valuedouble;
        for (int i = 0; i < s->nseeds; i++)
            if (s->seeds[i] == sd) return fail(c, PECOS_EPARAM, "\"seeds\": %llu is given twice", (unsigned long long)sd);
        s->seeds[s->nseeds++] = sd;
    }
    return 0;
}

/* A match rule (exclude, inject_fault): per axis key, the values it accepts (NULL = any). */
typedef struct {
    const cJSON *vals[K_N];
    int64_t cycle;
    int hits;
} rule_t;

static int parse_rule(ctx_t *c, const cJSON *e, const char *what, int idx, bool fault, rule_t *r)
{
    memset(r, 0, sizeof *r);
    r->cycle = -1;
    if (!cJSON_IsObject(e)) return fail(c, PECOS_EFORMAT, "\"%s\"[%d] must be an object", what, idx);
    const cJSON *f;
    cJSON_ArrayForEach(f, e)
    {
        if (fault && strcmp(f->string, "cycle") == 0) {
            if (!cJSON_IsNumber(f) || f->valuedouble < 0 || f->valuedouble > 1e15 ||
                f->valuedouble != (double)(int64_t)f->valuedouble)
                return fail(c, PECOS_EPARAM, "\"%s\"[%d].cycle must be a cycle number", what, idx);
            r->cycle = (int64_t)f->valuedouble;
            continue;
        }
        int k = 0;
        while (k < K_N && strcmp(f->string, key_names[k]) != 0) k++;
        if (k == K_N || (k == K_ID && !fault))
            return fail(c, PECOS_EPARAM, "\"%s\"[%d]: unknown key '%s' (keys: variant, dtype, dataflow, workload, memory, seed%s)",
                        what, idx, f->string, fault ? ", id, cycle" : "");
        r->vals[k] = f;
    }
    if (fault && r->cycle < 0) return fail(c, PECOS_EPARAM, "\"%s\"[%d]: \"cycle\" is missing", what, idx);
    return 0;
}

static bool val_match(const cJSON *v, const char *str, double num, bool is_num)
{
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) if (val_match(e, str, num, is_num)) return true;
        return false;
    }
    if (is_num && cJSON_IsNumber(v)) return v->valuedouble == num;
    if (cJSON_IsString(v)) return strcmp(v->valuestring, str) == 0;
    return false;
}

static bool rule_match(const rule_t *r, const regress_spec_t *s, const regress_job_t *j)
{
    char var[32], seed[32];
    snprintf(var, sizeof var, "%dx%d", s->variants[j->var].rows, s->variants[j->var].cols);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seeds[j->seed]);
    const char *str[K_N] = {var, s->dtypes[j->dtype], s->dataflows[j->df], s->wls[j->wl].name,
                            s->mems[j->mem].name, seed, j->id};
    for (int k = 0; k < K_N; k++)
        if (r->vals[k] && !val_match(r->vals[k], str[k], (double)s->seeds[j->seed], k == K_SEED))
            return false;
    return true;
}

static int add_arg(regress_job_t *j, int *cap, const char *a)
{
    if (j->argc + 2 > *cap) {
        int nc = *cap ? *cap * 2 : 32;
        char **na = realloc(j->argv, (size_t)nc * sizeof *na);
        if (!na) return PECOS_ENOMEM;
        j->argv = na;
        *cap = nc;
    }
    if (!(j->argv[j->argc] = xstrdup(a))) return PECOS_ENOMEM;
    j->argv[++j->argc] = NULL;
    return 0;
}

static int build_argv(const regress_spec_t *s, regress_job_t *j, const char *pecos)
{
    int cap = 0, rc = 0;
    char buf[64];
    const regress_workload_t *w = &s->wls[j->wl];
    rc |= add_arg(j, &cap, pecos);
    rc |= add_arg(j, &cap, "run");
    snprintf(buf, sizeof buf, "%d", s->variants[j->var].rows);
    rc |= add_arg(j, &cap, "--rows") | add_arg(j, &cap, buf);
    snprintf(buf, sizeof buf, "%d", s->variants[j->var].cols);
    rc |= add_arg(j, &cap, "--cols") | add_arg(j, &cap, buf);
    rc |= add_arg(j, &cap, "--dataflow") | add_arg(j, &cap, s->dataflows[j->df]);
    rc |= add_arg(j, &cap, "--dtype") | add_arg(j, &cap, s->dtypes[j->dtype]);
    if (w->kind == REGRESS_WL_LAYERS)
        for (int i = 0; i < w->nlayers; i++) rc |= add_arg(j, &cap, "--layer") | add_arg(j, &cap, w->layers[i]);
    else
        rc |= add_arg(j, &cap, w->kind == REGRESS_WL_NETWORK ? "--network" : "--onnx") | add_arg(j, &cap, w->path);
    for (int i = 0; i < s->mems[j->mem].nargs; i++) rc |= add_arg(j, &cap, s->mems[j->mem].args[i]);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)s->seeds[j->seed]);
    rc |= add_arg(j, &cap, "--seed") | add_arg(j, &cap, buf);
    for (int i = 0; i < s->nargs; i++) rc |= add_arg(j, &cap, s->args[i]);
    if (j->fault >= 0) {
        snprintf(buf, sizeof buf, "%lld", (long long)j->fault);
        rc |= add_arg(j, &cap, "--inject-fault") | add_arg(j, &cap, buf);
    }
    rc |= add_arg(j, &cap, "--json") | add_arg(j, &cap, "report.json");
    return rc ? PECOS_ENOMEM : 0;
}

static int expand(ctx_t *c, const cJSON *root, regress_spec_t *s, const char *pecos,
                  void (*warn)(const char *))
{
    const cJSON *ex = axis(root, "exclude"), *fx = axis(root, "inject_fault");
    int nex = ex ? cJSON_GetArraySize(ex) : 0, nfx = fx ? cJSON_GetArraySize(fx) : 0, rc;
    if (ex && !cJSON_IsArray(ex)) return fail(c, PECOS_EFORMAT, "\"exclude\" must be an array of objects");
    if (fx && !cJSON_IsArray(fx)) return fail(c, PECOS_EFORMAT, "\"inject_fault\" must be an array of objects");
    rule_t *rules = calloc((size_t)(nex + nfx + 1), sizeof *rules);
    if (!rules) return fail(c, PECOS_ENOMEM, "out of memory");
    for (int i = 0; i < nex; i++)
        if ((rc = parse_rule(c, cJSON_GetArrayItem(ex, i), "exclude", i, false, &rules[i])) != 0) goto out;
    for (int i = 0; i < nfx; i++)
        if ((rc = parse_rule(c, cJSON_GetArrayItem(fx, i), "inject_fault", i, true, &rules[nex + i])) != 0) goto out;

    size_t total = (size_t)s->nwls * (size_t)s->nvariants * (size_t)s->ndtypes * (size_t)s->ndataflows *
                   (size_t)s->nmems * (size_t)s->nseeds;
    if (total > 1000000) {
        rc = fail(c, PECOS_EPARAM, "the axes cross to %zu combinations (at most 1000000)", total);
        goto out;
    }
    if (!(s->jobs = calloc(total ? total : 1, sizeof *s->jobs))) {
        rc = fail(c, PECOS_ENOMEM, "out of memory");
        goto out;
    }
    for (int w = 0; w < s->nwls; w++)
        for (int v = 0; v < s->nvariants; v++)
            for (int t = 0; t < s->ndtypes; t++)
                for (int d = 0; d < s->ndataflows; d++)
                    for (int m = 0; m < s->nmems; m++)
                        for (int e = 0; e < s->nseeds; e++) {
                            regress_job_t *j = &s->jobs[s->njobs];
                            memset(j, 0, sizeof *j);
                            j->wl = w, j->var = v, j->dtype = t, j->df = d, j->mem = m, j->seed = e;
                            j->fault = -1;
                            snprintf(j->id, sizeof j->id, "%s.%dx%d.%s.%s.%s.s%llu", s->wls[w].name,
                                     s->variants[v].rows, s->variants[v].cols, s->dtypes[t],
                                     s->dataflows[d], s->mems[m].name,
                                     (unsigned long long)s->seeds[e]);
                            bool excluded = false;
                            for (int r = 0; r < nex && !excluded; r++)
                                if (rule_match(&rules[r], s, j)) {
                                    rules[r].hits++;
                                    excluded = true;
                                }
                            if (excluded) {
                                s->excluded++;
                                continue;
                            }
                            for (int r = nex; r < nex + nfx; r++)
                                if (rule_match(&rules[r], s, j)) {
                                    rules[r].hits++;
                                    j->fault = rules[r].cycle;
                                }
                            if (build_argv(s, j, pecos) != 0) {
                                s->njobs++;
                                rc = fail(c, PECOS_ENOMEM, "out of memory");
                                goto out;
                            }
                            s->njobs++;
                        }
    for (int r = 0; r < nex; r++)
        if (rules[r].hits == 0 && warn) {
            char line[256];
            snprintf(line, sizeof line, "%s: \"exclude\"[%d] matches no job", c->path, r);
            warn(line);
        }
    for (int r = nex; r < nex + nfx; r++)
        if (rules[r].hits == 0) {
            rc = fail(c, PECOS_EPARAM, "\"inject_fault\"[%d] matches no job", r - nex);
            goto out;
        }
    if (s->njobs == 0) {
        rc = fail(c, PECOS_EPARAM, "the spec expands to no job (%d combinations, all excluded)", s->excluded);
        goto out;
    }
    rc = 0;
out:
    free(rules);
    return rc;
}

static const char *const top_keys[] = {"name", "variants", "dtypes", "dataflows", "layers",
                                       "networks", "onnx", "memory", "seeds", "args",
                                       "exclude", "inject_fault", "timeout_s", "comment", NULL};

/* Reads the spec file (at most 64 MiB) into *text, NUL-terminated, *len bytes. */
static int read_spec_text(ctx_t *c, char **text, size_t *len)
{
    FILE *f = fopen(c->path, "rb");
    if (!f) return fail(c, PECOS_EIO, "cannot read: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0, got;
    char *t = malloc(cap + 1);
    if (!t) {
        fclose(f);
        return fail(c, PECOS_ENOMEM, "out of memory");
    }
    while ((got = fread(t + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= (64u << 20)) {
                fclose(f);
                free(t);
                return fail(c, PECOS_EFORMAT, "larger than 64 MiB");
            }
            char *nt = realloc(t, (cap *= 2) + 1);
            if (!nt) {
                fclose(f);
                free(t);
                return fail(c, PECOS_ENOMEM, "out of memory");
            }
            t = nt;
        }
    }
    bool rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        free(t);
        return fail(c, PECOS_EIO, "read error");
    }
    t[n] = '\0';
    *text = t;
    *len = n;
    return 0;
}

/* Parses text as the spec's JSON object with only known top-level keys. */
static int parse_root(ctx_t *c, const char *text, size_t n, cJSON **rootp)
{
    const char *end = NULL;
    cJSON *root = *rootp = cJSON_ParseWithOpts(text, &end, 1);
    if (!root || strlen(text) != n) {
        int line = 1;
        const char *at = end ? end : cJSON_GetErrorPtr();
        if (at && at >= text && at <= text + n)
            for (const char *p = text; p < at; p++) line += *p == '\n';
        return root ? fail(c, PECOS_EFORMAT, "contains a NUL byte")
                    : pecos_fail(c->err, c->errlen, PECOS_EFORMAT, "%s:%d: not valid JSON", c->path,
                                 line);
    }
    if (!cJSON_IsObject(root)) return fail(c, PECOS_EFORMAT, "the spec must be a JSON object");
    const cJSON *e;
    cJSON_ArrayForEach(e, root)
    {
        int k = 0;
        while (top_keys[k] && strcmp(top_keys[k], e->string) != 0) k++;
        if (!top_keys[k])
            return fail(c, PECOS_EFORMAT, "unknown key \"%s\" (see docs/REGRESS.md)", e->string);
    }
    return 0;
}

/* s->path, and s->name: "name", else the file name without .json. */
static int parse_name(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    if (!(s->path = xstrdup(c->path))) return fail(c, PECOS_ENOMEM, "out of memory");
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(root, "name");
    if (nm) {
        if (!cJSON_IsString(nm) || !name_ok(nm->valuestring))
            return fail(c, PECOS_EPARAM, "\"name\" must be 1..63 characters of A-Z a-z 0-9 _ + -");
        snprintf(s->name, sizeof s->name, "%s", nm->valuestring);
    } else {
        file_name(c->path, ".json", s->name);
    }
    return 0;
}

/* The axes: variants, dtypes (default int8), dataflows (default ws), workloads (paths
 * relative to the spec's folder), memory, seeds. */
static int parse_axes(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    char specdir[PATH_MAX];
    snprintf(specdir, sizeof specdir, "%s", c->path);
    char *slash = strrchr(specdir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(specdir, sizeof specdir, ".");

    const char *dtypes[PECOS_DTYPE_N + 1] = {NULL}, *dfs[DF_N + 1] = {NULL};
    for (int d = 0; d < PECOS_DTYPE_N; d++) dtypes[d] = pecos_dtype_name((pecos_dtype_t)d);
    for (int d = 0; d < DF_N; d++) dfs[d] = pecos_df_name((pecos_df_t)d);
    int rc;
    if ((rc = parse_variants(c, root, s)) != 0) return rc;
    if ((rc = string_list(c, axis(root, "dtypes"), "dtypes", &s->dtypes, &s->ndtypes)) != 0 ||
        (rc = check_enum(c, "dtypes", s->dtypes, s->ndtypes, dtypes)) != 0)
        return rc;
    if (s->ndtypes == 0 && (rc = one_string(c, "int8", &s->dtypes, &s->ndtypes)) != 0) return rc;
    if ((rc = string_list(c, axis(root, "dataflows"), "dataflows", &s->dataflows, &s->ndataflows)) != 0 ||
        (rc = check_enum(c, "dataflows", s->dataflows, s->ndataflows, dfs)) != 0)
        return rc;
    if (s->ndataflows == 0 && (rc = one_string(c, "ws", &s->dataflows, &s->ndataflows)) != 0) return rc;
    if ((rc = parse_workloads(c, specdir, root, s)) != 0) return rc;
    if ((rc = parse_memory(c, root, s)) != 0) return rc;
    return parse_seeds(c, root, s);
}

/* "args" (every job's extra options, none that regress sets itself) and "timeout_s". */
static int parse_args_timeout(ctx_t *c, const cJSON *root, regress_spec_t *s)
{
    int rc;
    if ((rc = string_list(c, axis(root, "args"), "args", &s->args, &s->nargs)) != 0) return rc;
    for (int i = 0; i < s->nargs; i++)
        if (strcmp(s->args[i], "--json") == 0 || strcmp(s->args[i], "--seed") == 0 ||
            strcmp(s->args[i], "--inject-fault") == 0)
            return fail(c, PECOS_EPARAM, "\"args\": %s is set by pecos regress (use \"seeds\" / \"inject_fault\")", s->args[i]);
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(root, "timeout_s");
    if (to) {
        if (!cJSON_IsNumber(to) || to->valuedouble <= 0 || to->valuedouble > 1e7)
            return fail(c, PECOS_EPARAM, "\"timeout_s\" must be a positive number of seconds");
        s->timeout_s = to->valuedouble;
    }
    return 0;
}

int regress_spec_load(const char *path, const char *pecos, regress_spec_t *s, char *err,
                      size_t errlen, void (*warn)(const char *line))
{
    ctx_t c = {.path = path, .err = err, .errlen = errlen};
    memset(s, 0, sizeof *s);
    char *text = NULL;
    size_t n = 0;
    cJSON *root = NULL;
    int rc = read_spec_text(&c, &text, &n);
    if (rc) return rc;
    if ((rc = parse_root(&c, text, n, &root)) == 0 && (rc = parse_name(&c, root, s)) == 0 &&
        (rc = parse_axes(&c, root, s)) == 0 && (rc = parse_args_timeout(&c, root, s)) == 0)
        rc = expand(&c, root, s, pecos, warn);
    cJSON_Delete(root);
    free(text);
    if (rc) regress_spec_free(s);
    return rc;
}

void regress_spec_free(regress_spec_t *s)
{
    for (int i = 0; i < s->njobs; i++) free_list_n(s->jobs[i].argv, s->jobs[i].argc);
    free(s->jobs);
    for (int i = 0; i < s->nwls; i++) {
        free_list_n(s->wls[i].layers, s->wls[i].nlayers);
        free(s->wls[i].path);
    }
    free(s->wls);
    for (int i = 0; i < s->nmems; i++) free_list_n(s->mems[i].args, s->mems[i].nargs);
    free(s->mems);
    free_list_n(s->dtypes, s->ndtypes);
    free_list_n(s->dataflows, s->ndataflows);
    free_list_n(s->args, s->nargs);
    free(s->variants);
    free(s->seeds);
    free(s->path);
    memset(s, 0, sizeof *s);
}

void regress_job_variant(const regress_spec_t *s, const regress_job_t *j, char *buf, size_t len)
{
    pecos_df_t df = DF_WS; /* the spec's dataflows are checked names */
    pecos_df_parse(s->dataflows[j->df], &df);
    snprintf(buf, len, "%s_%s_%dx%d", pecos_df_array(df), s->dtypes[j->dtype],
             s->variants[j->var].rows, s->variants[j->var].cols);
}

/* Appends word to buf, single-quoted for the shell where needed. */
static void shell_append(char *buf, size_t len, const char *w)
{
    size_t n = strlen(buf);
    bool plain = *w != '\0';
    for (const char *p = w; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/=:+%@", *p))
            plain = false;
    if (n && n + 1 < len) buf[n++] = ' ';
    if (plain) {
        for (; *w && n + 1 < len; w++) buf[n++] = *w;
    } else {
        if (n + 1 < len) buf[n++] = '\'';
        for (; *w && n + 5 < len; w++) {
            if (*w == '\'') {
                memcpy(buf + n, "'\\''", 4);
                n += 4;
            } else {
                buf[n++] = *w;
            }
        }
        if (n + 1 < len) buf[n++] = '\'';
    }
    buf[n < len ? n : len - 1] = '\0';
}

void regress_job_cmdline(const regress_job_t *j, char *buf, size_t len)
{
    if (len == 0) return;
    buf[0] = '\0';
    for (int i = 0; i < j->argc; i++) shell_append(buf, len, j->argv[i]);
}
