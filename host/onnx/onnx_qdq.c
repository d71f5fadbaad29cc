/* onnx_qdq.c - QDQ pattern recognition and rewrite; see onnx_qdq.h. */
#include "onnx_qdq.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pecos_err.h"

/* --- graph queries --------------------------------------------------------------------- */

static bool is_op(const onnx_node_t *n, const char *op)
{
    return (n->domain[0] == '\0' || strcmp(n->domain, "ai.onnx") == 0) && strcmp(n->op_type, op) == 0;
}

static const char *input_at(const onnx_node_t *n, int i) { return i < n->n_inputs ? n->inputs[i] : ""; }

/* The graph's names, indexed once so that every query is O(1): a hostile model may have a
 * million nodes. Built on the graph as loaded; the matcher runs before any rewrite. */
typedef struct {
    onnx_names_t prod;   /* output name -> index of the (first) node that makes it */
    onnx_names_t ncons;  /* name -> number of (node, input) pairs that read it */
    onnx_names_t lastc;  /* name -> index of the last node that reads it */
    onnx_names_t gout;   /* graph output names */
} qctx_t;

static void qctx_free(qctx_t *x)
{
    onnx_names_free(&x->prod);
    onnx_names_free(&x->ncons);
    onnx_names_free(&x->lastc);
    onnx_names_free(&x->gout);
}

/* 0 or PECOS_ENOMEM. */
static int qctx_init(qctx_t *x, const onnx_model_t *m)
{
    memset(x, 0, sizeof *x);
    size_t n_out = 0, n_in = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        n_out += (size_t)m->nodes[i].n_outputs;
        n_in += (size_t)m->nodes[i].n_inputs;
    }
    if (onnx_names_init(&x->prod, n_out) || onnx_names_init(&x->ncons, n_in) ||
        onnx_names_init(&x->lastc, n_in) || onnx_names_init(&x->gout, (size_t)m->n_outputs))
        goto out_nomem;
    for (int i = 0; i < m->n_nodes; i++) {
        const onnx_node_t *n = &m->nodes[i];
        for (int j = 0; j < n->n_outputs; j++)
            if (n->outputs[j][0] && !onnx_names_slot(&x->prod, n->outputs[j], i)) goto out_nomem;
        for (int j = 0; j < n->n_inputs; j++) {
            int *c = onnx_names_slot(&x->ncons, n->inputs[j], 0), *l = onnx_names_slot(&x->lastc, n->inputs[j], i);
            if (!c || !l) goto out_nomem;
            (*c)++;
            *l = i;
        }
    }
    for (int i = 0; i < m->n_outputs; i++)
        if (!onnx_names_slot(&x->gout, m->outputs[i].name, 1)) goto out_nomem;
    return 0;
out_nomem:
    qctx_free(x);
    return PECOS_ENOMEM;
}

/* Index of the node that produces name, or -1. */
static int producer(const onnx_model_t *m, const qctx_t *x, const char *name)
{
    (void)m;
    const int *p = name[0] ? onnx_names_get(&x->prod, name) : NULL;
    return p ? *p : -1;
}

static bool is_graph_output(const qctx_t *x, const char *name) { return onnx_names_get(&x->gout, name) != NULL; }

/* Number of (node, input) pairs that read name; *who = the last such node. */
static int consumers(const onnx_model_t *m, const qctx_t *x, const char *name, int *who)
{
    (void)m;
    const int *c = onnx_names_get(&x->ncons, name), *l = onnx_names_get(&x->lastc, name);
    *who = l ? *l : -1;
    return c ? *c : 0;
}

/* The initializer called name ("" or absent: NULL). */
static const golden_tensor_t *init_of(const onnx_model_t *m, const char *name)
{
    return name[0] ? onnx_model_init(m, name) : NULL;
}

static bool is_q8(golden_dtype_t t) { return t == GOLDEN_DT_INT8 || t == GOLDEN_DT_UINT8; }

/* Integer attribute (def if absent; *bad if of another type). */
static int64_t attr_int(const onnx_node_t *n, const char *name, int64_t def, bool *bad)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    if (!a) return def;
    if (a->type != ONNX_ATTR_INT) *bad = true;
    return a->i;
}

