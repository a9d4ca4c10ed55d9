"""Tiled execution of a fully convolutional stage: horizontal bands, halo rows carried.

A stage is a run of consecutive layers that all work row by row on NCHW FP32 tensors of
batch 1: convolutions whose chosen kernel takes a row window (conv2d_params_t's row0/rows:
the reference and the scalar FPU 3x3 kernel) and broadcasting add/sub/mul. Its tensors
that no later layer reads (and that are no graph output) are *band* tensors: they never
exist whole, only a few rows at a time in a buffer of `rows[t]` rows per channel plane.
Everything else (graph inputs, tensors made before the stage, the stage's outputs) is
*whole*: rows [0, H) at their usual place.

The schedule runs `bands` steps. Step b brings each stage output up to row
ceil((b + 1) * band_rows * H / H_ref) (H_ref: the tallest stage output); walking the layers
backwards, each tensor must be done up to the last row its readers need for that, and each
layer computes exactly the rows its output lacks, never a row twice. A layer's window of
input rows reaches past the rows its previous step read (the halo: 2 rows for a 3x3
stride-1 conv); those rows stay in the band buffer from the step that made them, moved to
the buffer's front (one copy per channel) when new rows would not fit. Nothing is
recomputed, so a tiled stage runs the untiled instruction count plus these copies and a
call per layer and step; a halo larger than a band only makes the first step's buffers
deeper. Every output element is summed by the same kernel in the same order as in the
untiled call (the window leaves h_in, the padding and the loop order as they were), so the
results are equal bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from codegen.ir import Graph, Node
from codegen.ops import OPS

# kernels that take conv2d_params_t's row window (codegen/kernels: conv2d_ref.h, fpu/conv2d_f32_fpu.c)
WINDOW_KERNELS = frozenset({"conv2d_f32", "conv2d_f32_fpu"})
ROW_OPS = frozenset({"add", "sub", "mul"})  # elementwise over rows, broadcast operands allowed


class TilingError(ValueError):
    """The graph has no stage to tile, or the band asked for cannot be run."""


@dataclass
class Call:
    """One kernel call: layer `node` computes its output rows [row0, row0 + rows); `bases`
    is the image row at the front of each band operand's buffer at that time."""

    node: str
    row0: int
    rows: int
    bases: dict[str, int]


@dataclass
class Shift:
    """Keep rows [row0, row0 + rows) of a band tensor: move them to its buffer's front (from
    buffer row `src`), so the next rows fit. rows may be 0 (nothing to keep)."""

    tensor: str
    row0: int
    rows: int
    src: int


@dataclass
class TilePlan:
    nodes: list[str]                  # the stage's layers, in graph order
    band_rows: int                    # rows of the tallest stage output per step
    bands: int                        # steps
    halo: int                         # input rows the first band reads past its own rows
    rows: dict[str, int]              # band tensor -> rows per channel plane of its buffer
    events: list[Call | Shift] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.nodes[0]

    def to_dict(self) -> dict:
        return {"nodes": self.nodes, "band_rows": self.band_rows, "bands": self.bands,
                "halo": self.halo, "band_tensor_rows": self.rows,
                "calls": sum(isinstance(e, Call) for e in self.events),
                "shifts": sum(isinstance(e, Shift) and e.rows > 0 for e in self.events)}


def _nchw(graph: Graph, name: str) -> bool:
    t = graph.tensors[name]
    return len(t.shape) == 4 and t.shape[0] == 1 and t.dtype == "f32"


def tileable(graph: Graph, node: Node, kernel: str) -> bool:
    """Can this layer run on a row window with the kernel the plan chose for it?"""
    out = node.outputs[0]
    if len(node.outputs) != 1 or not _nchw(graph, out):
        return False
    if node.op == "conv2d":
        return kernel in WINDOW_KERNELS and _nchw(graph, node.inputs[0])
    if node.op in ROW_OPS:
        shape = graph.tensors[out].shape
        return all(broadcast_rows(graph, x) or (_nchw(graph, x) and graph.tensors[x].shape == shape)
                   for x in node.inputs)
    return False


def broadcast_rows(graph: Graph, name: str) -> bool:
    """An elementwise operand every row reads whole: a constant, or a tensor of one row (a
    UNet's time embedding, [1, C, 1, 1]), kept with its own broadcast strides."""
    shape = graph.tensors[name].shape
    return graph.is_constant(name) or (len(shape) == 4 and shape[2] == 1)


def find_stage(graph: Graph, kernels: dict[str, str]) -> list[Node]:
    """The run of consecutive tileable layers that holds the most bytes in band tensors (a
    DnCNN: the whole model; a UNet: its full-resolution stem), or [] when none does."""
    best: list[Node] = []
    best_bytes = 0
    run: list[Node] = []
    for node in [*graph.nodes, None]:
        if node is not None and tileable(graph, node, kernels.get(node.name, "")):
            run.append(node)
            continue
        saved = sum(graph.tensors[t].nbytes for t in band_tensors(graph, run))
        if saved > best_bytes:
            best, best_bytes = list(run), saved
        run = []
    return best


def band_tensors(graph: Graph, stage: list[Node]) -> list[str]:
    """Tensors made in the stage that only the stage reads and that are no graph output."""
    if not stage:
        return []
    inside = {n.name for n in stage}
    made = [n.outputs[0] for n in stage]
    later = {x for n in graph.nodes if n.name not in inside for x in n.inputs}
    return [t for t in made if t not in later and t not in graph.outputs]


