"""Kernel overrides for scalar RV32IM cores (ISA feature `rv32im`: rv32, fe310 and
hifive1-revb, and rv32v for the layers its RVV kernels refuse), sources in
codegen/kernels/rv32im/: int8 kernels in plain C, register-blocked for RISC-V's 31 integer
registers, with no F, V or P extension (an integer-only core's int8 path). Same bytes as the
reference kernels. The int8 ops' parameters are nested (conv2d_s8_params_t: `conv` and `q`),
so the predicates read p["conv"]. No scratch: the hifive1-revb's 16 KiB hold the zoo dncnn's
int8 activations with 16 B to spare, so these kernels read weights and inputs in place.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override

FEATURE = "rv32im"


def conv_applies(p: dict) -> bool:
    """conv2d_s8_rv32im: dilation 1; any kernel, stride, padding and groups (depthwise too)."""
    c = p["conv"]
    return c["dilation_h"] == 1 and c["dilation_w"] == 1


OVERRIDES: dict[str, list[Override]] = {
    "conv2d_s8": [Override("conv2d_s8_rv32im", FEATURE, conv_applies)],
    "linear_s8": [Override("linear_s8_rv32im", FEATURE, lambda p: True)],
}
