/* regress_report.c - the merged report of a regression: report.json (cJSON), report.xml
 * (JUnit: testsuites/testsuite/testcase/failure|error) and report.html (self-contained:
 * inline CSS, no script, no external resource).
 *
 * A job's verdict: pass = exit 0 and its --json report says pass; fail = exit 1 (a check
 * failed); error = anything else (exit 2 bad input, a signal, a timeout, no result, a report
 * missing or contradicting the exit status, a Slurm task that did not complete).
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pecos_err.h"
#include "regress.h"

#define CMD_MAX 65536

typedef enum { ST_PASS, ST_FAIL, ST_ERROR } status_t;
static const char *const st_name[] = {"pass", "fail", "error"};

typedef struct {
    status_t st;
    char reason[1024];       /* fail/error: the first FAIL line or what went wrong */
    char wave_rerun[4096];   /* the job's own re-run-with-waveform line, if it printed one */
    int exit_code;           /* -1 = none */
    char signal[32];
    double wall;
    int attempt;
    char host[128];
    bool has_numbers;
    double cycles, utilization, energy_pj;
    int golden_nodes;        /* ONNX: nodes that ran golden-only (-1 = not an ONNX job) */
} jobres_t;

static cJSON *read_json(const char *path)
{
    char *t = regress_slurp(path, 64u << 20, NULL);
    if (!t) return NULL;
    cJSON *j = cJSON_Parse(t);
    free(t);
    return j;
}

/* The first line of stderr.txt that starts with prefix (or contains it, if anywhere). */
static bool find_line(const char *text, const char *needle, bool anywhere, char *out, size_t len)
{
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *hit = anywhere ? memmem(p, n, needle, strlen(needle)) : (strncmp(p, needle, strlen(needle)) == 0 ? p : NULL);
        if (hit) {
            if (n >= len) n = len - 1;
            memcpy(out, p, n);
            out[n] = '\0';
            return true;
        }
        p = e ? e + 1 : NULL;
    }
    return false;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void collect(const regress_spec_t *s, const char *dir, const regress_job_t *j,
                    const regress_jobrun_t *run, jobres_t *r)
{
    char path[PATH_MAX + 64];
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
    r->golden_nodes = -1;
    snprintf(path, sizeof path, "%s/jobs/%s/result.json", dir, j->id);
    cJSON *res = regress_has_result(dir, j) ? read_json(path) : NULL;
    snprintf(path, sizeof path, "%s/jobs/%s/stderr.txt", dir, j->id);
    char *err = regress_slurp(path, 4u << 20, NULL);
    snprintf(path, sizeof path, "%s/jobs/%s/report.json", dir, j->id);
    cJSON *rep = read_json(path);
    if (err) {
        char line[4096];
        if (find_line(err, "re-run with a waveform:", true, line, sizeof line)) {
            const char *p = strstr(line, "re-run with a waveform:") + strlen("re-run with a waveform:");
            while (*p == ' ') p++;
            snprintf(r->wave_rerun, sizeof r->wave_rerun, "%s", p);
        }
    }
    if (res) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, "exit");
        if (cJSON_IsNumber(v)) r->exit_code = v->valueint;
        v = cJSON_GetObjectItemCaseSensitive(res, "signal");
        if (cJSON_IsString(v)) snprintf(r->signal, sizeof r->signal, "%s", v->valuestring);
        r->wall = num(res, "wall_seconds");
        r->attempt = (int)num(res, "attempt");
        v = cJSON_GetObjectItemCaseSensitive(res, "host");
        if (cJSON_IsString(v)) snprintf(r->host, sizeof r->host, "%s", v->valuestring);
    }
    bool rep_pass = false;
    if (rep) {
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(rep, "total");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(rep, "pass");
        if (!p) p = cJSON_GetObjectItemCaseSensitive(tot, "pass");
        rep_pass = cJSON_IsTrue(p);
        if (cJSON_IsObject(tot) && num(tot, "cycles") >= 0) {
            r->has_numbers = true;
            r->cycles = num(tot, "cycles");
            r->utilization = num(tot, "utilization");
            /* layer and network reports: {"energy_pj": {"total": ...}}; ONNX: a number */
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(tot, "energy_pj");
            r->energy_pj = cJSON_IsNumber(e) ? e->valuedouble : num(e, "total");
            if (cJSON_GetObjectItemCaseSensitive(tot, "golden_only_nodes"))
                r->golden_nodes = (int)num(tot, "golden_only_nodes");
        }
    }
    const char *first_err = err ? err : "";
    char line1[1024] = "";
    find_line(first_err, "", false, line1, sizeof line1);
    if (run && run->engine_error[0]) {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "%s", run->engine_error);
    } else if (!res) {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "no result: the job did not run to its end");
    } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "timed_out"))) {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "timed out after %.0f s (\"timeout_s\" %.0f): killed", r->wall, s->timeout_s);
    } else if (r->signal[0]) {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "killed by %s", r->signal);
    } else if (r->exit_code == 0) {
        if (!rep) {
            r->st = ST_ERROR;
            snprintf(r->reason, sizeof r->reason, "exit 0 but no readable report.json");
        } else if (!rep_pass) {
            r->st = ST_ERROR;
            snprintf(r->reason, sizeof r->reason, "exit 0 but report.json does not say pass");
        } else {
            r->st = ST_PASS;
        }
    } else if (r->exit_code == 1) {
        r->st = ST_FAIL;
        if (!find_line(first_err, "FAIL ", false, r->reason, sizeof r->reason))
            snprintf(r->reason, sizeof r->reason, "exit 1 (a check failed): %s", line1[0] ? line1 : "no message");
    } else if (r->exit_code == 2) {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "exit 2 (bad input): %s", line1[0] ? line1 : "no message");
    } else {
        r->st = ST_ERROR;
        snprintf(r->reason, sizeof r->reason, "exit %d: %s", r->exit_code, line1[0] ? line1 : "no message");
    }
    free(err);
    cJSON_Delete(res);
    cJSON_Delete(rep);
}

