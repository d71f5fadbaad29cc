/* onnx_exec.c - the ONNX graph interpreter on the golden operators; see onnx_exec.h. */
#include "onnx_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

static const char *const supported_ops[] = {
    "Conv", "ConvInteger", "QLinearConv", "Gemm", "MatMul", "MatMulInteger", "QLinearMatMul",
    "MaxPool", "AveragePool", "GlobalAveragePool", "Relu", "Add", "Flatten", "Reshape",
    "QuantizeLinear", "DequantizeLinear"};

bool onnx_exec_supported(const char *op_type)
{
    for (size_t i = 0; i < sizeof supported_ops / sizeof supported_ops[0]; i++)
        if (strcmp(op_type, supported_ops[i]) == 0) return true;
    return false;
}

static bool default_domain(const char *d) { return d[0] == '\0' || strcmp(d, "ai.onnx") == 0; }

const onnx_node_t *onnx_exec_first_unsupported(const onnx_model_t *m)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (!default_domain(m->nodes[i].domain) || !onnx_exec_supported(m->nodes[i].op_type))
            return &m->nodes[i];
    return NULL;
}

int onnx_exec_n_feeds(const onnx_model_t *m)
{
    int n = 0;
    for (int i = 0; i < m->n_inputs; i++)
        if (!onnx_model_init(m, m->inputs[i].name)) n++;
    return n;
}

/* --- attributes ------------------------------------------------------------------------ */

/* Integer attribute or def; *bad set if present with another type. */
static int64_t attr_i(const onnx_node_t *n, const char *name, int64_t def, int *bad)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    if (!a) return def;
    if (a->type != ONNX_ATTR_INT) {
        *bad = 1;
        return def;
    }
    return a->i;
}

static float attr_f(const onnx_node_t *n, const char *name, float def, int *bad)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    if (!a) return def;
    if (a->type == ONNX_ATTR_INT) return (float)a->i;
    if (a->type != ONNX_ATTR_FLOAT) {
        *bad = 1;
        return def;
    }
    return a->f;
}

/* Copies an INTS attribute of exactly want values into out (absent: untouched, 0). */
static int attr_ints(const onnx_node_t *n, const char *name, size_t want, int64_t *out,
                     char *err, size_t errlen)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    if (!a) return 0;
    if (a->type != ONNX_ATTR_INTS || a->n != want)
        return pecos_fail(err, errlen, PECOS_EPARAM, "attribute %s must be %zu integers", name, want);
    for (size_t i = 0; i < want; i++) out[i] = a->ints[i];
    return 0;
}

int onnx_exec_window(const onnx_node_t *n, int x_rank, golden_window_t *win, char *err,
                     size_t errlen)
{
    golden_window_init(win);
    int nsp = x_rank - 2;
    if (nsp < 1 || nsp > 3)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "input rank %d: 1 to 3 spatial dimensions supported", x_rank);
    win->nsp = nsp;
    int rc = attr_ints(n, "kernel_shape", (size_t)nsp, win->kernel, err, errlen);
    if (!rc) rc = attr_ints(n, "strides", (size_t)nsp, win->strides, err, errlen);
    if (!rc) rc = attr_ints(n, "dilations", (size_t)nsp, win->dilations, err, errlen);
    if (!rc) rc = attr_ints(n, "pads", (size_t)(2 * nsp), win->pads, err, errlen);
    if (rc) return rc;
    int bad = 0;
    win->group = attr_i(n, "group", 1, &bad);
    win->ceil_mode = (int)attr_i(n, "ceil_mode", 0, &bad);
    win->count_include_pad = (int)attr_i(n, "count_include_pad", 0, &bad);
    win->storage_order = (int)attr_i(n, "storage_order", 0, &bad);
    if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "an integer attribute has another type");
    const onnx_attr_t *ap = onnx_node_attr(n, "auto_pad");
    if (ap) {
        const char *s = ap->type == ONNX_ATTR_STRING ? ap->s : "?";
        if (strcmp(s, "NOTSET") == 0) win->auto_pad = GOLDEN_AUTOPAD_NOTSET;
        else if (strcmp(s, "SAME_UPPER") == 0) win->auto_pad = GOLDEN_AUTOPAD_SAME_UPPER;
        else if (strcmp(s, "SAME_LOWER") == 0) win->auto_pad = GOLDEN_AUTOPAD_SAME_LOWER;
        else if (strcmp(s, "VALID") == 0) win->auto_pad = GOLDEN_AUTOPAD_VALID;
        else return pecos_fail(err, errlen, PECOS_EPARAM, "auto_pad '%.40s' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID", s);
    }
    return 0;
}

