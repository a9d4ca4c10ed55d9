"""Run a graph of kernel cases (tests/kernel_cases.py) on a target's (emulated) board and
check each case against exact arithmetic with a bound derived from what its kernel does.
Shared by tests/test_kernels_target.py (every kernel on every target) and
tests/test_kernels_rvv.py (the RVV corners)."""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph
from codegen.kernels.catalog import accumulates_in_half
from codegen.ops import evaluate
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import plan_memory
from sdk.compile.build import build_graph
from sdk.runner import DeviceClient, Emulator
from tests.kernel_cases import case_accumulation, expected_outputs, stored

UNIT_ROUNDOFF = {"f32": 2.0 ** -24, "f16": 2.0 ** -11}
EXACT_OPS = {"relu", "concat", "upsample_nearest2d"}  # data movement: no arithmetic at all
# Integer XOR-popcount dot, then the output step every target rounds the same way.
BIT_EXACT_OPS = EXACT_OPS | {"binary_conv2d"}
DOT_OPS = {"conv2d", "linear", "binary_weight_conv2d"}
# expf/sinf/cosf in picolibc and glibc are within a few ulp; SiLU adds a divide.
TRANSCENDENTAL_ULPS = 4


def run_case_image(target, graph, inputs, precision: str, out_dir):
    """Build the case image, run it once on the board, return
    (graph, inputs, dtype, kernel function per case, outputs)."""
    lowered = run_passes(Graph.from_dict(graph.to_dict()), PrecisionPolicy(precision))
    generated, image = build_graph(lowered, plan_memory(lowered, target.isa_features), target, out_dir)
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
    """
    y = np.abs(expected.astype(np.float64))
    u_out = UNIT_ROUNDOFF[dtype]
    out_rounding = u_out * y if dtype == "f16" else 0.0
    act_error = TRANSCENDENTAL_ULPS * UNIT_ROUNDOFF["f32"] * y
    if node.op in DOT_OPS:
        k = case_accumulation(graph, node.outputs[0])
        u_acc = UNIT_ROUNDOFF["f16" if accumulates_in_half(function) else "f32"]
        return (k + 1) * u_acc * _abs_products(graph, node, inputs, dtype) + out_rounding + act_error \
            + (TRANSCENDENTAL_ULPS * u_out * y if node.attrs.get("act") == "silu" else 0.0)
    if node.op == "group_norm":
        shape = graph.tensors[node.inputs[0]].shape
        m = int(np.prod(shape[1:])) // node.attrs["groups"]
        return (4 * m * UNIT_ROUNDOFF["f32"] + 2 * u_out) * (y + 1.0) + TRANSCENDENTAL_ULPS * u_out * y
    # elementwise: one or two roundings, plus the transcendental error of SiLU
    return (2 * u_out + TRANSCENDENTAL_ULPS * UNIT_ROUNDOFF["f32"]) * y + TRANSCENDENTAL_ULPS * u_out * y \
        + 1e-30


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
