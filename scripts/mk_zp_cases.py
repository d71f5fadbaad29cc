#!/usr/bin/python3
"""mk_zp_cases.py OUT_DIR [--seed N] [--count N]: random quantized ONNX nodes with zero points,
as ONNX backend test cases (OUT_DIR/<case>/model.onnx, test_data_set_0/input_0.pb,
output_0.pb), for `pecos onnx-test --rtl RxC --require-rtl`.

Run with Debian's /usr/bin/python3 (python3-onnx, python3-numpy). Deterministic per seed.
Per count: one case each of
    qlinearconv_<i>    uint8 or int8 x with a nonzero zero point, per-channel w scales (and
                       sometimes per-channel w zero points with w - zw in int8), groups 1-2,
                       kernel 1-3, stride 1-2 (equal), asymmetric pads, int32 bias, uint8
                       or int8 y with a zero point
    convinteger_<i>    uint8/int8 x and w with zero points
    matmulinteger_<i>  uint8/int8 A with a per-tensor or per-row zero point, B with
                       per-column zero points
    qlinearmatmul_<i>  uint8/int8 A, B and Y with per-tensor zero points
one case conv_pool_uint8 (uint8 QLinearConv -> uint8 MaxPool, for pecos run --onnx) and
one case conv3d_unmappable (a 3-D ConvInteger: the node stays on the golden models and
--require-rtl must fail). About 40% of the weight tensors use the whole uint8/int8 range with
any zero point, so that w - zw leaves int8 (the "wide" mapping of docs/ONNX.md).

The expected outputs are computed here with numpy, independently of pecos: padded cells hold
the x zero point, int64 accumulation of (x - zx)(w - zw), requantization as ONNX defines it
(scale = x_scale * w_scale / y_scale in float32, acc * scale in float32, round half to
even, + zero point, saturate).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DT = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8}


def rand_q(rs, dt, shape):
    lo, hi = (-128, 128) if dt == np.int8 else (0, 256)
    return rs.randint(lo, hi, size=shape).astype(dt)


def rand_zp(rs, dt):
    return dt(rs.randint(-128, 128) if dt == np.int8 else rs.randint(0, 256))


def conv_acc(x, zx, w, zw, stride, pads, group):
    """x [1,C,H,W], w [K,C/g,R,S] (int64), zw [K]; pads [t,l,b,r] hold zx; int64 [1,K,P,Q]."""
    _, c, h, wd = x.shape
    k, cg, r, s = w.shape
    t, l, b, rr = pads
    xp = np.full((c, h + t + b, wd + l + rr), zx, dtype=np.int64)
    xp[:, t:t + h, l:l + wd] = x[0]
    xp -= zx
    p = (h + t + b - r) // stride + 1
    q = (wd + l + rr - s) // stride + 1
    y = np.zeros((1, k, p, q), dtype=np.int64)
    kg = k // group
    for kk in range(k):
        g = kk // kg
        wk = w[kk] - zw[kk]
        for i in range(p):
            for j in range(q):
                win = xp[g * cg:(g + 1) * cg, i * stride:i * stride + r, j * stride:j * stride + s]
                y[0, kk, i, j] = int((win * wk).sum())
    return y


def requant(acc, scale, zp, dt):
    v = (acc.astype(np.float32) * scale.astype(np.float32)).astype(np.float32)
    lo, hi = (-128, 127) if dt == np.int8 else (0, 255)
    return np.clip(np.rint(v) + int(zp), lo, hi).astype(dt)


def y_scale_for(acc, scale_xw):
    real = np.abs(acc.astype(np.float64) * scale_xw.astype(np.float64))
    return np.float32(max(real.max(), 1e-6) / 100.0)


def save(out, name, nodes, inputs, outputs, inits, x, y, xname="x"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, producer_name="pecos mk_zp_cases.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as fh:
        fh.write(model.SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as fh:
        fh.write(numpy_helper.from_array(x, xname).SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as fh:
        fh.write(numpy_helper.from_array(y, "y").SerializeToString())


def arr(v, name):
    return numpy_helper.from_array(np.asarray(v), name)


def conv_shape(rs):
    g = int(rs.choice([1, 1, 2]))
    c = g * int(rs.randint(1, 4))
    k = g * int(rs.randint(1, 4))
    r, s = int(rs.randint(1, 4)), int(rs.randint(1, 4))
    stride = int(rs.randint(1, 3))
    pads = [int(rs.randint(0, r)), int(rs.randint(0, s)), int(rs.randint(0, r)), int(rs.randint(0, s))]
    h, w = int(rs.randint(max(r, 3), 8)), int(rs.randint(max(s, 3), 8))
    return g, c, k, r, s, stride, pads, h, w


def weights(rs, k, cg, r, s, wdt, per_channel_zp, wide=False):
    """w and zw [K]: w - zw in int8 for every weight, or (wide) any w and zero points."""
    if wide:
        zw = np.array([rand_zp(rs, wdt) for _ in range(k)]) if per_channel_zp else np.full((k,), rand_zp(rs, wdt))
        return rand_q(rs, wdt, (k, cg, r, s)), zw.astype(wdt)
    if wdt == np.uint8:
        zw = rs.randint(0, 256, size=(k,)) if per_channel_zp else np.full((k,), rs.randint(0, 256))
    else:
        zw = rs.randint(-20, 21, size=(k,)) if per_channel_zp else np.zeros((k,), dtype=np.int64)
    lo = np.maximum(zw - 128, -128 if wdt == np.int8 else 0)
    hi = np.minimum(zw + 127, 127 if wdt == np.int8 else 255)
    w = np.empty((k, cg, r, s), dtype=np.int64)
    for kk in range(k):
        w[kk] = rs.randint(lo[kk], hi[kk] + 1, size=(cg, r, s))
    return w.astype(wdt), zw.astype(wdt)


def qlinearconv(rs, out, i):
    g, c, k, r, s, stride, pads, h, wd = conv_shape(rs)
    xdt = rs.choice([np.int8, np.uint8])
    ydt = rs.choice([np.int8, np.uint8])
    x = rand_q(rs, xdt, (1, c, h, wd))
    zx = rand_zp(rs, xdt)
    per_zp = rs.rand() < 0.3
    wdt = rs.choice([np.int8, np.uint8])
    w, zw = weights(rs, k, c // g, r, s, wdt, per_zp, rs.rand() < 0.4)
    xs = np.float32(0.02 + rs.rand() * 0.05)
    ws = (np.float32(0.002) * (1 + rs.randint(0, 5, size=(k,)))).astype(np.float32)
    b = rs.randint(-3000, 3001, size=(k,)).astype(np.int32)
    acc = conv_acc(x.astype(np.int64), int(zx), w.astype(np.int64), zw.astype(np.int64), stride, pads, g)
    acc += b.reshape(1, k, 1, 1)
    sxw = (xs * ws).astype(np.float32).reshape(1, k, 1, 1)
    ys = y_scale_for(acc, sxw)
    zy = rand_zp(rs, ydt)
    scale = (sxw / ys).astype(np.float32)
    y = requant(acc, scale, zy, ydt)
    inits = [arr(np.float32(xs), "xs"), arr(np.asarray(zx, dtype=xdt), "xz"), arr(w, "w"), arr(ws, "ws"),
             arr(zw if per_zp else np.asarray(zw[0], dtype=wdt), "wz"), arr(np.float32(ys), "ys"),
             arr(np.asarray(zy, dtype=ydt), "yz"), arr(b, "b")]
    node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                            name="qconv", kernel_shape=[r, s], pads=pads, strides=[stride, stride], group=g)
    save(out, "qlinearconv_%d" % i, [node], [helper.make_tensor_value_info("x", DT[xdt], list(x.shape))],
         [helper.make_tensor_value_info("y", DT[ydt], list(y.shape))], inits, x, y)


def convinteger(rs, out, i):
    g, c, k, r, s, stride, pads, h, wd = conv_shape(rs)
    xdt = rs.choice([np.int8, np.uint8])
    wdt = rs.choice([np.int8, np.uint8])
    x = rand_q(rs, xdt, (1, c, h, wd))
    zx = rand_zp(rs, xdt)
    w, zw = weights(rs, k, c // g, r, s, wdt, False, rs.rand() < 0.4)
    y = conv_acc(x.astype(np.int64), int(zx), w.astype(np.int64), zw.astype(np.int64), stride, pads, g)
    inits = [arr(np.asarray(zx, dtype=xdt), "xz"), arr(w, "w"), arr(np.asarray(zw[0], dtype=wdt), "wz")]
    node = helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], name="convint", kernel_shape=[r, s],
                            pads=pads, strides=[stride, stride], group=g)
    save(out, "convinteger_%d" % i, [node], [helper.make_tensor_value_info("x", DT[xdt], list(x.shape))],
         [helper.make_tensor_value_info("y", TensorProto.INT32, list(y.shape))], inits, x, y.astype(np.int32))


def mm_operands(rs, per_row):
    m, kk, n = int(rs.randint(1, 6)), int(rs.randint(1, 12)), int(rs.randint(1, 7))
    adt = rs.choice([np.int8, np.uint8])
    bdt = rs.choice([np.int8, np.uint8])
    a = rand_q(rs, adt, (m, kk))
    za = np.array([rand_zp(rs, adt) for _ in range(m)], dtype=adt) if per_row else np.asarray(rand_zp(rs, adt), dtype=adt)
    zb = np.array([rand_zp(rs, bdt) for _ in range(n)], dtype=bdt)
    lo = np.maximum(zb.astype(np.int64) - 128, -128 if bdt == np.int8 else 0)
    hi = np.minimum(zb.astype(np.int64) + 127, 127 if bdt == np.int8 else 255)
    if rs.rand() < 0.4:  # any B: b - zb may leave int8
        lo, hi = np.full((n,), -128 if bdt == np.int8 else 0), np.full((n,), 127 if bdt == np.int8 else 255)
    b = np.stack([rs.randint(lo[j], hi[j] + 1, size=(kk,)) for j in range(n)], axis=1).astype(bdt)
    za_col = za.astype(np.int64).reshape(-1, 1) if per_row else np.int64(za)
    acc = (a.astype(np.int64) - za_col) @ (b.astype(np.int64) - zb.astype(np.int64).reshape(1, n))
    return a, za, b, zb, acc, adt, bdt


def matmulinteger(rs, out, i):
    a, za, b, zb, acc, adt, bdt = mm_operands(rs, rs.rand() < 0.5)
    inits = [arr(b, "b"), arr(za, "az"), arr(zb, "bz")]
    node = helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["y"], name="mmint")
    save(out, "matmulinteger_%d" % i, [node], [helper.make_tensor_value_info("a", DT[adt], list(a.shape))],
         [helper.make_tensor_value_info("y", TensorProto.INT32, list(acc.shape))], inits, a, acc.astype(np.int32),
         xname="a")


def qlinearmatmul(rs, out, i):
    m, kk, n = int(rs.randint(1, 6)), int(rs.randint(1, 12)), int(rs.randint(1, 7))
    dt = rs.choice([np.int8, np.uint8])
    a = rand_q(rs, dt, (m, kk))
    za = rand_zp(rs, dt)
    b = rand_q(rs, np.int8, (kk, n)) if dt == np.int8 else None
    zb = np.int8(0) if dt == np.int8 else None
    if dt == np.uint8:  # uint8 B with any zero point and any values (b - zb may leave int8)
        zb = np.uint8(rs.randint(0, 256))
        b = rs.randint(0, 256, size=(kk, n)).astype(np.uint8)
    acc = (a.astype(np.int64) - int(za)) @ (b.astype(np.int64) - int(zb))
    as_, bs = np.float32(0.03), np.float32(0.01)
    sxw = np.float32(as_ * bs)
    ys = y_scale_for(acc, np.asarray(sxw))
    zy = rand_zp(rs, dt)
    y = requant(acc, np.float32(sxw / ys), zy, dt)
    inits = [arr(as_, "as"), arr(np.asarray(za, dtype=dt), "az"), arr(b, "b"), arr(bs, "bs"),
             arr(np.asarray(zb, dtype=b.dtype), "bz"), arr(ys, "ys"), arr(np.asarray(zy, dtype=dt), "yz")]
    node = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"], name="qmm")
    save(out, "qlinearmatmul_%d" % i, [node], [helper.make_tensor_value_info("a", DT[dt], list(a.shape))],
         [helper.make_tensor_value_info("y", DT[dt], list(y.shape))], inits, a, y, xname="a")


def refused(rs, out):
    """A 3-D ConvInteger: the 2-D array cannot run it (golden only, with the reason)."""
    x = rand_q(rs, np.uint8, (1, 1, 3, 4, 4))
    w = rand_q(rs, np.int8, (2, 1, 2, 2, 2))
    zx = 100
    xl = x.astype(np.int64) - zx
    y = np.zeros((1, 2, 2, 3, 3), dtype=np.int64)
    for k in range(2):
        for d in range(2):
            for i in range(3):
                for j in range(3):
                    y[0, k, d, i, j] = int((xl[0, 0, d:d + 2, i:i + 2, j:j + 2] * w[k, 0].astype(np.int64)).sum())
    inits = [arr(np.asarray(zx, dtype=np.uint8), "xz"), arr(w, "w")]
    node = helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"], name="conv3d", kernel_shape=[2, 2, 2])
    save(out, "conv3d_unmappable", [node], [helper.make_tensor_value_info("x", TensorProto.UINT8, list(x.shape))],
         [helper.make_tensor_value_info("y", TensorProto.INT32, list(y.shape))], inits, x, y.astype(np.int32))


def conv_pool_uint8(rs, out):
    """uint8 QLinearConv (zero points, pads) -> uint8 MaxPool 2x2: the pool on the PPU as x - 128."""
    x = rand_q(rs, np.uint8, (1, 2, 6, 6))
    zx = np.uint8(90)
    w, zw = weights(rs, 3, 2, 3, 3, np.int8, False)
    b = rs.randint(-500, 501, size=(3,)).astype(np.int32)
    acc = conv_acc(x.astype(np.int64), int(zx), w.astype(np.int64), zw.astype(np.int64), 1, [1, 1, 1, 1], 1)
    acc += b.reshape(1, 3, 1, 1)
    xs, ws = np.float32(0.02), np.full((3,), 0.004, dtype=np.float32)
    sxw = (xs * ws).astype(np.float32).reshape(1, 3, 1, 1)
    ys = y_scale_for(acc, sxw)
    zy = np.uint8(120)
    c = requant(acc, (sxw / ys).astype(np.float32), zy, np.uint8)
    y = c.reshape(1, 3, 3, 2, 3, 2).max(axis=(3, 5))
    inits = [arr(xs, "xs"), arr(np.asarray(zx, dtype=np.uint8), "xz"), arr(w, "w"), arr(ws, "ws"),
             arr(np.asarray(0, dtype=np.int8), "wz"), arr(np.float32(ys), "ys"), arr(np.asarray(zy, dtype=np.uint8), "yz"),
             arr(b, "b")]
    nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["c"], name="qconv",
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("MaxPool", ["c"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2])]
    save(out, "conv_pool_uint8", nodes, [helper.make_tensor_value_info("x", TensorProto.UINT8, list(x.shape))],
         [helper.make_tensor_value_info("y", TensorProto.UINT8, list(y.shape))], inits, x, y)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write("usage: mk_zp_cases.py OUT_DIR [--seed N] [--count N]\n")
        return 2
    out = args[0]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    count = int(args[args.index("--count") + 1]) if "--count" in args else 10
    rs = np.random.RandomState(seed)
    for i in range(count):
        qlinearconv(rs, out, i)
        convinteger(rs, out, i)
        matmulinteger(rs, out, i)
        qlinearmatmul(rs, out, i)
    refused(rs, out)
    conv_pool_uint8(rs, out)
    print("wrote %d cases into %s (seed %d)" % (4 * count + 2, out, seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
