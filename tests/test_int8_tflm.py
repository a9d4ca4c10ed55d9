"""The numpy int8 reference (codegen/int8) gives the same bytes as TFLite Micro.

Each case is a one-op int8 .tflite written with the LiteRT schema
(tests/helpers/tflite_single_op.py) and run on the tflite-micro wheel, TFLite Micro's own
interpreter with its reference kernels; the numpy side reads the op's scales and zero
points back from that flatbuffer and derives its multipliers as TFLite Micro's Prepare
does. Equality is byte for byte, never a tolerance: the arithmetic is integer.
TFLite is NHWC, the reference NCHW; the tests transpose at the boundary.
"""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as fb

from codegen.int8 import fixedpoint, lut, ops, params, softmax
from tests import int8_cases as cases
from tests.helpers import tflite_single_op as tfl

pytestmark = [pytest.mark.unit, pytest.mark.slow]

CASES = 100
OP = fb.BuiltinOperator


def _nhwc(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def _nchw(x):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def _assert_same(got: np.ndarray, want: np.ndarray, what: str) -> None:
    diff = got.astype(np.int32) - want.astype(np.int32)
    assert not diff.any(), (f"{what}: {np.count_nonzero(diff)} of {diff.size} bytes differ, "
                            f"max |diff| {np.abs(diff).max()}")


def _conv_case(rng, depthwise: bool):
    k = int(rng.choice([1, 3])) if not depthwise else 3
    stride = int(rng.choice([1, 2]))
    same = k == 3 and bool(rng.random() < 0.8)
    pad = 1 if same else 0
    # TFLite SAME pads (total // 2, rest): symmetric 1/1 for 3x3 at stride 1, and at stride
    # 2 when the size is odd (an even size pads 0/1, which torch's padding=1 never does).
    h, w = (int(rng.integers(1, 10)) | (1 if stride == 2 else 0) for _ in range(2))
    if not same:
        h, w = max(h, k), max(w, k)
    c_in = int(rng.integers(1, 9))
    mult = int(rng.integers(1, 3)) if depthwise else 1
    c_out = c_in * mult if depthwise else int(rng.integers(1, 9))
    taps = k * k * (1 if depthwise else c_in)
    s_in, s_w, s_out = cases.scales(rng, c_out, taps)
    return dict(k=k, stride=stride, same=same, pad=pad, h=h, w=w, c_in=c_in, c_out=c_out,
                mult=mult, s_in=s_in, s_w=s_w, s_out=s_out, z_in=cases.zero_point(rng),
                z_out=cases.zero_point(rng), act=str(rng.choice(cases.ACTS)),
                x=cases.int8(rng, (1, c_in, h, w)),
                weight=cases.weights(rng, (c_out, 1 if depthwise else c_in, k, k)),
                bias=cases.bias(rng, c_out, taps))


def _conv_model(c, depthwise: bool) -> bytes:
    h_out = (c["h"] + 2 * c["pad"] - c["k"]) // c["stride"] + 1
    w_out = (c["w"] + 2 * c["pad"] - c["k"]) // c["stride"] + 1
    if depthwise:
        w_tfl, axis = c["weight"][:, 0].transpose(1, 2, 0)[None], 3  # [1, KH, KW, C_out]
    else:
        w_tfl, axis = c["weight"].transpose(0, 2, 3, 1), 0  # OHWI
    c_out = c["c_out"]
    tensors = [
        tfl.Tensor((1, c["h"], c["w"], c["c_in"]), np.int8, [c["s_in"]], [c["z_in"]]),
        tfl.Tensor(w_tfl.shape, np.int8, list(c["s_w"]), [0] * c_out, axis, w_tfl),
        tfl.Tensor((c_out,), np.int32, list(np.float32(c["s_in"]) * c["s_w"]), [0] * c_out,
                   0, c["bias"]),
        tfl.Tensor((1, h_out, w_out, c_out), np.int8, [c["s_out"]], [c["z_out"]]),
    ]
    options = tfl.conv_options(c["stride"], c["same"], c["act"], c["mult"] if depthwise else None)
    return tfl.SingleOp(OP.DEPTHWISE_CONV_2D if depthwise else OP.CONV_2D, tensors, [0, 1, 2], [3],
                        fb.BuiltinOptions.DepthwiseConv2DOptions if depthwise
                        else fb.BuiltinOptions.Conv2DOptions, options, graph_inputs=[0]).serialize()


def conv_reference(model: bytes, c, depthwise: bool) -> np.ndarray:
    """The numpy reference with the scales and zero points read back from `model`."""
    (s_in,), (z_in,) = tfl.tensor_quant(model, 0)
    s_w, _ = tfl.tensor_quant(model, 1)
    (s_out,), (z_out,) = tfl.tensor_quant(model, 3)
    mult, shift = params.per_channel_multipliers(s_in, s_w, s_out)
    lo, hi = params.activation_range(c["act"], s_out, int(z_out))
    return ops.conv2d(c["x"], c["weight"], c["bias"], mult, shift, input_offset=-int(z_in),
                      output_offset=int(z_out), stride=(c["stride"],) * 2,
                      padding=(c["pad"],) * 2, groups=c["c_in"] if depthwise else 1,
                      act_min=lo, act_max=hi)


@pytest.mark.parametrize("depthwise", [False, True], ids=["conv2d", "depthwise"])
def test_conv_matches_tflite_micro(depthwise):
    rng = np.random.default_rng(1500 + depthwise)
    for i in range(CASES):
        c = _conv_case(rng, depthwise)
        model = _conv_model(c, depthwise)
        got = _nchw(tfl.run_tflm(model, [_nhwc(c["x"])]))
        _assert_same(conv_reference(model, c, depthwise), got,
                     f"case {i} k={c['k']} stride={c['stride']} same={c['same']} "
                     f"{c['c_in']}->{c['c_out']} {c['h']}x{c['w']} act={c['act']}")


@pytest.mark.parametrize("per_channel", [False, True], ids=["per_tensor", "per_channel"])
def test_fully_connected_matches_tflite_micro(per_channel):
    rng = np.random.default_rng(1510 + per_channel)
    for i in range(CASES):
        rows, n_in, n_out = (int(rng.integers(1, 5)), int(rng.integers(1, 70)),
                             int(rng.integers(1, 20)))
        s_in, s_w, s_out = cases.scales(rng, n_out if per_channel else 1, n_in)
        z_in, z_out, act = cases.zero_point(rng), cases.zero_point(rng), str(rng.choice(cases.ACTS))
        x, weight = cases.int8(rng, (rows, n_in)), cases.weights(rng, (n_out, n_in))
        b = cases.bias(rng, n_out, n_in)
        bias_scale = list(np.float32(s_in) * s_w) * (1 if per_channel else n_out)
        tensors = [tfl.Tensor((rows, n_in), np.int8, [s_in], [z_in]),
                   tfl.Tensor((n_out, n_in), np.int8, list(s_w), [0] * len(s_w), 0, weight),
                   tfl.Tensor((n_out,), np.int32, bias_scale[:len(s_w)], [0] * len(s_w), 0, b),
                   tfl.Tensor((rows, n_out), np.int8, [s_out], [z_out])]
        model = tfl.SingleOp(OP.FULLY_CONNECTED, tensors, [0, 1, 2], [3],
                             fb.BuiltinOptions.FullyConnectedOptions, tfl.fc_options(act),
                             graph_inputs=[0]).serialize()
        got = tfl.run_tflm(model, [x])
        (rs_in,), (rz_in,) = tfl.tensor_quant(model, 0)
        rs_w, _ = tfl.tensor_quant(model, 1)
        (rs_out,), (rz_out,) = tfl.tensor_quant(model, 3)
        mult, shift = params.per_channel_multipliers(rs_in, rs_w, rs_out)
        mult, shift = np.broadcast_to(mult, (n_out,)), np.broadcast_to(shift, (n_out,))
        lo, hi = params.activation_range(act, rs_out, int(rz_out))
        want = ops.linear(x, weight, b, mult, shift, input_offset=-int(rz_in),
                          output_offset=int(rz_out), act_min=lo, act_max=hi)
        _assert_same(want, got, f"case {i} rows={rows} {n_in}->{n_out} act={act}")


def _binary_case(rng, op):
    shape = (1, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 9)))
    # the second operand is the same shape, or broadcast as [1, 1, 1, C] (a per-channel
    # scale or shift) or [1, H, W, 1]
    form = int(rng.integers(0, 3))
    shape_b = (shape, (1, 1, 1, shape[3]), (1, shape[1], shape[2], 1))[form]
    s = cases.log_uniform(rng, 1e-3, 0.2, 2)
    s_out = np.float32((s[0] * s[1] * 64 if op == OP.MUL else max(s) * 2)
                       * float(cases.log_uniform(rng, 0.05, 20)))
    z = [cases.zero_point(rng) for _ in range(3)]
    act = str(rng.choice(cases.ACTS))
    return shape, shape_b, s, s_out, z, act


