"""Which kernel function runs an op: the reference, or an ISA-specific override.

Every op and dtype has a portable reference function `<op>_<dtype>` in ref/. An override
is a function with the same signature, `<op>_<dtype>_<isa>`, in `<isa>/`, listed in
`overrides/<isa>.py` with
the ISA feature a target must declare in its target.toml and a predicate on the kernel's
parameters (the C struct's fields) saying which shapes it handles. The first override
whose feature the target has and whose predicate holds wins; otherwise the reference runs.
So a target is data, and an override need not handle every corner (dilation, groups):
those cases keep the reference. An override may need working memory (its `scratch_bytes`
rule, as a reference kernel may: its op entry's); the memory planner asks for it when it
chooses each layer's kernel.
"""

from __future__ import annotations

from collections.abc import Iterable

from codegen.kernels.catalog_types import Override
from codegen.kernels.overrides import dsp, fpu, mve, nofpu, rv32im, rvv, zbb


def _merged_overrides() -> dict[str, list[Override]]:
    merged: dict[str, list[Override]] = {}
    # Vector ISAs first: on a RISC-V target with both, an RVV kernel wins and the scalar
    # Zbb one takes the layers its predicate rejects; the scalar FPU kernels (every core
    # with an FP32 FPU, the vector ones too) last, for the layers no vector kernel takes.
    # The Arm DSP int8 kernels (dsp) share no base function with the others, nor do the
    # integer-only int8 boundary kernels (nofpu); the scalar RV32IM int8 kernels (rv32im)
    # come after the RVV ones, which take most int8 layers on rv32v.
    for table in (rvv.OVERRIDES, mve.OVERRIDES, zbb.OVERRIDES, dsp.OVERRIDES, fpu.OVERRIDES, nofpu.OVERRIDES,
                  rv32im.OVERRIDES):
        for base, overrides in table.items():
            merged.setdefault(base, []).extend(overrides)
    return merged


# base function -> overrides in order of preference.
OVERRIDES: dict[str, list[Override]] = _merged_overrides()


def choose_override(base: str, params: dict, isa_features: Iterable[str],
                    optional: bool = False) -> Override | None:
    """The override that runs a layer, or None: the reference. optional: an arena_optional
    override may be chosen (the memory planner asks, where it does not grow the arena)."""
    features = set(isa_features)
    for override in OVERRIDES.get(base, []):
        if override.arena_optional and not optional:
            continue
        if override.feature in features and override.applies(params):
            return override
    return None


def choose_function(base: str, params: dict, isa_features: Iterable[str]) -> str:
    override = choose_override(base, params, isa_features)
    return override.function if override else base


def scratch_bytes(base: str, params: dict, isa_features: Iterable[str]) -> int | None:
    """Working memory of the override that runs a layer: None when the reference runs
    (its scratch rule, if any, is its op entry's: codegen/plan.py choose_kernel) or the
    override takes no scratch argument, else its size in bytes (0: NULL)."""
    override = choose_override(base, params, isa_features)
    if override is None or override.scratch_bytes is None:
        return None
    return override.scratch_bytes(params)


def prepack_of(function: str):
    """The override's prepack (Override.prepack) for a function, or None."""
    for overrides in OVERRIDES.values():
        for o in overrides:
            if o.function == function and o.prepack is not None:
                return o.prepack
    return None


def accumulates_in_half(function: str) -> bool:
    return any(o.function == function and o.half_accumulation
               for overrides in OVERRIDES.values() for o in overrides)
