"""clamp (hardtanh, ReLU6), leaky_relu, elu, pow by a constant: elementwise with a scalar.

The scalar is a Python number in the model (torch.export keeps it an argument, not a
tensor), so it lives in the op's attrs and reaches the kernel as a float field of its
parameter struct: exact in every precision, never rounded to half with the activations.

Semantics are torch's: clamp is min(max(x, min), max) with a missing bound left open (a bound
of ±inf), NaN staying NaN and min > max giving max; hardtanh(min_val, max_val) and ReLU6
(F.relu6, or nn.ReLU6's hardtanh(0, 6)) are clamps. leaky_relu is x where x > 0, else
negative_slope · x; elu is x where x > 0, else alpha · (e^x − 1) (torch's expm1). pow(x, c) is libm powf: NaN for x < 0
and a non-integer c, as torch. Exponents torch's own CPU kernel special-cases become the
same ops here: 2 → square, 0.5 → sqrt, −0.5 → rsqrt, −1 → reciprocal (elementwise_unary.py;
same values as torch's float32 pow, e.g. pow(−0, 0.5) = −0 like sqrt), and 1 → a view.
Bounds and exponents given as tensors are refused: pass Python numbers.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, params_call


def _number(value, what: str) -> float | None:
    if value is None or isinstance(value, (bool, int, float)):
        return None if value is None else float(value)
    raise UnsupportedOpError(f"{what} must be a Python number (got a {type(value).__name__}): "
                             "a tensor bound or exponent is not supported")


def _arg(args, kwargs, index: int, name: str, default=None):
    return kwargs.get(name, args[index] if len(args) > index else default)


def _f32(value: float | None) -> np.float64 | None:
    """A parameter as the kernel sees it: rounded to a float32 struct field."""
    return None if value is None else np.float64(np.float32(value))


def _count(graph, node) -> int:
    return int(np.prod(graph.tensors[node.outputs[0]].shape, dtype=np.int64))


def _c_float(value: float | None, missing: str) -> str | float:
    """A float field's C initializer; a missing bound is an open one (±EDGEDIFF_INFINITY)."""
    return missing if value is None else float(value)


# ---- clamp --------------------------------------------------------------------------------


def clamp_reference(x, attrs):
    lo, hi = _f32(attrs["min"]), _f32(attrs["max"])
    y = x.astype(np.float64)
    y = np.where(y < lo, lo, y) if lo is not None else y  # NaN compares false: stays NaN
    y = np.where(y > hi, hi, y) if hi is not None else y
    return y.astype(np.float32)


def _capture_clamp(args, kwargs, out_shape):
    lo = _number(_arg(args, kwargs, 1, "min"), "clamp's min")
    hi = _number(_arg(args, kwargs, 2, "max"), "clamp's max")
    return "clamp", [args[0]], {"min": lo, "max": hi}


def _capture_clamp_min(args, kwargs, out_shape):
    return "clamp", [args[0]], {"min": _number(_arg(args, kwargs, 1, "min"), "clamp's min"), "max": None}


def _capture_clamp_max(args, kwargs, out_shape):
    return "clamp", [args[0]], {"min": None, "max": _number(_arg(args, kwargs, 1, "max"), "clamp's max")}


def _capture_hardtanh(args, kwargs, out_shape):
    lo = _number(_arg(args, kwargs, 1, "min_val", -1.0), "hardtanh's min_val")
    hi = _number(_arg(args, kwargs, 2, "max_val", 1.0), "hardtanh's max_val")
    return "clamp", [args[0]], {"min": lo, "max": hi}


def _capture_relu6(args, kwargs, out_shape):
    return "clamp", [args[0]], {"min": 0.0, "max": 6.0}


def _refuse_tensor_clamp(args, kwargs, out_shape):
    raise UnsupportedOpError("clamp with tensor bounds: pass Python numbers as min/max")


def clamp_params(graph, node):
    a = node.attrs
    return "clamp_params_t", dict(count=_count(graph, node),
                                  min=_c_float(a["min"], "-EDGEDIFF_INFINITY"),
                                  max=_c_float(a["max"], "EDGEDIFF_INFINITY"))


