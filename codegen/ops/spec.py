"""OpSpec: everything the compiler knows about one IR op, in one place.

An op's entry says how it is captured (which ATen targets map to it and with which
attrs), how many MACs it performs, which sizes and strides its kernel walks (its layout
rule), what it computes (the numpy reference the interpreter, tabulate_time and the tests
use), how its kernel call is emitted, and which precision it may run in. Output shapes
are not a rule here: capture takes them from torch.export's traced shapes, and a pass
that builds a node states its output tensor. Each op (or small family) lives in one file
under codegen/ops/ and is registered in codegen/ops/__init__.py; the passes and the
emitter read these entries and hold no per-op tables or `if op == ...` chains of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

# ATen target -> capturer(args, kwargs, out_shape) -> (op, inputs, attrs); see codegen/capture.py.
Capturer = Callable[..., tuple]


@dataclass(frozen=True)
class Precision:
    """The op's precision rule (codegen/passes/assign_precision.py applies it).

    pinned_fp32: the op, and the op that computes its argument (with the elementwise chain
      behind it), run in FP32 whatever the policy says (sin/cos of a large timestep argument
      would be wrong, not rounded, in FP16);
    follows_input: the op keeps its input's precision (an alias, not a computation);
    fp32_operands: operand positions that stay FP32 in every precision (an index);
    output_dtype: the output's dtype whatever the op's precision (packed bits are "u32").
    """

    pinned_fp32: bool = False
    follows_input: bool = False
    fp32_operands: frozenset[int] = frozenset()
    output_dtype: str | None = None


@dataclass(frozen=True)
class CallSite:
    """What the emitter resolved for one kernel call; an op's `call` turns it into C lines.

    function: the C symbol of the kernel chosen (reference or override; codegen/kernels/symbol.py); params: the name of its const
    parameter struct, declaration: that struct's C definition ("" for a params-less kernel);
    inputs/output: C pointer expressions (absent optional operands are NULL); ctype: the
    output's C element type; count: the output's element count; scratch: the C pointer to
    the layer's working memory in the arena (or NULL) when the chosen kernel takes one, as
    its last argument (codegen/plan.py), else None."""

    function: str
    params: str
    declaration: str
    inputs: list[str]
    output: str
    ctype: str
    count: int
    scratch: str | None = None

    @property
    def tail(self) -> str:
        """The arguments after the output: `, scratch` for a kernel that takes one."""
        return "" if self.scratch is None else f", {self.scratch}"


def count_call(site: CallSite) -> list[str]:
    """`fn(x, y, count)`: an elementwise kernel with no parameter struct."""
    return [f"{site.function}({site.inputs[0]}, {site.output}, {site.count}{site.tail});"]


def params_call(site: CallSite) -> list[str]:
    """`fn(&params, inputs..., y)`: a kernel with a const parameter struct."""
    return [site.declaration,
            f"{site.function}(&{site.params}, {', '.join(site.inputs)}, {site.output}{site.tail});"]


def output_kernel(graph, node) -> str:
    """The kernel's base name `<op>_<output dtype>` (e.g. conv2d_f16); catalog.choose_function
    may pick an ISA override of it."""
    return f"{node.op}_{graph.tensors[node.outputs[0]].dtype}"


@dataclass(frozen=True)
class OpSpec:
    """One IR op. Only `name`, `arity` and `reference` are required: an op with no
    `captures` is produced by a pass, one with no `call` must be lowered by a pass before
    emission (the emitter refuses it).

    arity: required inputs; optional: trailing inputs that may be "" (absent, NULL in C);
    variadic: any number of inputs (concat);
    reference(*inputs, attrs) -> np.ndarray: the numpy semantics (float64 inside, float32 out);
    captures: ATen target -> capturer (see Capturer);
    macs(input_shapes, output_shape, attrs) -> int: multiply-accumulates (None: 0);
    layout(graph, node): fills node.attrs with the sizes/strides its kernel walks;
    params(graph, node) -> (C struct type, fields) or None for a params-less kernel;
    kernel(graph, node) -> the kernel's base function name;
    call(CallSite) -> C lines of the call;
    scratch_bytes(params) -> int: set when the op's reference kernel needs working memory
      (params: the fields of `params`); it then takes a last `void *scratch` argument of
      that many bytes, as its inline C `edgediff_<kernel>_get_buffer_size(&params)` in
      kernels.h says, placed in the arena by the memory planner (the Override field of the
      same name says it for an ISA kernel; every override of such a kernel takes the
      argument too: same signature);
    fusable_activation: a following ReLU/SiLU folds into its `act` attr;
    activation: it is that ReLU/SiLU (fuse_activation moves it into its producer);
    elementwise: the output may overwrite a same-shaped operand (memory plan, in place);
    in_place: the output may overwrite its first operand, of the same shape, though the op
      is not elementwise (group norm: its reference kernel reads a whole group for the
      statistics before it writes any of it, then each element before it writes it); the
      memory plan asks this of the reference kernel, and an ISA override's own
      `Override.in_place` when one runs the layer;
    alias: the output is the input's bytes (no kernel, no arena: a reshape).
    """

    name: str
    arity: int
    reference: Callable[..., np.ndarray]
    optional: int = 0
    variadic: bool = False
    captures: Mapping[str, Capturer] = field(default_factory=dict)
    macs: Callable[..., int] | None = None
    layout: Callable | None = None
    params: Callable | None = None
    kernel: Callable[..., str] = output_kernel
    call: Callable[[CallSite], list[str]] | None = None
    scratch_bytes: Callable[[dict], int] | None = None
    precision: Precision = Precision()
    fusable_activation: bool = False
    activation: bool = False
    elementwise: bool = False
    alias: bool = False
    in_place: bool = False

    @property
    def writes_in_place(self) -> bool:
        """May the output take a dying same-shaped operand's bytes (codegen/plan_alias.py)?"""
        return self.elementwise or self.in_place
