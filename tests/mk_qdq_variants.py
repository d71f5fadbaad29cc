#!/usr/bin/python3
"""mk_qdq_variants.py OUT_DIR: small QDQ models, one per pattern that host/onnx/onnx_qdq.c must
fuse or must leave float, for tests/test_qdq.c. python3-onnx + numpy only; deterministic.

Each OUT_DIR/<name>.onnx takes one float input 'x' and ends with DequantizeLinear outputs:
  conv_relu        Q -> DQ -> Conv(DQ w per channel, DQ b) -> Relu -> Q -> DQ        fuse 1
  conv_uint8_nozp  the same with uint8 and no zero points anywhere (x, y)            fuse 1
  conv_bias_off    the bias scale is 1.5 x_scale * w_scale: stays float              fuse 0
  relu_shared      the Relu's output is also a graph output: stays float             fuse 0
  matmul           DQ(x [1,6]) x DQ(w [6,4], per column, axis 1) -> Q                 fuse 1
  gemm_transb0     Gemm transB = 0 with a per-channel (axis 1) weight and a bias    fuse 1
  residual_add     conv -> Q -> DQ, + DQ(input) -> Add -> Q: the Add stays float     fuse 1
  gap              DQ -> GlobalAveragePool -> Q: stays float                          fuse 0
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

N = helper.make_node
rng = np.random.RandomState(5)


def init(name, a):
    return numpy_helper.from_array(np.ascontiguousarray(a), name)


def model(name, nodes, inits, in_shape, outs, out_shape):
    for n in nodes:
        n.name = n.name or n.output[0]
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, out_shape) for o in outs],
                          initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_operatorsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def qparams(dt, zp=True):
    """x scale/zp and y scale/zp initializers."""
    z = (lambda v: np.array(v, dtype=dt)) if zp else None
    inits = [init("xs", np.float32(0.02)), init("ys", np.float32(0.05))]
    if zp:
        inits += [init("xz", z(-10 if dt is np.int8 else 120)), init("yz", z(5 if dt is np.int8 else 100))]
    return inits


def conv_graph(dt=np.int8, zp=True, bias_factor=1.0, relu_out=False):
    M, C = 3, 2
    w = rng.randint(-100, 101, size=(M, C, 3, 3)).astype(np.int8)
    ws = rng.uniform(0.005, 0.02, size=M).astype(np.float32)
    b = rng.randint(-500, 501, size=M).astype(np.int32)
    bs = (np.float32(0.02) * ws * np.float32(bias_factor)).astype(np.float32)
    inits = qparams(dt, zp) + [init("w", w), init("ws", ws), init("wz", np.zeros(M, np.int8)),
                                init("b", b), init("bs", bs)]
    xq = ["x", "xs"] + (["xz"] if zp else [])
    yq = ["ys"] + (["yz"] if zp else [])
    nodes = [N("QuantizeLinear", xq, ["xq"]), N("DequantizeLinear", ["xq"] + xq[1:], ["xd"]),
             N("DequantizeLinear", ["w", "ws", "wz"], ["wd"], axis=0),
             N("DequantizeLinear", ["b", "bs"], ["bd"], axis=0),
             N("Conv", ["xd", "wd", "bd"], ["c"], pads=[1, 1, 1, 1]),
             N("Relu", ["c"], ["r"]),
             N("QuantizeLinear", ["r"] + yq, ["yq"]), N("DequantizeLinear", ["yq"] + yq, ["y"])]
    return nodes, inits, ["y", "r"] if relu_out else ["y"]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    ms = {}
    n, i, o = conv_graph()
    ms["conv_relu"] = model("conv_relu", n, i, [1, 2, 5, 5], o, [1, 3, 5, 5])
    n, i, o = conv_graph(np.uint8, zp=False)
    ms["conv_uint8_nozp"] = model("conv_uint8_nozp", n, i, [1, 2, 5, 5], o, [1, 3, 5, 5])
    n, i, o = conv_graph(bias_factor=1.5)
    ms["conv_bias_off"] = model("conv_bias_off", n, i, [1, 2, 5, 5], o, [1, 3, 5, 5])
    n, i, o = conv_graph(relu_out=True)
    ms["relu_shared"] = model("relu_shared", n, i, [1, 2, 5, 5], o, [1, 3, 5, 5])

    # MatMul [1,6] x [6,4], per-column weight scales.
    w = rng.randint(-120, 121, size=(6, 4)).astype(np.int8)
    ws = rng.uniform(0.005, 0.02, size=4).astype(np.float32)
    inits = qparams(np.int8) + [init("w", w), init("ws", ws)]
    nodes = [N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]), N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             N("DequantizeLinear", ["w", "ws"], ["wd"], axis=1), N("MatMul", ["xd", "wd"], ["mm"]),
             N("QuantizeLinear", ["mm", "ys", "yz"], ["yq"]), N("DequantizeLinear", ["yq", "ys", "yz"], ["y"])]
    ms["matmul"] = model("matmul", nodes, inits, [1, 6], ["y"], [1, 4])

    # Gemm transB = 0: B [K=6, M=4], per output channel = axis 1, with a bias.
    b = rng.randint(-300, 301, size=4).astype(np.int32)
    inits = qparams(np.int8) + [init("w", w), init("ws", ws), init("b", b),
                                init("bs", (np.float32(0.02) * ws).astype(np.float32))]
    nodes = [N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]), N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             N("DequantizeLinear", ["w", "ws"], ["wd"], axis=1), N("DequantizeLinear", ["b", "bs"], ["bd"], axis=0),
             N("Gemm", ["xd", "wd", "bd"], ["g"]), N("Relu", ["g"], ["r"]),
             N("QuantizeLinear", ["r", "ys", "yz"], ["yq"]), N("DequantizeLinear", ["yq", "ys", "yz"], ["y"])]
    ms["gemm_transb0"] = model("gemm_transb0", nodes, inits, [1, 6], ["y"], [1, 4])

    # Residual: y = Q(DQ(conv_out) + DQ(xq)); the conv has 2 output channels like x.
    w2 = rng.randint(-100, 101, size=(2, 2, 3, 3)).astype(np.int8)
    ws2 = rng.uniform(0.005, 0.02, size=2).astype(np.float32)
    inits = qparams(np.int8) + [init("w", w2), init("ws", ws2), init("zs", np.float32(0.08)),
                                init("zz", np.array(0, dtype=np.int8))]
    nodes = [N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]), N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             N("DequantizeLinear", ["w", "ws"], ["wd"], axis=0), N("Conv", ["xd", "wd"], ["c"], pads=[1, 1, 1, 1]),
             N("QuantizeLinear", ["c", "ys", "yz"], ["cq"]), N("DequantizeLinear", ["cq", "ys", "yz"], ["cd"]),
             N("Add", ["cd", "xd"], ["s"]), N("QuantizeLinear", ["s", "zs", "zz"], ["sq"]),
             N("DequantizeLinear", ["sq", "zs", "zz"], ["y"])]
    ms["residual_add"] = model("residual_add", nodes, inits, [1, 2, 5, 5], ["y"], [1, 2, 5, 5])

    inits = qparams(np.int8)
    nodes = [N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]), N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             N("GlobalAveragePool", ["xd"], ["p"]), N("QuantizeLinear", ["p", "xs", "xz"], ["pq"]),
             N("DequantizeLinear", ["pq", "xs", "xz"], ["y"])]
    ms["gap"] = model("gap", nodes, inits, [1, 2, 5, 5], ["y"], [1, 2, 1, 1])

    for k, m in ms.items():
        with open(os.path.join(out, k + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    print("mk_qdq_variants: %d models in %s" % (len(ms), out))


if __name__ == "__main__":
    main()