@pytest.mark.parametrize("op", [OP.ADD, OP.MUL], ids=["add", "mul"])
def test_add_mul_match_tflite_micro(op):
    rng = np.random.default_rng(1520 + op)
    for i in range(CASES):
        shape, shape_b, s, s_out, z, act = _binary_case(rng, op)
        a, b = cases.int8(rng, shape), cases.int8(rng, shape_b)
        tensors = [tfl.Tensor(shape, np.int8, [s[0]], [z[0]]),
                   tfl.Tensor(shape_b, np.int8, [s[1]], [z[1]]),
                   tfl.Tensor(shape, np.int8, [s_out], [z[2]])]
        model = tfl.SingleOp(op, tensors, [0, 1], [2],
                             fb.BuiltinOptions.AddOptions if op == OP.ADD
                             else fb.BuiltinOptions.MulOptions, tfl.binary_options(op, act),
                             graph_inputs=[0, 1]).serialize()
        got = tfl.run_tflm(model, [a, b])
        q = [tuple(float(v[0]) if k == 0 else int(v[0]) for k, v in
                   enumerate(tfl.tensor_quant(model, t))) for t in range(3)]
        flat = [v for pair in q for v in pair]
        if op == OP.ADD:
            want = ops.add(a, b, params.add_params(*flat, act=act))
        else:
            want = ops.mul(a, b, params.mul_params(*flat, act=act))
        _assert_same(want, got, f"case {i} {shape} op {shape_b} act={act}")


