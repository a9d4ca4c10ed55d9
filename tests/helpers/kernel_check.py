"""Run a graph of kernel cases (tests/kernel_cases.py) on a target's (emulated) board and
check each case against exact arithmetic with a bound derived from what its kernel does.
Shared by tests/test_kernels_target.py (every kernel on every target) and
tests/test_kernels_rvv.py (the RVV corners)."""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph
from codegen.kernels.catalog import accumulates_in_half
from codegen.ops import evaluate
from codegen.ops.conv_transpose2d import max_taps
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import plan_memory
from sdk.compile.build import build_graph
from sdk.runner import DeviceClient, Emulator
from sdk.target import isa_targets
from tests.helpers.tools import require_target
from tests.helpers.attention_bound import attention_bound
from tests.helpers.elementwise_bounds import CORRECTLY_ROUNDED, ELEMENTWISE_OPS, fp32_bound
from tests.kernel_cases import case_accumulation, expected_outputs, stored

UNIT_ROUNDOFF = {"f32": 2.0 ** -24, "f16": 2.0 ** -11}
EXACT_OPS = {"relu", "concat", "upsample_nearest2d", "max_pool2d"}  # no arithmetic at all
EXACT_OPS |= {"strided_copy", "pad"}  # views, splits, permutes, pads: copies (and a constant)
# Integer XOR-popcount dot, then the output step every target rounds the same way.
BIT_EXACT_OPS = EXACT_OPS | {"binary_conv2d"}
# One IEEE operation or none (elementwise_bounds.py): the stored correctly rounded value.
BIT_EXACT_OPS |= CORRECTLY_ROUNDED
DOT_OPS = {"conv2d", "linear", "binary_weight_conv2d", "conv_transpose2d", "matmul"}
# expf/sinf/cosf in picolibc and glibc are within a few ulp; SiLU adds a divide.
TRANSCENDENTAL_ULPS = 4


def target_precisions() -> list[tuple[str, str]]:
    """Every (target, precision) a case image is built for."""
    return [(t, p) for t in isa_targets() for p in ("fp32", "fp16")]


def run_cases_for(request, tmp_path_factory, case_graph, seed: int):
    """A module fixture's body: build and run `case_graph(seed)` on request.param's
    (target, precision); skips (fails with CI=true) where the target's tools are missing."""
    target_name, precision = request.param
    graph, inputs = case_graph(seed=seed)
    return run_case_image(require_target(target_name), graph, inputs, precision,
                          tmp_path_factory.mktemp("cases"))


def run_case_image(target, graph, inputs, precision: str, out_dir, optional_kernels: str = "none"):
    """Build the case image, run it once on the board, return
    (graph, inputs, dtype, kernel function per case, outputs). optional_kernels: the
    planner's choice of arena_optional kernels (codegen/plan.py), "none" unless a test of
    those kernels asks for "every"."""
    lowered = run_passes(Graph.from_dict(graph.to_dict()), PrecisionPolicy(precision))
    # every concat runs its kernel: a case image tests the kernels it names
    plan = plan_memory(lowered, target.isa_features, concat_slices="none",
                       optional_kernels=optional_kernels)
    generated, image = build_graph(lowered, plan, target, out_dir)
    dtype = "f16" if precision == "fp16" else "f32"
    stored = [x.astype(np.float16).astype(np.float32) if dtype == "f16" else x for x in inputs]
    with Emulator(target, image.elf) as board, DeviceClient(board.port, timeout=10.0) as client:
        client.wait_until_ready(deadline_s=20)
        for index, value in enumerate(stored):
            client.write_input(index, value)
        client.run()
        outputs = {name: client.read_output(i) for i, name in enumerate(lowered.outputs)}
    functions = {layer.name: layer.function for layer in generated.emitted.layers}
    return graph, inputs, dtype, functions, outputs


def _magnitude(value: np.ndarray, dtype: str) -> np.ndarray:
    """|value| as stored; packed ±1 weights (uint32) have magnitude 1: all bits 0 (+1)."""
    if value.dtype == np.uint32:
        return np.zeros_like(value)
    return np.abs(stored(value, dtype).astype(np.float32))


def _abs_products(graph, node, inputs, dtype):
    """sum |a*b| (+|bias|) per output of a dot-product case, from the stored values (for
    binary_weight_conv2d: |scale| * sum |x| + |bias|)."""
    values = {n: _magnitude(v, dtype) for n, v in zip(graph.inputs, inputs)}
    values.update({n: _magnitude(v, dtype) for n, v in graph.constants.items()})
    attrs = {**node.attrs, "act": "none"}
    return evaluate(node.op, [values[t] if t else None for t in node.inputs], attrs).astype(np.float64)