static float attr_float(const onnx_node_t *n, const char *name, float def, bool *bad)
{
    const onnx_attr_t *a = onnx_node_attr(n, name);
    if (!a) return def;
    if (a->type != ONNX_ATTR_FLOAT) *bad = true;
    return a->f;
}

/* The quantization parameters of a DequantizeLinear/QuantizeLinear node q with a scalar
 * scale: scale and zero-point names, the quantized dtype. NULL or the reason. */
static const char *scalar_qparams(const onnx_model_t *m, const qctx_t *x, const onnx_node_t *q,
                                  golden_dtype_t *dt)
{
    const golden_tensor_t *s = init_of(m, input_at(q, 1)), *z = init_of(m, input_at(q, 2));
    if (!s || s->dtype != GOLDEN_DT_FLOAT || s->count != 1) return "its scale is not a float scalar initializer";
    if (input_at(q, 2)[0] && (!z || !is_q8(z->dtype) || z->count != 1))
        return "its zero point is not an int8/uint8 scalar initializer";
    if (z) {
        *dt = z->dtype;
        return NULL;
    }
    if (is_op(q, "QuantizeLinear")) {
        *dt = GOLDEN_DT_UINT8;
        return NULL;
    }
    /* DequantizeLinear without a zero point: uint8 only if its input is a QuantizeLinear's
     * uint8 output (it could be int32). */
    int p = producer(m, x, input_at(q, 0));
    if (p >= 0 && is_op(&m->nodes[p], "QuantizeLinear") && !input_at(&m->nodes[p], 2)[0]) {
        *dt = GOLDEN_DT_UINT8;
        return NULL;
    }
    return "its zero point is absent and the quantized type unknown";
}

/* True if the two scalar Q/DQ parameter sets are equal (scale bits, zero-point value and
 * dtype; absent = uint8 0). */
static bool same_qparams(const onnx_model_t *m, const onnx_node_t *a, const onnx_node_t *b)
{
    const golden_tensor_t *sa = init_of(m, input_at(a, 1)), *sb = init_of(m, input_at(b, 1));
    const golden_tensor_t *za = init_of(m, input_at(a, 2)), *zb = init_of(m, input_at(b, 2));
    if (memcmp(sa->data, sb->data, 4) != 0) return false;
    golden_dtype_t da = za ? za->dtype : GOLDEN_DT_UINT8, db = zb ? zb->dtype : GOLDEN_DT_UINT8;
    double va = za ? golden_tensor_get(za, 0) : 0, vb = zb ? golden_tensor_get(zb, 0) : 0;
    return da == db && va == vb;
}

/* --- matching ---------------------------------------------------------------------------- */

enum { K_NONE = 0, K_CONV, K_GEMM, K_MATMUL, K_PASS };

typedef struct {
    int kind;
    int dx, dw, db;     /* DequantizeLinear of x, w, b (db -1: no bias) */
    int relu;           /* Relu node or -1 */
    int q;              /* QuantizeLinear of the output */
    int trans_b;        /* Gemm */
    int64_t m_out;      /* output channels */
} match_t;

/* Follows the output of node i through an optional Relu to a QuantizeLinear. */
static const char *match_output(const onnx_model_t *m, const qctx_t *x, int i, bool allow_relu,
                                match_t *mt)
{
    const onnx_node_t *n = &m->nodes[i];
    if (n->n_outputs != 1 && !(n->n_outputs == 2 && !n->outputs[1][0]))
        return "it has more than one output";
    const char *y = n->outputs[0];
    int c;
    if (!y[0]) return "its output is unnamed";
    mt->relu = -1;
    if (is_graph_output(x, y) || consumers(m, x, y, &c) != 1)
        return "its output is read by more than the next QuantizeLinear";
    if (allow_relu && is_op(&m->nodes[c], "Relu")) {
        mt->relu = c;
        if (m->nodes[c].n_outputs != 1) return "its Relu has no single output";
        y = m->nodes[c].outputs[0];
        if (!y[0] || is_graph_output(x, y) || consumers(m, x, y, &c) != 1)
            return "its Relu's output is read by more than the next QuantizeLinear";
    }
    if (!is_op(&m->nodes[c], "QuantizeLinear")) return "its output does not go to a QuantizeLinear";
    if (m->nodes[c].n_outputs != 1 || !m->nodes[c].outputs[0][0]) return "the QuantizeLinear after it has no single output";
    mt->q = c;
    golden_dtype_t dt;
    const char *why = scalar_qparams(m, x, &m->nodes[c], &dt);
    if (why) return "the QuantizeLinear after it is not per tensor";
    return NULL;
}

