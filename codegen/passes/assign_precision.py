"""Assign each op its precision (FP32 or FP16) and insert casts where precisions meet.

Why: FP16 halves weight flash and arena RAM and doubles SIMD lanes, but not every op can
take it. The policy names a default and per-layer overrides (node names or glob
patterns, as `sdk bench` lists them). Two rules hold whatever the policy says, because
FP16 would break the math rather than round it. Each op's entry states its own
(codegen/ops/, `precision`):
- pinned_fp32 (sin/cos): the op runs in FP32, and so does the op that computes its
  argument: a timestep embedding takes sin(t * f) with t up to ~1000, where an FP16
  argument is off by up to 0.25 rad. When that op is elementwise (or a cast or a reshape),
  the chain behind it is pinned too, back to the first op that is not: diffusers'
  GaussianFourierProjection computes t * W * 2 * π in three multiplications, and an FP16
  t * W (|t·W| up to ~3000) puts the phase off by whole radians. A layer (a convolution, a
  linear) ends the chain: its own rounding is relative, as in any FP16 layer;
- follows_input (reshape): keeps its input's precision (an alias, not a computation);
- fp32_operands (table_row's row index): stay FP32 (it selects, it is not computed with);
- output_dtype (sign_pack: "u32"; a captured cast from an integer: "f32"); packed 1-bit
  tensors are bits, not numbers, and int32 tensors (an integer timestep input and its
  reshapes) are converted only by the model's own cast: neither is ever cast here.
Graph inputs and outputs stay FP32 (an integer input stays int32) (the model_run() API and the wire format): a cast
follows an input that feeds FP16 ops, and an FP16 result is cast back before it leaves,
keeping the output's name. Constants are stored in the precision of the op that reads
them, so FP16 weights land in flash as halves.
"""

from __future__ import annotations

from codegen.ir import DTYPES, Graph, Node, Tensor
from codegen.ops import OPS
from codegen.passes.options import CompileOptions
from codegen.passes.precision_policy import PRECISIONS, PrecisionPolicy  # noqa: F401 (public here too)


def _pinned_fp32(graph: Graph) -> set[str]:
    pinned = set()
    for node in graph.nodes:
        if OPS[node.op].precision.pinned_fp32:
            pinned.add(node.name)
            producer = graph.producer(node.inputs[0])
            if producer is not None:
                pinned |= _argument_chain(graph, producer)
    return pinned


def _argument_chain(graph: Graph, node: Node) -> set[str]:
    """`node` (it computes a pinned op's argument) and, while the ops are elementwise, casts
    or reshapes, the ops that compute their operands."""
    chain, todo = set(), [node]
    while todo:
        node = todo.pop()
        if node.name in chain:
            continue
        chain.add(node.name)
        spec = OPS[node.op]
        if spec.elementwise or spec.precision.follows_input or node.op == "cast":
            todo += [p for p in map(graph.producer, filter(None, node.inputs)) if p is not None]
    return chain


def run(graph: Graph, options: CompileOptions) -> Graph:
    policy = options.precision
    pinned = _pinned_fp32(graph)
    casts: dict[tuple[str, str], str] = {}
    converted: dict[tuple[str, str], str] = {}
    nodes: list[Node] = []

    def as_dtype(tensor: str, dtype: str) -> str:
        """The name of `tensor` in `dtype`: itself, a converted constant or a cast's output."""
        if not tensor or graph.tensors[tensor].dtype in (dtype, "u32", "i32", "i8"):
            return tensor
        if graph.is_constant(tensor):
            key = (tensor, dtype)
            if key not in converted:
                converted[key] = graph.add_constant(
                    f"{tensor}.{dtype}", graph.constants[tensor].astype(DTYPES[dtype]))
            return converted[key]
        key = (tensor, dtype)
        if key not in casts:
            casts[key] = _cast(graph, nodes, tensor, dtype, f"{tensor}_{dtype}")
        return casts[key]

    for node in graph.nodes:
        rule = OPS[node.op].precision
        if rule.follows_input:
            dtype = graph.tensors[node.inputs[0]].dtype
        else:
            dtype = "f32" if node.name in pinned else policy.for_node(node.name)
            dtype = "f32" if dtype == "i8" else dtype  # quantize_int8 lowers it from its FP32 form
        keep = rule.fp32_operands
        node.inputs = [t if i in keep else as_dtype(t, dtype) for i, t in enumerate(node.inputs)]
        graph.tensors[node.outputs[0]].dtype = rule.output_dtype or dtype
        nodes.append(node)

    for name in graph.outputs:
        dtype = graph.tensors[name].dtype
        if dtype != "f32":
            _rename(graph, nodes, name, f"{name}_{dtype}")
            _cast(graph, nodes, f"{name}_{dtype}", "f32", name)
    graph.nodes = nodes
    graph.remove_unused()
    return graph


def _rename(graph: Graph, nodes: list[Node], old: str, new: str) -> None:
    tensor = graph.tensors.pop(old)
    tensor.name = new
    graph.tensors[new] = tensor
    for node in nodes:
        node.inputs = [new if t == old else t for t in node.inputs]
        node.outputs = [new if t == old else t for t in node.outputs]


def _cast(graph: Graph, nodes: list[Node], tensor: str, dtype: str, out_name: str) -> str:
    source = graph.tensors[tensor]
    graph.tensors[out_name] = Tensor(out_name, source.shape, dtype, source.layout)
    nodes.append(Node(f"cast_{out_name}", "cast", [tensor], [out_name], {"to": dtype}))
    return out_name
