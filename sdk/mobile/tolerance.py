"""How far a mobile runtime's output may be from torch FP32, derived from the exported file.

- fp32: 1e-5 of the output scale. The runtimes differ from torch only in summation order
  and kernel choice (Winograd, fused ops); measured errors are ~2e-6.
- fp16: sdk/verify/tolerance.py's rounding model (each rounding an independent relative error,
  uniform in ±u, u = 2^-11; 5 sigma of their sum in quadrature), counted on the file:
  ONNX stores every activation in float16, so each float16 node rounds its output once;
  TFLite rounds only the weights (one rounding per conv/fully-connected weight tensor; the
  activations stay float32). CPU kernels accumulate in float32 (onnxruntime casts ops it has
  no float16 kernel for, XNNPack dequantizes float16 weights), so the dot products' K adds no
  roundings, unlike an MCU kernel that accumulates in FP16.
- int8: an absolute limit. Every op with an int8 output rounds once (uniform noise of rms
  s/√12 in its tensor's scale s), except those that only move bytes (reshape, transpose,
  pad, nearest resize, concatenation); each stage's error relative to its calibrated range
  carries through to the output, so over L rounding ops sigma = s_out·√(L/12) with s_out
  the output tensor's scale (docs/MOBILE_INT8.md's model), and the limit is 5 sigma.
  Calibration clipping (a value beyond the calibrated range) is not modelled: the measured
  error is what checks it.
"""

from __future__ import annotations

import math
from pathlib import Path

from sdk.mobile.quiet import quiet
from sdk.verify.tolerance import SIGMAS, output_tolerance

FP32_TOLERANCE_REL = 1e-5
MOVES_BYTES = {"RESHAPE", "TRANSPOSE", "PAD", "RESIZE_NEAREST_NEIGHBOR", "CONCATENATION"}


def fp16_roundings(path: Path) -> int:
    path = Path(path)
    if path.suffix == ".onnx":
        import onnx

        from sdk.mobile.onnx_fp16 import time_path

        model = onnx.load(path)
        float32 = set(time_path(model))
        return sum(1 for n in model.graph.node if n.op_type != "Cast" and n.name not in float32)
    from ai_edge_litert.interpreter import Interpreter

    with quiet():
        details = Interpreter(model_path=str(path)).get_tensor_details()
    return sum(1 for d in details if d["dtype"].__name__ == "float16")


def int8_roundings(path: Path) -> int:
    from ai_edge_litert.interpreter import Interpreter

    with quiet():
        interpreter = Interpreter(model_path=str(path))
    tensors = {d["index"]: d for d in interpreter.get_tensor_details()}
    return sum(1 for op in interpreter._get_ops_details() if op["op_name"] not in MOVES_BYTES
               and any(tensors[i]["dtype"].__name__ == "int8" for i in op["outputs"]))


def mobile_tolerance(path: Path, precision: str) -> float:
    """fp32/fp16: max |runtime − torch| / max |torch| for one model call."""
    if precision == "fp32":
        return FP32_TOLERANCE_REL
    layers = [{"dtype": "f16", "accumulation_dtype": "f32", "accumulation": 0}] * fp16_roundings(path)
    return output_tolerance(layers)


def int8_tolerance(path: Path, output_step: float) -> float:
    """int8: max |runtime − torch| in output units; output_step: the output's scale."""
    return SIGMAS * output_step * math.sqrt(int8_roundings(path) / 12)
