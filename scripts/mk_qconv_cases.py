#!/usr/bin/python3
"""mk_qconv_cases.py OUT_DIR [--seed N] [--count N]: random QLinearConv cases of the kind real
quantization tools produce, written as ONNX backend test-case directories.

Run with Debian's /usr/bin/python3 (python3-onnx, python3-numpy only). Deterministic: the
same seed and count give byte-identical files. Writes OUT_DIR/case_000 .. case_<count-1>,
each with model.onnx (one QLinearConv node; x is the graph input, every other operand an
initializer), test_data_set_0/input_0.pb and output_0.pb, and OUT_DIR/cases.txt (one line
per case: its name and parameters).

What varies (drawn per case from one numpy RandomState(seed)):
  * x uint8 or int8 with a nonzero zero point; y uint8 or int8 (mostly x's type) with a
    nonzero zero point; N = 1, H, W 3..9;
  * weights: symmetric int8 (zero point 0) in ~85% of the cases; otherwise a nonzero weight
    zero point (int8 weights, per tensor or per output channel, or uint8 weights around
    128), always with w - w_zero_point inside int8;
  * weight scales per output channel (~80%) or per tensor; bias int32 or none (~30%);
  * groups: 1, 2..3, or depthwise; kernel 1..3 x 1..3; dilation 1..2 per axis; strides
    1..3 per axis (often unequal); pads 0..2 per side, independently (asymmetric).

The expected output is this script's own numpy reference of QLinearConv (ONNX semantics,
independent of pecos): acc = sum over the window of (x - x_zp) * (w - w_zp) with padded
cells holding x_zp (so they contribute 0), + bias, exact in int64; y = saturate(
round_half_to_even(float32(acc) * scale) + y_zp) with scale = float32(x_scale * w_scale[k])
/ y_scale in float32. A case whose outputs come within 2^-10 of a rounding tie is drawn
again (the accelerator's fixed-point requantization may round such a value the other way,
docs/ONNX.md), so every case is decided by the arithmetic, not by a tie-break.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QMIN = {np.int8: -128, np.uint8: 0}
QMAX = {np.int8: 127, np.uint8: 255}


def nz_zero_point(rng, dt):
    """A nonzero zero point of dtype dt, away from the extremes most of the time."""
    while True:
        z = int(rng.randint(-100, 101)) if dt is np.int8 else int(rng.randint(20, 236))
        if z != 0:
            return z


def draw(rng):
    """One case's parameters and tensors (not yet checked for ties)."""
    c = {}
    c["xdt"] = np.uint8 if rng.rand() < 0.5 else np.int8
    c["ydt"] = c["xdt"] if rng.rand() < 0.8 else (np.int8 if c["xdt"] is np.uint8 else np.uint8)
    kind = rng.rand()
    if kind < 0.6:
        g, cg, mg = 1, int(rng.randint(1, 6)), int(rng.randint(1, 7))
    elif kind < 0.8:
        g, cg, mg = int(rng.randint(2, 4)), int(rng.randint(1, 4)), int(rng.randint(1, 4))
    else:
        g = int(rng.randint(2, 7))
        cg, mg = 1, int(rng.randint(1, 3))  # depthwise (multiplier 1 or 2)
    c["group"], C, M = g, g * cg, g * mg
    kh, kw = int(rng.randint(1, 4)), int(rng.randint(1, 4))
    dh, dw = int(rng.randint(1, 3)), int(rng.randint(1, 3))
    sh, sw = int(rng.randint(1, 4)), int(rng.randint(1, 4))
    pads = [int(rng.randint(0, 3)) for _ in range(4)]  # top, left, bottom, right
    ekh, ekw = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    H = int(rng.randint(max(3, ekh - pads[0] - pads[2]), 10))
    W = int(rng.randint(max(3, ekw - pads[1] - pads[3]), 10))
    c.update(kernel=[kh, kw], dilations=[dh, dw], strides=[sh, sw], pads=pads)
    xdt = c["xdt"]
    c["x_zp"] = nz_zero_point(rng, xdt)
    c["x"] = rng.randint(QMIN[xdt], QMAX[xdt] + 1, size=(1, C, H, W)).astype(xdt)
    c["x_scale"] = np.float32(rng.uniform(0.004, 0.05))
    r = rng.rand()
    if r < 0.85:
        c["wdt"] = np.int8
        c["w"] = rng.randint(-127, 128, size=(M, cg, kh, kw)).astype(np.int8)
        c["w_zp"] = np.zeros(M, dtype=np.int8) if rng.rand() < 0.5 else np.int8(0)
    elif r < 0.95:
        c["wdt"] = np.int8
        per_ch = rng.rand() < 0.5
        zp = rng.randint(-30, 31, size=M) if per_ch else np.array([rng.randint(-30, 31)])
        zp[zp == 0] = 7
        w = rng.randint(-90, 91, size=(M, cg, kh, kw)) + (zp.reshape(-1, 1, 1, 1) if per_ch else zp[0])
        c["w"] = w.astype(np.int8)
        c["w_zp"] = zp.astype(np.int8) if per_ch else np.int8(zp[0])
    else:
        c["wdt"] = np.uint8
        c["w_zp"] = np.uint8(128)
        c["w"] = rng.randint(28, 229, size=(M, cg, kh, kw)).astype(np.uint8)
    per_ch_scale = rng.rand() < 0.8
    c["w_scale"] = (rng.uniform(0.002, 0.02, size=M) if per_ch_scale else np.array(rng.uniform(0.002, 0.02))).astype(np.float32)
    c["bias"] = None if rng.rand() < 0.3 else rng.randint(-3000, 3001, size=M).astype(np.int32)
    acc = accumulate(c)
    real = np.abs(acc.astype(np.float64) * float(c["x_scale"]) *
                  np.broadcast_to(c["w_scale"].astype(np.float64), (M,)).reshape(1, M, 1, 1))
    c["y_scale"] = np.float32(max(real.max(), 1e-3) / rng.uniform(60.0, 140.0))
    c["y_zp"] = nz_zero_point(rng, c["ydt"])
    return c, acc