def test_quantize_dequantize_requantize_match_tflite_micro():
    rng = np.random.default_rng(1530)
    for i in range(CASES):
        shape = (1, int(rng.integers(1, 40)))
        s_in, s_out = cases.log_uniform(rng, 1e-3, 0.5, 2)
        z_in, z_out = cases.zero_point(rng), cases.zero_point(rng)
        # float -> int8, values spread past the representable range, plus exact ties
        x = (rng.standard_normal(shape) * s_in * 100).astype(np.float32)
        x[0, ::3] = ((rng.integers(-300, 300, x[0, ::3].shape) + 0.5) * s_in).astype(np.float32)
        model = tfl.SingleOp(OP.QUANTIZE, [tfl.Tensor(shape, np.float32),
                                           tfl.Tensor(shape, np.int8, [s_in], [z_in])],
                             [0], [1], graph_inputs=[0]).serialize()
        (rs,), (rz,) = tfl.tensor_quant(model, 1)
        _assert_same(ops.quantize(x, rs, int(rz)), tfl.run_tflm(model, [x]), f"quantize {i}")
        q = cases.int8(rng, shape)
        model = tfl.SingleOp(OP.DEQUANTIZE, [tfl.Tensor(shape, np.int8, [s_in], [z_in]),
                                             tfl.Tensor(shape, np.float32)],
                             [0], [1], graph_inputs=[0]).serialize()
        (rs,), (rz,) = tfl.tensor_quant(model, 0)
        got = tfl.run_tflm(model, [q])
        want = ops.dequantize(q, rs, int(rz))
        assert want.tobytes() == got.astype(np.float32).tobytes(), f"dequantize {i}"
        model = tfl.SingleOp(OP.QUANTIZE, [tfl.Tensor(shape, np.int8, [s_in], [z_in]),
                                           tfl.Tensor(shape, np.int8, [s_out], [z_out])],
                             [0], [1], graph_inputs=[0]).serialize()
        (rs_in,), (rz_in,) = tfl.tensor_quant(model, 0)
        (rs_out,), (rz_out,) = tfl.tensor_quant(model, 1)
        m, sh = params.requantize_multiplier(rs_in, rs_out)
        _assert_same(ops.requantize(q, m, sh, int(rz_in), int(rz_out)),
                     tfl.run_tflm(model, [q]), f"requantize {i}")


