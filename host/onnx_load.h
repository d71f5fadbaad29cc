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
} onnx_node_t;

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

typedef struct {
    int64_t ir_version;
    int64_t opset;              /* version of the default domain, 0 if not given */
    int n_nodes, n_inits, n_inputs, n_outputs;
    onnx_node_t *nodes;         /* in file order */
    onnx_init_t *inits;
    onnx_value_info_t *inputs;  /* graph inputs (may include initializers, IR < 4) */
    onnx_value_info_t *outputs;
    void *pb_;                  /* the unpacked protobuf; the strings above point into it */
} onnx_model_t;

/* Reads a ModelProto from path into *m (free with onnx_model_free()). */
int onnx_model_read(const char *path, onnx_model_t *m, char *err, size_t errlen);
int onnx_model_parse(const uint8_t *buf, size_t len, onnx_model_t *m, char *err, size_t errlen);
void onnx_model_free(onnx_model_t *m);

/* Attribute lookup by name; NULL if absent. */
const onnx_attr_t *onnx_node_attr(const onnx_node_t *n, const char *name);
/* Returns the initializer named name, or NULL. */
const golden_tensor_t *onnx_model_init(const onnx_model_t *m, const char *name);

#endif
