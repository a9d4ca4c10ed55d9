"""Kernel overrides for targets with the `zbb` ISA feature (RISC-V bit manipulation: cpop),
sources in codegen/kernels/zbb/.

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference.
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override

FEATURE = "zbb"


def binary_conv_applies(p: dict) -> bool:
    """binary_conv2d_*_zbb: any kernel size, stride and padding (on rv32v, the layers
    binary_conv2d_*_rvv does not take); the integer dot is exact, so the result equals the
    reference's bit for bit."""
    return True


OVERRIDES: dict[str, list[Override]] = {
    "binary_conv2d_f32": [Override("binary_conv2d_f32_zbb", FEATURE, binary_conv_applies)],
    "binary_conv2d_f16": [Override("binary_conv2d_f16_zbb", FEATURE, binary_conv_applies)],
}
