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


def pointwise_band_block(p: dict) -> int:
    """edgediff_conv2d_1x1_band_f16_fpu_block: output channels per block, 8 where c_out >= 8
    (rv32's 8 x 3 tiles; Arm's 4 x 4 tiles take it as two halves), else 4."""
    return 8 if p["c_out"] >= 8 else 4


def pointwise_band_scratch(p: dict) -> int:
    """conv2d_1x1_band_f16_fpu (edgediff_conv2d_1x1_band_f16_fpu_get_buffer_size): the
    weights of a block of output channels widened to floats."""
    return round_up(pointwise_band_block(p) * p["c_in"] * 4)


def pointwise_band_applies(p: dict) -> bool:
    """conv2d_1x1_band_f16_fpu: the layers of conv2d_1x1_f16_fpu with at least 4 output
    channels (a block of the tiles; 8 from 8 output channels on); arena_optional, so the planner takes it only where
    its scratch does not grow the arena (else conv2d_1x1_f16_fpu runs the layer)."""
    return pointwise_applies(p) and p["c_out"] >= 4


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
                   Override("conv2d_1x1_band_f16_fpu", FEATURE, pointwise_band_applies,
                            scratch_bytes=pointwise_band_scratch, arena_optional=True),
                   Override("conv2d_1x1_f16_fpu", FEATURE, pointwise_applies)],
    # Blocks of four outputs share each input load; FP32 sums (the FP16 input row widened
    # once into the scratch).
    "linear_f32": _fpu("linear_f32_fpu"),
    "linear_f16": _fpu("linear_f16_fpu", scratch_bytes=linear_f16_scratch),
    # FP32 statistics (one pass where safe, else two; FP16 storage's bound for "safe" is
    # its own rounding), fused SiLU from a polynomial e^x.
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


# ---- The gather kernels (internal/gather_fpu.h): conv1d, depthwise, transposed ------------
# Zero-padded FP32 copies of the input rows and packed FP32 weights in scratch, register
# tiles of 4 channels x 4 outputs (depthwise: 8 outputs of a channel); after the 3x3 and
# pointwise kernels above in preference and after the vector ISAs'. A layer whose scratch
# passes EDGEDIFF_FPU_GATHER_BYTES, or with more taps in a row (a phase) than
# EDGEDIFF_FPU_MAX_TAPS, keeps the reference.
GATHER_CO = limit("FPU_GATHER_CO")
GATHER_PX = limit("FPU_GATHER_PX")
DW_PX = limit("FPU_DW_PX")


