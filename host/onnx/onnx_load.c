/* onnx_load.c - ONNX TensorProto and ModelProto reader over protobuf-c; see onnx_load.h. */
#include "onnx_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "onnx_qdq.h"
#include "pecos_err.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "onnx_load.c copies raw_data as is: little-endian hosts only"
#endif

#define MAX_FILE_BYTES ((long)ONNX_MAX_MODEL_BYTES)

/* Reads the whole file into *buf (malloc'd, caller frees). */
static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return pecos_fail(err, errlen, PECOS_EIO, "cannot open: %s", strerror(errno));
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return pecos_fail(err, errlen, PECOS_EIO, "cannot read: not a regular file");
    }
    if (size > MAX_FILE_BYTES) {
        fclose(f);
        return pecos_fail(err, errlen, PECOS_EFORMAT, "file of %ld bytes is larger than the %ld bytes pecos reads: refused", size, MAX_FILE_BYTES);
    }
    uint8_t *b = malloc(size ? (size_t)size : 1);
    if (!b) {
        fclose(f);
        return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory reading %ld bytes", size);
    }
    size_t got = fread(b, 1, (size_t)size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != (size_t)size) {
        free(b);
        return pecos_fail(err, errlen, PECOS_EIO, "cannot read: short read");
    }
    *buf = b;
    *len = got;
    return 0;
}

/* --- hostile input: size and nesting, before protobuf-c sees the bytes -------------------- */

