"""In-place ATen ops (`x += y`, `x.mul_(g)`, `x.clamp_(a, b)`): their functional op, or why not.

torch.export (its training IR, which capture reads) keeps in-place ops as they were written.
When a tensor is changed in place through its own name, the exported graph already makes every
later reader read the in-place node's result (`r += h; return r * 2` reads `add_`), so such a
node computes exactly what its functional op (`aten.add_.Tensor` → `aten.add.Tensor`) does, and
is captured as that. diffusers' skip UNets end with `sample += skip_sample`.

A write through a view is different: `x[:, :2] += y` or `x.view(-1).mul_(3)` changes the base
tensor, whose later readers still read the base node, and the writing node often has no
reader at all. Capture cannot follow that aliasing, so such a node is refused with the reason
(never dropped, which would silently compute something else). A view is known from the op's
schema: its result aliases its input (`Tensor(a)`), as slice, view, select, permute and the
pieces of split do.
"""

from __future__ import annotations

import operator

import torch

from codegen.capture_artefacts import IDENTITIES

VIEW_WRITE = ("writes in place into a view of another tensor (x[...] += …, x.view(…).mul_(…)): "
              "EdgeDiff cannot follow that; compute the new tensor out of place "
              "(e.g. torch.cat of the pieces)")


def _schema(fx_node: torch.fx.Node):
    return getattr(fx_node.target, "_schema", None)


def is_inplace(fx_node: torch.fx.Node) -> bool:
    """An ATen op that writes into its first operand (schema `Tensor(a!) self`), other than the
    identities capture passes through (dropout_, detach_)."""
    schema = _schema(fx_node)
    if schema is None or str(fx_node.target) in IDENTITIES or not schema.arguments:
        return False
    alias = schema.arguments[0].alias_info
    return alias is not None and alias.is_write


def _is_view(fx_node: torch.fx.Node) -> bool:
    """fx_node's result shares storage with a tensor other readers may read: a view op
    (result `Tensor(a)`, not written), a piece of a split/chunk/unbind, or an in-place op on
    such a view."""
    if fx_node.op != "call_function":
        return False
    if fx_node.target is operator.getitem:
        source = fx_node.args[0]
        return isinstance(source, torch.fx.Node) and _returns_alias(source)
    if is_inplace(fx_node):
        first = fx_node.args[0]
        return isinstance(first, torch.fx.Node) and _is_view(first)
    return _returns_alias(fx_node)


def _returns_alias(fx_node: torch.fx.Node) -> bool:
    schema = _schema(fx_node)
    if schema is None or not schema.returns:
        return False
    alias = schema.returns[0].alias_info
    return alias is not None and not alias.is_write


def functional_target(fx_node: torch.fx.Node) -> str | None:
    """`aten.<op>.<overload>` for an in-place `aten.<op>_.<overload>` that writes into a tensor of
    its own (not a view), else None."""
    if not is_inplace(fx_node):
        return None
    first = fx_node.args[0]
    if isinstance(first, torch.fx.Node) and _is_view(first):
        return None
    namespace, name, overload = str(fx_node.target).split(".")
    packet = getattr(getattr(torch.ops, namespace), name[:-1], None)
    functional = getattr(packet, overload, None) if packet is not None else None
    if functional is None or not _same_arguments(functional._schema, fx_node.target._schema):
        return None  # aten.pow_.Scalar is x.pow_(c), but aten.pow.Scalar is c ** x
    return f"{namespace}.{name[:-1]}.{overload}"


def _same_arguments(functional, inplace) -> bool:
    return [(a.name, str(a.type)) for a in functional.arguments] == \
           [(a.name, str(a.type)) for a in inplace.arguments]


def view_write(fx_node: torch.fx.Node) -> bool:
    """An in-place op whose first operand is a view: the write the graph cannot show."""
    first = fx_node.args[0] if fx_node.args else None
    return is_inplace(fx_node) and isinstance(first, torch.fx.Node) and _is_view(first)