/* --- JSON -------------------------------------------------------------------------------- */

static cJSON *str_array(char **v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    bool ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : PECOS_EIO;
}

static int write_json(const regress_spec_t *s, const char *dir, const char *engine,
                      const regress_jobrun_t *runs, const jobres_t *R, const regress_totals_t *t,
                      double wall, char *cmd)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "tool", "pecos regress");
    cJSON_AddStringToObject(root, "spec", s->name);
    cJSON *axes = cJSON_AddObjectToObject(root, "axes");
    cJSON *va = cJSON_AddArrayToObject(axes, "variants");
    for (int i = 0; i < s->nvariants; i++) {
        char b[32];
        snprintf(b, sizeof b, "%dx%d", s->variants[i].rows, s->variants[i].cols);
        cJSON_AddItemToArray(va, cJSON_CreateString(b));
    }
    cJSON_AddItemToObject(axes, "dtypes", str_array(s->dtypes, s->ndtypes));
    cJSON_AddItemToObject(axes, "dataflows", str_array(s->dataflows, s->ndataflows));
    cJSON *wa = cJSON_AddArrayToObject(axes, "workloads");
    for (int i = 0; i < s->nwls; i++) cJSON_AddItemToArray(wa, cJSON_CreateString(s->wls[i].name));
    cJSON *ma = cJSON_AddArrayToObject(axes, "memory");
    for (int i = 0; i < s->nmems; i++) cJSON_AddItemToArray(ma, cJSON_CreateString(s->mems[i].name));
    cJSON *sa = cJSON_AddArrayToObject(axes, "seeds");
    for (int i = 0; i < s->nseeds; i++) cJSON_AddItemToArray(sa, cJSON_CreateNumber((double)s->seeds[i]));
    cJSON_AddNumberToObject(root, "jobs_total", s->njobs);
    cJSON_AddNumberToObject(root, "excluded", s->excluded);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "pass", t->pass);
    cJSON_AddNumberToObject(sum, "fail", t->fail);
    cJSON_AddNumberToObject(sum, "error", t->error);
    cJSON_AddBoolToObject(root, "pass", t->fail + t->error == 0);
    cJSON *jobs = cJSON_AddArrayToObject(root, "jobs");
    for (int i = 0; i < s->njobs; i++) {
        const regress_job_t *j = &s->jobs[i];
        const jobres_t *r = &R[i];
        cJSON *o = cJSON_CreateObject();
        char b[64];
        cJSON_AddStringToObject(o, "id", j->id);
        cJSON_AddStringToObject(o, "workload", s->wls[j->wl].name);
        snprintf(b, sizeof b, "%dx%d", s->variants[j->var].rows, s->variants[j->var].cols);
        cJSON_AddStringToObject(o, "variant", b);
        cJSON_AddStringToObject(o, "dtype", s->dtypes[j->dtype]);
        cJSON_AddStringToObject(o, "dataflow", s->dataflows[j->df]);
        cJSON_AddStringToObject(o, "memory", s->mems[j->mem].name);
        cJSON_AddNumberToObject(o, "seed", (double)s->seeds[j->seed]);
        if (j->fault >= 0)
            cJSON_AddNumberToObject(o, "inject_fault", (double)j->fault);
        else
            cJSON_AddNullToObject(o, "inject_fault");
        regress_job_cmdline(j, cmd, CMD_MAX);
        cJSON_AddStringToObject(o, "command", cmd);
        cJSON_AddStringToObject(o, "status", st_name[r->st]);
        if (r->exit_code >= 0)
            cJSON_AddNumberToObject(o, "exit", r->exit_code);
        else
            cJSON_AddNullToObject(o, "exit");
        if (r->signal[0])
            cJSON_AddStringToObject(o, "signal", r->signal);
        else
            cJSON_AddNullToObject(o, "signal");
        if (r->st != ST_PASS)
            cJSON_AddStringToObject(o, "reason", r->reason);
        else
            cJSON_AddNullToObject(o, "reason");
        if (r->st != ST_PASS) {
            cJSON_AddStringToObject(o, "rerun", cmd);
            if (r->wave_rerun[0])
                cJSON_AddStringToObject(o, "wave_rerun", r->wave_rerun);
            else
                cJSON_AddNullToObject(o, "wave_rerun");
        }
        if (r->has_numbers) {
            cJSON_AddNumberToObject(o, "cycles", r->cycles);
            if (r->utilization >= 0) /* ONNX reports have none */
                cJSON_AddNumberToObject(o, "utilization", r->utilization);
            else
                cJSON_AddNullToObject(o, "utilization");
            if (r->energy_pj >= 0)
                cJSON_AddNumberToObject(o, "energy_pj", r->energy_pj);
            else
                cJSON_AddNullToObject(o, "energy_pj");
        } else {
            cJSON_AddNullToObject(o, "cycles");
            cJSON_AddNullToObject(o, "utilization");
            cJSON_AddNullToObject(o, "energy_pj");
        }
        if (r->golden_nodes >= 0) cJSON_AddNumberToObject(o, "golden_only_nodes", r->golden_nodes);
        cJSON *ru = cJSON_AddObjectToObject(o, "run");
        cJSON_AddNumberToObject(ru, "wall_seconds", r->wall);
        cJSON_AddNumberToObject(ru, "attempts", r->attempt > 0 ? r->attempt : runs ? runs[i].attempts : 0);
        if (runs && runs[i].retried[0])
            cJSON_AddStringToObject(ru, "retried_after", runs[i].retried);
        else
            cJSON_AddNullToObject(ru, "retried_after");
        cJSON_AddStringToObject(ru, "host", r->host);
        cJSON_AddItemToArray(jobs, o);
    }
    cJSON *ru = cJSON_AddObjectToObject(root, "run");
    cJSON_AddStringToObject(ru, "engine", engine);
    cJSON_AddNumberToObject(ru, "wall_seconds", wall);
    cJSON_AddStringToObject(ru, "dir", dir);
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    if (!txt) return PECOS_ENOMEM;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.json", dir);
    size_t l = strlen(txt);
    char *t2 = malloc(l + 2);
    int rc = PECOS_ENOMEM;
    if (t2) {
        memcpy(t2, txt, l);
        t2[l] = '\n';
        t2[l + 1] = '\0';
        rc = write_file(path, t2);
        free(t2);
    }
    cJSON_free(txt);
    return rc;
}

