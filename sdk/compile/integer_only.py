"""Builds for a core without an FPU (fe310, hifive1-revb: RV32IMAC; the class of the ESP32-C3
and GD32VF103): int8 by default, float only when the user asks for soft-float.

A float layer there is a call into the compiler's soft-float routines (libgcc's __addsf3,
__mulsf3, …) for every add and multiply: tens of instructions where an FPU takes one. So
`sdk build` refuses FP32, FP16 and `--precision auto` on such a target with one line, unless
`--soft-float` says the user wants exactly that (FP32 only: libgcc 12 for rv32imac has no
half-precision conversions, so FP16 and `--precision auto` stay refused). An int8 build there
computes no float at all: its layers are int8, and the float32 I/O boundary (the model's
inputs and outputs are float32 on the wire) runs the `nofpu` quantize and dequantize kernels,
integer arithmetic on the IEEE bits (codegen/kernels/overrides/nofpu.py). Any other float
layer in an int8 build is refused there, unless --soft-float.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes import PrecisionPolicy
from sdk.errors import UserError
from sdk.target import Target

FLOAT_DTYPES = ("f32", "f16")
BOUNDARY_OPS = ("dequantize",)  # int8 -> the float32 output; quantize's own output is int8


def check_policy(target: Target, policy: PrecisionPolicy, soft_float: bool, auto: bool) -> None:
    """Refuse a float build on an integer-only target (and --soft-float on a target with an FPU)."""
    if not target.integer_only:
        if soft_float:
            raise UserError(f"--soft-float is for targets without an FPU; {target.name} has one (drop the flag)")
        return
    precisions = {policy.default, *policy.layers.values()}
    if soft_float and ("fp16" in precisions or auto):
        raise UserError(f"FP16 on {target.name}: its soft-float runtime (libgcc for rv32imac/ilp32) has no "
                        "half-precision conversions; use --precision fp32 --soft-float, or --precision int8")
    if soft_float or (precisions == {"int8"} and not auto):
        return
    asked = "--precision auto" if auto else "/".join(sorted(p.upper() for p in precisions - {"int8"}))
    raise UserError(f"{target.name} has no FPU: {asked} would run every float operation in software; build with "
                    "--precision int8, or add --soft-float to build it with the compiler's soft-float routines")


def float_layers(graph: Graph) -> list[str]:
    """The layers of an int8 graph that compute a float result, other than the output's dequantize."""
    return [node.name for node in graph.nodes
            if node.op not in BOUNDARY_OPS and any(graph.tensors[t].dtype in FLOAT_DTYPES for t in node.outputs if t)]


def check_int8_graph(target: Target, graph: Graph, soft_float: bool) -> None:
    """An int8 build on an integer-only target keeps float to its I/O boundary (or --soft-float)."""
    if not target.integer_only or soft_float:
        return
    names = float_layers(graph)
    if names:
        raise UserError(f"{target.name} has no FPU, and these layers of the int8 build compute in float: "
                        f"{', '.join(names[:8])}{' …' if len(names) > 8 else ''}; add --soft-float to run "
                        "them with the compiler's soft-float routines")
