"""Static memory plan: every intermediate tensor gets a fixed offset in one arena.

1. Alias groups (codegen/plan_alias.py): a reshape output is its input's bytes
   (row-major); an elementwise op or a group norm may write over an operand of its own
   shape whose last reader it is (in place), when the kernel chosen for the layer is safe
   with out == in; a concat of contiguous slices runs no kernel: its inputs' producers
   write straight into their slices of its output. Tensors in a group share one buffer,
   each at its offset in it.
2. Lifetimes: a buffer is live from the step that first writes any member to the last
   step that reads any member (inclusive): a concat's buffer from its first producer.
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
beat it. The baseline is the same plan without group norm in place, without the kernel
check on in place and without concat slices (the planner before them): the plan reports
its arena and lower bound next to its own, so a build shows what these rewrites save.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codegen.ir import Graph, Node
from codegen.kernels.catalog import choose_override
from codegen.kernels.limits import limit
from codegen.ops import OPS
from codegen.plan_alias import Aliases, alias_groups
from codegen.tile import TilePlan

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
    # member -> its byte offset inside this buffer (a concat's slices; 0 for the rest)
    member_offsets: dict[str, int] = field(default_factory=dict)

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
    # concat layers that run no kernel: their inputs were written into their slices
    elided: frozenset[str] = frozenset()
    # the planner without group norm in place and concat slices, on the same graph/kernels
    baseline_arena_bytes: int = 0
    baseline_lower_bound_bytes: int = 0
    # tiled execution of a fully convolutional stage (codegen/tile.py), or None
    tiling: TilePlan | None = None


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


def choose_kernel(graph: Graph, node: Node, isa_features: Iterable[str],
                  optional: bool = False) -> tuple[str, int | None]:
    """(kernel function, scratch bytes or None when it takes no scratch) for one layer: the
    op entry's base kernel and parameters, then the catalog's choice for the ISA features
    (optional: an arena_optional override may be chosen)."""
    op = OPS[node.op]
    spec = op.params(graph, node) if op.params else None
    params = spec[1] if spec else {}
    base = op.kernel(graph, node)
    override = choose_override(base, params, isa_features, optional)
    if override is None:
        return base, (op.scratch_bytes(params) if op.scratch_bytes else None)
    return override.function, (override.scratch_bytes(params) if override.scratch_bytes else None)


def kernel_in_place(graph: Graph, node: Node, isa_features: Iterable[str]) -> bool:
    """Is the kernel that runs this layer safe with its output over its operand? The
    reference is, for an op whose entry allows in place; an override says so itself."""
    op = OPS[node.op]
    if not op.writes_in_place:
        return False
    params = op.params(graph, node)[1] if op.params else {}
    override = choose_override(op.kernel(graph, node), params, isa_features)
    return override is None or override.in_place


def _kernel_choices(graph: Graph, isa_features: tuple[str, ...]) -> dict[str, tuple[str, int | None]]:
    """Each layer that runs a kernel: (kernel function, scratch bytes or None)."""
    return {node.name: choose_kernel(graph, node, isa_features) for node in graph.nodes
            if not OPS[node.op].alias and OPS[node.op].call is not None}


def _kernel_scratch(graph: Graph, choices: dict[str, tuple[str, int | None]], elided: frozenset[str]):
    """Each emitted layer's kernel, and a step-long buffer for each nonzero scratch."""
    kernels: dict[str, str] = {}
    needs: dict[str, int] = {}
    buffers: list[Buffer] = []
    for step, node in enumerate(graph.nodes):
        if node.name not in choices or node.name in elided:
            continue  # no kernel runs (or none exists)
        kernels[node.name], nbytes = choices[node.name]
        if nbytes is not None:
            needs[node.name] = nbytes
            if nbytes:
                buffers.append(Buffer(node.name + SCRATCH_SUFFIX, _align(nbytes), step, step))
    return kernels, needs, buffers