def _tiles(count: int, tile: int) -> int:
    return -(-count // tile) * tile


def conv1d_scratch(p: dict) -> int:
    """conv1d_<dtype>_fpu: one padded row per input channel (whole tiles of outputs), then
    the packed weights of a block of output channels."""
    row = ((_tiles(p["w_out"], GATHER_PX) - 1) * p["stride_w"]
           + (p["kernel_w"] - 1) * p["dilation_w"] + 1)
    return round_up(p["c_in"] * row * 4) + round_up(p["c_in"] * p["kernel_w"] * GATHER_CO * 4)


def conv1d_applies(p: dict) -> bool:
    """conv1d_<dtype>_fpu: kernel_h 1, pad_h 0, groups 1 (nn.Conv1d; a 1xK conv2d), any
    stride, padding and dilation along the row, kernel_w <= EDGEDIFF_FPU_MAX_TAPS, scratch
    within the budget."""
    return (p["groups"] == 1 and p["kernel_h"] == 1 and p["pad_h"] == 0
            and p["kernel_w"] <= limit("FPU_MAX_TAPS")
            and conv1d_scratch(p) <= limit("FPU_GATHER_BYTES"))


def depthwise_scratch(p: dict) -> int:
    """conv2d_dw_<dtype>_fpu: one channel's padded plane (the rows and columns its outputs
    read, whole tiles), then its weights."""
    row = ((_tiles(p["w_out"], DW_PX) - 1) * p["stride_w"]
           + (p["kernel_w"] - 1) * p["dilation_w"] + 1)
    rows = (p["h_out"] - 1) * p["stride_h"] + (p["kernel_h"] - 1) * p["dilation_h"] + 1
    return round_up(rows * row * 4) + round_up(p["kernel_h"] * p["kernel_w"] * 4)


def depthwise_applies(p: dict) -> bool:
    """conv2d_dw_<dtype>_fpu: groups == c_in == c_out (a channel multiplier of 1), any kernel,
    stride, padding and dilation, scratch within the budget."""
    return (p["groups"] > 1 and p["groups"] == p["c_in"] == p["c_out"]
            and depthwise_scratch(p) <= limit("FPU_GATHER_BYTES"))


def conv_transpose_scratch(p: dict) -> int:
    """conv_transpose2d_<dtype>_fpu: the input rows reaching one output row (at most
    ceil(kernel_h / stride_h)) of a group's input channels, padded; then the packed weights
    of a block of output channels."""
    sw, cin_g = p["stride_w"], p["c_in"] // p["groups"]
    left = -(-p["kernel_w"] // sw) - 1
    phases = min(sw, p["w_out"])
    reach = _tiles(-(-p["w_out"] // sw), GATHER_PX) + (phases - 1 + p["pad_w"]) // sw
    row = left + max(reach, p["w_in"])
    rows = -(-p["kernel_h"] // p["stride_h"])
    return (round_up(cin_g * rows * row * 4)
            + round_up(cin_g * p["kernel_h"] * p["kernel_w"] * GATHER_CO * 4))


def conv_transpose_applies(p: dict) -> bool:
    """conv_transpose2d_<dtype>_fpu: any stride, padding, output_padding and groups whose
    taps reaching one output (ceil(kernel_h / stride_h) * ceil(kernel_w / stride_w)) fit
    EDGEDIFF_FPU_MAX_TAPS and whose scratch fits the budget."""
    taps = -(-p["kernel_h"] // p["stride_h"]) * -(-p["kernel_w"] // p["stride_w"])
    return taps <= limit("FPU_MAX_TAPS") and conv_transpose_scratch(p) <= limit("FPU_GATHER_BYTES")


for _dtype in ("f32", "f16"):
    OVERRIDES[f"conv2d_{_dtype}"] = OVERRIDES[f"conv2d_{_dtype}"] + [
        Override(f"conv1d_{_dtype}_fpu", FEATURE, conv1d_applies, scratch_bytes=conv1d_scratch),
        Override(f"conv2d_dw_{_dtype}_fpu", FEATURE, depthwise_applies,
                 scratch_bytes=depthwise_scratch)]
    OVERRIDES[f"conv_transpose2d_{_dtype}"] = _fpu(f"conv_transpose2d_{_dtype}_fpu",
                                                  conv_transpose_applies, conv_transpose_scratch)

def attention_widens_kv(p: dict) -> bool:
    """attention_f16_fpu widens a slice's K and V to floats in its scratch where they fit
    EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES (else it widens each half as it is loaded)."""
    return 4 * p["lk"] * (p["d"] + p["dv"]) <= limit("FPU_ATTENTION_F16_KV_BYTES")


def attention_scratch(half: bool):
    def scratch_bytes(p: dict) -> int:
        """attention_<dtype>_fpu (edgediff_attention_fpu_bytes): 4 rows of lk scores, 4 query
        rows of d floats, and (FP16, within the budget) the slice's K and V as floats."""
        kv = (round_up(4 * p["lk"] * p["d"]) + round_up(4 * p["lk"] * p["dv"])
              if half and attention_widens_kv(p) else 0)
        return round_up(16 * p["lk"]) + round_up(16 * p["d"]) + kv

    return scratch_bytes


# Fused attention, 4 query rows at a time in 4 x 4 register tiles; FP32 scores, softmax
# statistics and sums in both precisions; any shape (the vector kernels keep cortex-m55 and
# rv32v).
OVERRIDES["attention_f32"] = _fpu("attention_f32_fpu", scratch_bytes=attention_scratch(False))
OVERRIDES["attention_f16"] = _fpu("attention_f16_fpu", scratch_bytes=attention_scratch(True))
