"""Kernel overrides for targets with the `mve` ISA feature (sources in codegen/kernels/mve/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference; `applies` gets the kernel's parameter fields (the C struct).
Anything a predicate rejects keeps the portable reference kernel.
"""

from __future__ import annotations

from codegen.binary import BINARY_WEIGHT_TABLE_BYTES
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
        """conv2d_<dtype>_mve: 1x1 stride 1 pad 0, or 3x3 pad 1 stride 1 or 2; groups 1,
        dilation 1; the zero-padded band of input rows must fit the stack scratch buffer."""
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


# Must match EDGEDIFF_MAX_FIELD_WORDS, _MAX_ROW_WORDS, _MAX_KERNEL_W and _MAX_W_OUT in
# include/edgediff/internal/binary_conv2d_mve.h.
BINARY_MAX_FIELD_WORDS = 256
BINARY_MAX_ROW_WORDS = 31
BINARY_MAX_KERNEL_W = 8
BINARY_MAX_W_OUT = 256


def _binary_conv_applies(p: dict) -> bool:
    """binary_conv2d_<dtype>_mve: any kernel size, stride and padding whose receptive field
    (kernel_h * kernel_w * words) is at most 256 words, with a row of taps (kernel_w *
    words) of at most 31 words (3x3 up to 320 input channels), kernel_w up to 8 and output
    rows up to 256 pixels (its stack tables); any number of output channels. The integer
    dot is exact, so the result equals the reference's bit for bit."""
    return (p["kernel_h"] * p["kernel_w"] * p["words"] <= BINARY_MAX_FIELD_WORDS
            and p["kernel_w"] * p["words"] <= BINARY_MAX_ROW_WORDS
            and p["kernel_w"] <= BINARY_MAX_KERNEL_W and p["w_out"] <= BINARY_MAX_W_OUT)


def _binary_weight_conv_applies(dtype: str):
    conv = _conv_applies(dtype)
    size = _BYTES[dtype]

    def applies(p: dict) -> bool:
        """binary_weight_conv2d_<dtype>_mve: the shapes conv2d_<dtype>_mve takes (1x1 stride 1
        pad 0, or 3x3 pad 1 stride 1 or 2 whose zero-padded band of input rows fits its
        stack scratch), with the +-1 weights of one output channel (c_in * kernel_h *
        kernel_w elements) fitting its 16 KiB stack table. Sums sign * x with conv2d's
        multiply-adds by +-1.0 (exact products), in the element precision; then scale, bias
        and the folded steps per vector in FP32."""
        q = {**p, "groups": 1, "dilation_h": 1, "dilation_w": 1}
        return (conv(q) and p["c_in"] * p["kernel_h"] * p["kernel_w"] * size
                <= BINARY_WEIGHT_TABLE_BYTES)

    return applies


# Must match EDGEDIFF_CT_MAX_TAPS in include/edgediff/internal/conv_transpose2d_simd.h.
CONV_T_MAX_TAPS = 64


def _conv_transpose_applies(p: dict) -> bool:
    """conv_transpose2d_<dtype>_mve: any stride, padding, output_padding and groups whose
    kernel taps reaching one output (ceil(kernel_h / stride_h) * ceil(kernel_w / stride_w))
    fit its table of 64 tap offsets. FP32 accumulation in both precisions."""
    return (-(-p["kernel_h"] // p["stride_h"])) * (-(-p["kernel_w"] // p["stride_w"])) <= CONV_T_MAX_TAPS


def _always(p: dict) -> bool:
    return True


def _mve(function: str, applies=_always, half_accumulation: bool = False) -> list[Override]:
    return [Override(function, "mve", applies, half_accumulation)]


OVERRIDES: dict[str, list[Override]] = {
    # FP16 accumulation (8 lanes per FMA), flagged so validation bounds widen.
    "conv2d_f16": _mve("conv2d_f16_mve", _conv_applies("f16"), half_accumulation=True),
    "conv2d_f32": _mve("conv2d_f32_mve", _conv_applies("f32")),
    # FP32 accumulation for both precisions (widened halves): the layers are tiny.
    "linear_f16": _mve("linear_f16_mve"),
    "linear_f32": _mve("linear_f32_mve"),
    # FP32 statistics always; the FP16 kernel's fused SiLU runs in FP16 arithmetic.
    "group_norm_f16": _mve("group_norm_f16_mve"),
    "group_norm_f32": _mve("group_norm_f32_mve"),
    "silu_f16": _mve("silu_f16_mve"),
    "silu_f32": _mve("silu_f32_mve"),
    "add_f16": _mve("add_f16_mve", _binary_applies),
    "add_f32": _mve("add_f32_mve", _binary_applies),
    "sub_f16": _mve("sub_f16_mve", _binary_applies),
    "sub_f32": _mve("sub_f32_mve", _binary_applies),
    "mul_f16": _mve("mul_f16_mve", _binary_applies),
    "mul_f32": _mve("mul_f32_mve", _binary_applies),
    "concat_f16": _mve("concat_f16_mve"),
    "concat_f32": _mve("concat_f32_mve"),
    "upsample_nearest2d_f16": _mve("upsample_nearest2d_f16_mve", _upsample_applies),
    "upsample_nearest2d_f32": _mve("upsample_nearest2d_f32_mve", _upsample_applies),
    "cast_f32_to_f16": _mve("cast_f32_to_f16_mve"),
    "cast_f16_to_f32": _mve("cast_f16_to_f32_mve"),
    "binary_conv2d_f16": _mve("binary_conv2d_f16_mve", _binary_conv_applies),
    "binary_conv2d_f32": _mve("binary_conv2d_f32_mve", _binary_conv_applies),
    # W1A16: the float convolution's loop on +-1 weights; FP16 sums in the f16 kernel.
    "binary_weight_conv2d_f16": _mve("binary_weight_conv2d_f16_mve",
                                     _binary_weight_conv_applies("f16"), half_accumulation=True),
    "binary_weight_conv2d_f32": _mve("binary_weight_conv2d_f32_mve",
                                     _binary_weight_conv_applies("f32")),
    # Bit logic on 8 pixels per vector: exact, any shape.
    "sign_pack_f16": _mve("sign_pack_f16_mve"),
    # Gather form over the outputs of a phase, FP32 accumulation (widened halves).
    "conv_transpose2d_f16": _mve("conv_transpose2d_f16_mve", _conv_transpose_applies),
    "conv_transpose2d_f32": _mve("conv_transpose2d_f32_mve", _conv_transpose_applies),
}
# GELU (erf and tanh forms) and sigmoid in FP32 lanes for both precisions (FP16 widened and
# rounded once on store): vector exp, a rational fit of erfc; any count.
for _op in ("gelu", "gelu_tanh", "sigmoid"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = _mve(f"{_op}_{_dtype}_mve")
