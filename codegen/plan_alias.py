"""Alias groups of the memory plan: which tensors share arena bytes, and where inside them.

A group is one arena buffer, named after its root tensor; each member sits at a byte
offset in it. Tensors join groups in step order:

- a reshape's output is its input's bytes (the same group and offset);
- in place: an op whose entry allows it (OpSpec.writes_in_place: elementwise ops, group
  norm) and whose chosen kernel is safe with out == in (the reference, or an override
  flagged Override.in_place) writes its output over a same-shaped, same-dtype operand
  whose group it is the last reader of (every member's last read is this step), unless
  that group holds a graph input or output;
- concat without a copy: a concat whose output is contiguous slices of its inputs
  (everything before the axis has size 1: a channel concat of a batch-1 NCHW tensor)
  becomes a group of its own, and each input's whole group moves into it at the input's
  slice offset. The producers then write straight into their slices and the concat runs
  no kernel (`elided`). Each input must be the whole of its group (not already a slice),
  the inputs' groups distinct, every slice offset aligned for the kernels, and no member
  of any of these groups a graph input or output or a view of one.

Why this is safe: a buffer is live from the first step any member is written to the last
step any member is read (codegen/plan.py), so a moved slice stays reserved from its
producer (a UNet's skip tensor, written early) to the concat's last reader. Within a
group, a value is only ever overwritten by an in-place op that is the last reader of the
whole group, slices included, at that step; the concat's slices are disjoint bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from codegen.ir import Graph, Node
from codegen.ops import OPS


@dataclass
class Aliases:
    # tensor -> (root tensor of its group, byte offset inside the group's buffer)
    root: dict[str, tuple[str, int]]
    # concat nodes whose inputs were written into their slices: no kernel runs
    elided: set[str] = field(default_factory=set)

    def members(self, r: str) -> list[str]:
        return [t for t, (rr, _) in self.root.items() if rr == r]


def views_of_external(graph: Graph) -> set[str]:
    """Graph inputs and outputs, and every tensor a chain of reshapes links to one: their
    bytes are the caller's buffer, so they cannot become a slice of an arena buffer."""
    pinned = set(graph.inputs) | set(graph.outputs)
    for node in reversed(graph.nodes):
        if OPS[node.op].alias and node.outputs[0] in pinned:
            pinned.add(node.inputs[0])
    for node in graph.nodes:  # and forwards: the views of a graph input
        if OPS[node.op].alias and node.inputs[0] in pinned:
            pinned.add(node.outputs[0])
    return pinned


def alias_groups(graph: Graph, may_write_in_place: Callable[[Node], bool],
                 may_slice: Callable[[Node], bool] = lambda node: True, align: int = 16) -> Aliases:
    """may_write_in_place(node): is the kernel chosen for this layer safe with out == in?
    (asked only for ops whose entry allows in place); may_slice(node): may this concat
    take its inputs as slices, if it can? (the planner refuses those that cost arena).
    may_write_in_place = elementwise and may_slice = never reproduce the planner before
    group norm in place and concat slices (the plan's baseline)."""
    external = set(graph.inputs) | set(graph.outputs)
    pinned = views_of_external(graph)
    last_read: dict[str, int] = {}
    for step, node in enumerate(graph.nodes):
        for name in node.inputs:
            if name:
                last_read[name] = step
    aliases = Aliases({name: (name, 0) for name in graph.inputs})
    sliced: set[str] = set()  # roots of the groups a concat made

    def group_last_read(r: str) -> int:
        return max((last_read.get(t, -1) for t in aliases.members(r)), default=-1)

    def holds(r: str, names: set[str]) -> bool:
        return any(t in names for t in aliases.members(r))

    for step, node in enumerate(graph.nodes):
        spec, out = OPS[node.op], node.outputs[0]
        if spec.alias:  # a reshape: the same bytes
            aliases.root[out] = aliases.root[node.inputs[0]]
            continue
        aliases.root[out] = (out, 0)
        if node.op == "concat" and may_slice(node):
            offsets = _slice_offsets(graph, node, aliases, pinned, align)
            if offsets is not None:
                for name, offset in zip(node.inputs, offsets):
                    r = aliases.root[name][0]
                    for t in aliases.members(r):
                        aliases.root[t] = (out, offset + aliases.root[t][1])
                sliced.add(out)
                aliases.elided.add(node.name)
                continue
        if not spec.writes_in_place or out in external or not may_write_in_place(node):
            continue
        for operand in (node.inputs if spec.elementwise else node.inputs[:1]):
            if not operand or operand not in aliases.root or graph.is_constant(operand):
                continue
            r = aliases.root[operand][0]
            a, o = graph.tensors[operand], graph.tensors[out]
            if (a.shape == o.shape and a.dtype == o.dtype and group_last_read(r) == step
                    and not holds(r, external) and not (r in sliced and out in pinned)):
                aliases.root[out] = aliases.root[operand]
                break
    return aliases


def _slice_offsets(graph: Graph, node: Node, aliases: Aliases, pinned: set[str],
                   align: int) -> list[int] | None:
    """Each input's byte offset in the concat's output, or None when the concat must copy."""
    out = graph.tensors[node.outputs[0]]
    axis = node.attrs["axis"]
    if node.outputs[0] in pinned or int(np.prod(out.shape[:axis], dtype=np.int64)) != 1:
        return None
    offsets, roots, offset = [], set(), 0
    for name in node.inputs:
        if not name or graph.is_constant(name) or name not in aliases.root:
            return None
        tensor = graph.tensors[name]
        r, within = aliases.root[name]
        members = aliases.members(r)
        if (within != 0 or graph.tensors[r].nbytes != tensor.nbytes or r in roots
                or tensor.dtype != out.dtype or offset % align != 0
                or any(t in pinned for t in members)):
            return None
        roots.add(r)
        offsets.append(offset)
        offset += tensor.nbytes
    return offsets