def _tensor_buffers(graph: Graph, aliases: Aliases) -> tuple[list[Buffer], dict[str, tuple[str, int]]]:
    """One buffer per arena group with its lifetime; where the caller's buffers hold the rest."""
    root = aliases.root
    locations: dict[str, tuple[str, int]] = {}
    # A group containing a graph input or output lives in that caller buffer; one holding
    # both (a model that only views its input) in the input's, which the emitter then copies.
    for kind, names in (("output", graph.outputs), ("input", graph.inputs)):
        for i, name in enumerate(names):
            locations[name] = (kind, i)
            if name in root:
                for tensor in aliases.members(root[name][0]):
                    locations[tensor] = (kind, i)
    groups: dict[str, Buffer] = {}
    for step, node in enumerate(graph.nodes):
        for name in [n for n in node.inputs if n] + node.outputs:
            if name in locations or graph.is_constant(name):
                continue
            r, within = root[name]
            size = _align(graph.tensors[r].nbytes)
            buf = groups.setdefault(r, Buffer(r, size, step, step))
            buf.first, buf.last = min(buf.first, step), max(buf.last, step)
            if name not in buf.members:
                buf.members.append(name)
                buf.member_offsets[name] = within
    return list(groups.values()), locations


@dataclass
class _Trial:
    """One placement of the graph's tensors and scratch for one choice of alias groups."""

    aliases: Aliases
    kernels: dict[str, str]
    needs: dict[str, int]
    scratch_buffers: list[Buffer]
    buffers: list[Buffer]
    locations: dict[str, tuple[str, int]]
    arena: int
    bound: int


