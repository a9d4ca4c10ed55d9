"""cast: convert between dtypes. Inserted by assign_precision where FP32 and FP16 meet, and by
capture where the model converts an integer tensor (a timestep) to float: `t.float()`,
`t.to(torch.float32)`, or an integer operand of a float op (capture inserts the cast torch's
type promotion makes). Its kernel is named after both dtypes (cast_f32_to_f16, cast_i32_to_f32).

An integer model input is int32 on the wire and on the device; the cast to float is exact for
|t| < 2^24 and always yields FP32 (output_dtype): the timestep's consumers (its sinusoidal
embedding) need FP32 anyway, and assign_precision casts it on to FP16 where a layer runs so.
A conversion to the same dtype never gets here (codegen/capture_artefacts.py: an identity);
any other conversion (to float64, to an integer, float to half inside the model) is refused:
the device computes in float32, or FP16 by `--precision`, not by the model's own casts.
"""

from __future__ import annotations

from codegen.ir import DTYPES
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, Precision, count_call

INTEGERS = {"torch.int64", "torch.int32", "torch.int16", "torch.int8", "torch.uint8"}


def kernel(graph, node) -> str:
    return f"cast_{graph.tensors[node.inputs[0]].dtype}_to_{node.attrs['to']}"


def _dtype_of(value) -> str:
    """'torch.float32' for a dtype argument or for a traced tensor operand (fx node)."""
    meta = getattr(value, "meta", None)
    if meta is not None:
        return str(getattr(meta.get("val"), "dtype", ""))
    return str(value)


def capture(args, kwargs, out_shape):
    source = _dtype_of(args[0])
    candidates = [kwargs.get("dtype"), *args[1:]]
    target = next((_dtype_of(a) for a in candidates if _dtype_of(a).startswith("torch.")
                   and "device" not in _dtype_of(a)), "")
    if source in INTEGERS and target == "torch.float32":
        return "cast", [args[0]], {"to": "f32"}
    raise UnsupportedOpError(f"a conversion from {source} to {target or 'another dtype'}: EdgeDiff "
                             "computes in float32 (FP16 by --precision); only an integer input "
                             "may be converted, to float32: remove the conversion")


CONVERSIONS = ["aten.to.dtype", "aten.to.dtype_layout", "aten.to.device", "aten.to.other",
               "aten._to_copy.default", "aten.type_as.default"]

SPECS = [OpSpec("cast", 1, lambda x, a: x.astype(DTYPES[a["to"]]), kernel=kernel, call=count_call,
                captures={t: capture for t in CONVERSIONS},
                precision=Precision(output_dtype="f32"))]
