"""Kernel overrides for targets with the `fpu` ISA feature: a hardware FP32 FPU (RISC-V F
with Zfh, Armv7E-M FPv4-SP, Armv8-M FPv5), scalar kernels in codegen/kernels/fpu/.

Each entry: base function -> [Override(function, feature, applies, half_accumulation,
scratch_bytes)], in order of preference; `applies` gets the kernel's parameter fields (the
C struct). catalog.py puts this table after the vector ones (rvv, mve), so on a vector
target these take only the layers the vector kernels' predicates refuse. FP32 accumulation
in both precisions (no entry is half_accumulation); the scratch rules are those of the
inline edgediff_*_fpu_get_buffer_size() in include/edgediff/kernels_fpu.h
(tests/test_kernel_scratch.py checks they agree).
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override
from codegen.kernels.scratch import round_up

FEATURE = "fpu"


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


def _fpu(function: str, applies=_always, scratch_bytes=None) -> list[Override]:
    return [Override(function, FEATURE, applies, False, scratch_bytes)]


OVERRIDES: dict[str, list[Override]] = {
    # Blocks of four outputs share each input load; FP32 sums (the FP16 input row widened
    # once into the scratch).
    "linear_f32": _fpu("linear_f32_fpu"),
    "linear_f16": _fpu("linear_f16_fpu", scratch_bytes=linear_f16_scratch),
    # FP32 statistics (one pass where safe, else two), fused SiLU from a polynomial e^x.
    "group_norm_f32": _fpu("group_norm_f32_fpu"),
    "group_norm_f16": _fpu("group_norm_f16_fpu"),
    "silu_f32": _fpu("silu_f32_fpu"),
    "silu_f16": _fpu("silu_f16_fpu"),
    # Bit-for-bit data movement.
    "concat_f32": _fpu("concat_f32_fpu"),
    "concat_f16": _fpu("concat_f16_fpu"),
    "upsample_nearest2d_f32": _fpu("upsample_nearest2d_f32_fpu", upsample_applies),
    "upsample_nearest2d_f16": _fpu("upsample_nearest2d_f16_fpu", upsample_applies),
}
for _op in ("add", "sub", "mul"):
    for _dtype in ("f32", "f16"):
        OVERRIDES[f"{_op}_{_dtype}"] = _fpu(f"{_op}_{_dtype}_fpu", binary_applies)
