"""Kernel overrides for targets with the `fpu` ISA feature: a hardware FP32 unit (rv32 F/Zfh,
Cortex-M4 FPv4-SP, Cortex-M7/M33 FPv5, and the vector cores), sources in codegen/kernels/fpu/.

Scalar register-blocked kernels in plain C with fused multiply-adds (fmaf): FP32
accumulation in both precisions; FP16 storage is widened into float scratch once per reuse,
never once per MAC. Each entry: base function -> [Override(function, feature, applies,
half_accumulation, scratch_bytes)], in order of preference; the catalog puts these after the
vector ISAs' (rvv, mve), so a vector kernel keeps every layer its predicate takes and these
take the rest. The scratch rules are those of the inline edgediff_*_fpu_get_buffer_size()
in include/edgediff/kernels_fpu.h (tests/test_kernel_scratch.py checks they agree); the
limits come from include/edgediff/limits.h.

Convolutions (3x3, pointwise 1x1), then linear, group norm, SiLU and the elementwise ops.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override
from codegen.kernels.limits import limit
from codegen.kernels.scratch import round_up

FEATURE = "fpu"


def conv3x3_applies(p: dict) -> bool:
    """conv2d_<dtype>_fpu: 3x3, pad 1, stride 1 or 2 (the same both ways), groups 1,
    dilation 1, any size. Both read the input in place; FP16 widens the weights of a block
    of output channels into scratch."""
    s = p["stride_h"]
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["kernel_h"] == 3 and p["kernel_w"] == 3 and s in (1, 2) and p["stride_w"] == s
            and p["pad_h"] == 1 and p["pad_w"] == 1
            and p["h_out"] == (p["h_in"] - 1) // s + 1 and p["w_out"] == (p["w_in"] - 1) // s + 1)


def conv3x3_f16_block(p: dict) -> int:
    """edgediff_conv2d_f16_fpu_block: output channels per block of the FP16 kernel, 2 at
    stride 1 (2 x 8 tiles), 4 at stride 2 (4 x 4 tiles), never more than c_out."""
    block = 4 if p["stride_h"] == 2 else 2
    return block if p["c_out"] >= block else (2 if p["c_out"] >= 2 else 1)


def conv3x3_f16_widened(p: dict) -> int:
    """edgediff_conv2d_f16_fpu_widened: input channels whose weights (of one block) the FP16
    kernel widens into the scratch, as many as EDGEDIFF_FPU_CONV_F16_W_BYTES holds, at least
    one; the tiles read the rest as halves."""
    fit = limit("FPU_CONV_F16_W_BYTES") // (conv3x3_f16_block(p) * 9 * 4)
    return min(max(fit, 1), p["c_in"])


def conv3x3_f16_scratch(p: dict) -> int:
    """conv2d_f16_fpu: the widened weights of one block of output channels (the FP32 kernel
    takes none; both read the input in place)."""
    return round_up(conv3x3_f16_block(p) * conv3x3_f16_widened(p) * 9 * 4)


def pointwise_applies(p: dict) -> bool:
    """conv2d_1x1_<dtype>_fpu: 1x1, stride 1, pad 0, groups 1 (dilation is moot), any size;
    no scratch."""
    return (p["groups"] == 1 and p["kernel_h"] == 1 and p["kernel_w"] == 1
            and p["stride_h"] == 1 and p["stride_w"] == 1 and p["pad_h"] == 0 and p["pad_w"] == 0
            and p["h_out"] == p["h_in"] and p["w_out"] == p["w_in"])


def _always(p: dict) -> bool:
    return True


def binary_applies(p: dict) -> bool:
    """add/sub/mul_<dtype>_fpu: the innermost dim that is not 1 (dim 3, else dim 2) steps
    each operand by 1 (dense) or 0 (broadcast along it): same shape, [N,C,H,W] op [1,C,1,1],
    a batch norm's [N,C] op [C]; outer strides are free."""
    shape = p["out_shape"]
    if len(shape) != 4:
        return False
    inner = 2 if shape[3] == 1 else 3
    return shape[inner] == 1 or all(p[k][inner] in (0, 1) for k in ("a_strides", "b_strides"))


def upsample_applies(p: dict) -> bool:
    """Exact 2x in both dims (torch's float scale 0.5 is exact there)."""
    return p["h_out"] == 2 * p["h_in"] and p["w_out"] == 2 * p["w_in"]


def linear_f16_scratch(p: dict) -> int:
    """linear_f16_fpu: one input row widened to floats."""
    return round_up(p["in_features"] * 4)


def _fpu(function: str, applies=_always, scratch_bytes=None, in_place: bool = False) -> list[Override]:
    """in_place: every output element is written after the input element(s) it reads (the
    group norm reads its whole group for the statistics first), so out may be in."""
    return [Override(function, FEATURE, applies, False, scratch_bytes, in_place)]


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_f32": [Override("conv2d_f32_fpu", FEATURE, conv3x3_applies),
                   Override("conv2d_1x1_f32_fpu", FEATURE, pointwise_applies)],
    "conv2d_f16": [Override("conv2d_f16_fpu", FEATURE, conv3x3_applies,
                            scratch_bytes=conv3x3_f16_scratch),
                   Override("conv2d_1x1_f16_fpu", FEATURE, pointwise_applies)],
    # Blocks of four outputs share each input load; FP32 sums (the FP16 input row widened
    # once into the scratch).
    "linear_f32": _fpu("linear_f32_fpu"),
    "linear_f16": _fpu("linear_f16_fpu", scratch_bytes=linear_f16_scratch),
    # FP32 statistics (one pass where safe, else two), fused SiLU from a polynomial e^x.
    "group_norm_f32": _fpu("group_norm_f32_fpu", in_place=True),
    "group_norm_f16": _fpu("group_norm_f16_fpu", in_place=True),
    "silu_f32": _fpu("silu_f32_fpu", in_place=True),
    "silu_f16": _fpu("silu_f16_fpu", in_place=True),
    # Bit-for-bit data movement.
    "concat_f32": _fpu("concat_f32_fpu"),
    "concat_f16": _fpu("concat_f16_fpu"),
    "upsample_nearest2d_f32": _fpu("upsample_nearest2d_f32_fpu", upsample_applies),
    "upsample_nearest2d_f16": _fpu("upsample_nearest2d_f16_fpu", upsample_applies),
}
for _op in ("add", "sub", "mul"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = _fpu(f"{_op}_{_dtype}_fpu", binary_applies, in_place=True)
