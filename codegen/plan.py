"""Static memory plan: every intermediate tensor gets a fixed offset in one arena.

1. Alias groups: a reshape output is its input's bytes (row-major), and an elementwise op
   may write over an operand of its own shape whose last reader it is (in place). Tensors
   in a group share one buffer.
2. Lifetimes: a buffer is live from the step that first writes it to the last step that
   reads any member (inclusive).
3. Placement: greedy by size, largest first, each at the lowest aligned offset that does
   not overlap a placed buffer whose lifetime intersects (TFLite Micro's greedy planner).

Graph inputs and outputs live in the caller's buffers, not in the arena. The lower bound
is the largest total size of buffers live at one step: no placement can beat it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.ir import Graph
from codegen.ops import OPS

ALIGN = 16


@dataclass
class Buffer:
    """One arena allocation: size in bytes, live over steps [first, last], placed at offset."""

    name: str
    size: int
    first: int
    last: int
    offset: int = -1
    members: list[str] = field(default_factory=list)

    def overlaps_in_time(self, other: Buffer) -> bool:
        return self.first <= other.last and other.first <= self.last

    def overlaps_in_space(self, other: Buffer) -> bool:
        return self.offset < other.offset + other.size and other.offset < self.offset + self.size


@dataclass
class MemoryPlan:
    arena_bytes: int
    lower_bound_bytes: int
    buffers: list[Buffer]
    # tensor name -> ("arena", offset) | ("input", index) | ("output", index)
    locations: dict[str, tuple[str, int]]


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def place_greedy(buffers: list[Buffer]) -> int:
    """Assign offsets in place; return the arena size in bytes."""
    placed: list[Buffer] = []
    for buf in sorted(buffers, key=lambda b: (-b.size, b.first, b.name)):
        conflicts = sorted((p for p in placed if p.overlaps_in_time(buf)), key=lambda p: p.offset)
        offset = 0
        for p in conflicts:
            if offset + buf.size <= p.offset:
                break
            offset = max(offset, _align(p.offset + p.size))
        buf.offset = offset
        placed.append(buf)
    return max((_align(b.offset + b.size) for b in buffers), default=0)


def lower_bound(buffers: list[Buffer]) -> int:
    steps = {b.first for b in buffers}
    return max((sum(b.size for b in buffers if b.first <= s <= b.last) for s in steps), default=0)


def _alias_groups(graph: Graph) -> dict[str, str]:
    """tensor -> root tensor of its alias group."""
    root: dict[str, str] = {}
    external = set(graph.inputs) | set(graph.outputs)
    last_read = {}
    for step, node in enumerate(graph.nodes):
        for name in node.inputs:
            if name:
                last_read[name] = step

    def group_last_read(r: str) -> int:
        return max((last_read.get(t, -1) for t, rr in root.items() if rr == r), default=-1)

    for name in graph.inputs:
        root[name] = name
    for step, node in enumerate(graph.nodes):
        out = node.outputs[0]
        root[out] = out
        if OPS[node.op].alias:  # a reshape: the same bytes
            root[out] = root[node.inputs[0]]
            continue
        if not OPS[node.op].elementwise or out in external:
            continue
        for operand in node.inputs:
            r = root.get(operand)
            if (r is not None and r not in external and not graph.is_constant(operand)
                    and graph.tensors[operand].shape == graph.tensors[out].shape
                    and group_last_read(r) == step and not _reaches_output(r, root, graph)):
                root[out] = r
                break
    return root


def _reaches_output(r: str, root: dict[str, str], graph: Graph) -> bool:
    return any(root.get(o) == r for o in graph.outputs)


def plan_memory(graph: Graph) -> MemoryPlan:
    root = _alias_groups(graph)
    locations: dict[str, tuple[str, int]] = {}
    for i, name in enumerate(graph.inputs):
        locations[name] = ("input", i)
    for i, name in enumerate(graph.outputs):
        locations[name] = ("output", i)
    # A group containing a graph input or output lives in that caller buffer.
    for tensor, r in root.items():
        for kind, names in (("input", graph.inputs), ("output", graph.outputs)):
            for i, name in enumerate(names):
                if root.get(name) == r:
                    locations[tensor] = (kind, i)

    groups: dict[str, Buffer] = {}
    for step, node in enumerate(graph.nodes):
        for name in [n for n in node.inputs if n] + node.outputs:
            if name in locations or graph.is_constant(name):
                continue
            r = root[name]
            size = _align(graph.tensors[r].nbytes)
            buf = groups.setdefault(r, Buffer(r, size, step, step))
            buf.first, buf.last = min(buf.first, step), max(buf.last, step)
            if name not in buf.members:
                buf.members.append(name)
    buffers = list(groups.values())
    arena = place_greedy(buffers)
    for buf in buffers:
        for name in buf.members:
            locations[name] = ("arena", buf.offset)
    return MemoryPlan(arena, lower_bound(buffers), buffers, locations)