/* --- XML / HTML escaping ------------------------------------------------------------------ */

/* Writes s escaped for XML/HTML text and attributes; control characters (which XML 1.0 does
 * not allow) and non-ASCII bytes become '?'. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
                fputc('?', f);
            else
                fputc(c, f);
        }
    }
}

static int write_junit(const regress_spec_t *s, const char *dir, const jobres_t *R,
                       const regress_totals_t *t, double wall, char *cmd)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.xml", dir);
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pecos regress ");
    esc(f, s->name);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", s->njobs, t->fail,
            t->error, wall);
    fprintf(f, "  <testsuite name=\"");
    esc(f, s->name);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n", s->njobs,
            t->fail, t->error, wall);
    for (int i = 0; i < s->njobs; i++) {
        const regress_job_t *j = &s->jobs[i];
        const jobres_t *r = &R[i];
        fprintf(f, "    <testcase classname=\"pecos.");
        esc(f, s->name);
        fputc('.', f);
        esc(f, s->wls[j->wl].name);
        fprintf(f, "\" name=\"");
        esc(f, j->id);
        fprintf(f, "\" time=\"%.3f\"", r->wall > 0 ? r->wall : 0.0);
        if (r->st == ST_PASS) {
            fprintf(f, "/>\n");
            continue;
        }
        regress_job_cmdline(j, cmd, CMD_MAX);
        fprintf(f, ">\n      <%s message=\"", r->st == ST_FAIL ? "failure" : "error");
        esc(f, r->reason);
        fprintf(f, "\" type=\"%s\">", r->st == ST_FAIL ? "check" : "error");
        esc(f, r->reason);
        fputs("\nre-run: ", f);
        esc(f, cmd);
        if (r->wave_rerun[0]) {
            fputs("\nre-run with a waveform: ", f);
            esc(f, r->wave_rerun);
        }
        fprintf(f, "</%s>\n    </testcase>\n", r->st == ST_FAIL ? "failure" : "error");
    }
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

/* --- HTML -------------------------------------------------------------------------------- */

