"""Kernel overrides for targets with the `rvv` ISA feature (sources in codegen/kernels/rvv/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference; `applies` gets the kernel's parameter fields (the C struct).

RVV 1.0, VLEN=128, LMUL <= 2 (8 floats or 16 halves per instruction). Shapes a predicate
rejects keep the portable reference kernel.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override

FEATURE = "rvv"


def _conv_3x3_pad1(p: dict) -> bool:
    """3x3, pad 1, stride 1 or 2 (the same in both directions)."""
    s = p["stride_h"]
    return (p["kernel_h"] == 3 and p["kernel_w"] == 3 and s in (1, 2) and p["stride_w"] == s
            and p["pad_h"] == 1 and p["pad_w"] == 1 and p["h_out"] == (p["h_in"] - 1) // s + 1
            and p["w_out"] == (p["w_in"] - 1) // s + 1)


def _conv_1x1(p: dict) -> bool:
    return (p["kernel_h"] == 1 and p["kernel_w"] == 1 and p["stride_h"] == 1 and p["stride_w"] == 1
            and p["pad_h"] == 0 and p["pad_w"] == 0 and p["h_out"] == p["h_in"]
            and p["w_out"] == p["w_in"])


def conv2d_applies(p: dict) -> bool:
    """conv2d_*_rvv: 3x3 pad 1 stride 1 or 2, or 1x1 pointwise; dilation 1, groups 1. The 3x3 kernel copies
    input rows into an 8 KiB stack buffer (3 copies per channel, a band of at least one
    row plus two border rows), so rows are limited to 128 elements."""
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["w_in"] <= 128 and (_conv_3x3_pad1(p) or _conv_1x1(p)))


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_f32": [Override("conv2d_f32_rvv", FEATURE, conv2d_applies)],
    "conv2d_f16": [Override("conv2d_f16_rvv", FEATURE, conv2d_applies, half_accumulation=True)],
}