/* The DequantizeLinear feeding input k of node n, or -1. */
static int dq_of(const onnx_model_t *m, const qctx_t *x, const onnx_node_t *n, int k)
{
    int p = producer(m, x, input_at(n, k));
    return p >= 0 && is_op(&m->nodes[p], "DequantizeLinear") ? p : -1;
}

/* The normalised axis attribute of a DequantizeLinear on a tensor of rank r. */
static int64_t dq_axis(const onnx_node_t *d, int r, bool *bad)
{
    int64_t a = attr_int(d, "axis", 1, bad);
    return a < 0 ? a + r : a;
}

/* Matches Conv/Gemm/MatMul node i; NULL or the reason it cannot be fused. */
static const char *match_mm(const onnx_model_t *m, const qctx_t *x, int i, match_t *mt)
{
    const onnx_node_t *n = &m->nodes[i];
    memset(mt, 0, sizeof *mt);
    mt->kind = is_op(n, "Conv") ? K_CONV : is_op(n, "Gemm") ? K_GEMM : K_MATMUL;
    mt->dx = dq_of(m, x, n, 0);
    mt->dw = dq_of(m, x, n, 1);
    mt->db = -1;
    if (mt->dx < 0) return "its input is not a DequantizeLinear";
    if (mt->dw < 0) return "its weight is not a DequantizeLinear";
    golden_dtype_t xdt;
    if (scalar_qparams(m, x, &m->nodes[mt->dx], &xdt)) return "its input's DequantizeLinear is not per tensor";
    bool bad = false;
    const onnx_node_t *dw = &m->nodes[mt->dw];
    const golden_tensor_t *wq = init_of(m, input_at(dw, 0)), *ws = init_of(m, input_at(dw, 1)),
                          *wz = init_of(m, input_at(dw, 2));
    if (!wq || !is_q8(wq->dtype)) return "its weight is not an int8/uint8 initializer";
    if (!ws || ws->dtype != GOLDEN_DT_FLOAT || ws->ndim > 1) return "its weight scale is not a float scalar or 1-D initializer";
    if (input_at(dw, 2)[0] && (!wz || wz->dtype != wq->dtype || wz->count != ws->count || wz->ndim > 1))
        return "its weight zero point does not match the weight";
    int out_axis = 0;
    if (mt->kind == K_CONV) {
        if (wq->ndim < 3) return "its weight has rank < 3";
    } else if (wq->ndim != 2) {
        return "its weight is not 2-D";
    }
    if (mt->kind == K_GEMM) {
        if (attr_float(n, "alpha", 1, &bad) != 1.0f || attr_float(n, "beta", 1, &bad) != 1.0f ||
            attr_int(n, "transA", 0, &bad) != 0)
            return "Gemm with alpha or beta != 1 or transA";
        mt->trans_b = (int)attr_int(n, "transB", 0, &bad);
        out_axis = mt->trans_b ? 0 : 1;
    } else if (mt->kind == K_MATMUL) {
        out_axis = 1;
    }
    if (bad) return "an attribute has the wrong type";
    mt->m_out = wq->dims[out_axis];
    if (ws->count != 1) {
        if (ws->count != mt->m_out || dq_axis(dw, wq->ndim, &bad) != out_axis || bad)
            return "its weight scale is neither per tensor nor per output channel";
    }
    /* Bias. */
    const char *bname = mt->kind == K_MATMUL ? "" : input_at(n, 2);
    if (bname[0]) {
        mt->db = dq_of(m, x, n, 2);
        if (mt->db < 0) return "its bias is not a DequantizeLinear";
        const onnx_node_t *db = &m->nodes[mt->db];
        const golden_tensor_t *bq = init_of(m, input_at(db, 0)), *bs = init_of(m, input_at(db, 1)),
                              *bz = init_of(m, input_at(db, 2));
        if (!bq || bq->dtype != GOLDEN_DT_INT32 || bq->ndim != 1 || bq->count != mt->m_out)
            return "its bias is not an int32 [M] initializer";
        if (!bs || bs->dtype != GOLDEN_DT_FLOAT || bs->ndim > 1 || (bs->count != 1 && bs->count != mt->m_out))
            return "its bias scale is not a float scalar or [M] initializer";
        if (bs->count != 1 && (dq_axis(db, 1, &bad) != 0 || bad)) return "its bias DequantizeLinear has the wrong axis";
        if (input_at(db, 2)[0]) {
            if (!bz || bz->dtype != GOLDEN_DT_INT32) return "its bias zero point is not int32";
            for (int64_t k = 0; k < bz->count; k++)
                if (((const int32_t *)bz->data)[k] != 0) return "its bias zero point is not 0";
        }
        const float xs = ((const float *)init_of(m, input_at(&m->nodes[mt->dx], 1))->data)[0];
        for (int64_t k = 0; k < mt->m_out; k++) {
            float want = xs * ((const float *)ws->data)[ws->count == 1 ? 0 : k];
            float have = ((const float *)bs->data)[bs->count == 1 ? 0 : k];
            if (!(fabsf(have - want) <= ldexpf(fabsf(want), -22)))
                return "its bias scale is not x_scale * w_scale";
        }
    }
    return match_output(m, x, i, true, mt);
}