# ---- leaky_relu, elu ----------------------------------------------------------------------


def leaky_relu_reference(x, attrs):
    x64 = x.astype(np.float64)
    return np.where(x64 > 0, x64, x64 * _f32(attrs["negative_slope"])).astype(np.float32)


def _capture_leaky_relu(args, kwargs, out_shape):
    slope = _number(_arg(args, kwargs, 1, "negative_slope", 0.01), "leaky_relu's negative_slope")
    return "leaky_relu", [args[0]], {"negative_slope": slope}


def leaky_relu_params(graph, node):
    return "leaky_relu_params_t", dict(count=_count(graph, node),
                                       negative_slope=float(node.attrs["negative_slope"]))


def elu_reference(x, attrs):
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        return np.where(x64 > 0, x64, _f32(attrs["alpha"]) * np.expm1(x64)).astype(np.float32)


def _capture_elu(args, kwargs, out_shape):
    alpha = _number(_arg(args, kwargs, 1, "alpha", 1.0), "elu's alpha")
    scale = _number(_arg(args, kwargs, 2, "scale", 1.0), "elu's scale")
    input_scale = _number(_arg(args, kwargs, 3, "input_scale", 1.0), "elu's input_scale")
    if scale != 1.0 or input_scale != 1.0:
        raise UnsupportedOpError(f"elu with scale={scale}, input_scale={input_scale}: only nn.ELU's "
                                 "form (both 1) is supported; multiply explicitly")
    return "elu", [args[0]], {"alpha": alpha}


def elu_params(graph, node):
    return "elu_params_t", dict(count=_count(graph, node), alpha=float(node.attrs["alpha"]))


# ---- pow by a constant --------------------------------------------------------------------

# Exponents torch's CPU pow kernel computes with another function, and the op we use for them.
POW_AS = {2.0: "square", 0.5: "sqrt", -0.5: "rsqrt", -1.0: "reciprocal"}


def pow_reference(x, attrs):
    with np.errstate(all="ignore"):
        return np.power(x.astype(np.float64), _f32(attrs["exponent"])).astype(np.float32)


def _capture_pow(args, kwargs, out_shape):
    exponent = _number(_arg(args, kwargs, 1, "exponent"), "pow's exponent")
    if exponent in POW_AS:
        return POW_AS[exponent], [args[0]], {}
    if exponent == 1.0:
        return "reshape", [args[0]], {"shape": [int(s) for s in out_shape]}  # x ** 1 is x
    return "pow", [args[0]], {"exponent": exponent}


def pow_params(graph, node):
    return "pow_params_t", dict(count=_count(graph, node), exponent=float(node.attrs["exponent"]))


def _both(name: str) -> list[str]:
    """The functional and the in-place overload of aten.<name>.default."""
    return [f"aten.{name}.default", f"aten.{name}_.default"]


def _spec(name, reference, params, captures) -> OpSpec:
    return OpSpec(name, 1, reference, captures=captures, params=params, call=params_call,
                  elementwise=True)


SPECS = [
    _spec("clamp", clamp_reference, clamp_params, {
        **{t: _capture_clamp for t in _both("clamp")},
        **{t: _capture_clamp_min for t in _both("clamp_min")},
        **{t: _capture_clamp_max for t in _both("clamp_max")},
        **{t: _capture_hardtanh for t in _both("hardtanh")},
        **{t: _capture_relu6 for t in _both("relu6")},
        "aten.clamp.Tensor": _refuse_tensor_clamp, "aten.clamp_.Tensor": _refuse_tensor_clamp}),
    _spec("leaky_relu", leaky_relu_reference, leaky_relu_params,
          {t: _capture_leaky_relu for t in _both("leaky_relu")}),
    _spec("elu", elu_reference, elu_params, {t: _capture_elu for t in _both("elu")}),
    _spec("pow", pow_reference, pow_params,
          {"aten.pow.Tensor_Scalar": _capture_pow, "aten.pow_.Scalar": _capture_pow}),
]