/* Reads a varint at *pos (< end); returns 0 or -1 (truncated, more than 10 bytes). */
static int wire_varint(const uint8_t *buf, size_t end, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*pos >= end) return -1;
        uint8_t b = buf[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

typedef struct {
    const ProtobufCMessageDescriptor *desc;
    size_t end;
} wire_frame_t;

/* onnx_wire_check on any message type. */
static int wire_check(const ProtobufCMessageDescriptor *top, const char *what, const uint8_t *buf,
                      size_t len, size_t max_bytes, int max_depth, char *err, size_t errlen)
{
    if (len > max_bytes)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "ONNX %s of %zu bytes is more than the %zu bytes pecos reads: refused", what, len, max_bytes);
    wire_frame_t stack[ONNX_MAX_NESTING + 1];
    if (max_depth < 1 || max_depth > ONNX_MAX_NESTING) max_depth = ONNX_MAX_NESTING;
    int depth = 1;
    stack[0].desc = top;
    stack[0].end = len;
    size_t pos = 0;
    while (depth > 0) {
        wire_frame_t *f = &stack[depth - 1];
        if (pos == f->end) {
            depth--;
            continue;
        }
        uint64_t tag, v;
        size_t at = pos;
        if (wire_varint(buf, f->end, &pos, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
            return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX %s (protobuf parse failed: truncated or corrupted: bad field tag at byte %zu in %s)", what, at, f->desc->name);
        const unsigned wt = (unsigned)(tag & 7);
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field(f->desc, (unsigned)(tag >> 3));
        switch (wt) {
        case 0:
            if (wire_varint(buf, f->end, &pos, &v))
                return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX %s (protobuf parse failed: truncated or corrupted: bad varint at byte %zu in %s)", what, at, f->desc->name);
            break;
        case 1:
        case 5:
            if (f->end - pos < (wt == 1 ? 8u : 4u))
                return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX %s (protobuf parse failed: truncated or corrupted: field at byte %zu in %s)", what, at, f->desc->name);
            pos += wt == 1 ? 8 : 4;
            break;
        case 2:
            if (wire_varint(buf, f->end, &pos, &v) || v > f->end - pos)
                return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX %s (protobuf parse failed: truncated or corrupted: field at byte %zu in %s is longer than its message)", what, at, f->desc->name);
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->descriptor) {
                if (depth >= max_depth)
                    return pecos_fail(err, errlen, PECOS_EFORMAT, "ONNX %s with messages nested more than %d deep (byte %zu, %s.%s): refused as hostile or corrupt",
                                      what, max_depth, at, f->desc->name, fd->name);
                stack[depth].desc = fd->descriptor;
                stack[depth].end = pos + (size_t)v;
                depth++;
            } else {
                pos += (size_t)v;
            }
            break;
        default:
            return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX %s (protobuf parse failed: truncated or corrupted: wire type %u at byte %zu in %s)", what, wt, at, f->desc->name);
        }
    }
    return 0;
}

int onnx_wire_check(const uint8_t *buf, size_t len, size_t max_bytes, int max_depth, char *err,
                    size_t errlen)
{
    return wire_check(&onnx__model_proto__descriptor, "model", buf, len, max_bytes, max_depth, err, errlen);
}

/* --- tensors ------------------------------------------------------------------------ */

/* Converts p into *t (owned copy). what prefixes the reason ("" or "initializer 'w': "). */
static int tensor_from_pb(const Onnx__TensorProto *p, golden_tensor_t *t, const char *what,
                          char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (!p->has_data_type)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%sno data_type (empty or not a TensorProto)", what);
    const golden_dtype_t dt = (golden_dtype_t)p->data_type;
    const size_t es = golden_dtype_size(dt);
    if (es == 0)
        return pecos_fail(err, errlen, PECOS_EDTYPE, "%sdata_type %d not supported (float, float16, double, int8, uint8, int16, uint16, int32, int64, bool)",
                    what, (int)p->data_type);
    if (p->n_dims > GOLDEN_MAX_DIMS)
        return pecos_fail(err, errlen, PECOS_ESHAPE, "%srank %zu is more than %d", what, p->n_dims, GOLDEN_MAX_DIMS);
    for (size_t i = 0; i < p->n_dims; i++)
        if (p->dims[i] < 0)
            return pecos_fail(err, errlen, PECOS_ESHAPE, "%sdims[%zu] = %lld is negative", what, i, (long long)p->dims[i]);
    if (p->segment)
        return pecos_fail(err, errlen, PECOS_ENOTSUP, "%ssegmented tensors are not supported", what);
    if ((p->has_data_location && p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        p->n_external_data)
        return pecos_fail(err, errlen, PECOS_ENOTSUP, "%sexternal data is not supported", what);
    /* The data must be present before anything is allocated for it: a corrupt or hostile
     * file can claim any dims. */
    uint64_t want = 1;
    for (size_t i = 0; i < p->n_dims; i++) {
        if (p->dims[i] > ((int64_t)1 << 31) || (p->dims[i] && want > ((uint64_t)1 << 31) / (uint64_t)p->dims[i]))
            return pecos_fail(err, errlen, PECOS_EFORMAT, "%sdims describe more than 2^31 elements", what);
        want *= (uint64_t)p->dims[i];
    }
    if (p->has_raw_data && p->raw_data.len / es < want)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%sraw_data has %zu bytes, dims need %llu", what,
                    p->raw_data.len, (unsigned long long)(want * es));
    const char *tf = dt == GOLDEN_DT_FLOAT    ? "float_data"
                     : dt == GOLDEN_DT_INT64  ? "int64_data"
                     : dt == GOLDEN_DT_DOUBLE ? "double_data"
                                              : "int32_data";
    const size_t tn = dt == GOLDEN_DT_FLOAT    ? p->n_float_data
                      : dt == GOLDEN_DT_INT64  ? p->n_int64_data
                      : dt == GOLDEN_DT_DOUBLE ? p->n_double_data
                                               : p->n_int32_data;
    if (!p->has_raw_data && tn < want &&
        p->n_float_data + p->n_int32_data + p->n_int64_data + p->n_double_data +
                p->n_uint64_data + p->n_string_data != tn)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%sdata in a field other than %s for dtype %s",
                    what, tf, golden_dtype_name(dt));
    if (!p->has_raw_data && tn < want)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%s%s has %zu values, dims need %llu", what, tf,
                    tn, (unsigned long long)want);
    int rc = golden_tensor_alloc(t, dt, (int)p->n_dims, p->dims);
    if (rc == PECOS_EPARAM)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%sdims describe more than 2^31 elements", what);
    if (rc) return pecos_fail(err, errlen, rc, "%sout of memory", what);
    const size_t count = (size_t)t->count;

    if (p->has_raw_data) {
        if (p->n_float_data || p->n_int32_data || p->n_int64_data || p->n_double_data ||
            p->n_uint64_data || p->n_string_data) {
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%sboth raw_data and a typed data field", what);
            goto out_free;
        }
        if (p->raw_data.len != count * es) {
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%sraw_data has %zu bytes, dims need %zu (%zu %s elements)",
                      what, p->raw_data.len, count * es, count, golden_dtype_name(dt));
            goto out_free;
        }
        if (count) memcpy(t->data, p->raw_data.data, count * es);
        return 0;
    }
    /* The typed field this dtype uses; any other one present is malformed. */
    size_t n_have = 0;
    const char *field = "";
    size_t others = p->n_float_data + p->n_int32_data + p->n_int64_data + p->n_double_data +
                    p->n_uint64_data + p->n_string_data;
    switch (dt) {
    case GOLDEN_DT_FLOAT: n_have = p->n_float_data; field = "float_data"; break;
    case GOLDEN_DT_INT64: n_have = p->n_int64_data; field = "int64_data"; break;
    case GOLDEN_DT_DOUBLE: n_have = p->n_double_data; field = "double_data"; break;
    default: n_have = p->n_int32_data; field = "int32_data"; break;
    }
    if (others != n_have) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%sdata in a field other than %s for dtype %s", what, field, golden_dtype_name(dt));
        goto out_free;
    }
    if (n_have != count) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%s%s has %zu values, dims need %zu", what, field, n_have, count);
        goto out_free;
    }
    if (count == 0) return 0; /* the typed field may be NULL */
    switch (dt) {
    case GOLDEN_DT_FLOAT: memcpy(t->data, p->float_data, count * 4); break;
    case GOLDEN_DT_INT64: memcpy(t->data, p->int64_data, count * 8); break;
    case GOLDEN_DT_DOUBLE: memcpy(t->data, p->double_data, count * 8); break;
    case GOLDEN_DT_INT32: memcpy(t->data, p->int32_data, count * 4); break;
    default: {
        /* int32_data carries int8/uint8/int16/uint16/bool values, float16 as its bits. */
        int32_t lo = 0, hi = 0;
        switch (dt) {
        case GOLDEN_DT_INT8: lo = -128; hi = 127; break;
        case GOLDEN_DT_UINT8: lo = 0; hi = 255; break;
        case GOLDEN_DT_INT16: lo = -32768; hi = 32767; break;
        case GOLDEN_DT_BOOL: lo = 0; hi = 1; break;
        default: lo = 0; hi = 65535; break; /* uint16, float16 bits */
        }
        for (size_t i = 0; i < count; i++) {
            int32_t v = p->int32_data[i];
            if (v < lo || v > hi) {
                rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%sint32_data[%zu] = %d is out of range for %s", what, i, (int)v, golden_dtype_name(dt));
                goto out_free;
            }
            if (es == 1) ((uint8_t *)t->data)[i] = (uint8_t)v;
            else ((uint16_t *)t->data)[i] = (uint16_t)v;
        }
    }
    }
    return 0;
