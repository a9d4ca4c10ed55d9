"""Kernel overrides for targets with the `mve` ISA feature (sources in codegen/kernels/mve/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference; `applies` gets the kernel's parameter fields (the C struct).
Anything a predicate rejects keeps the portable reference kernel.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override

# Must match EDGEDIFF_MVE_CONV_SCRATCH_BYTES in include/edgediff/kernels_mve.h: the 3x3
# convolutions copy the input rows of one band of output rows, zero padded, to the stack.
CONV_SCRATCH_BYTES = 12288
_LANES = {"f32": 4, "f16": 8}
_BYTES = {"f32": 4, "f16": 2}


def _conv3x3_scratch_elements(p: dict, lanes: int) -> int:
    """Elements of the padded band conv2d_<dtype>_mve keeps on the stack (plus one vector
    of slack for its vector-wide zeroing), mirroring conv3x3() in the C source."""
    stride = p["stride_h"]
    nvx = -(-p["w_out"] // lanes)
    half = nvx * lanes + 2
    row = nvx * lanes + 2 if stride == 1 else 2 * half
    rows_out = 2 if nvx == 1 and p["h_out"] > 1 else 1
    rows_in = (rows_out - 1) * stride + 3
    return p["c_in"] * rows_in * row + lanes


def _conv_applies(dtype: str):
    lanes, size = _LANES[dtype], _BYTES[dtype]

    def applies(p: dict) -> bool:
        if p["groups"] != 1 or p["dilation_h"] != 1 or p["dilation_w"] != 1:
            return False
        if p["kernel_h"] == 1 and p["kernel_w"] == 1:
            return (p["stride_h"] == 1 and p["stride_w"] == 1 and p["pad_h"] == 0
                    and p["pad_w"] == 0)
        if p["kernel_h"] == 3 and p["kernel_w"] == 3:
            return (p["pad_h"] == 1 and p["pad_w"] == 1 and p["stride_h"] == p["stride_w"]
                    and p["stride_h"] in (1, 2)
                    and p["h_out"] == (p["h_in"] - 1) // p["stride_h"] + 1
                    and p["w_out"] == (p["w_in"] - 1) // p["stride_w"] + 1
                    and _conv3x3_scratch_elements(p, lanes) * size <= CONV_SCRATCH_BYTES)
        return False

    return applies


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_f16": [Override("conv2d_f16_mve", "mve", _conv_applies("f16"), half_accumulation=True)],
}
