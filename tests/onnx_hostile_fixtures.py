#!/usr/bin/python3
"""onnx_hostile_fixtures.py OUT [TESTDATA_CASE]: hostile .onnx files for the cli.bad.onnx_*
tests (and, with --seed FILE DEPTH, one small nested model for the fuzz seeds).

Writes ONNX test-case directories under OUT/onnx_hostile (each with a good test_data_set_0
copied from TESTDATA_CASE, so only the model is hostile):
  deep/model.onnx  a ModelProto whose graph input's type nests TypeProto.sequence_type ->
                   Sequence.elem_type 100,000 times (200,001 nested messages, ~1 MB):
                   protobuf-c would recurse once per message and overflow the stack
  huge/model.onnx  a sparse file of 1 GiB + 1 byte (ONNX_MAX_MODEL_BYTES + 1)

Plain python3, no numpy/onnx: the bytes are written by hand (proto2 wire format).
"""
import os
import shutil
import sys


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def nested_model(depth):
    """ModelProto{ir_version 7, graph{input{name "x", type: depth x sequence_type{elem_type}}}}.

    Built outside-in from the sizes, so the cost is linear in depth."""
    # Sizes from the inside out: TypeProto (empty) -> Sequence{elem_type=1: TypeProto} ->
    # TypeProto{sequence_type=4: Sequence} ...
    size = 0
    heads = []
    for _ in range(depth):
        seq = 1 + len(varint(size)) + size           # Sequence { elem_type (1) }
        heads.append(b"\x0a" + varint(size))
        typ = 1 + len(varint(seq)) + seq             # TypeProto { sequence_type (4) }
        heads.append(b"\x22" + varint(seq))
        size = typ
    vi = b"\x0a\x01x" + b"\x12" + varint(size)        # ValueInfoProto { name (1), type (2) }
    vi_size = len(vi) + size
    graph_head = b"\x5a" + varint(vi_size)            # GraphProto { input (11) }
    graph_size = len(graph_head) + vi_size
    model = bytearray(b"\x08\x07" + b"\x3a" + varint(graph_size) + graph_head + vi)
    for h in reversed(heads):
        model += h
    return bytes(model)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--seed":
        with open(sys.argv[2], "wb") as f:
            f.write(nested_model(int(sys.argv[3])))
        return
    if len(sys.argv) != 3:
        sys.exit("usage: onnx_hostile_fixtures.py OUT TESTDATA_CASE | --seed FILE DEPTH")
    out = os.path.join(sys.argv[1], "onnx_hostile")
    case = sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    for name in ("deep", "huge"):
        os.makedirs(os.path.join(out, name))
        shutil.copytree(os.path.join(case, "test_data_set_0"), os.path.join(out, name, "test_data_set_0"))
    with open(os.path.join(out, "deep", "model.onnx"), "wb") as f:
        f.write(nested_model(100000))
    with open(os.path.join(out, "huge", "model.onnx"), "wb") as f:
        f.truncate((1 << 30) + 1)
    print("fixtures in", out)


if __name__ == "__main__":
    main()
