/* topo.h - network topology files: SCALE-Sim's CSV columns plus optional ones.
 *
 * Header (names matched case-insensitively after trimming; spaces and a trailing comma are
 * tolerated on every line):
 *   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
 *   Strides, [Padding], [Groups], [Dilation], [Type], [Activation], [Inputs]
 * The optional columns come after the eight SCALE-Sim ones, in any order, each at most once.
 * An empty optional field takes its default.
 *   Padding     N (all four sides) or T/L/B/R; default 0 (conv, maxpool, avgpool only;
 *               for pools each side must be smaller than the window)
 *   Groups      default 1; Channels and Num Filter divisible by it (conv only)
 *   Dilation    default 1 (conv only)
 *   Type        conv (default), fc, maxpool, avgpool, gap, relu, add, concat
 *   Activation  none (default) or relu, fused after the layer
 *   Inputs      empty: the previous row (the first row: the network input); otherwise layer
 *               names joined by '+', `input` = the network input. Names must be defined on an
 *               earlier row. add takes exactly 2 inputs, concat 2..TOPO_MAX_INPUTS, every
 *               other type exactly 1.
 * Semantics: IFMAP H/W are the unpadded input size; conv output
 *   P = floor((H + pad_t + pad_b - dil*(R-1) - 1) / stride) + 1 (pools the same, dil 1).
 * fc: SCALE-Sim's form, Filter H/W = IFMAP H/W (a conv whose filter covers the input; output
 *   1x1xK; Strides ignored). Its producer may also be the flattened form: C*H*W elements.
 * maxpool/avgpool/relu/add/gap: Num Filter = Channels. concat: Channels = Num Filter = the sum
 *   of its inputs' channels. gap: output 1x1 (window = the input). relu/add/concat/gap:
 *   Filter and Strides columns are ignored (stored as the input size for gap's window, else 1).
 * Layer names: 1..63 printable ASCII characters, no space, ',', '+', '"' or '\\', unique,
 *   not `input`.
 * Limits: at most TOPO_MAX_LAYERS rows; every layer's input and output element counts,
 *   weights and MACs at most 2^48 (so sums over a network stay in 64 bits).
 */
#ifndef PECOS_TOPO_H
#define PECOS_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer.h"

typedef enum {
    TOPO_CONV,
    TOPO_FC,
    TOPO_MAXPOOL,
    TOPO_AVGPOOL,
    TOPO_GAP,
    TOPO_RELU,
    TOPO_ADD,
    TOPO_CONCAT
} topo_type_t;

#define TOPO_MAX_INPUTS 8
#define TOPO_MAX_LAYERS 4096

typedef struct {
    char name[64];
    topo_type_t type;
    int h, w, c;            /* input (for add/concat: of the result; concat c = sum of inputs) */
    int k, r, s;            /* output channels, filter/window */
    int stride, dil, groups;
    int pad_t, pad_l, pad_b, pad_r;
    bool relu;              /* fused activation */
    int p, q;               /* output size (derived) */
    int ninputs, inputs[TOPO_MAX_INPUTS]; /* producer layer indices; -1 = network input */
    int line;               /* CSV line, for messages */
} topo_layer_t;

typedef struct {
    char name[64];       /* the file's base name without ".csv" */
    topo_layer_t *layers; /* n layers in file order (producers before consumers), owned */
    int n;
    char *path;          /* the file as given (owned; "" when parsed from memory) */
    bool scalesim;       /* the header has SCALE-Sim's 8 columns only (any after an empty
                          * column name are ignored): its rows may be independent layers */
} topo_t;

/* Reads and parses the CSV at path into t (t's previous contents are not freed). Validates
 * every row on its own (numbers, ranges, type, input names, groups, output size >= 1).
 * Returns 0, PECOS_EIO (cannot read), PECOS_EFORMAT (empty file, bad header, wrong column
 * count, non-numeric field, unknown type, unknown or later input name, duplicate name) or
 * PECOS_EPARAM (a value out of range, channels not divisible by groups, output < 1), with
 * one line in err that starts with "PATH:" (and "LINE:" for a row) and names the column.
 * On success the caller frees t with topo_free(); on failure t holds nothing to free. */
int topo_load(const char *path, topo_t *t, char *err, size_t errlen);

/* topo_load() on len bytes of text (need not be NUL-terminated); fname is used in messages
 * and as the network's name. */
int topo_parse(const char *text, size_t len, const char *fname, topo_t *t, char *err,
               size_t errlen);

/* Checks that every layer's input shape equals its producers' output shape: (C, H, W) ==
 * (K, P, Q) of the producer; fc also accepts a producer with C*H*W elements; add: both
 * inputs; concat: the same H, W and channels adding up to C. The network input's shape is
 * the first layer that reads it, and every other reader must agree. Returns 0 or
 * PECOS_EPARAM with one line "PATH:LINE: layer 'x': ..." in err. */
int topo_check_chain(const topo_t *t, char *err, size_t errlen);

/* SCALE-Sim's own topology files list independent layers (pooling left out, so the rows do
 * not chain). A file is taken as such when it has SCALE-Sim's columns only (t->scalesim) and
 * topo_check_chain() fails; `pecos run --network`, `compare-dataflows` and `pecos analyze`
 * then treat every row on its own and say so in one line. */

/* Writes the `--layer` spec of a conv or fc row into buf ("conv,h=..,name=X"). Returns 0,
 * PECOS_ENOTSUP (another type, groups, dilation or asymmetric padding) or PECOS_EPARAM (buf
 * too small). */
int topo_layer_spec(const topo_layer_t *L, char *buf, size_t len);

/* The layer descriptor of a conv or fc row (another type: PECOS_ENOTSUP, *L untouched).
 * conv: the row's geometry, both strides and dilations from its one value, its groups;
 * fc: a 1x1 conv on a 1x1 input of C*H*W channels. pad_value 0; name, p and q from the
 * row. Returns 0 or PECOS_ENOTSUP. */
int topo_to_layer(const topo_layer_t *T, layer_t *L);

/* Frees what topo_load() allocated and zeroes t. Safe on a zeroed t. */
void topo_free(topo_t *t);

/* conv/fc: K*P*Q*(C/groups)*R*S; other types 0. */
uint64_t topo_macs(const topo_layer_t *L);
/* conv/fc: K*(C/groups)*R*S (no bias); other types 0. */
uint64_t topo_weights(const topo_layer_t *L);
/* Elements read: C*H*W (add: 2*C*H*W, its two inputs). */
uint64_t topo_in_elems(const topo_layer_t *L);
/* Elements written: K*P*Q. */
uint64_t topo_out_elems(const topo_layer_t *L);
/* Lower-case name of a type ("conv", "maxpool", ...). */
const char *topo_type_name(topo_type_t type);

#endif