def bound(graph, node, inputs, dtype, function, expected):
    """Largest |device - exact| the kernel's arithmetic allows, per output element.

    Dot products (conv, linear): FP32 accumulation of K terms errs by at most
    (K+1) * 2^-24 * sum|a*b| (Higham's gamma_K); an FP16-accumulating kernel by
    (K+1) * 2^-11 * sum|a*b|. An FP16 result is then rounded once more (2^-11 * |y|).
    W1A16 (binary_weight_conv2d): K signed inputs summed in FP32, times scale, plus bias
    (one rounding each): within (K+1) * 2^-24 * (|scale| sum|x| + |bias|), the same form.
    A fused SiLU adds its own few-ulp error on top. Group norm: mean and variance of M
    elements in FP32 err by ~M * 2^-24 relative, which the normalised output inherits.
    Linear/bilinear resize: the weights are exact (the reference repeats the kernel's float
    index arithmetic), the two-level weighted sum errs by at most 4u * resize(|x|).
    """
    y = np.abs(expected.astype(np.float64))
    u_out = UNIT_ROUNDOFF[dtype]
    if node.op in ELEMENTWISE_OPS:
        return _elementwise_bound(graph, node, inputs, dtype, function, expected)
    out_rounding = u_out * y if dtype == "f16" else 0.0
    act_error = TRANSCENDENTAL_ULPS * UNIT_ROUNDOFF["f32"] * y
    if node.op in DOT_OPS:
        k = case_accumulation(graph, node.outputs[0])
        if node.op == "conv_transpose2d":  # outputs sum different numbers of taps: the most
            k = max_taps([graph.tensors[t].shape for t in node.inputs[:2]],
                         graph.tensors[node.outputs[0]].shape, node.attrs)
        u_acc = UNIT_ROUNDOFF["f16" if accumulates_in_half(function) else "f32"]
        return (k + 1) * u_acc * _abs_products(graph, node, inputs, dtype) + out_rounding + act_error \
            + (TRANSCENDENTAL_ULPS * u_out * y if node.attrs.get("act") == "silu" else 0.0)
    if node.op == "upsample_linear":
        # the kernel's weights are the reference's float32 values (the same fused index
        # arithmetic); each term of t0*l0 + t1*l1, t = a*w0 + b*w1, goes through at most 4
        # roundings: within 4u * sum w|x|, the resize of |x| (non-negative weights)
        return 4 * UNIT_ROUNDOFF["f32"] * _abs_products(graph, node, inputs, dtype) + out_rounding + 1e-30
    if node.op in REDUCTION_BOUNDS:
        return REDUCTION_BOUNDS[node.op](graph, node, inputs, dtype, y) + out_rounding
    if node.op == "attention":  # derived in tests/helpers/attention_bound.py
        values = dict(zip(graph.inputs, inputs))
        q, k, v = (stored(values[t], dtype) for t in node.inputs)
        return attention_bound(q, k, v, node.attrs, expected, dtype)
    if node.op == "group_norm":
        shape = graph.tensors[node.inputs[0]].shape
        m = int(np.prod(shape[1:])) // node.attrs["groups"]
        return (4 * m * UNIT_ROUNDOFF["f32"] + 2 * u_out) * (y + 1.0) + TRANSCENDENTAL_ULPS * u_out * y
    # elementwise: one or two roundings, plus the transcendental error of SiLU; an FP16
    # result below the normal range (2^-14) is rounded to a spacing of 2^-24: 2^-25 absolute
    subnormal = 2.0 ** -25 if dtype == "f16" else 0.0
    return (2 * u_out + TRANSCENDENTAL_ULPS * UNIT_ROUNDOFF["f32"]) * y + TRANSCENDENTAL_ULPS * u_out * y \
        + 1e-30 + subnormal


def _input(graph, node, inputs, dtype) -> np.ndarray:
    """The case's first operand as the device stores it, in float64."""
    return stored(inputs[graph.inputs.index(node.inputs[0])], dtype).astype(np.float64)


def _sum_bound(graph, node, inputs, dtype, y):
    """A float sum of M terms: (M + 1) u sum|x| (Higham's gamma_M; the +1 covers mean's
    scaling by fl(1/M), so the same form bounds mean against mean|x|)."""
    m = case_accumulation(graph, node.outputs[0])
    return (m + 1) * UNIT_ROUNDOFF["f32"] * _abs_products(graph, node, inputs, dtype)


def _var_bound(graph, node, inputs, dtype, y):
    """Two passes (mean, then squared deviations / (M - correction)): (M + 5) u relative for
    the subtract, square, sum and divide, plus M dm^2 / (M - c) from the mean's error
    dm <= (M + 2) u mean|x| (as test_kernels_ref_reduce.reduce_bound), doubled for O(u^2)."""
    m = case_accumulation(graph, node.outputs[0])
    u = UNIT_ROUNDOFF["f32"]
    abs_mean = evaluate("mean", [np.abs(_input(graph, node, inputs, dtype))], node.attrs)
    dm = (m + 2) * u * abs_mean.astype(np.float64)
    return 2 * ((m + 5) * u * y + m * dm ** 2 / (m - node.attrs["correction"]))