/* Matches DQ -> MaxPool|Flatten|Reshape -> Q with equal parameters. */
static const char *match_pass(const onnx_model_t *m, const qctx_t *x, int i, match_t *mt)
{
    const onnx_node_t *n = &m->nodes[i];
    memset(mt, 0, sizeof *mt);
    mt->kind = K_PASS;
    mt->dx = dq_of(m, x, n, 0);
    mt->dw = mt->db = -1;
    if (mt->dx < 0) return "its input is not a DequantizeLinear";
    golden_dtype_t dt;
    if (scalar_qparams(m, x, &m->nodes[mt->dx], &dt)) return "its input's DequantizeLinear is not per tensor";
    const char *why = match_output(m, x, i, false, mt);
    if (why) return why;
    if (!same_qparams(m, &m->nodes[mt->dx], &m->nodes[mt->q]))
        return "the QuantizeLinear after it has another scale or zero point";
    return NULL;
}

/* --- rewriting ----------------------------------------------------------------------------- */

/* A new node (arrays calloc'd, no attributes); 0 or PECOS_ENOMEM. */
static int node_new(onnx_node_t *n, const char *name, const char *op, int n_in, int n_out, int n_attrs)
{
    memset(n, 0, sizeof *n);
    n->name = name;
    n->op_type = op;
    n->domain = "";
    n->inputs = calloc((size_t)n_in + 1, sizeof *n->inputs);
    n->outputs = calloc((size_t)n_out + 1, sizeof *n->outputs);
    n->attrs = calloc((size_t)n_attrs + 1, sizeof *n->attrs);
    if (!n->inputs || !n->outputs || !n->attrs) {
        onnx_node_free(n);
        return PECOS_ENOMEM;
    }
    n->n_inputs = n_in;
    n->n_outputs = n_out;
    return 0;
}

/* Adds an initializer called name (takes t; if name exists, t is freed and the existing
 * one kept). Returns its name, or NULL without memory (t freed). */
static const char *add_init(onnx_model_t *m, const char *name, golden_tensor_t *t)
{
    if (onnx_model_init(m, name)) {
        golden_tensor_free(t);
        return name;
    }
    return onnx_model_add_init(m, name, t);
}