out_free:
    golden_tensor_free(t);
    return rc;
}

int onnx_tensor_parse(const uint8_t *buf, size_t len, golden_tensor_t *t, char *name,
                      size_t namelen, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (name && namelen) name[0] = '\0';
    char why[200];
    if (wire_check(&onnx__tensor_proto__descriptor, "TensorProto", buf, len, ONNX_MAX_MODEL_BYTES, ONNX_MAX_NESTING, why, sizeof why))
        return pecos_fail(err, errlen, PECOS_EFORMAT, "%s", why);
    Onnx__TensorProto *p = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!p)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX TensorProto (protobuf parse failed: truncated or corrupted, %zu bytes)", len);
    int rc = tensor_from_pb(p, t, "", err, errlen);
    if (!rc && name && namelen) snprintf(name, namelen, "%s", p->name ? p->name : "");
    onnx__tensor_proto__free_unpacked(p, NULL);
    return rc;
}

int onnx_tensor_read(const char *path, golden_tensor_t *t, char *name, size_t namelen,
                     char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    uint8_t *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc) return rc;
    rc = onnx_tensor_parse(buf, len, t, name, namelen, err, errlen);
    free(buf);
    return rc;
}

/* --- models ------------------------------------------------------------------------- */

static const char *str_or_empty(const char *s) { return s ? s : ""; }

