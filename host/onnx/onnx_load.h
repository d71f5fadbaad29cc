/* onnx_load.h - ONNX TensorProto (.pb) and ModelProto (.onnx) reader.
 *
 * Parsing is protobuf-c's, over the onnx.proto that Debian's libonnx-dev ships (generated at
 * build time, cmake/onnx.cmake). On top of it every size is checked: the data (raw_data or
 * the typed repeated field) must hold exactly the product of the dims, dtypes must be ones
 * pecos handles (float, float16, double, int8, uint8, int16, uint16, int32, int64, bool),
 * external data and segments are refused.
 *
 * Errors: functions return 0 or a negative PECOS_E* code and write a one-line reason
 * without the file name and without a newline into err (the caller names the file):
 * PECOS_EIO (cannot open/read), PECOS_EFORMAT (not a valid protobuf message, truncated,
 * data length does not match the dims, a graph that refers to nothing), PECOS_EDTYPE
 * (unsupported dtype), PECOS_ESHAPE (rank > GOLDEN_MAX_DIMS, negative dims), PECOS_ENOMEM.
 */
#ifndef PECOS_ONNX_LOAD_H
#define PECOS_ONNX_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "golden_onnx.h"

/* Reads a serialized TensorProto from path into *t (free with golden_tensor_free()). The
 * tensor's name, if any, is copied into name (namelen bytes, may be NULL/0). */
int onnx_tensor_read(const char *path, golden_tensor_t *t, char *name, size_t namelen,
                     char *err, size_t errlen);

/* The same from bytes in memory. */
int onnx_tensor_parse(const uint8_t *buf, size_t len, golden_tensor_t *t, char *name,
                      size_t namelen, char *err, size_t errlen);

typedef enum {
    ONNX_ATTR_UNDEFINED = 0,
    ONNX_ATTR_FLOAT,
    ONNX_ATTR_INT,
    ONNX_ATTR_STRING,
    ONNX_ATTR_TENSOR,
    ONNX_ATTR_FLOATS,
    ONNX_ATTR_INTS,
    ONNX_ATTR_OTHER      /* graphs, strings, tensors lists, sparse: kept by name only */
} onnx_attr_type_t;

typedef struct {
    const char *name;          /* never NULL */
    onnx_attr_type_t type;
    float f;
    int64_t i;
    const char *s;             /* STRING: NUL-terminated copy; else NULL */
    golden_tensor_t *t;        /* TENSOR; else NULL */
    const float *floats;       /* FLOATS: n values */
    const int64_t *ints;       /* INTS: n values */
    size_t n;
} onnx_attr_t;

typedef struct {
    const char *name;          /* "" if unnamed */
    const char *op_type;       /* never NULL */
    const char *domain;        /* "" for the default ai.onnx domain */
    int n_inputs, n_outputs, n_attrs;
    const char **inputs;       /* "" marks an omitted optional input */
    const char **outputs;
    onnx_attr_t *attrs;
    int qdq;                   /* ONNX_QDQ_*: what onnx_qdq_fuse() made of this node */
    const char *qdq_note;      /* ONNX_QDQ_FUSED: the pattern it replaces; ONNX_QDQ_FLOAT: why
                                  it stays float; NULL for ONNX_QDQ_NONE (owned by the model) */
} onnx_node_t;

/* onnx_node_t.qdq */
enum {
    ONNX_QDQ_NONE = 0,   /* not part of a QDQ pattern */
    ONNX_QDQ_FUSED,      /* an integer node made from a QDQ pattern (host/onnx/onnx_qdq.h) */
    ONNX_QDQ_FLOAT       /* a QuantizeLinear/DequantizeLinear left in the graph, or a float
                            Conv/MatMul/Gemm/pool between them that could not be fused: runs
                            on the golden float operators */
};

typedef struct {
    const char *name;
    golden_dtype_t dtype;      /* GOLDEN_DT_UNDEFINED if the type is not a known tensor */
    int ndim;                  /* -1 if the shape is unknown */
    int64_t dims[GOLDEN_MAX_DIMS]; /* -1 for a symbolic dimension */
} onnx_value_info_t;

typedef struct {
    const char *name;
    golden_tensor_t t;
} onnx_init_t;

/* A map from names to ints (open addressing, FNV-1a; the keys are borrowed, not copied),
 * so that graph passes stay linear in the size of the graph: a hostile model may have a
 * million nodes. Sized once for at most `max_keys` keys. */