def accumulate(c):
    """int64 accumulator of QLinearConv: the reference this script's expectations rest on."""
    x = c["x"].astype(np.int64) - c["x_zp"]
    w = c["w"].astype(np.int64)
    wz = np.asarray(c["w_zp"]).astype(np.int64)
    w = w - (wz.reshape(-1, 1, 1, 1) if wz.ndim == 1 else wz)
    n, C, H, W = x.shape
    M, cg, kh, kw = w.shape
    g = c["group"]
    mg = M // g
    pt, pl, pb, pr = c["pads"]
    dh, dw = c["dilations"]
    sh, sw = c["strides"]
    xp = np.zeros((n, C, H + pt + pb, W + pl + pr), dtype=np.int64)  # x - x_zp: padding is 0
    xp[:, :, pt:pt + H, pl:pl + W] = x
    P = (H + pt + pb - ((kh - 1) * dh + 1)) // sh + 1
    Q = (W + pl + pr - ((kw - 1) * dw + 1)) // sw + 1
    acc = np.zeros((n, M, P, Q), dtype=np.int64)
    for gi in range(g):
        xg = xp[:, gi * cg:(gi + 1) * cg]
        wg = w[gi * mg:(gi + 1) * mg]
        for i in range(kh):
            for j in range(kw):
                win = xg[:, :, i * dh:i * dh + sh * (P - 1) + 1:sh, j * dw:j * dw + sw * (Q - 1) + 1:sw]
                acc[:, gi * mg:(gi + 1) * mg] += np.einsum("ncpq,mc->nmpq", win, wg[:, :, i, j])
    if c["bias"] is not None:
        acc += c["bias"].astype(np.int64).reshape(1, M, 1, 1)
    return acc


