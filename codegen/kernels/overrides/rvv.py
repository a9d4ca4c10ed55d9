"""Kernel overrides for targets with the `rvv` ISA feature (sources in codegen/kernels/rvv/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation,
scratch_bytes)], in order of preference; `applies` gets the kernel's parameter fields (the
C struct). The scratch rules are those of the inline edgediff_*_rvv_get_buffer_size() in
include/edgediff/kernels_rvv.h (tests/test_kernel_scratch.py checks they agree); the
limits come from include/edgediff/limits.h.

RVV 1.0, VLEN=128, LMUL <= 2 (8 floats or 16 halves per instruction). Shapes a predicate
rejects keep the portable reference kernel. Only conv2d_f16_rvv accumulates in FP16; every
other override sums in FP32 (statistics, dot products), in integers (the binary
convolutions, exact) or is exact data movement.
"""

from __future__ import annotations

from math import prod

from codegen.kernels.catalog_types import Override
from codegen.kernels.limits import limit
from codegen.kernels.scratch import bw_block_channels, round_up

FEATURE = "rvv"
MAX_RANK = limit("MAX_RANK")


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
    kernel copies input rows into its scratch (3 copies per channel, a band of at least one
    output row's worth of input rows, tiled to a 16 KiB band budget), so rows are limited
    to EDGEDIFF_RVV_CONV_MAX_W_IN (128) elements."""
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["w_in"] <= limit("RVV_CONV_MAX_W_IN") and (_conv_3x3_pad1(p) or _conv_1x1(p)))


def conv2d_scratch_layout(p: dict, elem: int) -> tuple[int, int]:
    """edgediff_conv2d_rvv_scratch: (offset of the packed weights, total bytes) of
    conv2d_*_rvv's scratch (elem: element bytes). 3x3: output rows per band halved until
    one channel's three copies fit the band budget, then as many input channels per block
    as fit (up to EDGEDIFF_RVV_CONV_PACK_CI); the last band may be shorter and take more
    channels, so both heights count. The packed weights of a block of output channels
    follow (1x1: up to 9 * PACK_CI input channels per block)."""
    cb = min(p["c_out"], limit("RVV_CONV_CB_MAX"))
    pack_ci = limit("RVV_CONV_PACK_CI")
    if p["kernel_h"] == 1:
        return 0, round_up(cb * min(p["c_in"], 9 * pack_ci) * elem)
    elems = limit("RVV_CONV_BAND_BYTES") // elem
    stride, w, h_out = p["stride_h"], p["w_in"], p["h_out"]
    bh = h_out
    while bh > 1 and 3 * ((stride * (bh - 1) + 3) * w + 2) > elems:
        bh = (bh + 1) // 2
    band = cib_max = 0
    for rows in (bh, h_out % bh):
        if rows:
            chan = 3 * ((stride * (rows - 1) + 3) * w + 2)
            cib = min(p["c_in"], pack_ci, elems // chan)
            band, cib_max = max(band, cib * chan), max(cib_max, cib)
    packed = round_up(band * elem)
    return packed, packed + round_up(cb * 9 * cib_max * elem)


def _conv2d_scratch(elem: int):
    def scratch_bytes(p: dict) -> int:
        """conv2d_*_rvv: band copies (3x3) and packed weights."""
        return conv2d_scratch_layout(p, elem)[1]

    return scratch_bytes


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


MASK_WORDS = 4  # 32-bit words of one 128-bit mask register


def binary_conv_applies(p: dict) -> bool:
    """binary_conv2d_*_rvv: any kernel size, stride and padding whose receptive field
    (kernel_h * kernel_w * words) fits the EDGEDIFF_RVV_BINARY_MAX_MASKS (9) mask registers
    it keeps (1152 bits: 3x3 up to 128 input channels); any number of output channels (their
    counts are in the scratch). The integer dot is exact, so the result equals the
    reference's bit for bit. Larger layers keep the Zbb kernel."""
    return (p["kernel_h"] * p["kernel_w"] * p["words"]
            <= limit("RVV_BINARY_MAX_MASKS") * MASK_WORDS)


def _binary_conv_scratch(p: dict) -> int:
    """binary_conv2d_*_rvv: one pixel's receptive field and its valid bits, then the
    differing bits of every output channel."""
    field_words = p["kernel_h"] * p["kernel_w"] * p["words"]
    return 2 * round_up(field_words * 4) + round_up(p["c_out"] * 4)


def _binary_weight_conv_applies(p: dict) -> bool:
    """binary_weight_conv2d_*_rvv: the shapes conv2d_*_rvv takes (3x3 pad 1 stride 1 or 2
    with rows up to 128 elements, or 1x1 pointwise). Sums sign * x with conv2d's vfmacc.vf
    by +-1.0 (exact products), in the element precision; then scale, bias and the folded
    steps per vector in FP32."""
    return conv2d_applies({**p, "groups": 1, "dilation_h": 1, "dilation_w": 1})


def _binary_weight_conv_scratch(elem: int):
    def scratch_bytes(p: dict) -> int:
        """binary_weight_conv2d_*_rvv: the +-1 table of one block of output channels (in
        blocks of EDGEDIFF_RVV_CONV_CB_MAX), then conv2d_*_rvv's scratch for that block."""
        per = p["c_in"] * p["kernel_h"] * p["kernel_w"]
        cb = bw_block_channels(p["c_out"], per, limit("RVV_CONV_CB_MAX"), elem)
        return round_up(cb * per * elem) + conv2d_scratch_layout({**p, "c_out": cb}, elem)[1]

    return scratch_bytes


def conv_transpose_applies(p: dict) -> bool:
    """conv_transpose2d_*_rvv: any stride, padding, output_padding and groups whose kernel
    taps reaching one output (ceil(kernel_h / stride_h) * ceil(kernel_w / stride_w)) fit its
    table of EDGEDIFF_CT_MAX_TAPS (64) tap offsets. FP32 accumulation in both precisions."""
    taps = -(-p["kernel_h"] // p["stride_h"]) * -(-p["kernel_w"] // p["stride_w"])
    return taps <= limit("CT_MAX_TAPS")


def conv1d_applies(p: dict) -> bool:
    """conv1d_*_rvv: conv2d with a 1xK kernel (nn.Conv1d, captured with height 1; a 1xK
    conv2d's rows are independent too): kernel_h 1, pad_h 0, any kernel_w, stride and
    padding; dilation 1, groups 1. FP32 accumulation in both precisions. After conv2d_*_rvv
    in preference, which keeps the 1x1 pointwise convolutions."""
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["kernel_h"] == 1 and p["pad_h"] == 0)


def _always(p: dict) -> bool:
    return True


def _attention_scratch(p: dict) -> int:
    """attention_*_rvv: the row of lk FP32 scores."""
    return p["lk"] * 4


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_f32": [Override("conv2d_f32_rvv", FEATURE, conv2d_applies,
                            scratch_bytes=_conv2d_scratch(4)),
                   Override("conv1d_f32_rvv", FEATURE, conv1d_applies)],
    "conv2d_f16": [Override("conv2d_f16_rvv", FEATURE, conv2d_applies, half_accumulation=True,
                            scratch_bytes=_conv2d_scratch(2)),
                   Override("conv1d_f16_rvv", FEATURE, conv1d_applies)],
    "linear_f32": [Override("linear_f32_rvv", FEATURE, _always)],
    "linear_f16": [Override("linear_f16_rvv", FEATURE, _always)],
    "group_norm_f32": [Override("group_norm_f32_rvv", FEATURE, _always, in_place=True)],
    "group_norm_f16": [Override("group_norm_f16_rvv", FEATURE, _always, in_place=True)],
    "silu_f32": [Override("silu_f32_rvv", FEATURE, _always, in_place=True)],
    "silu_f16": [Override("silu_f16_rvv", FEATURE, _always, in_place=True)],
    "relu_f32": [Override("relu_f32_rvv", FEATURE, _always, in_place=True)],
    "relu_f16": [Override("relu_f16_rvv", FEATURE, _always, in_place=True)],
    "concat_f32": [Override("concat_f32_rvv", FEATURE, _always)],
    "concat_f16": [Override("concat_f16_rvv", FEATURE, _always)],
    "upsample_nearest2d_f32": [Override("upsample_nearest2d_f32_rvv", FEATURE, upsample_applies)],
    "upsample_nearest2d_f16": [Override("upsample_nearest2d_f16_rvv", FEATURE, upsample_applies)],
    "cast_f32_to_f16": [Override("cast_f32_to_f16_rvv", FEATURE, _always)],
    "cast_f16_to_f32": [Override("cast_f16_to_f32_rvv", FEATURE, _always)],
    "binary_conv2d_f32": [Override("binary_conv2d_f32_rvv", FEATURE, binary_conv_applies,
                                   scratch_bytes=_binary_conv_scratch)],
    "binary_conv2d_f16": [Override("binary_conv2d_f16_rvv", FEATURE, binary_conv_applies,
                                   scratch_bytes=_binary_conv_scratch)],
    # W1A16: the float convolution's loop on +-1 weights; FP16 sums in the f16 kernel.
    "binary_weight_conv2d_f32": [Override("binary_weight_conv2d_f32_rvv", FEATURE,
                                          _binary_weight_conv_applies,
                                          scratch_bytes=_binary_weight_conv_scratch(4))],
    "binary_weight_conv2d_f16": [Override("binary_weight_conv2d_f16_rvv", FEATURE,
                                          _binary_weight_conv_applies, half_accumulation=True,
                                          scratch_bytes=_binary_weight_conv_scratch(2))],
    # Bit logic on 16 pixels per instruction: exact, any shape.
    "sign_pack_f16": [Override("sign_pack_f16_rvv", FEATURE, _always)],
    # Gather form over the outputs of a phase, FP32 accumulation (widened halves).
    "conv_transpose2d_f32": [Override("conv_transpose2d_f32_rvv", FEATURE, conv_transpose_applies)],
    "conv_transpose2d_f16": [Override("conv_transpose2d_f16_rvv", FEATURE, conv_transpose_applies)],
    # FP32 scores, softmax statistics and sums in both precisions; any shape.
    "attention_f32": [Override("attention_f32_rvv", FEATURE, _always,
                               scratch_bytes=_attention_scratch)],
    "attention_f16": [Override("attention_f16_rvv", FEATURE, _always,
                               scratch_bytes=_attention_scratch)],
    # FP32 statistics always; along the row (inner 1) or over the pixels (inner > 1).
    "layer_norm_f32": [Override("layer_norm_f32_rvv", FEATURE, _always)],
    "layer_norm_f16": [Override("layer_norm_f16_rvv", FEATURE, _always)],
}
for _op in ("add", "sub", "mul"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = [Override(f"{_op}_{_dtype}_rvv", FEATURE, binary_applies,
                                                     in_place=True)]
# GELU (erf and tanh forms) and sigmoid in FP32 lanes for both precisions (FP16 widened and
# rounded once on store): vector exp, a rational fit of erfc; any count.
for _op in ("gelu", "gelu_tanh", "sigmoid"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = [Override(f"{_op}_{_dtype}_rvv", FEATURE, _always)]


# ---- int8: same bytes as the reference conv2d_s8 (TFLite's arithmetic) --------------------
def conv_s8_scratch(p: dict) -> int:
    """conv2d_s8_rvv (edgediff_conv2d_s8_rvv_get_buffer_size): conv2d_s8_mve's, the kernel_h
    input rows of an output row, padded, column by column (each column kernel_h x c_in
    bytes), then the bytes the last patch's last vector reads past the patch. The weights
    come packed from flash (_conv_s8_pack)."""
    from codegen.kernels.overrides.mve import conv_s8_scratch as mve_scratch

    return mve_scratch(p)


def _conv_s8_pack(p: dict, arrays: list) -> dict:
    """conv2d_s8_rvv reads its constants in conv2d_s8_mve's layout (the same blocks of 4
    channels x 16-byte vectors, taps kx, ky, channel, and 16 int32 per block): packed at
    build time by overrides/mve.py conv_s8_pack."""
    from codegen.kernels.overrides.mve import conv_s8_pack

    return conv_s8_pack(p, arrays)


def _conv_s8_applies(p: dict) -> bool:
    """conv2d_s8_rvv: the shapes conv2d_s8_mve takes (groups 1, dilation 1, kernel_h <=
    EDGEDIFF_S8_CONV_MAX_KH, any kernel, stride and padding)."""
    from codegen.kernels.overrides.mve import conv_s8_shape_applies

    return conv_s8_shape_applies(p)


def _conv_dw_s8_applies(p: dict) -> bool:
    """conv2d_dw_s8_rvv: the shapes conv2d_dw_s8_mve takes (groups == c_in, a depth
    multiplier, dilation 1, any kernel, stride and padding)."""
    from codegen.kernels.overrides.mve import conv_dw_s8_applies

    return conv_dw_s8_applies(p)


def _conv_dw_s8_scratch(p: dict) -> int:
    """conv2d_dw_s8_rvv: one input channel padded with the zero point."""
    c = p["conv"]
    return round_up((c["h_in"] + 2 * c["pad_h"]) * (c["w_in"] + 2 * c["pad_w"]))


OVERRIDES["conv2d_s8"] = [Override("conv2d_s8_rvv", FEATURE, _conv_s8_applies,
                                   scratch_bytes=conv_s8_scratch, prepack=_conv_s8_pack),
                          Override("conv2d_dw_s8_rvv", FEATURE, _conv_dw_s8_applies,
                                   scratch_bytes=_conv_dw_s8_scratch)]


def linear_s8_scratch(p: dict) -> int:
    """linear_s8_rvv (edgediff_linear_s8_rvv_get_buffer_size): the packed weights (blocks of
    4 outputs x 16-byte vectors of in_features), 4 int32 per output of the blocks, two
    input rows (+16 bytes each)."""
    lin = p["linear"]
    blocks, vectors = -(-lin["out_features"] // 4), -(-lin["in_features"] // 16)
    return round_up(blocks * vectors * 64) + round_up(blocks * 64) + 2 * (vectors * 16 + 16)


OVERRIDES["linear_s8"] = [Override("linear_s8_rvv", FEATURE, lambda p: True,
                                   scratch_bytes=linear_s8_scratch)]