/* --- one node --------------------------------------------------------------------------- */

/* Input i, or NULL if omitted. */
static const golden_tensor_t *in_at(const golden_tensor_t *const *in, int n_in, int i)
{
    return i < n_in ? in[i] : NULL;
}

/* Runs node n on in[0..n_in-1] into out[0..n_out-1] (out[i] NULL: not wanted). */
static int run_node(const onnx_model_t *m, const onnx_node_t *n, const golden_tensor_t *const *in,
                    int n_in, golden_tensor_t *const *out, int n_out, char *err, size_t errlen)
{
    const char *op = n->op_type;
    int bad = 0, rc = 0;
    golden_tensor_t scratch;
    golden_tensor_t *y = n_out > 0 && out[0] ? out[0] : &scratch;
    const golden_tensor_t *x = in_at(in, n_in, 0);
    struct { const char *op; int min_in; } arity[] = {
        {"Conv", 2}, {"ConvInteger", 2}, {"QLinearConv", 8}, {"Gemm", 2}, {"MatMul", 2},
        {"MatMulInteger", 2}, {"QLinearMatMul", 8}, {"MaxPool", 1}, {"AveragePool", 1},
        {"GlobalAveragePool", 1}, {"Relu", 1}, {"Add", 2}, {"Flatten", 1}, {"Reshape", 1},
        {"QuantizeLinear", 2}, {"DequantizeLinear", 2}};
    for (size_t i = 0; i < sizeof arity / sizeof arity[0]; i++)
        if (strcmp(op, arity[i].op) == 0)
            for (int j = 0; j < arity[i].min_in; j++)
                if (!in_at(in, n_in, j) && !(strcmp(op, "QLinearConv") == 0 && (j == 2 || j == 5 || j == 7)) &&
                    !(strcmp(op, "QLinearMatMul") == 0 && (j == 2 || j == 5)))
                    return pecos_fail(err, errlen, PECOS_EFORMAT, "input %d is missing", j);
    memset(&scratch, 0, sizeof scratch);

    if (strcmp(op, "Conv") == 0 || strcmp(op, "ConvInteger") == 0 || strcmp(op, "QLinearConv") == 0) {
        golden_window_t win;
        rc = onnx_exec_window(n, x->ndim, &win, err, errlen);
        if (rc) return rc;
        if (op[0] == 'C' && op[4] == '\0')
            rc = golden_onnx_conv(&win, x, in[1], in_at(in, n_in, 2), y, err, errlen);
        else if (op[0] == 'C')
            rc = golden_onnx_conv_integer(&win, x, in[1], in_at(in, n_in, 2), in_at(in, n_in, 3), y, err, errlen);
        else
            rc = golden_onnx_qlinear_conv(&win, x, in[1], in_at(in, n_in, 2), in[3], in[4],
                                          in_at(in, n_in, 5), in[6], in_at(in, n_in, 7),
                                          in_at(in, n_in, 8), y, err, errlen);
        if (!rc && op[0] == 'Q' && attr_i(n, "pecos_relu", 0, &bad)) golden_onnx_relu_zp(y, in_at(in, n_in, 7));
    } else if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0) {
        golden_window_t win;
        rc = onnx_exec_window(n, x->ndim, &win, err, errlen);
        if (rc) return rc;
        if (op[0] == 'M') {
            golden_tensor_t *idx = n_out > 1 ? out[1] : NULL;
            rc = golden_onnx_maxpool(&win, x, y, idx, err, errlen);
        } else {
            rc = golden_onnx_avgpool(&win, x, y, err, errlen);
        }
    } else if (strcmp(op, "GlobalAveragePool") == 0) {
        rc = golden_onnx_global_avgpool(x, y, err, errlen);
    } else if (strcmp(op, "Gemm") == 0) {
        float alpha = attr_f(n, "alpha", 1.0f, &bad), beta = attr_f(n, "beta", 1.0f, &bad);
        int ta = (int)attr_i(n, "transA", 0, &bad), tb = (int)attr_i(n, "transB", 0, &bad);
        if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "an attribute has the wrong type");
        rc = golden_onnx_gemm(x, in[1], in_at(in, n_in, 2), alpha, beta, ta, tb, y, err, errlen);
    } else if (strcmp(op, "MatMul") == 0) {
        rc = golden_onnx_matmul(x, in[1], y, err, errlen);
    } else if (strcmp(op, "MatMulInteger") == 0) {
        rc = golden_onnx_matmul_integer(x, in[1], in_at(in, n_in, 2), in_at(in, n_in, 3), y, err, errlen);
    } else if (strcmp(op, "QLinearMatMul") == 0) {
        rc = golden_onnx_qlinear_matmul(x, in[1], in_at(in, n_in, 2), in[3], in[4],
                                        in_at(in, n_in, 5), in[6], in[7], y, err, errlen);
        if (!rc && attr_i(n, "pecos_relu", 0, &bad)) golden_onnx_relu_zp(y, in[7]);
    } else if (strcmp(op, "QuantizeLinear") == 0 || strcmp(op, "DequantizeLinear") == 0) {
        int64_t axis = attr_i(n, "axis", 1, &bad);
        if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "attribute axis has the wrong type");
        if (op[0] == 'Q')
            rc = golden_onnx_quantize_linear(x, in[1], in_at(in, n_in, 2), axis, y, err, errlen);
        else
            rc = golden_onnx_dequantize_linear(x, in[1], in_at(in, n_in, 2), axis, y, err, errlen);
    } else if (strcmp(op, "Relu") == 0) {
        rc = golden_onnx_relu(x, y, err, errlen);
    } else if (strcmp(op, "Add") == 0) {
        const golden_tensor_t *b = in[1];
        golden_tensor_t bview;
        int64_t bcast = attr_i(n, "broadcast", 0, &bad);
        if (m->opset > 0 && m->opset < 7 && bcast && b->ndim <= x->ndim) {
            /* Legacy broadcasting: B's dims align with A's from `axis` (default: suffix). */
            int64_t axis = attr_i(n, "axis", x->ndim - b->ndim, &bad);
            if (axis < 0 || axis + b->ndim > x->ndim)
                return pecos_fail(err, errlen, PECOS_EPARAM, "axis %lld does not fit B in A", (long long)axis);
            bview = *b;
            bview.ndim = x->ndim;
            for (int i = 0; i < x->ndim; i++)
                bview.dims[i] = (i >= axis && i < axis + b->ndim) ? b->dims[i - axis] : 1;
            b = &bview;
        }
        if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "an attribute has the wrong type");
        rc = golden_onnx_add(x, b, y, err, errlen);
    } else if (strcmp(op, "Flatten") == 0) {
        int64_t axis = attr_i(n, "axis", 1, &bad);
        if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "attribute axis has the wrong type");
        rc = golden_onnx_flatten(x, axis, y, err, errlen);
    } else if (strcmp(op, "Reshape") == 0) {
        int64_t shape[GOLDEN_MAX_DIMS];
        int ns = 0;
        const golden_tensor_t *st = in_at(in, n_in, 1);
        if (st) {
            if (st->dtype != GOLDEN_DT_INT64 || st->ndim != 1 || st->count > GOLDEN_MAX_DIMS)
                return pecos_fail(err, errlen, PECOS_ESHAPE, "the shape input must be 1-D int64 with at most %d values", GOLDEN_MAX_DIMS);
            ns = (int)st->count;
            for (int i = 0; i < ns; i++) shape[i] = ((const int64_t *)st->data)[i];
        } else {
            const onnx_attr_t *a = onnx_node_attr(n, "shape");
            if (!a || a->type != ONNX_ATTR_INTS || a->n > GOLDEN_MAX_DIMS)
                return pecos_fail(err, errlen, PECOS_EPARAM, "no shape input or attribute");
            ns = (int)a->n;
            for (int i = 0; i < ns; i++) shape[i] = a->ints[i];
        }
        int allowzero = (int)attr_i(n, "allowzero", 0, &bad);
        if (bad) return pecos_fail(err, errlen, PECOS_EPARAM, "attribute allowzero has the wrong type");
        rc = golden_onnx_reshape(x, shape, ns, allowzero, y, err, errlen);
    } else {
        return pecos_fail(err, errlen, PECOS_ENOTSUP, "unsupported operator %s", op);
    }
    golden_tensor_free(&scratch);
    return rc;
}