static void value_info(const Onnx__ValueInfoProto *v, onnx_value_info_t *o)
{
    memset(o, 0, sizeof *o);
    o->name = str_or_empty(v->name);
    o->ndim = -1;
    const Onnx__TypeProto *tp = v->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) return;
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type && golden_dtype_size((golden_dtype_t)tt->elem_type))
        o->dtype = (golden_dtype_t)tt->elem_type;
    if (!tt->shape || tt->shape->n_dim > GOLDEN_MAX_DIMS) return;
    o->ndim = (int)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        o->dims[i] = (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) ? d->dim_value : -1;
    }
}

/* The attribute's type; old models (IR 3) leave `type` unset: infer it from the fields. */
static onnx_attr_type_t attr_type(const Onnx__AttributeProto *a)
{
    int t = a->has_type ? (int)a->type : 0;
    if (t == 0) {
        if (a->n_floats) return ONNX_ATTR_FLOATS;
        if (a->n_ints) return ONNX_ATTR_INTS;
        if (a->t) return ONNX_ATTR_TENSOR;
        if (a->has_s) return ONNX_ATTR_STRING;
        if (a->has_f) return ONNX_ATTR_FLOAT;
        if (a->has_i) return ONNX_ATTR_INT;
        if (a->n_strings || a->n_tensors || a->n_graphs || a->g) return ONNX_ATTR_OTHER;
        return ONNX_ATTR_UNDEFINED;
    }
    switch (t) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return ONNX_ATTR_FLOAT;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return ONNX_ATTR_INT;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return ONNX_ATTR_STRING;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return ONNX_ATTR_TENSOR;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: return ONNX_ATTR_FLOATS;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: return ONNX_ATTR_INTS;
    default: return ONNX_ATTR_OTHER;
    }
}

static int attr_convert(const Onnx__AttributeProto *a, onnx_attr_t *o, int node_i,
                        const char *op, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->name = str_or_empty(a->name);
    o->type = attr_type(a);
    switch (o->type) {
    case ONNX_ATTR_FLOAT: o->f = a->f; break;
    case ONNX_ATTR_INT: o->i = a->i; break;
    case ONNX_ATTR_FLOATS: o->floats = a->floats; o->n = a->n_floats; break;
    case ONNX_ATTR_INTS: o->ints = a->ints; o->n = a->n_ints; break;
    case ONNX_ATTR_STRING: {
        char *s = malloc(a->s.len + 1);
        if (!s) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
        if (a->s.len) memcpy(s, a->s.data, a->s.len);
        s[a->s.len] = '\0';
        o->s = s;
        break;
    }
    case ONNX_ATTR_TENSOR: {
        if (!a->t) return pecos_fail(err, errlen, PECOS_EFORMAT, "node %d (%s) attribute '%s': tensor missing", node_i, op, o->name);
        o->t = calloc(1, sizeof *o->t);
        if (!o->t) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
        char what[160];
        snprintf(what, sizeof what, "node %d (%s) attribute '%s': ", node_i, op, o->name);
        return tensor_from_pb(a->t, o->t, what, err, errlen);
    }
    default: break;
    }
    return 0;
}

void onnx_node_free(onnx_node_t *n)
{
    for (int j = 0; j < n->n_attrs && n->attrs; j++) {
        free((char *)n->attrs[j].s);
        if (n->attrs[j].t) {
            golden_tensor_free(n->attrs[j].t);
            free(n->attrs[j].t);
        }
    }
    free(n->attrs);
    free(n->inputs);
    free(n->outputs);
    memset(n, 0, sizeof *n);
}

