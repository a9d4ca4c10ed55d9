"""One value in, one out, no parameter; kernels take (x, y, count).

relu and silu are also activations: fuse_activation moves them into the op before them.
sin and cos run in FP32 with their argument (a timestep embedding: sin(t · f), t up to
~1000, is off by up to 0.25 rad in FP16). sign is the binarized layers' activation
(sdk/compress), ±1 with sign(0) = +1.

The rest are torch's elementwise math and activations, with torch's semantics everywhere,
also outside an op's domain: log, sqrt and rsqrt of x < 0 are NaN, log(±0) = -inf,
rsqrt(±0) = ±inf, sqrt(-0) = -0, reciprocal(±0) = ±inf, NaN in gives NaN out (the kernels
use IEEE float arithmetic and libm, as torch's CPU kernels do). abs and neg are exact;
square, sqrt and reciprocal round once; the others are within a few ulp of libm (the C
formulas in kernels/include/edgediff/internal/elementwise_math.h avoid the cancellations of
the textbook GELU for x < -4). Like torch's float32 kernels, sigmoid is 0 where e^-x
overflows (x < -88.7, exact result < 2^-128) and hardswish overflows for |x| > FLT_MAX / 6;
unlike torch's vectorised CPU GELU (NaN), gelu(+inf) = +inf, the limit. In an FP16 build exp
overflows to inf above ln(65504) ≈ 11.09. Each rounds once in FP16 (accumulation 1 in the
manifest, which sdk/verify/tolerance.py counts); exp and pow also scale the input's own
rounding by |x| and |c|, which that model does not count.
tanh, sigmoid and GELU are standalone kernels, not fused activations: every SIMD override of
conv, linear, group norm and add implements only ReLU and SiLU in its vector output step.
pow by a constant is in elementwise_param.py (its exponents 2, 0.5, -0.5, -1 land here).
"""

from __future__ import annotations

import math

import numpy as np

from codegen.ops.activation import silu
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, Precision, count_call


def _capture(op: str):
    return lambda args, kwargs, out_shape: (op, [args[0]], {})


def _unary(name: str, reference, targets: list[str], **kw) -> OpSpec:
    return OpSpec(name, 1, reference, captures={t: _capture(name) for t in targets},
                  call=count_call, elementwise=True, **kw)


def _float64(fn):
    def run(x, attrs):
        with np.errstate(all="ignore"):  # out-of-domain inputs give NaN/inf, as in torch
            return fn(x.astype(np.float64)).astype(np.float32)
    return run


def _aten(name: str) -> list[str]:
    """An op's functional and in-place ATen targets (aten.exp.default, aten.exp_.default)."""
    return [f"aten.{name}.default", f"aten.{name}_.default"]


# The float64 references avoid the forms that cancel for negative x (1 + erf, 1 + tanh),
# so they stay exact to ~2^-50 relative wherever float32 results are normal.
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gelu(x):
    return 0.5 * x * np.vectorize(math.erfc, otypes=[np.float64])(-x / np.sqrt(2.0))


def gelu_tanh(x):
    z = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)
    return x / (1.0 + np.exp(-2.0 * z))  # = x/2 * (1 + tanh(z))


def hardswish(x):
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def mish(x):
    return x * np.tanh(np.logaddexp(0.0, x))  # softplus without overflow


def _capture_gelu(args, kwargs, out_shape):
    approximate = kwargs.get("approximate", args[1] if len(args) > 1 else "none")
    if approximate not in ("none", "tanh"):
        raise UnsupportedOpError(f"gelu with approximate={approximate!r}: use 'none' or 'tanh'")
    return ("gelu" if approximate == "none" else "gelu_tanh"), [args[0]], {}


SPECS = [
    _unary("silu", lambda x, attrs: silu(x).astype(np.float32),
           ["aten.silu.default", "aten.silu_.default"], activation=True),
    _unary("relu", lambda x, attrs: np.maximum(x, 0).astype(x.dtype),
           ["aten.relu.default", "aten.relu_.default"], activation=True),
    _unary("sin", _float64(np.sin), ["aten.sin.default"], precision=Precision(pinned_fp32=True)),
    _unary("cos", _float64(np.cos), ["aten.cos.default"], precision=Precision(pinned_fp32=True)),
    _unary("sign", lambda x, attrs: np.where(x >= 0, 1, -1).astype(np.float32),
           ["edgediff.sign.default"]),  # sdk/compress: the binarized layers' activations
    _unary("neg", _float64(np.negative), _aten("neg")),
    _unary("abs", _float64(np.abs), _aten("abs")),
    _unary("exp", _float64(np.exp), _aten("exp")),
    _unary("log", _float64(np.log), _aten("log")),
    _unary("sqrt", _float64(np.sqrt), _aten("sqrt")),
    _unary("rsqrt", _float64(lambda x: 1.0 / np.sqrt(x)), _aten("rsqrt")),
    _unary("reciprocal", _float64(lambda x: 1.0 / x), _aten("reciprocal")),
    _unary("square", _float64(np.square), _aten("square")),
    _unary("tanh", _float64(np.tanh), _aten("tanh")),
    _unary("sigmoid", _float64(sigmoid), _aten("sigmoid")),
    OpSpec("gelu", 1, _float64(gelu), captures={t: _capture_gelu for t in _aten("gelu")},
           call=count_call, elementwise=True),
    _unary("gelu_tanh", _float64(gelu_tanh), []),  # captured as gelu(approximate='tanh')
    _unary("hardswish", _float64(hardswish), _aten("hardswish")),
    _unary("mish", _float64(mish), _aten("mish")),
]
