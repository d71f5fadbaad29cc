#!/usr/bin/python3
"""mk_digits.py [OUT_DIR] [--seed N] [--epochs N]: trains a small CNN on sklearn's digits,
quantizes it post-training and writes it as ONNX (QDQ, QLinear and float forms).

Run with Debian's /usr/bin/python3 and python3-torch, python3-sklearn, python3-onnx,
python3-numpy (torch and sklearn are needed by this script only; CI never runs it, the
outputs are committed under models/digits/). Deterministic for a seed on one machine
(single-threaded torch, fixed split).

Data: sklearn.datasets.load_digits (1,797 8x8 images, pixel values 0..16), scaled to
[0, 1] as float32; a stratified 80/20 train/test split with random_state = seed.

Network (float):
    x [1,1,8,8]
    Conv 1->8, 3x3, pad 1 -> Relu -> MaxPool 2x2 s2      -> [1,8,4,4]
    Conv 8->16, 3x3, pad 1 -> Relu -> MaxPool 2x2 s2     -> [1,16,2,2]
    Flatten -> Gemm 64->32 -> Relu -> Gemm 32->10         -> logits [1,10]

Post-training quantization, as deployment tools do it (static, min/max calibration):
  * activations int8 asymmetric: the range [min(0, lo), max(0, hi)] of each quantized tensor
    over the training images, scale = range / 255, zero point = round(-128 - lo / scale)
    (the input [0, 1] gets zero point -128; every post-ReLU tensor too, so the ReLU is
    implicit in the saturation of the requantization);
  * weights int8 symmetric per output channel: scale = max |w_k| / 127, zero point 0;
  * biases int32 with scale x_scale * w_scale[k] (float32 product), zero point 0.

Outputs in OUT_DIR (default models/digits next to this script):
  digits_float.onnx    the float model (opset 13)
  digits_qdq.onnx      float in -> QuantizeLinear -> DequantizeLinear -> Conv/Gemm (with
                       DequantizeLinear of weights and bias) -> Relu -> QuantizeLinear -> ...
                       -> DequantizeLinear -> float logits (opset 13, per-axis scales)
  digits_qlinear.onnx  the same model with QLinearConv nodes: the two Gemms are written as
                       QLinearConv (FC1 a 2x2 conv over the [1,16,2,2] pooled tensor, FC2 a
                       1x1 conv) so that the bias stays in the integer op, then Flatten;
                       QuantizeLinear at the input, DequantizeLinear at the output
  test_x.npy           float32 [N,1,8,8] the test split
  test_y.npy           int32 [N] its labels
  ref_pred_int8.npy    int32 [N] the labels predicted by this script's numpy integer
                       reference of the QLinear model (QLinearConv semantics of ONNX)
  ref_logits_int8.npy  int8 [N,10] that reference's int8 logits
  metrics.json         accuracies and the quantization parameters' summary
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


# --- data ---------------------------------------------------------------------------------

def load_split(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    x = (d.images.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int32)
    return train_test_split(x, y, test_size=0.2, random_state=seed, stratify=y)


# --- float training (torch) ---------------------------------------------------------------

def train(xtr, ytr, seed, epochs):
    import torch
    import torch.nn as nn
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 8, 3, padding=1)
            self.c2 = nn.Conv2d(8, 16, 3, padding=1)
            self.f1 = nn.Linear(64, 32)
            self.f2 = nn.Linear(32, 10)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
            x = torch.relu(self.f1(torch.flatten(x, 1)))
            return self.f2(x)

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    xt = torch.from_numpy(xtr)
    yt = torch.from_numpy(ytr.astype(np.int64))
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    p = {k: v.detach().numpy().astype(np.float32).copy() for k, v in net.state_dict().items()}
    return {"w1": p["c1.weight"], "b1": p["c1.bias"], "w2": p["c2.weight"], "b2": p["c2.bias"],
            "w3": p["f1.weight"], "b3": p["f1.bias"], "w4": p["f2.weight"], "b4": p["f2.bias"]}


# --- float reference (numpy, float64) -----------------------------------------------------

def conv_f(x, w, b, pad):
    """x [N,C,H,W], w [K,C,R,S] float64, stride 1, zero padding pad on every side."""
    n, c, h, wd = x.shape
    k, _, r, s = w.shape
    xp = np.zeros((n, c, h + 2 * pad, wd + 2 * pad), dtype=x.dtype)
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    p, q = h + 2 * pad - r + 1, wd + 2 * pad - s + 1
    y = np.zeros((n, k, p, q), dtype=x.dtype)
    for i in range(p):
        for j in range(q):
            y[:, :, i, j] = np.tensordot(xp[:, :, i:i + r, j:j + s], w, axes=([1, 2, 3], [1, 2, 3]))
    return y + b.reshape(1, k, 1, 1)


def pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def forward_f(p, x):
    """float64 forward; returns the intermediate tensors the quantizer calibrates."""
    d = {k: v.astype(np.float64) for k, v in p.items()}
    t = {"x": x.astype(np.float64)}
    t["r1"] = np.maximum(conv_f(t["x"], d["w1"], d["b1"], 1), 0)
    t["p1"] = pool2(t["r1"])
    t["r2"] = np.maximum(conv_f(t["p1"], d["w2"], d["b2"], 1), 0)
    t["p2"] = pool2(t["r2"])
    t["r3"] = np.maximum(t["p2"].reshape(len(x), -1) @ d["w3"].T + d["b3"], 0)
    t["y"] = t["r3"] @ d["w4"].T + d["b4"]
    return t


# --- quantization -------------------------------------------------------------------------

def act_qparams(v):
    lo, hi = min(0.0, float(v.min())), max(0.0, float(v.max()))
    scale = np.float32((hi - lo) / 255.0 if hi > lo else 1.0)
    zp = int(np.clip(np.rint(-128.0 - lo / float(scale)), -128, 127))
    return scale, np.int8(zp)


def weight_qparams(w):
    k = w.shape[0]
    m = np.abs(w.reshape(k, -1)).max(axis=1).astype(np.float64)
    s = np.where(m > 0, m / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / s.reshape((k,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
    return s, q


def quantize(p, xtr):
    t = forward_f(p, xtr)
    q = {}
    q["xs"], q["xz"] = act_qparams(t["x"])
    q["s1"], q["z1"] = act_qparams(t["r1"])   # conv1+relu out; maxpool keeps it
    q["s2"], q["z2"] = act_qparams(t["r2"])
    q["s3"], q["z3"] = act_qparams(t["r3"])
    q["s4"], q["z4"] = act_qparams(t["y"])
    ins = {"1": q["xs"], "2": q["s1"], "3": q["s2"], "4": q["s3"]}
    for i in "1234":
        ws, wq = weight_qparams(p["w" + i])
        q["ws" + i], q["wq" + i] = ws, wq
        bs = (np.float32(ins[i]) * ws).astype(np.float32)
        q["bs" + i] = bs
        q["bq" + i] = np.rint(p["b" + i].astype(np.float64) / bs.astype(np.float64)).astype(np.int32)
    return q


# --- numpy integer reference of the QLinear model -----------------------------------------

def quantize_linear(x, scale, zp):
    """ONNX QuantizeLinear to int8: saturate(round_half_even(x / scale) + zp), float32 divide."""
    v = (x.astype(np.float32) / np.float32(scale)).astype(np.float32)
    return np.clip(np.rint(v).astype(np.int64) + int(zp), -128, 127).astype(np.int8)


def qconv(xq, xs, xz, wq, ws, b, ys, yz, pad):
    """QLinearConv, stride 1, w zero point 0: padded cells hold the zero point xz."""
    n, c, h, wd = xq.shape
    k, _, r, s = wq.shape
    xp = np.full((n, c, h + 2 * pad, wd + 2 * pad), int(xz), dtype=np.int64)
    xp[:, :, pad:pad + h, pad:pad + wd] = xq
    xp -= int(xz)
    p, q = h + 2 * pad - r + 1, wd + 2 * pad - s + 1
    acc = np.zeros((n, k, p, q), dtype=np.int64)
    w64 = wq.astype(np.int64)
    for i in range(p):
        for j in range(q):
            acc[:, :, i, j] = np.tensordot(xp[:, :, i:i + r, j:j + s], w64, axes=([1, 2, 3], [1, 2, 3]))
    acc += b.astype(np.int64).reshape(1, k, 1, 1)
    scale = ((np.float32(xs) * ws.astype(np.float32)).astype(np.float32) / np.float32(ys)).astype(np.float32)
    v = (acc.astype(np.float32) * scale.reshape(1, k, 1, 1)).astype(np.float32)
    return np.clip(np.rint(v).astype(np.int64) + int(yz), -128, 127).astype(np.int8)


def forward_q(q, x):
    """The QLinear model on float inputs x [N,1,8,8]; returns int8 logits [N,10]."""
    a = quantize_linear(x, q["xs"], q["xz"])
    a = qconv(a, q["xs"], q["xz"], q["wq1"], q["ws1"], q["bq1"], q["s1"], q["z1"], 1)
    a = pool2(a)
    a = qconv(a, q["s1"], q["z1"], q["wq2"], q["ws2"], q["bq2"], q["s2"], q["z2"], 1)
    a = pool2(a)
    w3 = q["wq3"].reshape(32, 16, 2, 2)
    a = qconv(a, q["s2"], q["z2"], w3, q["ws3"], q["bq3"], q["s3"], q["z3"], 0)
    w4 = q["wq4"].reshape(10, 32, 1, 1)
    a = qconv(a, q["s3"], q["z3"], w4, q["ws4"], q["bq4"], q["s4"], q["z4"], 0)
    return a.reshape(len(x), 10)


# --- ONNX export --------------------------------------------------------------------------

def init(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr), name)


def scalar(name, v, dt):
    return numpy_helper.from_array(np.array(v, dtype=dt), name)


def make_model(nodes, inits, name, out_dims):
    for n in nodes:  # every node named after its output, for readable reports
        n.name = n.name or n.output[0]
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, out_dims)],
        initializer=inits)
    m = helper.make_model(g, producer_name="pecos mk_digits.py",
                          opset_imports=[helper.make_operatorsetid("", OPSET)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    return m


def export_float(p):
    nodes = [
        helper.make_node("Conv", ["input", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p2"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "w3", "b3"], ["g3"], transB=1),
        helper.make_node("Relu", ["g3"], ["r3"]),
        helper.make_node("Gemm", ["r3", "w4", "b4"], ["logits"], transB=1),
    ]
    inits = [init(k, p[k]) for k in ["w1", "b1", "w2", "b2", "w3", "b3", "w4", "b4"]]
    return make_model(nodes, inits, "digits_float", [1, 10])


def qparam_inits(q):
    inits = [scalar("x_scale", q["xs"], np.float32), scalar("x_zp", q["xz"], np.int8)]
    for i in "1234":
        inits += [scalar("y%s_scale" % i, q["s" + i], np.float32), scalar("y%s_zp" % i, q["z" + i], np.int8),
                  init("w%s_scale" % i, q["ws" + i])]
    return inits


def export_qdq(q):
    N = helper.make_node
    nodes = [N("QuantizeLinear", ["input", "x_scale", "x_zp"], ["xq"]),
             N("DequantizeLinear", ["xq", "x_scale", "x_zp"], ["xd"])]
    inits = qparam_inits(q)
    prev = "xd"
    ins = {"1": ("x_scale", "x_zp"), "2": ("y1_scale", "y1_zp"), "3": ("y2_scale", "y2_zp"),
           "4": ("y3_scale", "y3_zp")}
    for i in "1234":
        wshape = q["wq" + i].shape
        inits += [init("w%s_q" % i, q["wq" + i]),
                  init("w%s_zp" % i, np.zeros(wshape[0], dtype=np.int8)),
                  init("b%s_q" % i, q["bq" + i]), init("b%s_scale" % i, q["bs" + i]),
                  init("b%s_zp" % i, np.zeros(wshape[0], dtype=np.int32))]
        nodes += [N("DequantizeLinear", ["w%s_q" % i, "w%s_scale" % i, "w%s_zp" % i], ["w%s_d" % i], axis=0),
                  N("DequantizeLinear", ["b%s_q" % i, "b%s_scale" % i, "b%s_zp" % i], ["b%s_d" % i], axis=0)]
        if i in "12":
            nodes.append(N("Conv", [prev, "w%s_d" % i, "b%s_d" % i], ["c%s" % i], pads=[1, 1, 1, 1], kernel_shape=[3, 3]))
        else:
            nodes.append(N("Gemm", [prev, "w%s_d" % i, "b%s_d" % i], ["c%s" % i], transB=1))
        out = "c%s" % i
        if i != "4":
            nodes.append(N("Relu", [out], ["r%s" % i]))
            out = "r%s" % i
        s, z = "y%s_scale" % i, "y%s_zp" % i
        nodes += [N("QuantizeLinear", [out, s, z], ["q%s" % i]),
                  N("DequantizeLinear", ["q%s" % i, s, z], ["d%s" % i])]
        prev = "d%s" % i
        if i in "12":
            nodes += [N("MaxPool", [prev], ["mp%s" % i], kernel_shape=[2, 2], strides=[2, 2]),
                      N("QuantizeLinear", ["mp%s" % i, s, z], ["mq%s" % i]),
                      N("DequantizeLinear", ["mq%s" % i, s, z], ["md%s" % i])]
            prev = "md%s" % i
        if i == "2":
            nodes += [N("Flatten", [prev], ["fl"], axis=1),
                      N("QuantizeLinear", ["fl", s, z], ["flq"]),
                      N("DequantizeLinear", ["flq", s, z], ["fld"])]
            prev = "fld"
    nodes[-1].output[0] = "logits"
    return make_model(nodes, inits, "digits_qdq", [1, 10])


def export_qlinear(q):
    N = helper.make_node
    inits = qparam_inits(q)
    inits += [init("w1_q", q["wq1"]), init("b1_q", q["bq1"]),
              init("w2_q", q["wq2"]), init("b2_q", q["bq2"]),
              init("w3_q", q["wq3"].reshape(32, 16, 2, 2)), init("b3_q", q["bq3"]),
              init("w4_q", q["wq4"].reshape(10, 32, 1, 1)), init("b4_q", q["bq4"])]
    for i in "1234":
        inits.append(init("w%s_zp" % i, np.zeros(q["wq" + i].shape[0], dtype=np.int8)))

    def qc(x, xs, i, out, **attrs):
        return N("QLinearConv", [x, xs + "_scale", xs + "_zp", "w%s_q" % i, "w%s_scale" % i, "w%s_zp" % i,
                                 "y%s_scale" % i, "y%s_zp" % i, "b%s_q" % i], [out], **attrs)
    nodes = [N("QuantizeLinear", ["input", "x_scale", "x_zp"], ["xq"]),
             qc("xq", "x", "1", "q1", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
             N("MaxPool", ["q1"], ["mq1"], kernel_shape=[2, 2], strides=[2, 2]),
             qc("mq1", "y1", "2", "q2", pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
             N("MaxPool", ["q2"], ["mq2"], kernel_shape=[2, 2], strides=[2, 2]),
             qc("mq2", "y2", "3", "q3", kernel_shape=[2, 2]),
             qc("q3", "y3", "4", "q4", kernel_shape=[1, 1]),
             N("Flatten", ["q4"], ["q4f"], axis=1),
             N("DequantizeLinear", ["q4f", "y4_scale", "y4_zp"], ["logits"])]
    return make_model(nodes, inits, "digits_qlinear", [1, 10])


def save(m, path):
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                            "..", "models", "digits"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=40)
    a = ap.parse_args()
    np.random.seed(a.seed)
    xtr, xte, ytr, yte = load_split(a.seed)
    p = train(xtr, ytr, a.seed, a.epochs)
    q = quantize(p, xtr)

    f_pred = forward_f(p, xte)["y"].argmax(axis=1)
    qlog = forward_q(q, xte)
    q_pred = qlog.argmax(axis=1).astype(np.int32)
    acc_f = float((f_pred == yte).mean())
    acc_q = float((q_pred == yte).mean())
    acc_f_train = float((forward_f(p, xtr)["y"].argmax(axis=1) == ytr).mean())

    os.makedirs(a.out, exist_ok=True)
    save(export_float(p), os.path.join(a.out, "digits_float.onnx"))
    save(export_qdq(q), os.path.join(a.out, "digits_qdq.onnx"))
    save(export_qlinear(q), os.path.join(a.out, "digits_qlinear.onnx"))
    np.save(os.path.join(a.out, "test_x.npy"), np.ascontiguousarray(xte.astype(np.float32)))
    np.save(os.path.join(a.out, "test_y.npy"), yte.astype(np.int32))
    np.save(os.path.join(a.out, "ref_pred_int8.npy"), q_pred)
    np.save(os.path.join(a.out, "ref_logits_int8.npy"), qlog)
    metrics = {
        "seed": a.seed, "epochs": a.epochs, "n_train": int(len(xtr)), "n_test": int(len(xte)),
        "float64_test_accuracy": acc_f, "float64_train_accuracy": acc_f_train,
        "int8_test_accuracy": acc_q, "float_vs_int8_agreement": float((f_pred == q_pred).mean()),
        "activation_zero_points": [int(q[k]) for k in ["xz", "z1", "z2", "z3", "z4"]],
        "activation_scales": [float(q[k]) for k in ["xs", "s1", "s2", "s3", "s4"]],
    }
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