/* A named int64 1-D initializer with the given values (reused if it exists). */
static const char *shape_init(onnx_model_t *m, const char *name, const int64_t *v, int n)
{
    if (onnx_model_init(m, name)) return name;
    golden_tensor_t t;
    int64_t d = n;
    if (golden_tensor_alloc(&t, GOLDEN_DT_INT64, 1, &d)) return NULL;
    memcpy(t.data, v, (size_t)n * sizeof *v);
    return add_init(m, name, &t);
}

static const char *fmt(onnx_model_t *m, const char *f, const char *a, const char *b)
{
    char buf[400];
    snprintf(buf, sizeof buf, f, a, b);
    return onnx_model_strdup(m, buf);
}

/* Describes what node i's match replaces ("DequantizeLinear x3 + Conv 'c1' + Relu +
 * QuantizeLinear 'q1'"). */
static const char *fused_note(onnx_model_t *m, const match_t *mt, int i)
{
    const onnx_node_t *n = &m->nodes[i];
    char buf[400];
    int ndq = 1 + (mt->dw >= 0) + (mt->db >= 0);
    snprintf(buf, sizeof buf, "QDQ fused: DequantizeLinear x%d + %s '%.60s'%s + QuantizeLinear '%.60s'",
             ndq, n->op_type, n->name, mt->relu >= 0 ? " + Relu (pecos_relu)" : "",
             m->nodes[mt->q].name);
    return onnx_model_strdup(m, buf);
}

/* Gemm (match mt of node n, QuantizeLinear q, y zero point yzp): B as a [M,K,1,1] conv
 * weight, a QLinearConv 1x1 between two Reshapes into out[0..2]. Returns 3, or
 * PECOS_ENOMEM. */
static int rewrite_gemm(onnx_model_t *m, onnx_node_t *n, const match_t *mt, const char *note, const char *yzp,
                        onnx_node_t *out)
{
    const onnx_node_t *q = &m->nodes[mt->q], *dx = &m->nodes[mt->dx], *dw = &m->nodes[mt->dw];
    const char *yname = q->outputs[0], *wname = input_at(dw, 0);
    /* B as a [M,K,1,1] conv weight. */
    const golden_tensor_t *wq = onnx_model_init(m, wname);
    const int64_t mo = mt->m_out, k = wq->dims[mt->trans_b ? 1 : 0];
    const int64_t d4[4] = {mo, k, 1, 1};
    golden_tensor_t w4;
    if (golden_tensor_alloc(&w4, wq->dtype, 4, d4)) return PECOS_ENOMEM;
    const uint8_t *src = wq->data;
    uint8_t *dst = w4.data;
    for (int64_t o = 0; o < mo; o++)
        for (int64_t c = 0; c < k; c++) dst[o * k + c] = mt->trans_b ? src[o * k + c] : src[c * mo + o];
    const char *w4name = fmt(m, "%s/pecos_qdq_%s", wname, mt->trans_b ? "mk11" : "km_t11");
    if (!w4name) {
        golden_tensor_free(&w4);
        return PECOS_ENOMEM;
    }
    w4name = add_init(m, w4name, &w4);
    if (!w4name) return PECOS_ENOMEM;
    static const int64_t s4[4] = {0, -1, 1, 1}, s2[2] = {0, -1};
    const char *sh4 = shape_init(m, "pecos_qdq_shape_n_k_1_1", s4, 4);
    const char *sh2 = shape_init(m, "pecos_qdq_shape_n_m", s2, 2);
    const char *in4 = fmt(m, "%s/pecos_qdq_in%s", yname, "4d"), *out4 = fmt(m, "%s/pecos_qdq_out%s", yname, "4d");
    const char *nm_in = fmt(m, "%s/pecos_reshape_%s", n->name, "in"), *nm_out = fmt(m, "%s/pecos_reshape_%s", n->name, "out");
    const char *rnote = fmt(m, "QDQ fused: reshape around Gemm '%s' as QLinearConv 1x1%s", n->name, "");
    if (!sh4 || !sh2 || !in4 || !out4 || !nm_in || !nm_out || !rnote) return PECOS_ENOMEM;
    onnx_node_t r1, c, r2;
    if (node_new(&r1, nm_in, "Reshape", 2, 1, 0)) return PECOS_ENOMEM;
    if (node_new(&c, n->name, "QLinearConv", mt->db >= 0 ? 9 : 8, 1, 1)) {
        onnx_node_free(&r1);
        return PECOS_ENOMEM;
    }
    if (node_new(&r2, nm_out, "Reshape", 2, 1, 0)) {
        onnx_node_free(&r1);
        onnx_node_free(&c);
        return PECOS_ENOMEM;
    }
    r1.inputs[0] = input_at(dx, 0);
    r1.inputs[1] = sh4;
    r1.outputs[0] = in4;
    const char *cin[9] = {in4, input_at(dx, 1), input_at(dx, 2), w4name, input_at(dw, 1), input_at(dw, 2),
                          input_at(q, 1), yzp, mt->db >= 0 ? input_at(&m->nodes[mt->db], 0) : ""};
    for (int j = 0; j < c.n_inputs; j++) c.inputs[j] = cin[j];
    c.outputs[0] = out4;
    c.n_attrs = mt->relu >= 0 ? 1 : 0;
    c.attrs[0].name = "pecos_relu";
    c.attrs[0].type = ONNX_ATTR_INT;
    c.attrs[0].i = 1;
    r2.inputs[0] = out4;
    r2.inputs[1] = sh2;
    r2.outputs[0] = yname;
    r1.qdq = c.qdq = r2.qdq = ONNX_QDQ_FUSED;
    r1.qdq_note = r2.qdq_note = rnote;
    c.qdq_note = note;
    onnx_node_free(n);
    out[0] = r1;
    out[1] = c;
    out[2] = r2;
    return 3;
}

