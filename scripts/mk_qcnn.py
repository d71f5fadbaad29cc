#!/usr/bin/python3
"""mk_qcnn.py OUT_DIR [--seed N]: writes a small quantized CNN as an ONNX backend test case.

Run with Debian's /usr/bin/python3 (python3-onnx, python3-numpy). Deterministic: the same
seed gives byte-identical files.

    x  int8 [1,1,8,8]
    QLinearConv  1 -> 4, 3x3, pad 1, int32 bias        -> int8 [1,4,8,8]
    MaxPool      2x2, stride 2                          -> int8 [1,4,4,4]
    QLinearConv  4 -> 8, 3x3, stride 2, pad 1, per-channel w scales -> int8 [1,8,2,2]
    Flatten                                              -> int8 [1,32]
    QLinearMatMul  [1,32] x [32,10]                      -> int8 [1,10]

Every zero point is 0 and every tensor int8, so the conv and matmul layers map onto the int8
array as they are (pecos onnx-test --rtl RxC). Output scales are chosen from the data so
the int8 outputs use most of their range.

Writes OUT_DIR/model.onnx, OUT_DIR/test_data_set_0/input_0.pb and output_0.pb (the expected
output, computed here with numpy: int64 accumulation, requantization as ONNX defines it:
scale = x_scale * w_scale / y_scale in float32, round(acc * scale) half to even, + zero
point, saturate), and OUT_DIR/x.npy (the input, for pecos run --onnx --input).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def requant(acc, x_scale, w_scale, y_scale):
    """acc int64 [..., K, ...] with w_scale broadcastable; float32 arithmetic as ONNX."""
    scale = (np.float32(x_scale) * np.asarray(w_scale, dtype=np.float32)).astype(np.float32)
    scale = (scale / np.float32(y_scale)).astype(np.float32)
    v = (acc.astype(np.float32) * scale).astype(np.float32)
    return np.clip(np.rint(v), -128, 127).astype(np.int8)


def conv(x, w, b, stride, pad):
    """x [1,C,H,W], w [K,C,R,S] as int64; zero padding; returns int64 [1,K,P,Q]."""
    _, c, h, wd = x.shape
    k, _, r, s = w.shape
    xp = np.zeros((c, h + 2 * pad, wd + 2 * pad), dtype=np.int64)
    xp[:, pad:pad + h, pad:pad + wd] = x[0]
    p = (h + 2 * pad - r) // stride + 1
    q = (wd + 2 * pad - s) // stride + 1
    y = np.zeros((1, k, p, q), dtype=np.int64)
    for i in range(p):
        for j in range(q):
            win = xp[:, i * stride:i * stride + r, j * stride:j * stride + s]
            y[0, :, i, j] = np.tensordot(w, win, axes=([1, 2, 3], [0, 1, 2]))
    return y + b.reshape(1, k, 1, 1)


def out_scale(acc, x_scale, w_scale):
    """A y_scale that maps the largest |real value| to about 120."""
    real = np.abs(acc.astype(np.float64) * np.float64(x_scale) *
                  np.asarray(w_scale, dtype=np.float64).reshape((1, -1) + (1,) * (acc.ndim - 2)))
    return np.float32(max(real.max(), 1e-6) / 120.0)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write("usage: mk_qcnn.py OUT_DIR [--seed N]\n")
        return 2
    out = args[0]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 7
    rs = np.random.RandomState(seed)

    x = rs.randint(-128, 128, size=(1, 1, 8, 8)).astype(np.int8)
    xs = np.float32(0.05)
    w1 = rs.randint(-127, 128, size=(4, 1, 3, 3)).astype(np.int8)
    w1s = np.float32(0.01)
    b1 = rs.randint(-2000, 2001, size=(4,)).astype(np.int32)
    w2 = rs.randint(-127, 128, size=(8, 4, 3, 3)).astype(np.int8)
    w2s = (np.float32(0.004) * (1 + rs.randint(0, 4, size=(8,)))).astype(np.float32)
    b2 = rs.randint(-5000, 5001, size=(8,)).astype(np.int32)
    w3 = rs.randint(-127, 128, size=(32, 10)).astype(np.int8)
    w3s = np.float32(0.003)

    # Reference forward pass (and the output scales, chosen from the accumulators).
    a1 = conv(x.astype(np.int64), w1.astype(np.int64), b1.astype(np.int64), 1, 1)
    y1s = out_scale(a1, xs, [w1s] * 4)
    y1 = requant(a1, xs, w1s, y1s)
    p1 = y1.reshape(1, 4, 4, 2, 4, 2).max(axis=(3, 5))
    a2 = conv(p1.astype(np.int64), w2.astype(np.int64), b2.astype(np.int64), 2, 1)
    y2s = out_scale(a2, y1s, w2s)
    y2 = requant(a2, y1s, w2s.reshape(1, 8, 1, 1), y2s)
    f = y2.reshape(1, 32)
    a3 = f.astype(np.int64) @ w3.astype(np.int64)
    y3s = out_scale(a3, y2s, [w3s])
    y3 = requant(a3, y2s, w3s, y3s)

    z = lambda name: numpy_helper.from_array(np.array(0, dtype=np.int8), name)
    zc = lambda name, n: numpy_helper.from_array(np.zeros((n,), dtype=np.int8), name)
    f32 = lambda v, name: numpy_helper.from_array(np.asarray(v, dtype=np.float32), name)
    inits = [
        f32(xs, "x_scale"), z("x_zp"),
        numpy_helper.from_array(w1, "w1"), f32(w1s, "w1_scale"), z("w1_zp"),
        f32(y1s, "y1_scale"), z("y1_zp"), numpy_helper.from_array(b1, "b1"),
        numpy_helper.from_array(w2, "w2"), f32(w2s, "w2_scale"), zc("w2_zp", 8),
        f32(y2s, "y2_scale"), z("y2_zp"), numpy_helper.from_array(b2, "b2"),
        numpy_helper.from_array(w3, "w3"), f32(w3s, "w3_scale"), z("w3_zp"),
        f32(y3s, "y3_scale"), z("y3_zp"),
    ]
    nodes = [
        helper.make_node("QLinearConv", ["x", "x_scale", "x_zp", "w1", "w1_scale", "w1_zp",
                                         "y1_scale", "y1_zp", "b1"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["c1"], ["p1"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("QLinearConv", ["p1", "y1_scale", "y1_zp", "w2", "w2_scale", "w2_zp",
                                         "y2_scale", "y2_zp", "b2"], ["c2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Flatten", ["c2"], ["f"], name="flatten", axis=1),
        helper.make_node("QLinearMatMul", ["f", "y2_scale", "y2_zp", "w3", "w3_scale", "w3_zp",
                                           "y3_scale", "y3_zp"], ["y"], name="fc"),
    ]
    graph = helper.make_graph(
        nodes, "pecos_qcnn",
        [helper.make_tensor_value_info("x", TensorProto.INT8, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 10])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="pecos mk_qcnn.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)

    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(out, "model.onnx"), "wb") as fh:
        fh.write(model.SerializeToString())
    with open(os.path.join(out, "test_data_set_0", "input_0.pb"), "wb") as fh:
        fh.write(numpy_helper.from_array(x, "x").SerializeToString())
    with open(os.path.join(out, "test_data_set_0", "output_0.pb"), "wb") as fh:
        fh.write(numpy_helper.from_array(y3, "y").SerializeToString())
    np.save(os.path.join(out, "x.npy"), x)
    print("wrote %s: x %s -> y %s %s" % (out, list(x.shape), list(y3.shape), y3.ravel().tolist()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