def _softmax_bound(graph, node, inputs, dtype, y):
    """exp(x_i - max): the subtraction errs by u |x_i - max| <= u * spread (relative in the
    exponential), expf by a few ulps; the sum of `size` terms adds size u, the divide u:
    y (2 (u spread + ulps u) + (size + 1) u), doubled for O(u^2), plus subnormal roundings."""
    x, dim = _input(graph, node, inputs, dtype), node.attrs["dim"]
    u = UNIT_ROUNDOFF["f32"]
    spread = x.max(axis=dim, keepdims=True) - x.min(axis=dim, keepdims=True)
    rel = 2 * (u * spread + TRANSCENDENTAL_ULPS * u) + (x.shape[dim] + 1) * u
    return 2 * rel * y + 2.0 ** -149


def _layer_norm_bound(graph, node, inputs, dtype, y):
    """As group norm (below), M the normalised size, on the normalised z and scaled by |γ|:
    the mean and variance of M float terms err by ~M u relative; the inputs are standard
    normal, so mean|x| / std, which scales the mean's share, is near 1. A fused SiLU
    carries that error with its Lipschitz constant (< 1.1) and adds its own ulps."""
    a = node.attrs
    x = _input(graph, node, inputs, dtype)
    m = int(np.prod(x.shape[a["axis"]:a["axis"] + a["ndim"]]))
    z = evaluate("layer_norm", [x, None, None], {**a, "act": "none"}).astype(np.float64)
    gamma = graph.constants.get(node.inputs[1]) if node.inputs[1] else None
    g = 1.0 if gamma is None else np.abs(stored(gamma, dtype).astype(np.float64))
    pre = 4 * m * UNIT_ROUNDOFF["f32"] * g * (np.abs(z) + 1.0)
    if a["act"] != "silu":
        return pre
    return 1.1 * pre + TRANSCENDENTAL_ULPS * (UNIT_ROUNDOFF["f32"] + UNIT_ROUNDOFF[dtype]) * y


def _avg_pool_bound(graph, node, inputs, dtype, y):
    """A float sum of the K = kernel_h * kernel_w window terms, then a divide:
    (K + 1) u * (window sum|x|) / divisor, which is the op itself on |x|."""
    k = node.attrs["kernel"][0] * node.attrs["kernel"][1]
    return (k + 1) * UNIT_ROUNDOFF["f32"] * _abs_products(graph, node, inputs, dtype)


# Statistics accumulate in float in every precision; the FP16 output rounding is added.
REDUCTION_BOUNDS = {"sum": _sum_bound, "mean": _sum_bound, "var": _var_bound,
                    "softmax": _softmax_bound, "layer_norm": _layer_norm_bound,
                    "avg_pool2d": _avg_pool_bound}


def _elementwise_bound(graph, node, inputs, dtype, function, expected):
    """The FP32 formula's bound (tests/helpers/elementwise_bounds.py; a SIMD kernel's own by
    its function name) on the stored input, then in FP16 the one rounding to half: u16 |y|
    for a normal half, 2^-25 below."""
    x = dict(zip(graph.inputs, inputs))[node.inputs[0]]
    limit = fp32_bound(node.op, stored(x, dtype).astype(np.float64), expected, node.attrs, function)
    if dtype == "f16":
        limit = limit + UNIT_ROUNDOFF["f16"] * (np.abs(expected.astype(np.float64)) + limit) + 2.0 ** -25
    return limit


def case_failures(results) -> list[str]:
    """One line per case whose device result is off the exact value by more than its bound."""
    graph, inputs, dtype, functions, outputs = results
    expected = expected_outputs(graph, inputs, dtype)
    failures = []
    for node in graph.nodes:
        name = node.outputs[0]
        if name not in graph.outputs:  # an intermediate of a chained case
            continue
        if node.op in BIT_EXACT_OPS:
            # the device's output, cast exactly to float32, against the value it must store
            want = stored(expected[name], dtype).astype(np.float32)
            bad = outputs[name].astype(np.float32).view(np.uint32) != want.view(np.uint32)
            if bad.any():
                failures.append(f"{name} ({functions[name]}): not bit-exact at {int(bad.sum())} "
                                f"of {bad.size} elements")
            continue
        got, want = outputs[name].astype(np.float64), expected[name].astype(np.float64)
        limit = bound(graph, node, inputs, dtype, functions[name], want)
        excess = np.abs(got - want) - limit
        if excess.max() > 0:
            i = int(np.argmax(excess))
            failures.append(f"{name} ({functions[name]}): error {np.abs(got - want).flat[i]:.3e} "
                            f"> bound {np.broadcast_to(limit, got.shape).flat[i]:.3e}")
    return failures