void onnx_model_free(onnx_model_t *m)
{
    if (!m) return;
    for (int i = 0; i < m->n_nodes && m->nodes; i++) onnx_node_free(&m->nodes[i]);
    free(m->nodes);
    for (int i = 0; i < m->n_inits && m->inits; i++) golden_tensor_free(&m->inits[i].t);
    free(m->inits);
    free(m->inputs);
    free(m->outputs);
    if (m->pb_) onnx__model_proto__free_unpacked((Onnx__ModelProto *)m->pb_, NULL);
    for (int i = 0; i < m->n_strs_; i++) free(m->strs_[i]);
    free(m->strs_);
    onnx_names_free(&m->init_map_);
    memset(m, 0, sizeof *m);
}

const char *onnx_model_strdup(onnx_model_t *m, const char *s)
{
    if (m->n_strs_ == m->cap_strs_) {
        int cap = m->cap_strs_ ? 2 * m->cap_strs_ : 16;
        char **ns = realloc(m->strs_, (size_t)cap * sizeof *ns);
        if (!ns) return NULL;
        m->strs_ = ns;
        m->cap_strs_ = cap;
    }
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (!c) return NULL;
    memcpy(c, s, n);
    m->strs_[m->n_strs_++] = c;
    return c;
}

/* --- name maps ------------------------------------------------------------------------- */

int onnx_names_init(onnx_names_t *h, size_t max_keys)
{
    memset(h, 0, sizeof *h);
    size_t cap = 16;
    while (cap <= 2 * max_keys) cap *= 2;
    h->keys = calloc(cap, sizeof *h->keys);
    h->vals = calloc(cap, sizeof *h->vals);
    if (!h->keys || !h->vals) {
        onnx_names_free(h);
        return PECOS_ENOMEM;
    }
    h->cap = cap;
    return 0;
}

static size_t names_hash(const char *s)
{
    uint64_t x = 14695981039346656037ull;
    for (; *s; s++) x = (x ^ (uint8_t)*s) * 1099511628211ull;
    return (size_t)x;
}

/* The slot of key: where it is, or the empty slot where it would go; cap if full. */
static size_t names_find(const onnx_names_t *h, const char *key)
{
    size_t i = names_hash(key) & (h->cap - 1);
    for (size_t probe = 0; probe < h->cap; probe++, i = (i + 1) & (h->cap - 1))
        if (!h->keys[i] || strcmp(h->keys[i], key) == 0) return i;
    return h->cap;
}

int *onnx_names_slot(onnx_names_t *h, const char *key, int def)
{
    if (!h->cap) return NULL;
    size_t i = names_find(h, key);
    if (i == h->cap) return NULL;
    if (!h->keys[i]) {
        if (2 * (h->n + 1) >= h->cap) return NULL; /* keep probes short */
        h->keys[i] = key;
        h->vals[i] = def;
        h->n++;
    }
    return &h->vals[i];
}

const int *onnx_names_get(const onnx_names_t *h, const char *key)
{
    if (!h->cap) return NULL;
    size_t i = names_find(h, key);
    return i < h->cap && h->keys[i] ? &h->vals[i] : NULL;
}

void onnx_names_free(onnx_names_t *h)
{
    free(h->keys);
    free(h->vals);
    memset(h, 0, sizeof *h);
}

int onnx_model_parse(const uint8_t *buf, size_t len, onnx_model_t *m, char *err, size_t errlen)
{
    return onnx_model_parse_ex(buf, len, 0, m, err, errlen);
}

/* The nodes of graph g into m->nodes (allocated, g->n_node + 1 entries). Returns 0 or a
 * negative code with the reason in err. */