/* Conv -> QLinearConv, MatMul -> QLinearMatMul (match mt of node n, QuantizeLinear q, y
 * zero point yzp): in place, attributes kept, then moved into out[0]. Returns 1, or
 * PECOS_ENOMEM. */
static int rewrite_qlinear(onnx_model_t *m, onnx_node_t *n, const match_t *mt, const char *note, const char *yzp,
                           onnx_node_t *out)
{
    const onnx_node_t *q = &m->nodes[mt->q], *dx = &m->nodes[mt->dx], *dw = &m->nodes[mt->dw];
    const char *yname = q->outputs[0], *wname = input_at(dw, 0);
    const int nin = mt->kind == K_CONV && mt->db >= 0 ? 9 : 8;
    const char **ins = calloc(10, sizeof *ins);
    onnx_attr_t *attrs = calloc((size_t)n->n_attrs + 2, sizeof *attrs);
    if (!ins || !attrs) {
        free(ins);
        free(attrs);
        return PECOS_ENOMEM;
    }
    const char *cin[9] = {input_at(dx, 0), input_at(dx, 1), input_at(dx, 2), wname, input_at(dw, 1),
                          input_at(dw, 2), input_at(q, 1), yzp, mt->db >= 0 ? input_at(&m->nodes[mt->db], 0) : ""};
    for (int j = 0; j < nin; j++) ins[j] = cin[j];
    if (n->n_attrs) memcpy(attrs, n->attrs, (size_t)n->n_attrs * sizeof *attrs);
    int na = n->n_attrs;
    if (mt->relu >= 0) {
        attrs[na].name = "pecos_relu";
        attrs[na].type = ONNX_ATTR_INT;
        attrs[na].i = 1;
        na++;
    }
    free(n->inputs);
    free(n->attrs);
    n->inputs = ins;
    n->n_inputs = nin;
    n->attrs = attrs;
    n->n_attrs = na;
    n->outputs[0] = yname;
    n->op_type = mt->kind == K_CONV ? "QLinearConv" : "QLinearMatMul";
    n->domain = "";
    n->qdq = ONNX_QDQ_FUSED;
    n->qdq_note = note;
    out[0] = *n;
    memset(n, 0, sizeof *n);
    return 1;
}