/* --- the graph ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const golden_tensor_t *ref; /* borrowed (initializer, feed) or &own */
    golden_tensor_t own;
} value_t;

typedef struct {
    value_t *v;
    int n, cap;
    onnx_names_t index;  /* name -> its latest slot in v (sized for every name up front) */
} env_t;

static const golden_tensor_t *env_get(const env_t *e, const char *name)
{
    if (e->index.cap) {
        const int *i = onnx_names_get(&e->index, name);
        return i ? e->v[*i].ref : NULL;
    }
    for (int i = e->n - 1; i >= 0; i--)
        if (strcmp(e->v[i].name, name) == 0) return e->v[i].ref;
    return NULL;
}

/* Adds a slot for name; returns it or NULL (no memory). The caller sets ref or own. */
static value_t *env_add(env_t *e, const char *name)
{
    if (e->n == e->cap) {
        int cap = e->cap ? 2 * e->cap : 32;
        value_t *nv = realloc(e->v, (size_t)cap * sizeof *nv);
        if (!nv) return NULL;
        e->v = nv;
        e->cap = cap;
    }
    if (e->index.cap) {
        int *slot = onnx_names_slot(&e->index, name, e->n);
        if (slot) *slot = e->n; /* the latest value of a name wins */
        else onnx_names_free(&e->index); /* full: linear lookups from now on */
    }
    value_t *s = &e->v[e->n++];
    memset(s, 0, sizeof *s);
    s->name = name;
    return s;
}