static int nodes_from_pb(const Onnx__GraphProto *g, onnx_model_t *m, char *err, size_t errlen)
{
    int rc;
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *np = g->node[i];
        onnx_node_t *n = &m->nodes[m->n_nodes++];
        n->name = str_or_empty(np->name);
        n->op_type = str_or_empty(np->op_type);
        n->domain = str_or_empty(np->domain);
        if (n->op_type[0] == '\0')
            return pecos_fail(err, errlen, PECOS_EFORMAT, "node %zu has no op_type", i);
        if (np->n_input > 1000000 || np->n_output > 1000000 || np->n_attribute > 1000000)
            return pecos_fail(err, errlen, PECOS_EFORMAT, "node %zu (%s) too large", i, n->op_type);
        n->inputs = calloc(np->n_input + 1, sizeof *n->inputs);
        n->outputs = calloc(np->n_output + 1, sizeof *n->outputs);
        n->attrs = calloc(np->n_attribute + 1, sizeof *n->attrs);
        if (!n->inputs || !n->outputs || !n->attrs) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
        for (size_t j = 0; j < np->n_input; j++) n->inputs[n->n_inputs++] = str_or_empty(np->input[j]);
        for (size_t j = 0; j < np->n_output; j++) n->outputs[n->n_outputs++] = str_or_empty(np->output[j]);
        for (size_t j = 0; j < np->n_attribute; j++) {
            rc = attr_convert(np->attribute[j], &n->attrs[n->n_attrs], (int)i, n->op_type, err, errlen);
            n->n_attrs++;
            if (rc) return rc;
        }
    }
    return 0;
}

/* References: catches a model cut short at a field boundary, which protobuf accepts. A name
 * is defined by a graph input, an initializer or any node's output (the interpreter orders
 * the nodes). Returns 0 or a negative code with the reason in err. */
static int check_refs(const onnx_model_t *m, char *err, size_t errlen)
{
    int rc = 0;
    size_t n_def = (size_t)m->n_inputs + (size_t)m->n_inits;
    for (int i = 0; i < m->n_nodes; i++) n_def += (size_t)m->nodes[i].n_outputs;
    onnx_names_t defined;
    if (onnx_names_init(&defined, n_def)) return pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
    int full = 0;
    for (int i = 0; i < m->n_inputs; i++) full |= !onnx_names_slot(&defined, m->inputs[i].name, 1);
    for (int i = 0; i < m->n_inits; i++) full |= !onnx_names_slot(&defined, m->inits[i].name, 1);
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->nodes[i].n_outputs; j++) full |= !onnx_names_slot(&defined, m->nodes[i].outputs[j], 1);
    for (int i = 0; i < m->n_nodes && !rc; i++)
        for (int j = 0; j < m->nodes[i].n_inputs && !rc; j++) {
            const char *in = m->nodes[i].inputs[j];
            if (in[0] && !onnx_names_get(&defined, in))
                rc = pecos_fail(err, errlen, PECOS_EFORMAT, "node %d (%s) input '%.100s' is not a graph input, an initializer or a node output",
                          i, m->nodes[i].op_type, in);
        }
    for (int i = 0; i < m->n_outputs && !rc; i++)
        if (!onnx_names_get(&defined, m->outputs[i].name))
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "graph output '%.100s' is not produced by any node", m->outputs[i].name);
    onnx_names_free(&defined);
    if (full && !rc) rc = pecos_fail(err, errlen, PECOS_ENOMEM, "name map full");
    return rc;
}