def requantize(c, acc):
    """Returns (y, smallest distance of a scaled value to a rounding tie)."""
    M = acc.shape[1]
    ws = np.broadcast_to(c["w_scale"], (M,)).astype(np.float32)
    scale = ((np.float32(c["x_scale"]) * ws).astype(np.float32) / np.float32(c["y_scale"])).astype(np.float32)
    v = (acc.astype(np.float32) * scale.reshape(1, M, 1, 1)).astype(np.float32)
    tie = np.abs(np.abs(v - np.floor(v)) - 0.5).min() if v.size else 1.0
    y = np.clip(np.rint(v).astype(np.int64) + c["y_zp"], QMIN[c["ydt"]], QMAX[c["ydt"]])
    return y.astype(c["ydt"]), float(tie)


def tensor(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr), name)


def onnx_type(dt):
    return TensorProto.UINT8 if dt is np.uint8 else TensorProto.INT8


def write_case(d, c, y):
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    inits = [tensor("x_scale", np.float32(c["x_scale"])), tensor("x_zero_point", np.array(c["x_zp"], dtype=c["xdt"])),
             tensor("w", c["w"]), tensor("w_scale", c["w_scale"]),
             tensor("w_zero_point", np.asarray(c["w_zp"], dtype=c["wdt"])),
             tensor("y_scale", np.float32(c["y_scale"])), tensor("y_zero_point", np.array(c["y_zp"], dtype=c["ydt"]))]
    ins = ["x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point"]
    if c["bias"] is not None:
        inits.append(tensor("B", c["bias"]))
        ins.append("B")
    node = helper.make_node("QLinearConv", ins, ["y"], name="qconv", kernel_shape=c["kernel"],
                            dilations=c["dilations"], strides=c["strides"], pads=c["pads"], group=c["group"])
    g = helper.make_graph([node], os.path.basename(d),
                          [helper.make_tensor_value_info("x", onnx_type(c["xdt"]), list(c["x"].shape))],
                          [helper.make_tensor_value_info("y", onnx_type(c["ydt"]), list(y.shape))],
                          initializer=inits)
    m = helper.make_model(g, producer_name="pecos mk_qconv_cases.py",
                          opset_imports=[helper.make_operatorsetid("", 13)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(tensor("x", c["x"]).SerializeToString())
    with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(tensor("y", y).SerializeToString())


def describe(name, c, y):
    dn = lambda dt: "uint8" if dt is np.uint8 else "int8"
    wz = np.asarray(c["w_zp"])
    return ("%s x %s %s zp %d, w %s %s zp %s, y %s %s zp %d, group %d, k %dx%d, dil %dx%d, stride %dx%d, "
            "pads %s, bias %s, w_scale %s" % (
                name, dn(c["xdt"]), "x".join(map(str, c["x"].shape)), c["x_zp"], dn(c["wdt"]),
                "x".join(map(str, c["w"].shape)), ("0" if not wz.any() else "nonzero") + (" per-channel" if wz.ndim else " per-tensor"), dn(c["ydt"]),
                "x".join(map(str, y.shape)), c["y_zp"], c["group"], c["kernel"][0], c["kernel"][1],
                c["dilations"][0], c["dilations"][1], c["strides"][0], c["strides"][1],
                ",".join(map(str, c["pads"])), "yes" if c["bias"] is not None else "no",
                "per-channel" if c["w_scale"].ndim else "per-tensor"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--count", type=int, default=200)
    a = ap.parse_args()
    rng = np.random.RandomState(a.seed)
    os.makedirs(a.out, exist_ok=True)
    lines = []
    redrawn = 0
    for i in range(a.count):
        while True:
            c, acc = draw(rng)
            y, tie = requantize(c, acc)
            if tie > 2.0 ** -10:
                break
            redrawn += 1
        name = "case_%03d" % i
        write_case(os.path.join(a.out, name), c, y)
        lines.append(describe(name, c, y))
    with open(os.path.join(a.out, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("mk_qconv_cases: %d cases in %s (seed %d, %d draws near a rounding tie redrawn)" % (a.count, a.out, a.seed, redrawn))


if __name__ == "__main__":
    main()
