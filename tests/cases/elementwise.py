"""Kernel cases of the elementwise ops (codegen/ops/elementwise_unary.py, elementwise_param.py,
div in elementwise_binary.py): each op once, on a few hundred elements of odd sizes, with its
parameters; inputs in the op's domain (log, sqrt, rsqrt and fractional powers get |x| + 0.1,
divisors are kept away from 0, exp stays below FP16 overflow). Checked against exact
arithmetic with the bounds of tests/helpers/elementwise_bounds.py (kernel_check.bound)."""

from __future__ import annotations

import numpy as np

SHAPE = (1, 3, 7, 9)  # 189 elements: not a multiple of any vector length
# Run by the MVE and RVV overrides on cortex-m55 and rv32v (tests/test_kernels_target_ops.py
# checks they did), with their own bounds (elementwise_bounds.SIMD_RELATIVE_ULPS).
SIMD_CASES = {"ew_gelu", "ew_gelu_tanh", "ew_sigmoid", "ew_gelu_tail", "ew_gelu_tanh_tail"}


def _positive(b, name: str, shape=SHAPE) -> str:
    """A graph input in (0.1, ~4): the domain of log, sqrt, rsqrt, x^1.7."""
    x = b.input(name, shape)
    b.input_values[-1] = np.abs(b.input_values[-1]) + np.float32(0.1)
    return x


def _scaled(b, name: str, scale: float, shape=SHAPE) -> str:
    x = b.input(name, shape)
    b.input_values[-1] = (b.input_values[-1] * np.float32(scale)).astype(np.float32)
    return x


def add_cases(b) -> None:
    for op in ("neg", "abs", "square", "tanh", "sigmoid", "gelu", "gelu_tanh", "hardswish", "mish"):
        b.op(f"ew_{op}", op, [_scaled(b, f"ew_{op}_x", 3.0)], SHAPE)
    # GELU's far negative side, where only relative accuracy keeps the tiny results (FP32
    # normal down to x ~ -13.2, subnormal to -14.1; tanh form to ~ -10.1): evenly spaced
    for op, lo in (("gelu", -14.5), ("gelu_tanh", -10.5)):
        x = b.input(f"ew_{op}_tail_x", (2, 97))
        b.input_values[-1] = np.linspace(lo, 3.0, 2 * 97, dtype=np.float32).reshape(2, 97)
        # and near 0: subnormal halves in FP16, ±0
        b.input_values[-1][1, :6] = [3e-5, -3e-5, 1e-7, -1e-7, 0.0, -0.0]
        b.op(f"ew_{op}_tail", op, [x], (2, 97))
    # e^x below ln(65504) ~ 11.09, so the FP16 result is finite; down to e^-9
    b.op("ew_exp", "exp", [_scaled(b, "ew_exp_x", 3.0)], SHAPE)
    for op in ("log", "sqrt", "rsqrt"):
        b.op(f"ew_{op}", op, [_positive(b, f"ew_{op}_x")], SHAPE)
    x = _positive(b, "ew_reciprocal_x", (5, 31))
    b.input_values[-1][::2] *= -1  # both signs, |x| >= 0.1
    b.op("ew_reciprocal", "reciprocal", [x], (5, 31))

    b.op("ew_clamp", "clamp", [_scaled(b, "ew_clamp_x", 2.0)], SHAPE, min=-0.5, max=0.7)
    b.op("ew_clamp_min", "clamp", [b.input("ew_clamp_min_x", (2, 50))], (2, 50), min=-0.25, max=None)
    b.op("ew_relu6", "clamp", [_scaled(b, "ew_relu6_x", 5.0, (3, 41))], (3, 41), min=0.0, max=6.0)
    b.op("ew_leaky_relu", "leaky_relu", [_scaled(b, "ew_leaky_x", 3.0)], SHAPE, negative_slope=0.2)
    b.op("ew_elu", "elu", [_scaled(b, "ew_elu_x", 3.0)], SHAPE, alpha=0.7)
    b.op("ew_pow3", "pow", [_scaled(b, "ew_pow3_x", 2.0, (7, 23))], (7, 23), exponent=3.0)
    b.op("ew_pow_frac", "pow", [_positive(b, "ew_pow_frac_x", (7, 23))], (7, 23), exponent=1.7)

    # div: a per-channel divisor broadcast over H, W; same shapes; a scalar constant
    a = _scaled(b, "ew_div_a", 4.0, (1, 4, 5, 6))
    d = _positive(b, "ew_div_b", (1, 4, 1, 1))
    b.input_values[-1][:, ::2] *= -1
    b.op("ew_div_channel", "div", [a, d], (1, 4, 5, 6), act="none")
    a, d = b.input("ew_div_same_a", (3, 37)), _positive(b, "ew_div_same_b", (3, 37))
    b.op("ew_div_same", "div", [a, d], (3, 37), act="none")
    three = b.graph.add_constant("ew_div_three", np.array(3.0, dtype=np.float32))
    b.op("ew_div_scalar", "div", [b.input("ew_div_scalar_x", (2, 45)), three], (2, 45), act="none")