int onnx_model_parse_ex(const uint8_t *buf, size_t len, int flags, onnx_model_t *m, char *err,
                        size_t errlen)
{
    memset(m, 0, sizeof *m);
    int rc = onnx_wire_check(buf, len, ONNX_MAX_MODEL_BYTES, ONNX_MAX_NESTING, err, errlen);
    if (rc) return rc;
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, buf);
    if (!mp)
        return pecos_fail(err, errlen, PECOS_EFORMAT, "not a valid ONNX model (protobuf parse failed: truncated or corrupted, %zu bytes)", len);
    m->pb_ = mp;
    const Onnx__GraphProto *g = mp->graph;
    if (!g) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "not an ONNX model: no graph");
        goto out_free;
    }
    m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        const char *d = str_or_empty(o->domain);
        if ((d[0] == '\0' || strcmp(d, "ai.onnx") == 0) && o->has_version) m->opset = o->version;
    }
    if (g->n_node > 1000000 || g->n_initializer > 1000000 || g->n_input > 1000000 || g->n_output > 1000000) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "graph too large");
        goto out_free;
    }
    m->nodes = calloc(g->n_node + 1, sizeof *m->nodes);
    m->inits = calloc(g->n_initializer + 1, sizeof *m->inits);
    m->inputs = calloc(g->n_input + 1, sizeof *m->inputs);
    m->outputs = calloc(g->n_output + 1, sizeof *m->outputs);
    if (!m->nodes || !m->inits || !m->inputs || !m->outputs) {
        rc = pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
        goto out_free;
    }
    for (size_t i = 0; i < g->n_input; i++) value_info(g->input[i], &m->inputs[m->n_inputs++]);
    for (size_t i = 0; i < g->n_output; i++) value_info(g->output[i], &m->outputs[m->n_outputs++]);
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        onnx_init_t *in = &m->inits[m->n_inits++];
        in->name = str_or_empty(tp->name);
        char what[160];
        snprintf(what, sizeof what, "initializer %zu '%.100s': ", i, in->name);
        if (in->name[0] == '\0') {
            rc = pecos_fail(err, errlen, PECOS_EFORMAT, "%sno name", what);
            goto out_free;
        }
        rc = tensor_from_pb(tp, &in->t, what, err, errlen);
        if (rc) goto out_free;
    }
    /* Initializer lookups in O(1), with room for what the QDQ rewrite adds. */
    if (onnx_names_init(&m->init_map_, g->n_initializer + 4 * g->n_node + 16)) {
        rc = pecos_fail(err, errlen, PECOS_ENOMEM, "out of memory");
        goto out_free;
    }
    for (int i = 0; i < m->n_inits; i++)
        if (!onnx_names_slot(&m->init_map_, m->inits[i].name, i)) {
            rc = pecos_fail(err, errlen, PECOS_ENOMEM, "initializer map full");
            goto out_free;
        }
    if ((rc = nodes_from_pb(g, m, err, errlen)) != 0 || (rc = check_refs(m, err, errlen)) != 0)
        goto out_free;
    if (m->n_outputs == 0) {
        rc = pecos_fail(err, errlen, PECOS_EFORMAT, "graph has no outputs");
        goto out_free;
    }
    if (!(flags & ONNX_LOAD_NO_QDQ_FUSE)) {
        rc = onnx_qdq_fuse(m, err, errlen);
        if (rc) goto out_free;
    }
    return 0;
out_free:
    onnx_model_free(m);
    return rc;
}

int onnx_model_read(const char *path, onnx_model_t *m, char *err, size_t errlen)
{
    return onnx_model_read_ex(path, 0, m, err, errlen);
}

int onnx_model_read_ex(const char *path, int flags, onnx_model_t *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    uint8_t *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err, errlen);
    if (rc) return rc;
    rc = onnx_model_parse_ex(buf, len, flags, m, err, errlen);
    free(buf);
    return rc;
}

const onnx_attr_t *onnx_node_attr(const onnx_node_t *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

const golden_tensor_t *onnx_model_init(const onnx_model_t *m, const char *name)
{
    if (m->init_map_.cap) {
        const int *i = onnx_names_get(&m->init_map_, name);
        return i ? &m->inits[*i].t : NULL;
    }
    for (int i = 0; i < m->n_inits; i++)
        if (strcmp(m->inits[i].name, name) == 0) return &m->inits[i].t;
    return NULL;
}

const char *onnx_model_add_init(onnx_model_t *m, const char *name, golden_tensor_t *t)
{
    const char *nm = onnx_model_strdup(m, name);
    onnx_init_t *ni = nm ? realloc(m->inits, ((size_t)m->n_inits + 2) * sizeof *ni) : NULL;
    if (!ni) {
        golden_tensor_free(t);
        return NULL;
    }
    m->inits = ni;
    int *slot = m->init_map_.cap ? onnx_names_slot(&m->init_map_, nm, m->n_inits) : NULL;
    if (m->init_map_.cap && !slot) { /* the map is full: fall back to linear lookups */
        onnx_names_free(&m->init_map_);
    }
    ni[m->n_inits].name = nm;
    ni[m->n_inits].t = *t;
    m->n_inits++;
    memset(&ni[m->n_inits], 0, sizeof ni[m->n_inits]);
    memset(t, 0, sizeof *t);
    return nm;
}
