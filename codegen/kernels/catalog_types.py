"""The Override record, in its own module so the per-ISA tables and the catalog share it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Override:
    """An ISA-specific kernel with the reference's signature. applies: does it handle
    these parameters (the C struct's fields)? half_accumulation: it sums products in FP16
    (faster SIMD, larger error); reference kernels always accumulate in FP32, and
    validation tolerances use this flag. scratch_bytes: set for a kernel that needs working
    memory, which then takes one more, last, argument `void *scratch`: the bytes it needs
    for these parameters, as its C `edgediff_<function>_get_buffer_size()` says
    (include/edgediff/scratch.h); the memory planner gives the layer that much of the arena
    for its step, and the emitter passes it (NULL for 0 bytes). in_place: the kernel is
    correct with its output pointer equal to its first same-shaped operand's (it reads
    every element it still needs before it writes that element, as its loop order was
    checked to do), so the memory planner may write the output over a dying operand for an
    op whose entry allows it (OpSpec.elementwise or in_place); False, the default, keeps
    the output in its own bytes whenever this kernel runs. arena_optional: a faster kernel
    whose scratch may be large; the memory planner takes it for a layer only where that
    does not grow the arena, else the next override that applies (codegen/plan.py).
    pack: set for a kernel that wants its weight operand (input 1) in its own layout, made
    at build time: pack(params, operands) -> int8 bytes, operands the layer's inputs as
    numpy arrays (None where not a constant); the emitter writes those bytes as a constant
    of the layer and passes them in place of the weight (codegen/emit_c.py)."""

    function: str
    feature: str
    applies: Callable[[dict], bool] = lambda params: True
    half_accumulation: bool = False
    scratch_bytes: Callable[[dict], int] | None = None
    in_place: bool = False
    arena_optional: bool = False
    pack: Callable[[dict, list], object] | None = None