/* Rewrites match mt of node i into out[] (1 or 3 nodes); marks the nodes it replaces dead.
 * Returns the number of nodes written, or PECOS_ENOMEM. */
static int rewrite(onnx_model_t *m, char *dead, int i, const match_t *mt, onnx_node_t *out)
{
    onnx_node_t *n = &m->nodes[i];
    const onnx_node_t *q = &m->nodes[mt->q];
    const char *note = fused_note(m, mt, i);
    if (!note) return PECOS_ENOMEM;
    const char *yname = q->outputs[0];
    dead[mt->q] = 1;
    if (mt->relu >= 0) dead[mt->relu] = 1;
    if (mt->kind == K_PASS) {
        /* The same node on the quantized tensor: only input 0 and output 0 change. */
        n->inputs[0] = input_at(&m->nodes[mt->dx], 0);
        n->outputs[0] = yname;
        n->qdq = ONNX_QDQ_FUSED;
        n->qdq_note = note;
        out[0] = *n;
        memset(n, 0, sizeof *n);
        return 1;
    }
    const char *yzp = input_at(q, 2);
    if (!yzp[0]) {
        /* QuantizeLinear without a zero point is uint8 0: QLinear* needs it explicit. */
        golden_tensor_t z;
        if (golden_tensor_alloc(&z, GOLDEN_DT_UINT8, 0, NULL)) return PECOS_ENOMEM;
        yzp = add_init(m, "pecos_qdq_zero_uint8", &z);
        if (!yzp) return PECOS_ENOMEM;
    }
    if (mt->kind == K_GEMM) return rewrite_gemm(m, n, mt, note, yzp, out);
    return rewrite_qlinear(m, n, mt, note, yzp, out);
}

/* Marks what stays float: Q/DQ nodes and float compute nodes reading a DequantizeLinear. */
static int mark_float(onnx_model_t *m, const qctx_t *x, const char *const *why)
{
    static const char *const compute[] = {"Conv", "MatMul", "Gemm", "MaxPool", "AveragePool",
                                          "GlobalAveragePool", "Add", "Relu", "Flatten", "Reshape"};
    for (int i = 0; i < m->n_nodes; i++) {
        onnx_node_t *n = &m->nodes[i];
        if (n->qdq == ONNX_QDQ_FUSED) continue;
        const char *note = NULL;
        if (is_op(n, "QuantizeLinear")) {
            note = "QDQ boundary: QuantizeLinear runs on the golden operators (float -> integer)";
        } else if (is_op(n, "DequantizeLinear")) {
            note = "QDQ boundary: DequantizeLinear runs on the golden operators (integer -> float)";
        } else {
            bool c = false;
            for (size_t k = 0; k < sizeof compute / sizeof compute[0]; k++) c = c || is_op(n, compute[k]);
            bool reads_dq = false;
            for (int j = 0; c && j < n->n_inputs && !reads_dq; j++) {
                const int p = producer(m, x, n->inputs[j]);
                reads_dq = p >= 0 && is_op(&m->nodes[p], "DequantizeLinear");
            }
            if (reads_dq) {
                note = fmt(m, "QDQ %s stays float on the golden operators: %s", n->op_type,
                           why && why[i] ? why[i] : "pecos has no integer form of this pattern");
                if (!note) return PECOS_ENOMEM;
            }
        }
        if (note) {
            n->qdq = ONNX_QDQ_FLOAT;
            n->qdq_note = note;
            m->qdq_float++;
        }
    }
    return 0;
}

