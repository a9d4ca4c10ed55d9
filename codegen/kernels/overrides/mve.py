"""Kernel overrides for targets with the `mve` ISA feature (sources in codegen/kernels/mve/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation,
scratch_bytes)], in order of preference; `applies` gets the kernel's parameter fields (the
C struct). Anything a predicate rejects keeps the portable reference kernel. The scratch
rules are those of the inline edgediff_*_mve_get_buffer_size() in
include/edgediff/kernels_mve.h (tests/test_kernel_scratch.py checks they agree); the
limits come from include/edgediff/limits.h.
"""

from __future__ import annotations

import numpy as np

from codegen.kernels.catalog_types import Override
from codegen.kernels.limits import limit
from codegen.kernels.scratch import bw_block_channels, round_up

_BYTES = {"f32": 4, "f16": 2}
BINARY_LANES = 4  # output pixels per vector of binary_conv2d_<dtype>_mve


def conv_band_bytes(c_in: int, h_out: int, w_out: int, kernel_h: int, stride: int,
                    elem: int) -> int:
    """edgediff_conv2d_mve_band_bytes: the zero-padded input rows of one band of output rows
    of the 3x3 convolution, all input channels, plus one vector of slack for its
    vector-wide zeroing (elem: element bytes); the 1x1 convolution needs none."""
    if kernel_h == 1:
        return 0
    lanes = 16 // elem
    nvx = -(-w_out // lanes)
    half = nvx * lanes + 2
    row = nvx * lanes + 2 if stride == 1 else 2 * half
    rows_out = 2 if nvx == 1 and h_out > 1 else 1
    rows_in = (rows_out - 1) * stride + 3
    return (c_in * rows_in * row + lanes) * elem


def _conv_scratch(dtype: str):
    elem = _BYTES[dtype]

    def scratch_bytes(p: dict) -> int:
        """conv2d_<dtype>_mve: the band of zero-padded input rows (3x3)."""
        return conv_band_bytes(p["c_in"], p["h_out"], p["w_out"], p["kernel_h"], p["stride_h"],
                               elem)

    return scratch_bytes


def _conv_applies(p: dict) -> bool:
    """conv2d_<dtype>_mve: 1x1 stride 1 pad 0, or 3x3 pad 1 stride 1 or 2; groups 1,
    dilation 1 (any size: the band of input rows is the layer's scratch)."""
    if p["groups"] != 1 or p["dilation_h"] != 1 or p["dilation_w"] != 1:
        return False
    if p["kernel_h"] == 1 and p["kernel_w"] == 1:
        return (p["stride_h"] == 1 and p["stride_w"] == 1 and p["pad_h"] == 0
                and p["pad_w"] == 0)
    if p["kernel_h"] == 3 and p["kernel_w"] == 3:
        return (p["pad_h"] == 1 and p["pad_w"] == 1 and p["stride_h"] == p["stride_w"]
                and p["stride_h"] in (1, 2)
                and p["h_out"] == (p["h_in"] - 1) // p["stride_h"] + 1
                and p["w_out"] == (p["w_in"] - 1) // p["stride_w"] + 1)
    return False


def _inner_dense(shape, strides) -> bool:
    """The two innermost dims are contiguous (row-major in out_shape)."""
    return ((shape[3] == 1 or strides[3] == 1)
            and (shape[2] == 1 or strides[2] == shape[3]))


def _inner_constant(shape, strides) -> bool:
    """The operand does not vary over the two innermost dims ([1,C,1,1], a scalar)."""
    return (shape[3] == 1 or strides[3] == 0) and (shape[2] == 1 or strides[2] == 0)


def _binary_applies(p: dict) -> bool:
    """add/sub/mul_<dtype>_mve: each operand dense or constant over the two inner dims
    (same shape, or the UNet's [1,C,H,W] op [1,C,1,1]); outer strides are free."""
    shape = p["out_shape"]
    if len(shape) != 4:
        return False
    return all(_inner_dense(shape, p[k]) or _inner_constant(shape, p[k])
               for k in ("a_strides", "b_strides"))


def _upsample_applies(p: dict) -> bool:
    """Exact 2x in both dims (torch's float scale 0.5 is exact there)."""
    return p["h_out"] == 2 * p["h_in"] and p["w_out"] == 2 * p["w_in"]


def _binary_conv_applies(p: dict) -> bool:
    """binary_conv2d_<dtype>_mve: any kernel size, stride and padding with a row of taps
    (kernel_w * words) of at most EDGEDIFF_MVE_BINARY_MAX_ROW_WORDS (31: its byte counters;
    3x3 up to 320 input channels); any number of output channels. The integer dot is exact,
    so the result equals the reference's bit for bit."""
    return p["kernel_w"] * p["words"] <= limit("MVE_BINARY_MAX_ROW_WORDS")


def binary_conv_scratch_layout(p: dict) -> dict[str, int]:
    """edgediff_binary_conv2d_mve_scratch: byte offsets of binary_conv2d_<dtype>_mve's
    working arrays in its scratch (each aligned) and their total ("bytes"): per x-vector its
    valid taps and first words, predicates per kx, whole and border flags; per weight table
    the lanes of each field word; the padded path's copy of the input rows; the replicated
    weights of two channels. A layer the padded path may take gets its copy and
    1 + EDGEDIFF_MVE_BINARY_MAX_BORDERS tables."""
    x_vectors = -(-p["w_out"] // BINARY_LANES)
    field_words = p["kernel_h"] * p["kernel_w"] * p["words"]
    right = max((x_vectors * BINARY_LANES - 1) * p["stride_w"] - p["pad_w"] + p["kernel_w"]
                - p["w_in"], 0)
    padded_row = (p["w_in"] + p["pad_w"] + right) * p["words"]
    may_pad = (field_words <= limit("MVE_BINARY_MAX_PADDED_FIELD")
               and p["h_in"] * padded_row <= limit("MVE_BINARY_MAX_PADDED_WORDS"))
    tables = 1 + limit("MVE_BINARY_MAX_BORDERS") if may_pad else 1
    parts = [("x_taps", x_vectors * BINARY_LANES * 4), ("offsets", x_vectors * BINARY_LANES * 4),
             ("lanes", x_vectors * p["kernel_w"] * 2), ("whole", x_vectors),
             ("border", x_vectors), ("word_lanes", tables * field_words * 2),
             ("copy", p["h_in"] * padded_row * 4 if may_pad else 0),
             ("wbuf", tables * 2 * field_words * BINARY_LANES * 4)]
    layout, at = {}, 0
    for name, size in parts:
        layout[name] = at
        at += round_up(size)
    layout["bytes"] = at
    return layout


def _binary_conv_scratch(p: dict) -> int:
    return binary_conv_scratch_layout(p)["bytes"]


def _binary_weight_conv_applies(p: dict) -> bool:
    """binary_weight_conv2d_<dtype>_mve: the shapes conv2d_<dtype>_mve takes (1x1 stride 1
    pad 0, or 3x3 pad 1 stride 1 or 2). Sums sign * x with conv2d's multiply-adds by +-1.0
    (exact products), in the element precision; then scale, bias and the folded steps per
    vector in FP32."""
    return _conv_applies({**p, "groups": 1, "dilation_h": 1, "dilation_w": 1})


def _binary_weight_conv_scratch(dtype: str):
    elem = _BYTES[dtype]

    def scratch_bytes(p: dict) -> int:
        """binary_weight_conv2d_<dtype>_mve: the +-1 table of one block of output channels
        (in blocks of conv2d_mve's tile of 3), then conv2d_<dtype>_mve's band."""
        per = p["c_in"] * p["kernel_h"] * p["kernel_w"]
        cb = bw_block_channels(p["c_out"], per, 3, elem)
        return round_up(cb * per * elem) + conv_band_bytes(p["c_in"], p["h_out"], p["w_out"],
                                                           p["kernel_h"], p["stride_h"], elem)

    return scratch_bytes


def _conv_transpose_applies(p: dict) -> bool:
    """conv_transpose2d_<dtype>_mve: any stride, padding, output_padding and groups whose
    kernel taps reaching one output (ceil(kernel_h / stride_h) * ceil(kernel_w / stride_w))
    fit its table of EDGEDIFF_CT_MAX_TAPS (64) tap offsets. FP32 accumulation in both
    precisions."""
    taps = -(-p["kernel_h"] // p["stride_h"]) * -(-p["kernel_w"] // p["stride_w"])
    return taps <= limit("CT_MAX_TAPS")


def conv1d_applies(p: dict) -> bool:
    """conv1d_<dtype>_mve: conv2d with a 1xK kernel (nn.Conv1d, captured with height 1; a 1xK
    conv2d's rows are independent too): kernel_h 1, pad_h 0, any kernel_w, stride and
    padding; dilation 1, groups 1. FP32 accumulation in both precisions. After conv2d_*_mve
    in preference, which keeps the 1x1 pointwise convolutions."""
    return (p["groups"] == 1 and p["dilation_h"] == 1 and p["dilation_w"] == 1
            and p["kernel_h"] == 1 and p["pad_h"] == 0)


def _always(p: dict) -> bool:
    return True


def _attention_f16_applies(p: dict) -> bool:
    """attention_f16_mve: head dims up to EDGEDIFF_MVE_ATTENTION_F16_MAX_D (9362: its gathers
    of 8 key rows use 16-bit offsets); any number of keys."""
    return p["d"] <= limit("MVE_ATTENTION_F16_MAX_D")


def _attention_scratch(p: dict) -> int:
    """attention_<dtype>_mve: the row of lk FP32 scores, then the query row widened to d
    floats (edgediff_attention_mve_bytes)."""
    return round_up(p["lk"] * 4) + p["d"] * 4


def _mve(function: str, applies=_always, half_accumulation: bool = False,
         scratch_bytes=None, in_place: bool = False) -> list[Override]:
    return [Override(function, "mve", applies, half_accumulation, scratch_bytes, in_place)]


OVERRIDES: dict[str, list[Override]] = {
    # FP16 accumulation (8 lanes per FMA), flagged so validation bounds widen.
    "conv2d_f16": _mve("conv2d_f16_mve", _conv_applies, half_accumulation=True,
                       scratch_bytes=_conv_scratch("f16"))
    + _mve("conv1d_f16_mve", conv1d_applies),
    "conv2d_f32": _mve("conv2d_f32_mve", _conv_applies, scratch_bytes=_conv_scratch("f32"))
    + _mve("conv1d_f32_mve", conv1d_applies),
    # FP32 accumulation for both precisions (widened halves): the layers are tiny.
    "linear_f16": _mve("linear_f16_mve"),
    "linear_f32": _mve("linear_f32_mve"),
    # FP32 statistics always; the FP16 kernel's fused SiLU runs in FP16 arithmetic.
    "group_norm_f16": _mve("group_norm_f16_mve", in_place=True),
    "group_norm_f32": _mve("group_norm_f32_mve", in_place=True),
    "silu_f16": _mve("silu_f16_mve", in_place=True),
    "silu_f32": _mve("silu_f32_mve", in_place=True),
    "add_f16": _mve("add_f16_mve", _binary_applies, in_place=True),
    "add_f32": _mve("add_f32_mve", _binary_applies, in_place=True),
    "sub_f16": _mve("sub_f16_mve", _binary_applies, in_place=True),
    "sub_f32": _mve("sub_f32_mve", _binary_applies, in_place=True),
    "mul_f16": _mve("mul_f16_mve", _binary_applies, in_place=True),
    "mul_f32": _mve("mul_f32_mve", _binary_applies, in_place=True),
    "concat_f16": _mve("concat_f16_mve"),
    "concat_f32": _mve("concat_f32_mve"),
    "upsample_nearest2d_f16": _mve("upsample_nearest2d_f16_mve", _upsample_applies),
    "upsample_nearest2d_f32": _mve("upsample_nearest2d_f32_mve", _upsample_applies),
    "cast_f32_to_f16": _mve("cast_f32_to_f16_mve"),
    "cast_f16_to_f32": _mve("cast_f16_to_f32_mve"),
    "binary_conv2d_f16": _mve("binary_conv2d_f16_mve", _binary_conv_applies,
                              scratch_bytes=_binary_conv_scratch),
    "binary_conv2d_f32": _mve("binary_conv2d_f32_mve", _binary_conv_applies,
                              scratch_bytes=_binary_conv_scratch),
    # W1A16: the float convolution's loop on +-1 weights; FP16 sums in the f16 kernel.
    "binary_weight_conv2d_f16": _mve("binary_weight_conv2d_f16_mve", _binary_weight_conv_applies,
                                     half_accumulation=True,
                                     scratch_bytes=_binary_weight_conv_scratch("f16")),
    "binary_weight_conv2d_f32": _mve("binary_weight_conv2d_f32_mve", _binary_weight_conv_applies,
                                     scratch_bytes=_binary_weight_conv_scratch("f32")),
    # Bit logic on 8 pixels per vector: exact, any shape.
    "sign_pack_f16": _mve("sign_pack_f16_mve"),
    # Gather form over the outputs of a phase, FP32 accumulation (widened halves).
    "conv_transpose2d_f16": _mve("conv_transpose2d_f16_mve", _conv_transpose_applies),
    "conv_transpose2d_f32": _mve("conv_transpose2d_f32_mve", _conv_transpose_applies),
    # FP32 scores, softmax statistics and sums in both precisions.
    "attention_f16": _mve("attention_f16_mve", _attention_f16_applies,
                          scratch_bytes=_attention_scratch),
    "attention_f32": _mve("attention_f32_mve", scratch_bytes=_attention_scratch),
    # FP32 statistics always; along the row (inner 1) or over the pixels (inner > 1).
    "layer_norm_f16": _mve("layer_norm_f16_mve"),
    "layer_norm_f32": _mve("layer_norm_f32_mve"),
}
# GELU (erf and tanh forms) and sigmoid in FP32 lanes for both precisions (FP16 widened and
# rounded once on store): vector exp, a rational fit of erfc; any count.
for _op in ("gelu", "gelu_tanh", "sigmoid"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = _mve(f"{_op}_{_dtype}_mve")


# ---- int8: same bytes as the reference *_s8 kernels (TFLite's arithmetic) ----------------
def conv_s8_shape_applies(p: dict) -> bool:
    """The int8 vector convolutions' shapes (conv2d_s8_rvv's predicate): groups 1, dilation
    1, kernel_h <= EDGEDIFF_S8_CONV_MAX_KH, any kernel, stride and padding whose output sizes
    are the shape's (the params nest the float struct: p["conv"])."""
    c = p["conv"]
    return (c["groups"] == 1 and c["dilation_h"] == 1 and c["dilation_w"] == 1
            and c["kernel_h"] <= limit("S8_CONV_MAX_KH")
            and c["h_out"] == (c["h_in"] + 2 * c["pad_h"] - c["kernel_h"]) // c["stride_h"] + 1
            and c["w_out"] == (c["w_in"] + 2 * c["pad_w"] - c["kernel_w"]) // c["stride_w"] + 1)


def conv_s8_applies(p: dict) -> bool:
    """conv2d_s8_mve: those shapes, with columns of kernel_h * c_in <=
    EDGEDIFF_S8_CONV_MAX_COLUMN bytes (its 16-bit scatter offsets)."""
    c = p["conv"]
    return conv_s8_shape_applies(p) and c["kernel_h"] * c["c_in"] <= limit("S8_CONV_MAX_COLUMN")


def conv_s8_scratch(p: dict) -> int:
    """conv2d_s8_mve (edgediff_conv2d_s8_mve_get_buffer_size): the kernel_h input rows of an
    output row, padded, column by column (each column kernel_h x c_in bytes), then the bytes
    the last patch's last vector reads past the patch (a patch is read as whole 16-byte
    vectors). The weights come packed from flash (conv_s8_pack)."""
    c = p["conv"]
    column = c["kernel_h"] * c["c_in"]
    patch = c["kernel_w"] * column
    return round_up((c["w_in"] + 2 * c["pad_w"]) * column + -(-patch // 16) * 16 - patch)


def conv_s8_pack(p: dict, arrays: list) -> dict:
    """conv2d_s8_mve's constants, laid out at build time as it reads them: the weights in
    blocks of 4 output channels x 16-byte vectors of a patch, taps ordered (kx, ky, channel)
    as the ring's columns hold them, zero past the patch and past c_out (1 below); and in
    place of the multipliers, 16 int32 per block (4 channels each): the bias plus the input
    offset times the channel's weight sum, the multiplier, the left shift and minus the right
    shift (2 below). The bias and shift are folded in there: the kernel gets NULL for them."""
    c, q = p["conv"], p["q"]
    weight, bias, multiplier, shift = arrays[1], arrays[2], arrays[3], arrays[4]
    c_out, depth = c["c_out"], c["kernel_h"] * c["kernel_w"] * c["c_in"]
    blocks, vectors = -(-c_out // 4), -(-depth // 16)
    w = np.zeros((blocks * 4, vectors * 16), dtype=np.int8)
    # [c_out, c_in, kh, kw] -> [c_out, kw, kh, c_in]
    w[:c_out, :depth] = np.transpose(np.asarray(weight, dtype=np.int8), (0, 3, 2, 1)).reshape(c_out, depth)
    packed = w.reshape(blocks, 4, vectors, 16).transpose(0, 2, 1, 3).copy()
    sums = np.asarray(weight, dtype=np.int64).reshape(c_out, -1).sum(axis=1)
    b = np.zeros(c_out, np.int64) if bias is None else np.asarray(bias, np.int64)
    s = np.asarray(shift, np.int64)
    fields = np.zeros((4, blocks * 4), dtype=np.int64)
    fields[0, :c_out] = b + q["input_offset"] * sums
    fields[1, :c_out] = np.asarray(multiplier, np.int64)
    fields[2, :c_out] = np.maximum(s, 0)
    fields[3, :c_out] = np.minimum(s, 0)
    params = fields.reshape(4, blocks, 4).transpose(1, 0, 2)
    return {1: packed.reshape(-1), 2: None, 3: params.astype(np.int32).reshape(-1), 4: None}


OVERRIDES["conv2d_s8"] = [Override("conv2d_s8_mve", "mve", conv_s8_applies, scratch_bytes=conv_s8_scratch,
                                   prepack=conv_s8_pack)]


def add_s8_applies(p: dict) -> bool:
    """add_s8_mve: 4-D, each operand dense or constant over the two inner dims (same shape,
    or the UNet's time embedding [N,C,1,1] onto [N,C,H,W]); outer strides are free."""
    return _binary_applies(p["shape"])


OVERRIDES["add_s8"] = _mve("add_s8_mve", add_s8_applies, in_place=True)


def linear_s8_scratch(p: dict) -> int:
    """linear_s8_mve (edgediff_linear_s8_mve_get_buffer_size): the packed weights (blocks of
    4 outputs x 16-byte vectors of in_features), 4 int32 per output of the blocks, two
    input rows (+16 bytes each)."""
    lin = p["linear"]
    blocks, vectors = -(-lin["out_features"] // 4), -(-lin["in_features"] // 16)
    return round_up(blocks * vectors * 64) + round_up(blocks * 64) + 2 * (vectors * 16 + 16)


OVERRIDES["linear_s8"] = _mve("linear_s8_mve", scratch_bytes=linear_s8_scratch)


def conv_dw_s8_applies(p: dict) -> bool:
    """conv2d_dw_s8_mve: groups == c_in > 1 and c_out a multiple of c_in (a depth
    multiplier), dilation 1, any kernel, stride and padding whose output sizes are the
    shape's."""
    c = p["conv"]
    return (c["groups"] > 1 and c["groups"] == c["c_in"] and c["c_out"] % c["c_in"] == 0
            and c["dilation_h"] == 1 and c["dilation_w"] == 1
            and c["h_out"] == (c["h_in"] + 2 * c["pad_h"] - c["kernel_h"]) // c["stride_h"] + 1
            and c["w_out"] == (c["w_in"] + 2 * c["pad_w"] - c["kernel_w"]) // c["stride_w"] + 1)


def conv_dw_s8_scratch(p: dict) -> int:
    """conv2d_dw_s8_mve: one input channel padded with the zero point."""
    c = p["conv"]
    return round_up((c["h_in"] + 2 * c["pad_h"]) * (c["w_in"] + 2 * c["pad_w"]))


OVERRIDES["conv2d_s8"] = OVERRIDES["conv2d_s8"] + _mve("conv2d_dw_s8_mve", conv_dw_s8_applies,
                                                       scratch_bytes=conv_dw_s8_scratch)


def group_norm_s8_applies(p: dict) -> bool:
    """group_norm_s8_mve: groups of at most 2^18 elements (channels / groups * spatial), where
    its normalised value (Q.20, |z| <= sqrt(M - 1)) stays below 2^30 and its two-step
    rounding shift equals the reference's. Integer statistics (exact in any order) and the
    reference's per-element arithmetic: the same bytes."""
    return p["channels"] // p["groups"] * p["spatial"] <= 1 << 18


OVERRIDES["group_norm_s8"] = _mve("group_norm_s8_mve", group_norm_s8_applies, in_place=True)
# The reference's requantization lane by lane (requantize_s8_mve.h): the same bytes, any count.
OVERRIDES["requantize_s8"] = _mve("requantize_s8_mve", in_place=True)
# Byte moves and table lookups, 16 bytes per vector: the reference's bytes, any count.
OVERRIDES["lut_s8"] = _mve("lut_s8_mve", in_place=True)
OVERRIDES["concat_i8"] = _mve("concat_i8_mve")
OVERRIDES["upsample_nearest2d_i8"] = _mve("upsample_nearest2d_i8_mve", _upsample_applies)