@pytest.mark.parametrize("op", [OP.ADD, OP.MUL], ids=["add", "mul"])
def test_add_mul_every_pair_matches_tflite_micro(op):
    """All 65536 (a, b) int8 pairs per case, 20 random scale/zero-point sets."""
    rng = np.random.default_rng(1525 + op)
    a = np.repeat(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 256, 256, 1)
    b = np.ascontiguousarray(a.transpose(0, 2, 1, 3))
    for i in range(20):
        s = cases.log_uniform(rng, 1e-3, 1.0, 3)
        z = [cases.zero_point(rng) for _ in range(3)]
        s_out = s[2] if op == OP.ADD else np.float32(s[0] * s[1] * 64 * s[2])
        tensors = [tfl.Tensor(a.shape, np.int8, [s[0]], [z[0]]),
                   tfl.Tensor(a.shape, np.int8, [s[1]], [z[1]]),
                   tfl.Tensor(a.shape, np.int8, [s_out], [z[2]])]
        model = tfl.SingleOp(op, tensors, [0, 1], [2],
                             fb.BuiltinOptions.AddOptions if op == OP.ADD
                             else fb.BuiltinOptions.MulOptions, tfl.binary_options(op, "NONE"),
                             graph_inputs=[0, 1]).serialize()
        flat = [f(v[0]) for t in range(3) for f, v in zip((float, int), tfl.tensor_quant(model, t))]
        want = (ops.add(a, b, params.add_params(*flat)) if op == OP.ADD
                else ops.mul(a, b, params.mul_params(*flat)))
        _assert_same(want, tfl.run_tflm(model, [a, b]), f"case {i} scales {s} zero points {z}")


@pytest.mark.parametrize("op", [OP.LOGISTIC, OP.TANH], ids=["logistic", "tanh"])
def test_logistic_tanh_tables_match_tflite_micro(op):
    """codegen/int8/lut.py's 256-entry tables (the lut_s8 kernel's input) equal TFLite
    Micro's int8 LOGISTIC / TANH on every int8 input, for random input scales and zero
    points (the output quantization is the one TFLite requires)."""
    rng = np.random.default_rng(1535 + op)
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    out_q = ([1 / 256], [-128]) if op == OP.LOGISTIC else ([1 / 128], [0])
    table = lut.logistic_table if op == OP.LOGISTIC else lut.tanh_table
    for i in range(CASES):
        s, z = cases.log_uniform(rng, 1e-3, 1.0), cases.zero_point(rng)
        model = tfl.SingleOp(op, [tfl.Tensor((1, 256), np.int8, [s], [z]),
                                  tfl.Tensor((1, 256), np.int8, *out_q)],
                             [0], [1], graph_inputs=[0]).serialize()
        (rs,), (rz,) = tfl.tensor_quant(model, 0)
        _assert_same(table(rs, int(rz)), tfl.run_tflm(model, [x])[0], f"case {i} scale {s} zp {z}")


def test_silu_as_logistic_then_mul_matches_tflite_micro():
    """SiLU as TFLite graphs spell it (no SiLU builtin): LOGISTIC to 1/256 steps, then MUL
    by the input. The table plus ops.mul give TFLite Micro's bytes on every int8 input."""
    rng = np.random.default_rng(1537)
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    for i in range(CASES):
        s, z = cases.log_uniform(rng, 1e-3, 0.5), cases.zero_point(rng)
        s_y, z_y = np.float32(s * cases.log_uniform(rng, 0.3, 3.0)), cases.zero_point(rng)
        tensors = [tfl.Tensor((1, 256), np.int8, [s], [z]),
                   tfl.Tensor((1, 256), np.int8, [1 / 256], [-128]),
                   tfl.Tensor((1, 256), np.int8, [s_y], [z_y])]
        model = tfl.SingleOp(OP.LOGISTIC, tensors, [0], [1], graph_inputs=[0],
                             then=[(OP.MUL, [0, 1], [2], fb.BuiltinOptions.MulOptions,
                                    tfl.binary_options(OP.MUL, "NONE"))]).serialize()
        (rs,), (rz,) = tfl.tensor_quant(model, 0)
        (rs_sig,), (rz_sig,) = tfl.tensor_quant(model, 1)
        (rs_y,), (rz_y,) = tfl.tensor_quant(model, 2)
        sig = lut.logistic_table(rs, int(rz))[x.astype(np.int64) + 128]
        want = ops.mul(x, sig, params.mul_params(rs, int(rz), rs_sig, int(rz_sig), rs_y, int(rz_y)))
        _assert_same(want, tfl.run_tflm(model, [x]), f"case {i} scale {s} zp {z} -> {s_y} {z_y}")