typedef struct {
    const char **keys;
    int *vals;
    size_t cap;     /* a power of two, > 2 * max_keys */
    size_t n;
} onnx_names_t;

/* 0 or PECOS_ENOMEM. */
int onnx_names_init(onnx_names_t *h, size_t max_keys);
/* The value of key, inserting it with value def if absent; NULL if the map is full. */
int *onnx_names_slot(onnx_names_t *h, const char *key, int def);
/* The value of key, or NULL if absent. */
const int *onnx_names_get(const onnx_names_t *h, const char *key);
void onnx_names_free(onnx_names_t *h);

typedef struct {
    int64_t ir_version;
    int64_t opset;              /* version of the default domain, 0 if not given */
    int n_nodes, n_inits, n_inputs, n_outputs;
    onnx_node_t *nodes;         /* in file order */
    onnx_init_t *inits;
    onnx_value_info_t *inputs;  /* graph inputs (may include initializers, IR < 4) */
    onnx_value_info_t *outputs;
    int qdq_fused;              /* QDQ patterns rewritten into integer nodes (onnx_qdq_fuse) */
    int qdq_float;              /* nodes marked ONNX_QDQ_FLOAT */
    void *pb_;                  /* the unpacked protobuf; the strings above point into it */
    onnx_names_t init_map_;     /* initializer name -> index (onnx_model_init) */
    char **strs_;               /* strings made after loading (onnx_model_strdup) */
    int n_strs_, cap_strs_;
} onnx_model_t;

/* Hostile-input bounds, checked on the wire format before protobuf-c unpacks anything
 * (protobuf-c recurses once per nested message and has no limit of its own). */
#define ONNX_MAX_MODEL_BYTES ((size_t)1 << 30)  /* a .onnx (initializers inline) */
#define ONNX_MAX_NESTING 64                      /* nested messages, ModelProto = 1 */

/* onnx_model_read_ex/parse_ex flags */
#define ONNX_LOAD_NO_QDQ_FUSE 1  /* keep QDQ patterns as they are (float Q/DQ + float ops) */

/* Reads a ModelProto from path into *m (free with onnx_model_free()). The size and the
 * nesting depth are bounded first (PECOS_EFORMAT with the reason); then QDQ patterns are
 * rewritten into integer nodes (onnx_qdq_fuse(), host/onnx/onnx_qdq.h) unless flags has
 * ONNX_LOAD_NO_QDQ_FUSE. */
int onnx_model_read(const char *path, onnx_model_t *m, char *err, size_t errlen);
int onnx_model_parse(const uint8_t *buf, size_t len, onnx_model_t *m, char *err, size_t errlen);
int onnx_model_read_ex(const char *path, int flags, onnx_model_t *m, char *err, size_t errlen);
int onnx_model_parse_ex(const uint8_t *buf, size_t len, int flags, onnx_model_t *m, char *err,
                        size_t errlen);
void onnx_model_free(onnx_model_t *m);
/* Frees what a node owns (its input, output and attribute arrays, the attributes' strings
 * and tensors) and zeroes it; the names it points to are the model's. */
void onnx_node_free(onnx_node_t *n);

/* Checks that a serialized ModelProto buf is at most max_bytes long and that its messages
 * nest at most max_depth deep (ModelProto itself is depth 1). The walk is iterative, over
 * the wire format, guided by onnx.proto's schema (protobuf-c's descriptors): only fields
 * declared as messages are descended into. Also refuses a malformed tag, varint or length
 * and the deprecated group wire types. Returns 0 or PECOS_EFORMAT with the reason in err. */
int onnx_wire_check(const uint8_t *buf, size_t len, size_t max_bytes, int max_depth, char *err,
                    size_t errlen);

/* A copy of s owned by m (freed by onnx_model_free), or NULL without memory. */
const char *onnx_model_strdup(onnx_model_t *m, const char *s);

/* Attribute lookup by name; NULL if absent. */
const onnx_attr_t *onnx_node_attr(const onnx_node_t *n, const char *name);
/* Returns the initializer named name (the first one, if several), or NULL. O(1) on a
 * loaded model. */
const golden_tensor_t *onnx_model_init(const onnx_model_t *m, const char *name);
/* Appends an initializer called name (a copy of name is made; takes t's data). Returns
 * the stored name, or NULL without memory (t then freed). Keeps onnx_model_init O(1). */
const char *onnx_model_add_init(onnx_model_t *m, const char *name, golden_tensor_t *t);

#endif
