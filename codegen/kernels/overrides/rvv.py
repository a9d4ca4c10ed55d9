"""Kernel overrides for targets with the `rvv` ISA feature (sources in codegen/kernels/rvv/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference; `applies` gets the kernel's parameter fields (the C struct).

RVV 1.0, VLEN=128, LMUL <= 2 (8 floats or 16 halves per instruction). Shapes a predicate
rejects keep the portable reference kernel. Only conv2d_f16_rvv accumulates in FP16; every
other override sums in FP32 (statistics, dot products), in integers (the binary
convolutions, exact) or is exact data movement.
"""

from __future__ import annotations

from math import prod

from codegen.binary import BINARY_WEIGHT_TABLE_BYTES
from codegen.kernels.catalog_types import Override

FEATURE = "rvv"
MAX_RANK = 4


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
    """conv2d_*_rvv: 3x3 pad 1 stride 1 or 2, or 1x1 pointwise; dilation 1, groups 1. The 3x3
    kernel copies input rows into a 16 KiB stack buffer (3 copies per channel, a band of at
    least one output row's worth of input rows), so rows are limited to 128 elements."""
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["w_in"] <= 128 and (_conv_3x3_pad1(p) or _conv_1x1(p)))


def _dense(shape, strides) -> bool:
    """Row-major in shape (dims of length 1 may have any stride), as the C kernels test."""
    expect = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size > 1 and stride != expect:
            return False
        expect *= size
    return True


def _per_plane(shape, strides) -> bool:
    """Constant over the last two dims (a [N, C, 1, 1] operand broadcast over H, W)."""
    return all(size == 1 or stride == 0 for size, stride in zip(shape[2:], strides[2:]))


def binary_applies(p: dict) -> bool:
    """add/sub/mul_*_rvv: both operands dense, or one dense and the other one scalar per
    (dim 0, dim 1) plane, the per-channel broadcast of a bias or scale."""
    shape, a, b = list(p["out_shape"]), list(p["a_strides"]), list(p["b_strides"])
    if len(shape) != MAX_RANK or prod(shape) == 0:
        return False
    if _dense(shape, a) and _dense(shape, b):
        return True
    return (_dense(shape, a) and _per_plane(shape, b)) or (_dense(shape, b) and _per_plane(shape, a))


def upsample_applies(p: dict) -> bool:
    """upsample_nearest2d_*_rvv: exactly 2x in both directions (torch's float scale 0.5 then
    picks dst // 2, so the copy pattern is fixed)."""
    return p["h_out"] == 2 * p["h_in"] and p["w_out"] == 2 * p["w_in"]


# Must match EDGEDIFF_MAX_MASKS and EDGEDIFF_MAX_C_OUT in
# include/edgediff/internal/binary_conv2d_rvv.h.
BINARY_MAX_FIELD_WORDS = 9 * 4
BINARY_MAX_C_OUT = 512


def binary_conv_applies(p: dict) -> bool:
    """binary_conv2d_*_rvv: any kernel size, stride and padding whose receptive field
    (kernel_h * kernel_w * words) fits the 9 mask registers it keeps (1152 bits: 3x3 up to
    128 input channels), and up to 512 output channels (its stack buffer of counts); the
    integer dot is exact, so the result equals the reference's bit for bit. Larger layers
    keep the Zbb kernel."""
    return (p["kernel_h"] * p["kernel_w"] * p["words"] <= BINARY_MAX_FIELD_WORDS
            and p["c_out"] <= BINARY_MAX_C_OUT)


def _binary_weight_conv_applies(size: int):
    def applies(p: dict) -> bool:
        """binary_weight_conv2d_*_rvv: the shapes conv2d_*_rvv takes (3x3 pad 1 stride 1 or 2
        with rows up to 128 elements, or 1x1 pointwise), with the +-1 weights of one output
        channel (c_in * kernel_h * kernel_w elements) fitting its 16 KiB stack table. Sums
        sign * x with conv2d's vfmacc.vf by +-1.0 (exact products), in the element
        precision; then scale, bias and the folded steps per vector in FP32."""
        q = {**p, "groups": 1, "dilation_h": 1, "dilation_w": 1}
        return (conv2d_applies(q)
                and p["c_in"] * p["kernel_h"] * p["kernel_w"] * size <= BINARY_WEIGHT_TABLE_BYTES)

    return applies