def test_quantize_multiplier_is_tflites():
    """QuantizeMultiplier on values whose rounding TFLite's code pins down: ties of q * 2^31
    go away from zero (std::round), a significand rounding up to 2^31 is halved with the
    shift raised, and below 2^-31 the multiplier is 0. The random TFLite Micro cases almost
    never hit an exact tie (it needs the low 22 bits of a double product to be 10...0), so
    these are constructed: 65537 * 65533 * 2^-46 is a product of two float32 scales."""
    tie = 65537 * 65533  # odd, in [2^31, 2^32): q * 2^31 = tie / 2 = N + 0.5 with N even
    assert fixedpoint.quantize_multiplier(tie * 2.0 ** -46) == ((tie + 1) // 2, -14)
    assert fixedpoint.quantize_multiplier(0.5) == (1 << 30, 0)
    assert fixedpoint.quantize_multiplier(1.0) == (1 << 30, 1)
    assert fixedpoint.quantize_multiplier((1 - 2.0 ** -40)) == (1 << 30, 1)  # rounds up to 2^31
    assert fixedpoint.quantize_multiplier(3.0) == (3 << 29, 2)
    assert fixedpoint.quantize_multiplier(2.0 ** -40) == (0, 0)
    assert fixedpoint.quantize_multiplier(0.0) == (0, 0)


def test_hard_swish_table_matches_tflite_micro():
    """lut.hard_swish_table equals TFLite Micro's int8 HARD_SWISH on every int8 input; input
    scales on both sides of 3/256, where the reluish multiplier's shift changes sign."""
    rng = np.random.default_rng(1538)
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
    for i in range(CASES):
        s, z = cases.log_uniform(rng, 1e-3, 0.2), cases.zero_point(rng)
        s_out, z_out = np.float32(s * cases.log_uniform(rng, 0.3, 3.0)), cases.zero_point(rng)
        model = tfl.SingleOp(OP.HARD_SWISH, [tfl.Tensor((1, 256), np.int8, [s], [z]),
                                             tfl.Tensor((1, 256), np.int8, [s_out], [z_out])],
                             [0], [1], graph_inputs=[0]).serialize()
        (rs,), (rz,) = tfl.tensor_quant(model, 0)
        (rs_out,), (rz_out,) = tfl.tensor_quant(model, 1)
        _assert_same(lut.hard_swish_table(rs, int(rz), rs_out, int(rz_out)),
                     tfl.run_tflm(model, [x])[0], f"case {i} {s} {z} -> {s_out} {z_out}")


def test_softmax_matches_tflite_micro():
    """codegen/int8/softmax.py equals TFLite Micro's int8 SOFTMAX (output 1/256, -128) on
    random rows (1..79 wide), input scales and betas."""
    rng = np.random.default_rng(1539)
    for i in range(CASES):
        rows, depth = int(rng.integers(1, 5)), int(rng.integers(1, 80))
        s, z = cases.log_uniform(rng, 1e-3, 0.5), cases.zero_point(rng)
        options = fb.SoftmaxOptionsT()
        options.beta = float(rng.choice([1.0, 0.5, 2.0]))
        x = cases.int8(rng, (rows, depth))
        model = tfl.SingleOp(OP.SOFTMAX, [tfl.Tensor((rows, depth), np.int8, [s], [z]),
                                          tfl.Tensor((rows, depth), np.int8, [1 / 256], [-128])],
                             [0], [1], fb.BuiltinOptions.SoftmaxOptions, options,
                             graph_inputs=[0]).serialize()
        (rs,), _ = tfl.tensor_quant(model, 0)
        _assert_same(softmax.softmax(x, rs, options.beta), tfl.run_tflm(model, [x]),
                     f"case {i} {rows}x{depth} scale {s} beta {options.beta}")
