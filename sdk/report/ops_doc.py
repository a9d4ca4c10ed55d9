"""`sdk ops` and docs/OPS.md: the torch ops and modules EdgeDiff lowers, in which precisions,
and on which targets an optimised kernel runs them.

Generated from the op entries (codegen/ops/: each OpSpec's `captures`), the reference kernels
(codegen/kernels/ref/<op>_<dtype>.c), the override tables (codegen/kernels/overrides/*.py) and
the targets' ISA features (targets/<t>/target.toml), so the list cannot drift from the code;
tests/test_ops_doc.py fails when docs/OPS.md is not what `sdk ops --markdown` prints, which
reminds whoever adds an op to regenerate it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from codegen.capture_artefacts import DESCRIBED
from codegen.kernels.catalog import OVERRIDES
from codegen.ir import Node, Tensor
from codegen.kernels.registry import all_reference_functions
from codegen.ops import OPS
from codegen.ops.spec import OpSpec
from codegen.ops.torch_names import torch_modules, torch_name
from sdk.target import isa_targets, load_target

COMMAND = "sdk ops --markdown --output docs/OPS.md"
DTYPES = {"f32": "fp32", "f16": "fp16"}


@dataclass(frozen=True)
class OpRow:
    op: str  # the IR op (codegen/ops/)
    torch: list[str]  # what the user writes: functions, then modules
    aten: list[str]
    precisions: str
    optimised: str


def _unique(items) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


class _AnyDtype:
    """Just enough of a Graph for an op's `kernel(graph, node)`: every tensor has one dtype."""

    def __init__(self, dtype: str):
        self.tensors = defaultdict(lambda: Tensor("t", (1,), dtype))


def _kernel_name(spec: OpSpec, dtype: str) -> str:
    """The reference kernel the op calls in `dtype` (conv2d_f16, reduce_f32 for mean)."""
    node = Node(spec.name, spec.name, [f"in{i}" for i in range(spec.arity + spec.optional)], ["out"], {})
    try:
        return spec.kernel(_AnyDtype(dtype), node)
    except (KeyError, TypeError, ValueError):  # a name that needs attrs: the default form
        return f"{spec.name}_{dtype}"


def _conversion(kernel_suffix: str) -> str:
    """`i32_to_f32` → `int32→fp32`."""
    names = {**DTYPES, "i32": "int32"}
    return "→".join(names.get(d, d) for d in kernel_suffix.split("_to_"))


def _kernels(spec: OpSpec) -> dict[str, str]:
    """label → reference kernel: {"fp32": "conv2d_f32", …, "binary fp16": "binary_conv2d_f16"};
    a cast's labels are its conversions ("int32→fp32")."""
    refs = set(all_reference_functions())
    if spec.name == "cast":
        return {_conversion(f.removeprefix("cast_")): f for f in sorted(refs) if f.startswith("cast_")}
    found = {}
    for prefix in ("", "binary_", "binary_weight_"):
        variant = OPS.get(prefix + spec.name)
        for dtype, label in DTYPES.items():
            name = _kernel_name(variant, dtype) if variant else ""
            if name in refs:
                found.setdefault(f"binary {label}" if prefix else label, name)
    return found


def _binary_variants(spec: OpSpec) -> list[str]:
    """Its 1-bit forms made by `sdk binarize` (binary_conv2d: W1A1, binary_weight_conv2d: W1A16)."""
    forms = {"binary_": "W1A1", "binary_weight_": "W1A16"}
    return [label for prefix, label in forms.items() if f"{prefix}{spec.name}" in OPS]


def _precisions(spec: OpSpec) -> str:
    if spec.alias:
        return "any (a view: no kernel runs)"
    if spec.call is None:
        return "as the ops it is folded into or lowered to (a pass rewrites it)"
    if spec.precision.pinned_fp32:
        return "fp32 (always, with its argument)"
    labels = [label for label in _kernels(spec) if not label.startswith("binary ")]
    binary = _binary_variants(spec)
    return ", ".join(labels) + (f"; binary ({', '.join(binary)})" if binary else "")


def _targets_with(feature: str) -> list[str]:
    return [t for t in isa_targets() if feature in load_target(t).isa_features]


def _optimised(spec: OpSpec) -> str:
    """`cortex-m55 (fp32, fp16), rv32v (fp32)`: where an override runs the op's kernels."""
    found: dict[str, list[str]] = {}
    for label, base in _kernels(spec).items():
        for override in OVERRIDES.get(base, []):
            for target in _targets_with(override.feature):
                if label not in found.setdefault(target, []):
                    found[target].append(label)
    return ", ".join(f"{t} ({', '.join(found[t])})" for t in sorted(found)) or "—"


def supported_ops() -> list[OpRow]:
    """One row per op a model can use (ops only passes make, e.g. table_row, are left out)."""
    rows = []
    for spec in sorted(OPS.values(), key=lambda s: s.name):
        if not spec.captures or all(t.startswith("edgediff.") for t in spec.captures):
            continue
        aten = sorted(t.removesuffix("[]") for t in spec.captures)  # split.Tensor[]: per piece
        names = _unique(torch_name(t) for t in aten) + _unique(m for t in aten for m in torch_modules(t))
        rows.append(OpRow(spec.name, names, aten, _precisions(spec), _optimised(spec)))
    return rows


def render_markdown() -> str:
    lines = ["# Supported ops", "",
             f"Generated by `{COMMAND}` from the op entries (`codegen/ops/`), the kernels and the",
             "targets; `tests/test_ops_doc.py` fails when this page is out of date.", "",
             "A model may use these torch functions and modules. `sdk build` lists every other op a",
             "model uses in one table (op, node count, your line, the library line, what to do).",
             "Every op has a portable reference kernel for each precision listed; *optimised* names",
             "the targets where an ISA override (`codegen/kernels/overrides/`) runs it for the shapes",
             "its predicate accepts ([KERNELS.md](KERNELS.md)).", "",
             "| torch | ATen | IR op | precisions | optimised on |",
             "| --- | --- | --- | --- | --- |"]
    for r in supported_ops():
        lines.append(f"| {'<br>'.join(f'`{n}`' for n in r.torch)} | {'<br>'.join(f'`{a}`' for a in r.aten)} "
                     f"| `{r.op}` | {r.precisions} | {r.optimised} |")
    lines += ["", "## What capture passes through or evaluates", "",
              "Export artefacts that compute nothing on the device (`codegen/capture_artefacts.py`):", "",
              "| in the exported graph | becomes |", "| --- | --- |"]
    lines += [f"| {what} | {becomes} |" for what, becomes in DESCRIBED]
    lines += ["", "## Inputs", "",
              "Model inputs are float32 or integer. An integer input (a diffusers timestep, `int64`",
              "or `int32`) is int32 on the wire and on the device; the model's own conversion",
              "(`t.float()`, or torch's type promotion in `x * t`) becomes a `cast` to float32.",
              "Integer arithmetic itself (`t * 2` on the integer) is not lowered: convert first.",
              "Outputs are float32.", ""]
    return "\n".join(lines)