# Must match EDGEDIFF_CT_MAX_TAPS in include/edgediff/internal/conv_transpose2d_simd.h.
CONV_T_MAX_TAPS = 64


def conv_transpose_applies(p: dict) -> bool:
    """conv_transpose2d_*_rvv: any stride, padding, output_padding and groups whose kernel
    taps reaching one output (ceil(kernel_h / stride_h) * ceil(kernel_w / stride_w)) fit its
    table of 64 tap offsets. FP32 accumulation in both precisions."""
    return (-(-p["kernel_h"] // p["stride_h"])) * (-(-p["kernel_w"] // p["stride_w"])) <= CONV_T_MAX_TAPS


def _always(p: dict) -> bool:
    return True


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_f32": [Override("conv2d_f32_rvv", FEATURE, conv2d_applies)],
    "conv2d_f16": [Override("conv2d_f16_rvv", FEATURE, conv2d_applies, half_accumulation=True)],
    "linear_f32": [Override("linear_f32_rvv", FEATURE, _always)],
    "linear_f16": [Override("linear_f16_rvv", FEATURE, _always)],
    "group_norm_f32": [Override("group_norm_f32_rvv", FEATURE, _always)],
    "group_norm_f16": [Override("group_norm_f16_rvv", FEATURE, _always)],
    "silu_f32": [Override("silu_f32_rvv", FEATURE, _always)],
    "silu_f16": [Override("silu_f16_rvv", FEATURE, _always)],
    "relu_f32": [Override("relu_f32_rvv", FEATURE, _always)],
    "relu_f16": [Override("relu_f16_rvv", FEATURE, _always)],
    "concat_f32": [Override("concat_f32_rvv", FEATURE, _always)],
    "concat_f16": [Override("concat_f16_rvv", FEATURE, _always)],
    "upsample_nearest2d_f32": [Override("upsample_nearest2d_f32_rvv", FEATURE, upsample_applies)],
    "upsample_nearest2d_f16": [Override("upsample_nearest2d_f16_rvv", FEATURE, upsample_applies)],
    "cast_f32_to_f16": [Override("cast_f32_to_f16_rvv", FEATURE, _always)],
    "cast_f16_to_f32": [Override("cast_f16_to_f32_rvv", FEATURE, _always)],
    "binary_conv2d_f32": [Override("binary_conv2d_f32_rvv", FEATURE, binary_conv_applies)],
    "binary_conv2d_f16": [Override("binary_conv2d_f16_rvv", FEATURE, binary_conv_applies)],
    # W1A16: the float convolution's loop on +-1 weights; FP16 sums in the f16 kernel.
    "binary_weight_conv2d_f32": [Override("binary_weight_conv2d_f32_rvv", FEATURE,
                                          _binary_weight_conv_applies(4))],
    "binary_weight_conv2d_f16": [Override("binary_weight_conv2d_f16_rvv", FEATURE,
                                          _binary_weight_conv_applies(2), half_accumulation=True)],
    # Bit logic on 16 pixels per instruction: exact, any shape.
    "sign_pack_f16": [Override("sign_pack_f16_rvv", FEATURE, _always)],
    # Gather form over the outputs of a phase, FP32 accumulation (widened halves).
    "conv_transpose2d_f32": [Override("conv_transpose2d_f32_rvv", FEATURE, conv_transpose_applies)],
    "conv_transpose2d_f16": [Override("conv_transpose2d_f16_rvv", FEATURE, conv_transpose_applies)],
}
for _op in ("add", "sub", "mul"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = [Override(f"{_op}_{_dtype}_rvv", FEATURE, binary_applies)]
# GELU (erf and tanh forms) and sigmoid in FP32 lanes for both precisions (FP16 widened and
# rounded once on store): vector exp, a rational fit of erfc; any count.
for _op in ("gelu", "gelu_tanh", "sigmoid"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = [Override(f"{_op}_{_dtype}_rvv", FEATURE, _always)]
