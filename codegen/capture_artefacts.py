"""Export artefacts: ATen nodes that compute nothing in inference, captured as identities.

torch.export records what eager PyTorch does, including steps that only matter for autograd,
devices or dtypes the device never sees: `x.to(sample.dtype)` when x already has that dtype
(with its `_assert_tensor_metadata` check), `clone`/`contiguous`/`detach`, dropout in eval
mode, a slice that keeps everything, and the neutral arithmetic generic library code does for
every configuration (a slice that takes back one half of a concatenation; diffusers divides each ResNet block's output by output_scale_factor = 1.0
and multiplies the timestep by a ones vector of the batch size). Capture (codegen/capture.py)
maps such a node's output to the operand that passes through, so no kernel runs for it.
Nodes whose results nothing reads (the assertions) are dropped before this is asked.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# Ops that return their input unchanged in inference.
IDENTITIES = frozenset({
    "aten.clone.default", "aten.contiguous.default", "aten.alias.default", "aten.detach.default",
    "aten.detach_.default", "aten.lift_fresh_copy.default", "aten.dropout.default",
    "aten.dropout_.default", "aten.feature_dropout.default", "aten.feature_dropout_.default",
    "aten.alpha_dropout.default", "aten.alpha_dropout_.default",
})
# dtype (and device) conversions: an identity when the dtype stays, else codegen/ops/cast.py.
CONVERSIONS = frozenset({"aten.to.dtype", "aten.to.dtype_layout", "aten.to.device",
                         "aten.to.other", "aten._to_copy.default", "aten.type_as.default"})
# x op neutral = x: (target, the neutral element, whether the neutral may come first).
NEUTRAL = {"aten.mul.Tensor": (1, True), "aten.div.Tensor": (1, False),
           "aten.add.Tensor": (0, True), "aten.sub.Tensor": (0, False)}
SAME_SHAPE_VIEWS = frozenset({"aten.slice.Tensor", "aten.expand.default", "aten.expand_copy.default",
                              "aten.broadcast_to.default"})
# Results that depend only on their operand's shape and dtype, not its values: constants
# (Downsample1d builds its kernel with x.new_zeros(...) and indexed writes into it).
SHAPE_ONLY = frozenset({"aten.new_zeros.default", "aten.new_ones.default", "aten.new_full.default",
                        "aten.new_empty.default", "aten.zeros_like.default", "aten.ones_like.default",
                        "aten.full_like.default", "aten.empty_like.default"})

# Listed by `sdk ops` (sdk/report/ops_doc.py) as what capture drops or passes through.
DESCRIBED = [
    ("`clone`, `contiguous`, `detach`, `alias`, `lift_fresh_copy`", "identity"),
    ("`dropout`, `dropout_`, `feature_dropout`, `alpha_dropout` (eval mode)", "identity"),
    ("`to`/`_to_copy`/`type_as` to the same dtype", "identity"),
    ("`to`/`_to_copy` from an integer dtype to float32", "`cast` (int32 → float32)"),
    ("`_assert_tensor_metadata` and any node whose result is unused", "dropped"),
    ("a full `slice`, an `expand`/`broadcast_to` to the same shape", "identity"),
    ("`select` (tensor[:, 0]) over a dim of size 1", "`reshape`"),
    ("`new_zeros`, `zeros_like`, `ones_like`, … (only the operand's shape counts)",
     "a constant"),
    ("a `slice` that takes exactly one input of a `torch.cat`", "that input"),
    ("`x * 1`, `x / 1`, `x + 0`, `x - 0` (a constant of ones or zeros, same shape out)", "identity"),
    ("an in-place `op_` on a tensor of the model's own (`x += y`, `x.clamp_(…)`)", "the functional `op`"),
    ("an in-place write through a view (`x[:, :2] += y`)", "refused: write it out of place"),
    ("ops whose inputs are all constants (buffers built with `arange`, `exp`, …)",
     "evaluated at build time"),
]


def _val(arg):
    return arg.meta.get("val") if isinstance(arg, torch.fx.Node) else None


def _same_tensor_type(arg, fx_node: torch.fx.Node) -> bool:
    a, out = _val(arg), fx_node.meta.get("val")
    return (isinstance(a, torch.Tensor) and isinstance(out, torch.Tensor)
            and a.dtype == out.dtype and tuple(a.shape) == tuple(out.shape))


def _is_neutral(arg, neutral: int, constant: Callable) -> bool:
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return arg == neutral
    value = constant(arg)
    return value is not None and bool(torch.all(value == neutral))


def _slice_of_cat(fx_node: torch.fx.Node) -> torch.fx.Node | None:
    """The input of a torch.cat that a slice of its result takes exactly (diffusers'
    timestep embedding swaps halves: cat([emb[:, h:], emb[:, :h]]) of emb = cat([sin, cos])),
    or None."""
    source, dim, start, end, step = (list(fx_node.args) + [0, None, None, 1][len(fx_node.args) - 1:])[:5]
    if not isinstance(source, torch.fx.Node) or str(source.target) != "aten.cat.default" or step != 1:
        return None
    parts = source.args[0]
    rank = len(source.meta["val"].shape)
    cat_dim = source.args[1] if len(source.args) > 1 else source.kwargs.get("dim", 0)
    if dim % rank != cat_dim % rank:
        return None
    total = int(source.meta["val"].shape[dim])
    start = 0 if start is None else (start + total if start < 0 else min(start, total))
    end = total if end is None else (end + total if end < 0 else min(end, total))
    offset = 0
    for part in parts:
        size = int(part.meta["val"].shape[dim])
        if (start, end) == (offset, offset + size) and part.meta["val"].dtype == fx_node.meta["val"].dtype:
            return part
        offset += size
    return None


def is_reshape(fx_node: torch.fx.Node) -> bool:
    """A `select` over a dim of size 1 (diffusers' rearrange_dims: x[:, :, 0, :]) drops that
    dim: a reshape, whatever else the op can do."""
    if str(fx_node.target) != "aten.select.int" or len(fx_node.args) < 3:
        return False
    source, dim = _val(fx_node.args[0]), fx_node.args[1]
    return isinstance(source, torch.Tensor) and int(source.shape[dim]) == 1


def pass_through(fx_node: torch.fx.Node, constant: Callable) -> torch.fx.Node | None:
    """The operand a node returns unchanged, or None if it computes something.
    constant(arg): arg's value if it is a constant of the graph, else None."""
    target, args = str(fx_node.target), fx_node.args
    first = args[0] if args else None
    if target in IDENTITIES:
        return first
    if target in CONVERSIONS or target in SAME_SHAPE_VIEWS:
        if _same_tensor_type(first, fx_node):
            return first
        return _slice_of_cat(fx_node) if target == "aten.slice.Tensor" else None
    if target in NEUTRAL and len(args) == 2 and fx_node.kwargs.get("alpha", 1) == 1:
        neutral, commutes = NEUTRAL[target]
        for kept, other in ((args[0], args[1]), (args[1], args[0]) if commutes else (None, None)):
            if kept is not None and _same_tensor_type(kept, fx_node) and _is_neutral(other, neutral, constant):
                return kept
    return None
