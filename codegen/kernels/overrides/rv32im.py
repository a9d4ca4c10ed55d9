"""Kernel overrides for scalar RV32IM cores (ISA feature `rv32im`: rv32, fe310 and
hifive1-revb, and rv32v for the layers its RVV kernels refuse), sources in
codegen/kernels/rv32im/: int8 kernels in plain C, register-blocked for RISC-V's 31 integer
registers, with no F, V or P extension (an integer-only core's int8 path). Same bytes as the
reference kernels. The int8 ops' parameters are nested (conv2d_s8_params_t: `conv` and `q`),
so the predicates read p["conv"]. The scratch rules are those of the inline
edgediff_*_rv32im_get_buffer_size() in include/edgediff/kernels_rv32im.h
(tests/test_kernel_scratch.py checks they agree).
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override
from codegen.kernels.scratch import round_up

FEATURE = "rv32im"


def conv_applies(p: dict) -> bool:
    """conv2d_s8_rv32im: groups 1 and dilation 1; any kernel, stride and padding."""
    c = p["conv"]
    return c["groups"] == 1 and c["dilation_h"] == 1 and c["dilation_w"] == 1


def conv_scratch(p: dict) -> int:
    """The packed weights of one block of 4 output channels, then their int32 sums per kernel
    row."""
    c = p["conv"]
    return round_up(4 * c["c_in"] * c["kernel_h"] * c["kernel_w"]) + round_up(16 * c["kernel_h"])


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_s8": [Override("conv2d_s8_rv32im", FEATURE, conv_applies, scratch_bytes=conv_scratch)],
}