static void env_free(env_t *e)
{
    for (int i = 0; i < e->n; i++) golden_tensor_free(&e->v[i].own);
    free(e->v);
    onnx_names_free(&e->index);
    memset(e, 0, sizeof *e);
}

#define MAX_IO 16

int onnx_exec_run(const onnx_model_t *m, const onnx_exec_opts_t *opts,
                  const golden_tensor_t *feeds, int n_feeds, golden_tensor_t *outputs, char *err,
                  size_t errlen)
{
    for (int i = 0; i < m->n_outputs; i++) memset(&outputs[i], 0, sizeof outputs[i]);
    const onnx_node_t *uns = onnx_exec_first_unsupported(m);
    if (uns)
        return pecos_fail(err, errlen, PECOS_ENOTSUP, "unsupported operator %s%s%s (node '%.60s')",
                    uns->domain, uns->domain[0] ? "." : "", uns->op_type, uns->name);
    if (n_feeds != onnx_exec_n_feeds(m))
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%d input tensors given, the graph takes %d", n_feeds, onnx_exec_n_feeds(m));
    env_t env = {0};
    int rc = 0;
    char *done = calloc((size_t)m->n_nodes + 1, 1);
    if (!done) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
    size_t n_names = (size_t)m->n_inits + (size_t)m->n_inputs;
    for (int i = 0; i < m->n_nodes; i++) n_names += (size_t)m->nodes[i].n_outputs;
    if (onnx_names_init(&env.index, n_names)) goto out_nomem;
    for (int i = 0; i < m->n_inits; i++) {
        value_t *s = env_add(&env, m->inits[i].name);
        if (!s) goto out_nomem;
        s->ref = &m->inits[i].t;
    }
    for (int i = 0, f = 0; i < m->n_inputs; i++) {
        if (onnx_model_init(m, m->inputs[i].name)) continue;
        value_t *s = env_add(&env, m->inputs[i].name);
        if (!s) goto out_nomem;
        s->ref = &feeds[f++];
    }
    int remaining = m->n_nodes;
    while (remaining > 0) {
        int progress = 0;
        for (int ni = 0; ni < m->n_nodes; ni++) {
            if (done[ni]) continue;
            const onnx_node_t *n = &m->nodes[ni];
            if (n->n_inputs > MAX_IO || n->n_outputs > MAX_IO) {
                rc = pecos_fail(err, errlen, PECOS_EFORMAT, "node %d (%s) has more than %d inputs or outputs", ni, n->op_type, MAX_IO);
                goto out;
            }
            const golden_tensor_t *in[MAX_IO];
            int ready = 1;
            for (int j = 0; j < n->n_inputs; j++) {
                in[j] = n->inputs[j][0] ? env_get(&env, n->inputs[j]) : NULL;
                if (n->inputs[j][0] && !in[j]) ready = 0;
            }
            if (!ready) continue;
            golden_tensor_t outs[MAX_IO];
            golden_tensor_t *outp[MAX_IO];
            memset(outs, 0, sizeof outs);
            for (int j = 0; j < n->n_outputs; j++) outp[j] = n->outputs[j][0] ? &outs[j] : NULL;
            char why[512];
            rc = run_node(m, n, in, n->n_inputs, outp, n->n_outputs, why, sizeof why);
            if (rc) {
                for (int j = 0; j < n->n_outputs; j++) golden_tensor_free(&outs[j]);
                pecos_fail(err, errlen, rc, "node %d '%.60s' (%s): %s", ni, n->name, n->op_type, why);
                goto out;
            }
            for (int j = 0; j < n->n_outputs; j++) {
                if (outp[j] && !outs[j].data) {
                    for (int k = 0; k < n->n_outputs; k++) golden_tensor_free(&outs[k]);
                    rc = pecos_fail(err, errlen, PECOS_ENOTSUP, "node %d (%s): output %d is not produced by pecos", ni, n->op_type, j);
                    goto out;
                }
            }
            if (opts && opts->hook) {
                rc = opts->hook(opts->ctx, n, ni, in, n->n_inputs, outp, n->n_outputs, err, errlen);
                if (rc) {
                    for (int j = 0; j < n->n_outputs; j++) golden_tensor_free(&outs[j]);
                    goto out;
                }
            }
            for (int j = 0; j < n->n_outputs; j++) {
                if (!outp[j]) continue;
                value_t *s = env_add(&env, n->outputs[j]);
                if (!s) {
                    for (int k = j; k < n->n_outputs; k++) golden_tensor_free(&outs[k]);
                    goto out_nomem;
                }
                s->own = outs[j];
                s->ref = &s->own;
            }
            /* env_add may have moved the table: re-point owned values. */
            for (int k = 0; k < env.n; k++)
                if (env.v[k].own.data) env.v[k].ref = &env.v[k].own;
            done[ni] = 1;
            remaining--;
            progress = 1;
        }
        if (!progress) {
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "graph has a cycle or a node input that nothing produces");
            goto out;
        }
    }
    for (int i = 0; i < m->n_outputs; i++) {
        const golden_tensor_t *t = env_get(&env, m->outputs[i].name);
        if (!t) {
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "graph output '%.60s' was not produced", m->outputs[i].name);
            goto out;
        }
        rc = golden_tensor_copy(&outputs[i], t);
        if (rc) goto out_nomem;
    }
    goto out;
out_nomem:
    rc = pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
out:
    if (rc)
        for (int i = 0; i < m->n_outputs; i++) golden_tensor_free(&outputs[i]);
    env_free(&env);
    free(done);
    return rc;
}
