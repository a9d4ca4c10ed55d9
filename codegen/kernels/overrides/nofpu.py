"""Kernel overrides for cores without an FPU (ISA feature `nofpu`: fe310), sources in
codegen/kernels/nofpu/: the float32 <-> int8 boundary of an int8 model (the model's inputs
and outputs are float32 on the wire) computed on the IEEE-754 bits with integer arithmetic,
so an int8 image has no float arithmetic at all. Same bytes as the reference kernels
(tests/test_nofpu_kernels.py); they take a normal, positive scale and an int8 zero point,
which every int8 layer has (anything else keeps the reference, with soft-float)."""

from __future__ import annotations

import math

from codegen.kernels.catalog_types import Override

FEATURE = "nofpu"
SMALLEST_NORMAL = 2.0 ** -126


def boundary_applies(p: dict) -> bool:
    """A normal, positive, finite scale and an int8 zero point (every int8 layer's)."""
    scale = float(p["scale"])
    return (math.isfinite(scale) and scale >= SMALLEST_NORMAL and -128 <= int(p["zero_point"]) <= 127)


OVERRIDES: dict[str, list[Override]] = {
    "quantize_f32_to_s8": [Override("quantize_f32_to_s8_nofpu", FEATURE, boundary_applies)],
    "dequantize_s8_to_f32": [Override("dequantize_s8_to_f32_nofpu", FEATURE, boundary_applies)],
}