static const char *const css =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{border:1px solid #bbb;padding:3px 6px;text-align:center}"
    "th{background:#eee}td.l,th.l{text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "td.pass{background:#c8ecc8}td.fail{background:#f4b4b4;font-weight:bold}"
    "td.error{background:#f8d890;font-weight:bold}td.excl{background:#f6f6f6;color:#aaa}"
    "td.job a{color:inherit;text-decoration:none;display:block}"
    ".sum span{display:inline-block;padding:2px 10px;margin-right:6px;border-radius:3px}"
    ".sp{background:#c8ecc8}.sf{background:#f4b4b4}.se{background:#f8d890}"
    "pre{background:#f4f4f4;padding:6px;white-space:pre-wrap;word-break:break-all;font-size:12px}"
    "div.failure{border-left:4px solid #d55;padding-left:10px;margin-bottom:1em}";

/* The job index of every matrix cell (rows: workload x memory x seed; columns: variant x
 * dtype x dataflow), -1 where the combination was excluded; NULL when out of memory. */
static int *html_cells(const regress_spec_t *s, int ncol, int nrow)
{
    int *cell = malloc((size_t)ncol * (size_t)nrow * sizeof *cell);
    if (!cell) return NULL;
    for (int i = 0; i < ncol * nrow; i++) cell[i] = -1;
    for (int i = 0; i < s->njobs; i++) {
        const regress_job_t *j = &s->jobs[i];
        int col = (j->var * s->ndtypes + j->dtype) * s->ndataflows + j->df;
        int row = (j->wl * s->nmems + j->mem) * s->nseeds + j->seed;
        cell[row * ncol + col] = i;
    }
    return cell;
}

/* The page head, the title and the summary line. */
static void html_head(FILE *f, const regress_spec_t *s, const char *engine,
                      const regress_totals_t *t, double wall)
{
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>pecos regress ", f);
    esc(f, s->name);
    fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>pecos regress: ", css);
    esc(f, s->name);
    fprintf(f, " &mdash; %s</h1>\n", t->fail + t->error ? "FAILED" : "PASSED");
    fprintf(f, "<p class=\"sum\"><span class=\"sp\">%d passed</span><span class=\"sf\">%d failed</span>"
               "<span class=\"se\">%d errors</span> of %d jobs (%d combinations excluded); engine ",
            t->pass, t->fail, t->error, s->njobs, s->excluded);
    esc(f, engine);
    fprintf(f, "; this invocation took %.1f s, %s.</p>\n<p>Spec: <code>", wall, when);
    esc(f, s->path);
    fputs("</code></p>\n", f);
}

/* The matrix's three header rows (variant, dtype, dataflow) over the used columns. */
static void html_matrix_header(FILE *f, const regress_spec_t *s, const bool *used, int ncol)
{
    int ndf = s->ndataflows, per_var = s->ndtypes * ndf;
    fputs("<h2>Pass/fail matrix</h2>\n<table id=\"matrix\">\n<tr><th class=\"l\" rowspan=\"3\">workload</th>"
          "<th class=\"l\" rowspan=\"3\">memory</th><th rowspan=\"3\">seed</th>",
          f);
    for (int v = 0; v < s->nvariants; v++) {
        int span = 0;
        for (int c = v * per_var; c < (v + 1) * per_var; c++) span += used[c];
        if (span)
            fprintf(f, "<th colspan=\"%d\">%dx%d</th>", span, s->variants[v].rows, s->variants[v].cols);
    }
    fputs("</tr>\n<tr>", f);
    for (int v = 0; v < s->nvariants; v++)
        for (int d = 0; d < s->ndtypes; d++) {
            int span = 0, c0 = v * per_var + d * ndf;
            for (int c = c0; c < c0 + ndf; c++) span += used[c];
            if (!span) continue;
            fprintf(f, "<th colspan=\"%d\">", span);
            esc(f, s->dtypes[d]);
            fputs("</th>", f);
        }
    fputs("</tr>\n<tr>", f);
    for (int c = 0; c < ncol; c++) {
        if (!used[c]) continue;
        fputs("<th>", f);
        esc(f, s->dataflows[c % ndf]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
}

/* One matrix row per workload x memory x seed that has a job: a linked cell per job. */
static void html_matrix_rows(FILE *f, const regress_spec_t *s, const jobres_t *R,
                             const int *cell, const bool *used, int ncol, int nrow)
{
    for (int row = 0; row < nrow; row++) {
        int w = row / (s->nmems * s->nseeds), m = row / s->nseeds % s->nmems, e = row % s->nseeds;
        bool any = false;
        for (int c = 0; c < ncol; c++) any = any || cell[row * ncol + c] >= 0;
        if (!any) continue;
        fputs("<tr><td class=\"l\">", f);
        esc(f, s->wls[w].name);
        fputs("</td><td class=\"l\">", f);
        esc(f, s->mems[m].name);
        fprintf(f, "</td><td>%llu</td>", (unsigned long long)s->seeds[e]);
        for (int c = 0; c < ncol; c++) {
            int i = cell[row * ncol + c];
            if (!used[c]) continue;
            if (i < 0) {
                fputs("<td class=\"excl\" title=\"excluded\">&ndash;</td>", f);
                continue;
            }
            fprintf(f, "<td class=\"job %s\" title=\"", st_name[R[i].st]);
            esc(f, s->jobs[i].id);
            fputs("\"><a href=\"#job-", f);
            esc(f, s->jobs[i].id);
            fprintf(f, "\">%s</a></td>", R[i].st == ST_PASS ? "pass" : R[i].st == ST_FAIL ? "FAIL" : "ERROR");
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The pass/fail matrix; columns without any job (every row excluded) are left out. */
static int html_matrix(FILE *f, const regress_spec_t *s, const jobres_t *R, const int *cell,
                       int ncol, int nrow)
{
    bool *used = calloc((size_t)ncol, sizeof *used);
    if (!used) return PECOS_ENOMEM;
    for (int i = 0; i < ncol * nrow; i++) used[i % ncol] = used[i % ncol] || cell[i] >= 0;
    html_matrix_header(f, s, used, ncol);
    html_matrix_rows(f, s, R, cell, used, ncol, nrow);
    free(used);
    return 0;
}

/* Every failed or errored job: its reason and the commands that re-run it. */
static void html_failures(FILE *f, const regress_spec_t *s, const jobres_t *R,
                          const regress_totals_t *t, char *cmd)
{
    if (!(t->fail + t->error)) return;
    fputs("<h2>Failures</h2>\n", f);
    for (int i = 0; i < s->njobs; i++) {
        const jobres_t *r = &R[i];
        if (r->st == ST_PASS) continue;
        regress_job_cmdline(&s->jobs[i], cmd, CMD_MAX);
        fprintf(f, "<div class=\"failure %s\" id=\"fail-", st_name[r->st]);
        esc(f, s->jobs[i].id);
        fprintf(f, "\"><p><b>%s</b> <code>", r->st == ST_FAIL ? "FAIL" : "ERROR");
        esc(f, s->jobs[i].id);
        fputs("</code></p>\n<p>First mismatch / reason:</p><pre>", f);
        esc(f, r->reason);
        fputs("</pre>\n<p>Re-run:</p><pre>", f);
        esc(f, cmd);
        fputs("</pre>\n", f);
        if (r->wave_rerun[0]) {
            fputs("<p>Re-run with a waveform window around the first mismatch:</p><pre>", f);
            esc(f, r->wave_rerun);
            fputs("</pre>\n", f);
        }
        fputs("</div>\n", f);
    }
}

/* The table of every job: status, cycles, utilization, energy, wall time, attempts. */
static void html_jobs(FILE *f, const regress_spec_t *s, const regress_jobrun_t *runs,
                      const jobres_t *R)
{
    fputs("<h2>Jobs</h2>\n<table id=\"jobs\">\n<tr><th class=\"l\">job</th><th>status</th><th>cycles</th>"
          "<th>utilization</th><th>energy (&micro;J)</th><th>wall (s)</th><th>attempts</th></tr>\n",
          f);
    for (int i = 0; i < s->njobs; i++) {
        const jobres_t *r = &R[i];
        fputs("<tr id=\"job-", f);
        esc(f, s->jobs[i].id);
        fputs("\"><td class=\"l\">", f);
        esc(f, s->jobs[i].id);
        if (s->jobs[i].fault >= 0) fprintf(f, " (fault injected at cycle %lld)", (long long)s->jobs[i].fault);
        if (r->golden_nodes > 0) fprintf(f, " (ONNX: %d node(s) golden-only)", r->golden_nodes);
        fprintf(f, "</td><td class=\"%s\">%s</td>", st_name[r->st], st_name[r->st]);
        if (r->has_numbers) {
            fprintf(f, "<td class=\"n\">%.0f</td>", r->cycles);
            if (r->utilization >= 0)
                fprintf(f, "<td class=\"n\">%.1f%%</td>", 100.0 * r->utilization);
            else
                fputs("<td>&ndash;</td>", f);
            if (r->energy_pj >= 0)
                fprintf(f, "<td class=\"n\">%.3f</td>", r->energy_pj / 1e6);
            else
                fputs("<td>&ndash;</td>", f);
        } else
            fputs("<td>&ndash;</td><td>&ndash;</td><td>&ndash;</td>", f);
        int att = r->attempt > 0 ? r->attempt : runs ? runs[i].attempts : 0;
        fprintf(f, "<td class=\"n\">%.2f</td><td>%d", r->wall, att);
        if (runs && runs[i].retried[0]) {
            fputs(" (retried after ", f);
            esc(f, runs[i].retried);
            fputc(')', f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
}

static int write_html(const regress_spec_t *s, const char *dir, const char *engine,
                      const regress_jobrun_t *runs, const jobres_t *R, const regress_totals_t *t,
                      double wall, char *cmd)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.html", dir);
    FILE *f = fopen(path, "w");
    if (!f) return PECOS_EIO;
    int ncol = s->nvariants * s->ndtypes * s->ndataflows, nrow = s->nwls * s->nmems * s->nseeds;
    int *cell = html_cells(s, ncol, nrow);
    if (!cell) {
        fclose(f);
        return PECOS_ENOMEM;
    }
    html_head(f, s, engine, t, wall);
    if (html_matrix(f, s, R, cell, ncol, nrow) != 0) {
        free(cell);
        fclose(f);
        return PECOS_ENOMEM;
    }
    html_failures(f, s, R, t, cmd);
    html_jobs(f, s, runs, R);
    free(cell);
    return fclose(f) == 0 ? 0 : PECOS_EIO;
}

int regress_report_write(const regress_spec_t *s, const char *dir, const char *engine,
                         const regress_jobrun_t *runs, double wall_s, regress_totals_t *t,
                         char *err, size_t errlen)
{
    jobres_t *R = calloc((size_t)s->njobs, sizeof *R);
    char *cmd = malloc(CMD_MAX);
    int rc = 0;
    if (!R || !cmd) {
        free(R);
        free(cmd);
        return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
    }
    memset(t, 0, sizeof *t);
    for (int i = 0; i < s->njobs; i++) {
        collect(s, dir, &s->jobs[i], runs ? &runs[i] : NULL, &R[i]);
        t->pass += R[i].st == ST_PASS;
        t->fail += R[i].st == ST_FAIL;
        t->error += R[i].st == ST_ERROR;
    }
    if ((rc = write_json(s, dir, engine, runs, R, t, wall_s, cmd)) != 0)
        rc = pecos_fail(err, errlen, rc, "%s/report.json: cannot write", dir);
    else if ((rc = write_junit(s, dir, R, t, wall_s, cmd)) != 0)
        rc = pecos_fail(err, errlen, rc, "%s/report.xml: cannot write", dir);
    else if ((rc = write_html(s, dir, engine, runs, R, t, wall_s, cmd)) != 0)
        rc = pecos_fail(err, errlen, rc, "%s/report.html: cannot write", dir);
    free(R);
    free(cmd);
    return rc;
}
