"""Kernel overrides for targets with the `dsp` ISA feature: the Arm DSP extension of
Armv7E-M / Armv8-M Mainline (Cortex-M4, M7, M33), sources in codegen/kernels/dsp/.

int8 convolution and fully connected layers on SMLAD (two 16 x 16-bit MACs per instruction),
in blocks of 2 output channels x 2 pixels. The 3x3 convolution (conv2d_s8_dsp) takes its
weights packed at build time (dsp_conv_pack.py: `Override.prepack`) and gathers only the column
of the two pixels of a block; the pointwise one (conv2d_1x1_s8_dsp) takes its weights widened to
int16 at build time too (dsp_pointwise_pack.py) and widens only the two pixels' input columns;
the linear layer widens its two input rows and sign-extends its int8 weights in registers
(SXTB16, internal/gemm_s8_dsp.h), so its scratch is two columns as well.
Same bytes as the reference kernels. The int8 ops' parameters are nested (conv2d_s8_params_t:
`conv` and `q`), so the predicates read p["conv"] / p["linear"]. The scratch rules are those
of the inline edgediff_*_dsp_get_buffer_size() in include/edgediff/kernels_dsp.h
(tests/test_kernel_scratch.py checks they agree).

Where the two-pixel column of a 3x3 layer with many input channels would raise the arena's
peak, conv2d_chunked_s8_dsp runs it instead: the same arithmetic over 16 input channels at a
time, with int32 partial sums in the scratch (zoo unet's 64-channel layer: 832 B for 2,304);
the memory planner keeps conv2d_s8_dsp wherever it does not grow the arena.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override
from codegen.kernels.overrides import dsp_conv_chunked_pack, dsp_conv_pack, dsp_pointwise_pack
from codegen.kernels.scratch import round_up

FEATURE = "dsp"


def columns_bytes(depth: int) -> int:
    """edgediff_s8_dsp_columns_bytes: two int16 columns of the depth rounded up to 4."""
    return round_up(2 * (-(-depth // 4) * 4) * 2)


def conv_applies(p: dict) -> bool:
    """conv2d_s8_dsp: 3x3 pad 1 stride 1 or 2 (the same both ways), groups 1, dilation 1,
    output sizes those of the shape."""
    c = p["conv"]
    if c["groups"] != 1 or c["dilation_h"] != 1 or c["dilation_w"] != 1:
        return False
    s = c["stride_h"]
    return (c["kernel_h"] == 3 and c["kernel_w"] == 3 and s in (1, 2) and c["stride_w"] == s
            and c["pad_h"] == 1 and c["pad_w"] == 1
            and c["h_out"] == (c["h_in"] - 1) // s + 1 and c["w_out"] == (c["w_in"] - 1) // s + 1)


def conv_scratch(p: dict) -> int:
    """conv2d_s8_dsp: the column of two output pixels, 16 bytes per step (its weights are
    packed at build time: dsp_conv_pack.py)."""
    return round_up(16 * dsp_conv_pack.steps(p["conv"]["c_in"]))


def conv_chunked_applies(p: dict) -> bool:
    """conv2d_chunked_s8_dsp: conv2d_s8_dsp's shapes with stride 1 and more input channels
    than one chunk (with fewer its scratch would be conv2d_s8_dsp's)."""
    c = p["conv"]
    return conv_applies(p) and c["stride_h"] == 1 and c["c_in"] > dsp_conv_chunked_pack.CHUNK


def conv_wide_applies(p: dict) -> bool:
    """conv2d_s8_dsp where conv2d_chunked_s8_dsp applies too (stride 1, more than 16 input
    channels): the memory planner takes it only where its two-pixel column does not grow the
    arena (Override.arena_optional)."""
    return conv_chunked_applies(p)


def conv_chunked_scratch(p: dict) -> int:
    """conv2d_chunked_s8_dsp: one chunk's column and the sums of every output channel pair."""
    return round_up(dsp_conv_chunked_pack.scratch_bytes(p["conv"]["c_in"], p["conv"]["c_out"]))


def conv_1x1_applies(p: dict) -> bool:
    """conv2d_1x1_s8_dsp: 1x1 stride 1 pad 0, groups 1."""
    c = p["conv"]
    return (c["groups"] == 1 and c["kernel_h"] == 1 and c["kernel_w"] == 1
            and c["stride_h"] == 1 and c["stride_w"] == 1 and c["pad_h"] == 0
            and c["pad_w"] == 0 and c["h_out"] == c["h_in"] and c["w_out"] == c["w_in"])


def conv_1x1_scratch(p: dict) -> int:
    """conv2d_1x1_s8_dsp: the two pixels' widened input columns (its weights are widened at
    build time: dsp_pointwise_pack.py)."""
    return columns_bytes(p["conv"]["c_in"])


def linear_scratch(p: dict) -> int:
    """linear_s8_dsp: the two widened input rows."""
    return columns_bytes(p["linear"]["in_features"])


OVERRIDES: dict[str, list[Override]] = {
    # a 3x3 layer conv2d_chunked_s8_dsp can run runs it unless conv2d_s8_dsp (faster, more
    # scratch) leaves the arena no larger (Override.arena_optional, codegen/plan.py)
    "conv2d_s8": [Override("conv2d_s8_dsp", FEATURE, conv_wide_applies,
                           scratch_bytes=conv_scratch, prepack=dsp_conv_pack.conv_prepack,
                           arena_optional=True),
                  Override("conv2d_chunked_s8_dsp", FEATURE, conv_chunked_applies,
                           scratch_bytes=conv_chunked_scratch,
                           prepack=dsp_conv_chunked_pack.conv_chunked_prepack),
                  Override("conv2d_s8_dsp", FEATURE, conv_applies, scratch_bytes=conv_scratch,
                           prepack=dsp_conv_pack.conv_prepack),
                  Override("conv2d_1x1_s8_dsp", FEATURE, conv_1x1_applies,
                           scratch_bytes=conv_1x1_scratch,
                           prepack=dsp_pointwise_pack.pointwise_prepack)],
    "linear_s8": [Override("linear_s8_dsp", FEATURE, lambda p: True,
                           scratch_bytes=linear_scratch)],
}