int onnx_qdq_fuse(onnx_model_t *m, char *err, size_t errlen)
{
    int rc = 0;
    int has_qdq = 0;
    for (int i = 0; i < m->n_nodes; i++)
        has_qdq |= is_op(&m->nodes[i], "DequantizeLinear") || is_op(&m->nodes[i], "QuantizeLinear");
    if (!has_qdq) return 0;
    const int n0 = m->n_nodes;
    char *dead = calloc((size_t)n0 + 1, 1);
    match_t *mt = calloc((size_t)n0 + 1, sizeof *mt);
    const char **why = calloc((size_t)n0 * 3 + 1, sizeof *why);
    int *pos = calloc((size_t)n0 + 1, sizeof *pos), *cnt = calloc((size_t)n0 + 1, sizeof *cnt);
    onnx_node_t *nn = calloc((size_t)n0 * 3 + 1, sizeof *nn);
    onnx_node_t *fin = calloc((size_t)n0 * 3 + 1, sizeof *fin);
    const char **fwhy = calloc((size_t)n0 * 3 + 1, sizeof *fwhy);
    int nout = 0;
    qctx_t qx;
    const qctx_t *x = &qx;
    memset(&qx, 0, sizeof qx);
    if (!dead || !mt || !why || !pos || !cnt || !nn || !fin || !fwhy || qctx_init(&qx, m)) {
        rc = PECOS_ENOMEM;
        goto out;
    }
    /* Match on the original graph; patterns never share the nodes they remove (each removed
     * tensor has one reader). */
    for (int i = 0; i < n0; i++) {
        const onnx_node_t *n = &m->nodes[i];
        if (is_op(n, "Conv") || is_op(n, "Gemm") || is_op(n, "MatMul"))
            why[i] = match_mm(m, x, i, &mt[i]);
        else if (is_op(n, "MaxPool") || is_op(n, "Flatten") || is_op(n, "Reshape"))
            why[i] = match_pass(m, x, i, &mt[i]);
        else
            continue;
        if (why[i]) mt[i].kind = K_NONE;
    }
    for (int i = 0; i < n0; i++) {
        if (mt[i].kind == K_NONE) continue;
        int w = rewrite(m, dead, i, &mt[i], &nn[nout]);
        if (w < 0) {
            rc = w;
            goto out;
        }
        pos[i] = nout; /* slot i of m->nodes is now empty (zeroed) */
        cnt[i] = w;
        nout += w;
        m->qdq_fused++;
    }
    /* Rebuild the node list in file order: rewritten nodes take the place of the node they
     * came from, the QuantizeLinear and Relu they absorbed are dropped. */
    int nf = 0;
    for (int i = 0; i < n0; i++) {
        if (cnt[i]) {
            for (int k = 0; k < cnt[i]; k++) fin[nf++] = nn[pos[i] + k];
        } else if (dead[i]) {
            onnx_node_free(&m->nodes[i]);
        } else {
            fwhy[nf] = why[i];
            fin[nf++] = m->nodes[i];
        }
    }
    nout = 0; /* owned by fin now */
    free(m->nodes);
    m->nodes = fin;
    m->n_nodes = nf;
    fin = NULL;
    /* DequantizeLinear nodes that nothing reads any more. */
    qctx_free(&qx);
    if (qctx_init(&qx, m)) {
        rc = PECOS_ENOMEM;
        goto out;
    }
    nf = 0;
    for (int i = 0; i < m->n_nodes; i++) {
        onnx_node_t *n = &m->nodes[i];
        int who;
        if (is_op(n, "DequantizeLinear") && n->n_outputs == 1 && n->outputs[0][0] &&
            !is_graph_output(x, n->outputs[0]) && consumers(m, x, n->outputs[0], &who) == 0) {
            onnx_node_free(n);
            continue;
        }
        fwhy[nf] = fwhy[i];
        m->nodes[nf++] = *n;
    }
    m->n_nodes = nf;
    qctx_free(&qx);
    if (qctx_init(&qx, m)) {
        rc = PECOS_ENOMEM;
        goto out;
    }
    rc = mark_float(m, x, fwhy);
out:
    qctx_free(&qx);
    /* On failure, nodes already rewritten into nn are freed; the model stays valid for
     * onnx_model_free (their old slots are zeroed). */
    for (int i = 0; i < nout; i++) onnx_node_free(&nn[i]);
    free(dead);
    free(mt);
    free(why);
    free(pos);
    free(cnt);
    free(nn);
    free(fin);
    free(fwhy);
    if (rc) return pecos_fail(err, errlen, rc, "out of memory rewriting QDQ patterns");
    return 0;
}
