"""Static memory plan: every intermediate tensor gets a fixed offset in one arena.

1. Alias groups: a reshape output is its input's bytes (row-major), and an elementwise op
   may write over an operand of its own shape whose last reader it is (in place). Tensors
   in a group share one buffer.
2. Lifetimes: a buffer is live from the step that first writes it to the last step that
   reads any member (inclusive).
3. Kernel scratch: the plan chooses each layer's kernel for the target's ISA features
   (codegen/kernels/catalog.py); a kernel that needs working memory (the `scratch_bytes`
   of its override, or of its op entry when the reference runs: the Python twin of its C
   `*_get_buffer_size()`) gets a buffer of that size live only during its own step, so
   layers' scratch share arena bytes with each other and with tensors not live then, and
   no kernel keeps large arrays on the stack.
4. Placement: greedy by size, largest first, each at the lowest aligned offset that does
   not overlap a placed buffer whose lifetime intersects (TFLite Micro's greedy planner).

Graph inputs and outputs live in the caller's buffers, not in the arena. The lower bound
is the largest total size of buffers live at one step, scratch included: no placement can
beat it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codegen.ir import Graph, Node
from codegen.kernels.catalog import choose_override
from codegen.kernels.limits import limit
from codegen.ops import OPS

ALIGN = limit("SCRATCH_ALIGN")  # tensors and scratch alike: the kernels' vector alignment
SCRATCH_SUFFIX = ":scratch"  # a scratch buffer's name: <layer name>:scratch


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
    # the largest scratch of any layer (bytes; part of arena_bytes, counted in the bound)
    scratch_bytes: int = 0
    # layer (node) name -> the kernel function that runs it, chosen for isa_features
    kernels: dict[str, str] = field(default_factory=dict)
    # layer name -> (arena offset, bytes) of its scratch, for the layers whose kernel takes
    # a scratch argument (0 bytes: it gets NULL)
    scratch: dict[str, tuple[int, int]] = field(default_factory=dict)
    isa_features: tuple[str, ...] = ()


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


def choose_kernel(graph: Graph, node: Node, isa_features: Iterable[str]) -> tuple[str, int | None]:
    """(kernel function, scratch bytes or None when it takes no scratch) for one layer: the
    op entry's base kernel and parameters, then the catalog's choice for the ISA features."""
    op = OPS[node.op]
    spec = op.params(graph, node) if op.params else None
    params = spec[1] if spec else {}
    base = op.kernel(graph, node)
    override = choose_override(base, params, isa_features)
    if override is None:
        return base, (op.scratch_bytes(params) if op.scratch_bytes else None)
    return override.function, (override.scratch_bytes(params) if override.scratch_bytes else None)


def _kernel_scratch(graph: Graph, isa_features: tuple[str, ...]):
    """Each emitted layer's kernel, and a step-long buffer for each nonzero scratch."""
    kernels: dict[str, str] = {}
    needs: dict[str, int] = {}
    buffers: list[Buffer] = []
    for step, node in enumerate(graph.nodes):
        if OPS[node.op].alias or OPS[node.op].call is None:  # no kernel runs (or none exists)
            continue
        kernels[node.name], nbytes = choose_kernel(graph, node, isa_features)
        if nbytes is not None:
            needs[node.name] = nbytes
            if nbytes:
                buffers.append(Buffer(node.name + SCRATCH_SUFFIX, _align(nbytes), step, step))
    return kernels, needs, buffers


def plan_memory(graph: Graph, isa_features: Iterable[str] = ()) -> MemoryPlan:
    """isa_features: the target's (target.toml), which choose each layer's kernel and so
    its scratch; () plans for the reference kernels."""
    features = tuple(isa_features)
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
    kernels, needs, scratch_buffers = _kernel_scratch(graph, features)
    buffers = list(groups.values()) + scratch_buffers
    arena = place_greedy(buffers)
    for buf in buffers:
        for name in buf.members:
            locations[name] = ("arena", buf.offset)
    offsets = {b.name: b.offset for b in scratch_buffers}
    scratch = {layer: (offsets.get(layer + SCRATCH_SUFFIX, 0), nbytes)
               for layer, nbytes in needs.items()}
    return MemoryPlan(arena, lower_bound(buffers), buffers, locations,
                      max(needs.values(), default=0), kernels, scratch, features)