def _tile(graph: Graph, tiling: TilePlan | None, buffers: list[Buffer]) -> None:
    """A tiled stage runs its layers interleaved, band after band, from its first layer's
    step to its last: every buffer it touches is live over all of that span, and a band
    tensor's buffer holds only tiling.rows[t] rows of each channel plane."""
    if tiling is None:
        return
    steps = [i for i, node in enumerate(graph.nodes) if node.name in set(tiling.nodes)]
    first, last = steps[0], steps[-1]
    for buf in buffers:
        if buf.first <= last and first <= buf.last:
            buf.first, buf.last = min(buf.first, first), max(buf.last, last)
        if buf.name in tiling.rows:
            h = graph.tensors[buf.name].shape[2]
            buf.size = _align(graph.tensors[buf.name].nbytes // h * tiling.rows[buf.name])


def _trial(graph: Graph, choices, aliases: Aliases, tiling: TilePlan | None = None) -> _Trial:
    kernels, needs, scratch_buffers = _kernel_scratch(graph, choices, frozenset(aliases.elided))
    tensors, locations = _tensor_buffers(graph, aliases)
    buffers = tensors + scratch_buffers
    _tile(graph, tiling, buffers)
    return _Trial(aliases, kernels, needs, scratch_buffers, buffers, locations,
                  place_greedy(buffers), lower_bound(buffers))


def _with_optional_kernels(graph: Graph, features: tuple[str, ...], choices, place,
                           mode: str) -> tuple[dict, _Trial]:
    """Each layer an arena_optional override takes (a faster kernel with a larger scratch,
    e.g. conv2d_1x1_band_f16_fpu) gets it where the arena does not grow: from the plan without
    any (place(choices): a placement), one layer at a time in step order, keeping each that
    leaves the arena no larger and copies no concat the plan before it took as slices (a
    copy costs its bytes' moves every inference, more than such a kernel saves), so the
    arena never passes that of the kernels without them.
    mode "every": every layer it takes gets it (the tests); "none": none does."""
    best = place(choices)
    if mode == "none":
        return choices, best
    for node in graph.nodes:
        if node.name not in choices:
            continue
        faster = choose_kernel(graph, node, features, optional=True)
        if faster == choices[node.name]:
            continue
        trial_choices = {**choices, node.name: faster}
        trial = place(trial_choices)
        if mode == "every" or (trial.arena <= best.arena
                               and trial.aliases.elided >= best.aliases.elided):
            best, choices = trial, trial_choices
    return choices, best


def _with_best_slices(graph: Graph, choices, in_place, every: bool = False,
                      tiling: TilePlan | None = None) -> _Trial:
    """Every concat that can take its inputs as slices does, unless copying it gives a
    smaller arena: a slice keeps the whole concat buffer live from its first producer,
    which can cost more than the copy saves where other buffers peak (a vector target's
    scratch). One pass over the concats in step order, keeping each refusal that helps."""
    best = _trial(graph, choices, alias_groups(graph, in_place, align=ALIGN), tiling)
    copies: set[str] = set()
    for node in [] if every else graph.nodes:
        if node.name not in best.aliases.elided:
            continue
        keep = frozenset(copies | {node.name})
        trial = _trial(graph, choices, alias_groups(graph, in_place, lambda n: n.name not in keep, ALIGN),
                       tiling)
        if trial.arena < best.arena:
            best, copies = trial, set(keep)
    return best


CONCAT_SLICES = ("smallest", "every", "none")
OPTIONAL_KERNELS = ("fit", "every", "none")


def plan_memory(graph: Graph, isa_features: Iterable[str] = (), concat_slices: str = "smallest",
                tiling: TilePlan | None = None, optional_kernels: str = "fit") -> MemoryPlan:
    """isa_features: the target's (target.toml), which choose each layer's kernel and so
    its scratch and whether it may run in place; () plans for the reference kernels.
    concat_slices: "smallest" (a build: slices where they do not grow the arena), "every"
    (every concat that can take slices does: the tests exercise every slice) or "none"
    (every concat runs its kernel: the kernel-case images, which test that kernel).
    tiling: run a stage in bands (codegen/tile.py tile_plan); its layers never write in place.
    optional_kernels: "fit" (a build: an arena_optional kernel where it does not grow the
    arena), "every" (wherever it applies: the tests of those kernels) or "none"."""
    if concat_slices not in CONCAT_SLICES:
        raise ValueError(f"concat_slices={concat_slices!r}: one of {', '.join(CONCAT_SLICES)}")
    if optional_kernels not in OPTIONAL_KERNELS:
        raise ValueError(f"optional_kernels={optional_kernels!r}: one of {', '.join(OPTIONAL_KERNELS)}")
    features = tuple(isa_features)
    choices = _kernel_choices(graph, features)
    tiled = set(tiling.nodes) if tiling else set()
    safe = {node.name for node in graph.nodes
            if node.name not in tiled and kernel_in_place(graph, node, features)}
    in_place = lambda node: node.name in safe  # noqa: E731
    if concat_slices == "none":
        place = lambda c: _trial(graph, c, alias_groups(graph, in_place, lambda node: False), tiling)  # noqa: E731
    else:
        place = lambda c: _with_best_slices(graph, c, in_place, concat_slices == "every", tiling)  # noqa: E731
    choices, plan = _with_optional_kernels(graph, features, choices, place, optional_kernels)
    locations = plan.locations
    for buf in plan.buffers:
        for name in buf.members:
            locations[name] = ("arena", buf.offset + buf.member_offsets.get(name, 0))
    offsets = {b.name: b.offset for b in plan.scratch_buffers}
    scratch = {layer: (offsets.get(layer + SCRATCH_SUFFIX, 0), nbytes)
               for layer, nbytes in plan.needs.items()}
    # the baseline: elementwise in place only (whatever the kernel), every concat copies
    old = _trial(graph, choices, alias_groups(graph, lambda node: OPS[node.op].elementwise
                                              and node.name not in tiled, lambda node: False), tiling)
    return MemoryPlan(plan.arena, plan.bound, plan.buffers, locations,
                      max(plan.needs.values(), default=0), plan.kernels, scratch, features,
                      frozenset(plan.aliases.elided), old.arena, old.bound, tiling)
