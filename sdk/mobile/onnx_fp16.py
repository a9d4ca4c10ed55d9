"""Float32 ONNX → float16 ONNX with float32 inputs/outputs and a float32 time path.

onnxruntime's converter (onnxruntime.transformers.float16) stores weights and activations
in float16 and casts at the graph's inputs and outputs. Two things it does are wrong for a
denoiser, so they are undone here:

- The time path must stay float32, as on the MCU (README "Precision"): sin/cos of t·f with
  t up to 999 in float16 is off by up to 0.25 rad. Sin, Cos and every node computing their
  argument are blocked from conversion — but the converter still rounds the blocked nodes'
  float inputs and initializers through float16 (fp32 → fp16 → fp32 casts around them).
  Those round trips are removed: a blocked node reads the float32 value or the original
  float32 initializer directly.
- It can emit the same Cast twice under one node name (a value feeding both Sin and Cos),
  which onnxruntime rejects; the round-trip removal drops those casts.
"""

from __future__ import annotations

import onnx
from onnx import TensorProto
from onnxruntime.transformers import float16


def time_path(model: onnx.ModelProto) -> list[str]:
    """Names of Sin/Cos nodes and every node upstream of them."""
    producers = {out: node for node in model.graph.node for out in node.output}
    blocked, stack = set(), [n for n in model.graph.node if n.op_type in ("Sin", "Cos")]
    while stack:
        node = stack.pop()
        if node.name not in blocked:
            blocked.add(node.name)
            stack += [producers[i] for i in node.input if i in producers]
    return sorted(blocked)


def to_float16(model: onnx.ModelProto) -> onnx.ModelProto:
    originals = {i.name: i for i in model.graph.initializer if i.data_type == TensorProto.FLOAT}
    half = float16.convert_float_to_float16(model, keep_io_types=True, node_block_list=time_path(model))
    graph = half.graph
    casts = {node.output[0]: node for node in graph.node if node.op_type == "Cast"}
    restored: dict[str, TensorProto] = {}

    def float32_source(name: str) -> str | None:
        """The float32 value a Cast(to=float) of `name` can read instead, if any."""
        if name in originals:
            if name + "_fp32" not in restored:
                restored[name + "_fp32"] = TensorProto()
                restored[name + "_fp32"].CopyFrom(originals[name])
                restored[name + "_fp32"].name = name + "_fp32"
            return name + "_fp32"
        before = casts.get(name)
        if before is not None and before.attribute[0].i == TensorProto.FLOAT16:
            return before.input[0]
        return None

    rename = {}
    for node in graph.node:
        if node.op_type == "Cast" and node.attribute[0].i == TensorProto.FLOAT:
            source = float32_source(node.input[0])
            if source is not None:
                rename[node.output[0]] = source
    graph.initializer.extend(restored.values())
    nodes = [n for n in graph.node if n.output[0] not in rename]
    for node in nodes:
        node.input[:] = [rename.get(i, i) for i in node.input]
    _keep_live(graph, nodes)
    return half


def _keep_live(graph: onnx.GraphProto, nodes: list[onnx.NodeProto]) -> None:
    """Drop nodes and initializers nothing reads any more; write the nodes in topological
    order (the converter appends its casts at the end)."""
    while True:
        used = {i for n in nodes for i in n.input} | {o.name for o in graph.output}
        live = [n for n in nodes if any(o in used for o in n.output)]
        if len(live) == len(nodes):
            break
        nodes = live
    initializers = [i for i in graph.initializer if i.name in used]
    ready = {i.name for i in graph.input} | {i.name for i in initializers} | {""}
    ordered = []
    while nodes:
        runnable = [n for n in nodes if all(i in ready for i in n.input)]
        if not runnable:
            raise ValueError(f"float16 graph reads values nothing produces: {nodes[0].name}")
        ordered += runnable
        ready.update(o for n in runnable for o in n.output)
        done = {id(n) for n in runnable}
        nodes = [n for n in nodes if id(n) not in done]
    del graph.node[:], graph.initializer[:]
    graph.node.extend(ordered)
    graph.initializer.extend(initializers)