def _span(graph: Graph, node: Node, operand: str, y0: int, y1: int) -> tuple[int, int]:
    """Rows [lo, hi) of `operand` that output rows [y0, y1) of `node` read (empty: lo == hi)."""
    if y1 <= y0:
        return 0, 0
    if node.op != "conv2d":
        return y0, y1
    a = node.attrs
    s, p, d = a["stride"][0], a["padding"][0], a["dilation"][0]
    k = graph.tensors[node.inputs[1]].shape[2]
    h = graph.tensors[operand].shape[2]
    return max(0, y0 * s - p), min(h, (y1 - 1) * s - p + (k - 1) * d + 1)


def _reads(node: Node, tensor: str) -> bool:
    """Does this stage layer read rows of `tensor` (a conv's input, an elementwise operand)?"""
    return node.inputs[0] == tensor if node.op == "conv2d" else tensor in node.inputs


def _one_row_made_inside(graph: Graph, stage: list[Node]) -> bool:
    made = {n.outputs[0] for n in stage}
    return any(x in made and graph.tensors[x].shape[2] == 1 and n.op in ROW_OPS
               for n in stage for x in n.inputs)


def _readers(stage: list[Node], tensor: str) -> list[tuple[Node, str]]:
    return [(n, tensor) for n in stage if _reads(n, tensor)]


def schedule(graph: Graph, stage: list[Node], band_rows: int) -> TilePlan:
    """The steps, buffer sizes and copies of a stage run `band_rows` rows at a time."""
    if not stage:
        raise TilingError("no fully convolutional stage to tile (convolutions with a row-window "
                          "kernel and elementwise add/sub/mul on NCHW FP32 tensors of batch 1)")
    if _one_row_made_inside(graph, stage):
        raise TilingError("an elementwise operand of one row is made inside the stage")
    if band_rows < 1:
        raise TilingError(f"rows={band_rows}: a band is at least 1 row")
    band = band_tensors(graph, stage)
    made = {n.outputs[0]: n for n in stage}
    outputs = [t for t in made if t not in band]
    height = {t: graph.tensors[t].shape[2] for t in made}
    h_ref = max(height[t] for t in outputs)
    bands = -(-h_ref // band_rows)
    done: list[dict[str, int]] = []
    for b in range(bands):
        need: dict[str, int] = {}
        for t in outputs:
            need[t] = min(height[t], -(-(b + 1) * band_rows * height[t] // h_ref))
        for node in reversed(stage):
            t = node.outputs[0]
            rows = max(need.get(t, 0), done[-1][t] if done else 0)
            need[t] = rows
            for operand in node.inputs:
                if operand in made and _reads(node, operand):
                    _, hi = _span(graph, node, operand, 0, rows)
                    need[operand] = max(need.get(operand, 0), hi)
        done.append({t: need[t] for t in made})
    plan = TilePlan([n.name for n in stage], band_rows, bands, 0, {})
    plan.halo = _halo(graph, stage, done[0], band)
    plan.rows, plan.events = _events(graph, stage, band, done)
    return plan


def _keep_from(graph: Graph, stage: list[Node], tensor: str, done_before: dict[str, int]) -> int:
    """The first row of `tensor` any reader still needs once its readers are done up to
    done_before (their next rows' window starts there)."""
    starts = []
    for node, operand in _readers(stage, tensor):
        y = done_before[node.outputs[0]]
        h_out = graph.tensors[node.outputs[0]].shape[2]
        if y < h_out:
            starts.append(_span(graph, node, operand, y, y + 1)[0])
    return min(starts, default=done_before[tensor])


def _events(graph: Graph, stage: list[Node], band: list[str], done: list[dict[str, int]]):
    zero = {n.outputs[0]: 0 for n in stage}
    keep = [{t: min(_keep_from(graph, stage, t, done[b - 1] if b else zero),
                    done[b - 1][t] if b else 0) for t in band} for b in range(len(done))]
    rows = {t: max(done[b][t] - keep[b][t] for b in range(len(done))) for t in band}
    base = {t: 0 for t in band}
    events: list[Call | Shift] = []
    for b in range(len(done)):
        before = done[b - 1] if b else zero
        for node in stage:
            t = node.outputs[0]
            if done[b][t] <= before[t]:
                continue
            if t in base and done[b][t] - base[t] > rows[t]:
                start = keep[b][t]
                events.append(Shift(t, start, before[t] - start, start - base[t]))
                base[t] = start
            events.append(Call(node.name, before[t], done[b][t] - before[t],
                               {x: base[x] for x in [*node.inputs, t] if x in base}))
    return rows, events


def _halo(graph: Graph, stage: list[Node], first: dict[str, int], band: list[str]) -> int:
    """Rows of the stage's input the first step reads past the rows of its own band: the
    receptive field of the stage, which the carried halo rows cover."""
    node = stage[0]
    x = node.inputs[0]
    _, hi = _span(graph, node, x, 0, first[node.outputs[0]])
    h_ref = max(graph.tensors[n.outputs[0]].shape[2] for n in stage if n.outputs[0] not in band)
    own = -(-max(first[n.outputs[0]] for n in stage if n.outputs[0] not in band)
            * graph.tensors[x].shape[2] // h_ref)
    return max(0, hi - own)


def tile_plan(graph: Graph, kernels: dict[str, str], band_rows: int) -> TilePlan:
    return schedule(graph, find_stage(graph, kernels), band_rows)


def stage_kernels(graph: Graph, isa_features: Iterable[str]) -> dict[str, str]:
    """Each layer's kernel as the plan chooses it (codegen/plan.py choose_kernel)."""
    from codegen.plan import choose_kernel

    return {n.name: choose_kernel(graph, n, isa_features)[0] for n in graph.nodes
            if not OPS[n.op].alias and OPS[n.op].call is not None}
