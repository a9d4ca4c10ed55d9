"""Lower the layers the precision policy puts in int8 to TFLite-style int8 ops.

Runs after assign_precision, which gives an int8 layer its FP32 form. Calibration first: the
float graph runs in numpy on the calibration inputs (CompileOptions.calibration: a
diffusion build's states on its own sampler trajectories, every step equally, Q-Diffusion;
any other model's validation-style inputs, 1024 of them, sdk/quant/calibration.py) and every
tensor's range is recorded, the range before a fused activation too: the envelope, or for a
model without a sampler the range extended to the calls a user will make
(CompileOptions.calibration_widen, sdk/quant/ranges.py: an input outside the range clips).
Each int8 tensor then gets TFLite's asymmetric parameters for its range (widened to hold 0):
scale = (max - min) / 255, zero point = round(-128 - min / scale).

What becomes int8 (the rest stays float):
- conv2d, linear: int8 weights, symmetric per output channel (max |w| / 127), int32 bias
  at s_in * s_w, a multiplier and shift per channel; a fused ReLU is the output clamp;
- add, sub: TFLite's ADD arithmetic (sub: the second input's multiplier negated); a
  constant operand is quantised as a tensor of its own;
- a fused SiLU of those, and standalone SiLU, GELU, sigmoid, tanh, ReLU and the other
  pure elementwise functions: a 256-entry table (lut_s8) of the float function on the
  input's 256 values, quantised once to the output's parameters (sigmoid and tanh use
  TFLite's fixed-point tables and fixed output parameters, 1/256 and 1/128);
- group norm: EdgeDiff's integer group norm (group_norm_s8, codegen/int8/group_norm.py),
  a fused SiLU as a table after it;
- concat: the output's parameters from its own range, each input whose parameters differ
  requantized to them (requantize_s8) before a byte-copy concat;
- upsample_nearest2d: a byte copy, the output keeps the input's parameters; so does a
  reshape of an int8 tensor (an alias: no kernel runs).
The time path (the nodes that do not depend on the image input) stays float (TFMQ-DM), or
with CompileOptions.int8_time_path its layers are lowered like the others (Q-Diffusion).
When the time input takes only the integer values 0..T-1 (CompileOptions.time_steps, or a
sampler build's step index), the time-only tensors' ranges are their exact envelopes over
all T values, and every quantize of a time-only tensor becomes an int8 table of its bytes
per value (codegen/passes/int8_time_tables.py), so no float layer feeds an int8 one.
Where an int8 tensor meets a float layer a dequantize (and a cast to FP16 if that layer is
FP16) is inserted, where a float tensor feeds an int8 layer a quantize; graph inputs and
outputs stay float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.int8 import group_norm as q8gn
from codegen.int8 import lut as q8lut
from codegen.int8 import ops as q8
from codegen.int8.params import (INT8_MAX, INT8_MIN, activation_range, add_params, per_channel_multipliers,
                                 requantize_multiplier)
from codegen.ir import DTYPES, Graph, Node, Tensor
from codegen.ops import apply_activation, evaluate
from codegen.passes import int8_time_tables, resolve_layout
from codegen.passes.options import CompileOptions
from codegen.passes.tabulate_time import STEP_INPUT

CLAMPS = {"none": "NONE", "relu": "RELU"}  # fused activations an int8 output clamp is
TABLE_OPS = {"silu", "relu", "gelu", "gelu_tanh", "sigmoid", "tanh", "leaky_relu", "elu", "hardswish",
             "hardsigmoid", "softplus", "mish", "neg", "abs", "exp"}
FIXED_TABLES = {"sigmoid": (1.0 / 256, -128, q8lut.logistic_table), "tanh": (1.0 / 128, 0, q8lut.tanh_table)}


@dataclass(frozen=True)
class QParams:
    scale: float
    zero_point: int


def qparams(lo: float, hi: float) -> QParams:
    """TFLite's asymmetric int8 parameters for a range, widened to contain 0."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = float(np.float32((hi - lo) / 255.0)) if hi > lo else 1.0
    zero_point = int(np.clip(round(-128 - lo / scale), INT8_MIN, INT8_MAX))
    return QParams(scale, zero_point)


def observe(graph: Graph, calibration, widen=None) -> dict[str, tuple[float, float]]:
    """The range of every tensor over the calibration inputs ("<node>:pre": the output before
    a fused activation that is not a clamp): the min/max envelope, or widen(mins, maxs) of
    the per-input extremes (sdk/quant/ranges.py covered_range: the calls a user will make)."""
    extremes: dict[str, tuple[list[float], list[float]]] = {}

    def note(name, value):
        if value.dtype.kind != "f":
            return
        mins, maxs = extremes.setdefault(name, ([], []))
        mins.append(float(np.min(value)))
        maxs.append(float(np.max(value)))

    for inputs in calibration:
        values = dict(graph.constants)
        for name, value in zip(graph.inputs, inputs):
            tensor = graph.tensors[name]
            values[name] = np.asarray(value, dtype=DTYPES[tensor.dtype]).reshape(tensor.shape)
            note(name, values[name].astype(np.float32))
        for node in graph.nodes:
            args = [values[t] if t else None for t in node.inputs]
            out = evaluate(node.op, args, node.attrs)
            values[node.outputs[0]] = out.astype(DTYPES[graph.tensors[node.outputs[0]].dtype])
            note(node.outputs[0], out)
            if node.attrs.get("act", "none") not in CLAMPS:
                note(f"{node.name}:pre", evaluate(node.op, args, {**node.attrs, "act": "none"}))
    ranges = {}
    for name, (mins, maxs) in extremes.items():
        lo, hi = widen(np.array(mins), np.array(maxs)) if widen else (min(mins), max(maxs))
        ranges[name] = (float(lo), float(hi))
    return ranges


class _Lowering:
    def __init__(self, graph: Graph, ranges):
        self.graph, self.ranges = graph, ranges
        self.nodes: list[Node] = []
        self.quant: dict[str, QParams] = {}  # int8 tensor -> its parameters
        self.as_int8: dict[str, str] = {}  # float tensor -> its quantized copy
        self.as_float: dict[tuple[str, str], str] = {}  # (int8 tensor, dtype) -> float copy
        self.float_dtype: dict[str, str] = {}  # tensor made int8 -> the dtype float readers expect

    def params_of(self, key: str) -> QParams:
        if key not in self.ranges:
            raise ValueError(f"int8: no calibration range for {key}")
        return qparams(*self.ranges[key])

    # --- boundaries ------------------------------------------------------------------------
    def int8(self, tensor: str) -> str:
        """The int8 form of a tensor: itself, a quantized constant, or a quantize node's output."""
        if tensor in self.quant:
            return tensor
        if tensor in self.as_int8:
            return self.as_int8[tensor]
        g = self.graph
        if g.is_constant(tensor):
            value = g.constants[tensor].astype(np.float32)
            p = qparams(value.min(), value.max())
            name = g.add_constant(f"{tensor}.q", q8.quantize(value, p.scale, p.zero_point))
        else:
            p = self.params_of(tensor)
            source = tensor
            if g.tensors[tensor].dtype != "f32":
                source = self._add("cast", [tensor], f"{tensor}_f32", "f32", {"to": "f32"})
            name = self._add("quantize", [source], f"{tensor}_q", "i8",
                             {"scale": p.scale, "zero_point": p.zero_point})
        self.quant[name] = p
        self.as_int8[tensor] = name
        return name

    def float_form(self, tensor: str, dtype: str) -> str:
        key = (tensor, dtype)
        if key not in self.as_float:
            p = self.quant[tensor]
            name = self._add("dequantize", [tensor], f"{tensor}_dq", "f32",
                             {"scale": p.scale, "zero_point": p.zero_point})
            if dtype != "f32":
                name = self._add("cast", [name], f"{tensor}_dq_{dtype}", dtype, {"to": dtype})
            self.as_float[key] = name
        return self.as_float[key]

    def _add(self, op: str, inputs: list[str], out: str, dtype: str, attrs: dict, name: str | None = None) -> str:
        shape = self.graph.tensors[inputs[0]].shape
        self.graph.tensors[out] = Tensor(out, shape, dtype)
        self.nodes.append(Node(name or out, op, inputs, [out], attrs))
        return out

    def _retype(self, tensor: str, p: QParams) -> None:
        self.float_dtype[tensor] = self.graph.tensors[tensor].dtype
        self.graph.tensors[tensor].dtype = "i8"
        self.quant[tensor] = p

    # --- layers ----------------------------------------------------------------------------
    def keep_float(self, node: Node) -> None:
        node.inputs = [self.float_form(t, self.float_dtype[t]) if t in self.quant and t not in self.graph.constants
                       else t for t in node.inputs]
        self.nodes.append(node)

    def lower(self, node: Node) -> bool:
        op, act = node.op, node.attrs.get("act", "none")
        if op in ("conv2d", "linear") and node.inputs[0] and not self.graph.is_constant(node.inputs[0]):
            self._weighted(node, act)
        elif op in ("add", "sub") and not all(self.graph.is_constant(t) for t in node.inputs):
            self._add_sub(node, act)
        elif op in TABLE_OPS and not self.graph.is_constant(node.inputs[0]):
            self._table(node)
        elif op == "group_norm" and not self.graph.is_constant(node.inputs[0]):
            self._group_norm(node, act)
        elif op == "concat" and not all(self.graph.is_constant(t) for t in node.inputs):
            self._concat(node)
        elif op == "upsample_nearest2d" and not self.graph.is_constant(node.inputs[0]) or (
                op == "reshape" and node.inputs[0] in self.quant):
            x = self.int8(node.inputs[0])
            self._retype(node.outputs[0], self.quant[x])
            self.nodes.append(Node(node.name, node.op, [x], node.outputs, node.attrs, node.source))
        else:
            return False
        return True

    def _output(self, node: Node, act: str) -> tuple[QParams, int, int, str | None]:
        """The op's output parameters and clamp, and the activation left for a table."""
        if act in CLAMPS:
            p = self.params_of(node.outputs[0])
            return (p, *activation_range(CLAMPS[act], p.scale, p.zero_point), None)
        return self.params_of(f"{node.name}:pre"), INT8_MIN, INT8_MAX, act

    def _finish(self, node: Node, op: str, inputs: list[str], attrs: dict, p: QParams, table_act) -> None:
        out = node.outputs[0]
        if table_act is None:
            self._retype(out, p)
            self.nodes.append(Node(node.name, op, inputs, [out], attrs, node.source))
            return
        pre = f"{out}_pre"
        self.graph.tensors[pre] = Tensor(pre, self.graph.tensors[out].shape, "i8")
        self.quant[pre] = p
        self.nodes.append(Node(node.name, op, inputs, [pre], attrs, node.source))
        self._lut(f"{node.name}_{table_act}", pre, out, lambda x: apply_activation(x, table_act), node.source)

    def _weighted(self, node: Node, act: str) -> None:
        g = self.graph
        x = self.int8(node.inputs[0])
        px = self.quant[x]
        w = g.constants[node.inputs[1]].astype(np.float64)
        flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        w_scale = np.where(flat > 0, flat / 127.0, 1.0).astype(np.float32)
        wq = np.clip(np.round(w / w_scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
        bias = node.inputs[2] if len(node.inputs) > 2 else ""
        bq = ""
        if bias:
            b = g.constants[bias].astype(np.float64)
            bq = g.add_constant(f"{bias}.q", np.round(b / (px.scale * w_scale.astype(np.float64))).astype(np.int32))
        p, lo, hi, table_act = self._output(node, act)
        mult, shift = per_channel_multipliers(px.scale, w_scale, p.scale)
        inputs = [x, g.add_constant(f"{node.inputs[1]}.q", wq), bq,
                  g.add_constant(f"{node.name}.multiplier", mult.astype(np.int32)),
                  g.add_constant(f"{node.name}.shift", shift.astype(np.int32))]
        attrs = {**node.attrs, "act": "none", "input_offset": -px.zero_point, "output_offset": p.zero_point,
                 "act_min": lo, "act_max": hi}
        self._finish(node, f"{node.op}_s8", inputs, attrs, p, table_act)

    def _add_sub(self, node: Node, act: str) -> None:
        a, b = (self.int8(t) for t in node.inputs)
        pa, pb = self.quant[a], self.quant[b]
        p, lo, hi, table_act = self._output(node, act)
        fields = add_params(pa.scale, pa.zero_point, pb.scale, pb.zero_point, p.scale, p.zero_point).__dict__
        attrs = {**node.attrs, **fields, "act": "none", "act_min": lo, "act_max": hi}
        if node.op == "sub":
            attrs["input2_multiplier"] = -attrs["input2_multiplier"]
        self._finish(node, "add_s8", [a, b], attrs, p, table_act)

    def _group_norm(self, node: Node, act: str) -> None:
        g = self.graph
        x = self.int8(node.inputs[0])
        px = self.quant[x]
        shape = g.tensors[x].shape
        channels, groups = shape[1], node.attrs["groups"]
        gamma = g.constants[node.inputs[1]] if len(node.inputs) > 1 and node.inputs[1] else np.ones(channels)
        beta = g.constants[node.inputs[2]] if len(node.inputs) > 2 and node.inputs[2] else np.zeros(channels)
        group_size = channels // groups * int(np.prod(shape[2:], dtype=np.int64))
        p, lo, hi, table_act = self._output(node, act)
        gp = q8gn.params(px.scale, p.scale, gamma, beta, node.attrs["eps"], group_size)
        inputs = [x] + [g.add_constant(f"{node.name}.{field}", getattr(gp, field))
                        for field in ("multiplier", "shift", "bias")]
        attrs = {"groups": groups, "eps_term": gp.eps_term, "input_offset": -px.zero_point,
                 "output_offset": p.zero_point, "act_min": lo, "act_max": hi}
        self._finish(node, "group_norm_s8", inputs, attrs, p, table_act)

    def _concat(self, node: Node) -> None:
        p = self.params_of(node.outputs[0])
        inputs = []
        for t in node.inputs:
            x = self.int8(t)
            px = self.quant[x]
            if px != p:
                mult, shift = requantize_multiplier(px.scale, p.scale)
                x = self._add("requantize_s8", [x], f"{x}_rq_{node.name}", "i8",
                              {"multiplier": mult, "shift": shift, "input_offset": -px.zero_point,
                               "output_offset": p.zero_point})
                self.quant[x] = p
            inputs.append(x)
        self._retype(node.outputs[0], p)
        self.nodes.append(Node(node.name, node.op, inputs, node.outputs, node.attrs, node.source))

    def _table(self, node: Node) -> None:
        fn = (lambda x: evaluate(node.op, [x.astype(np.float32)], node.attrs))
        self._lut(node.name, self.int8(node.inputs[0]), node.outputs[0], fn, node.source, node.op)

    def _lut(self, name: str, x: str, out: str, fn, source: str, op: str | None = None) -> None:
        px = self.quant[x]
        if op in FIXED_TABLES:
            scale, zero_point, make = FIXED_TABLES[op]
            p, table = QParams(scale, zero_point), make(px.scale, px.zero_point)
        else:
            p = self.params_of(out)
            values = q8.dequantize(np.arange(-128, 128, dtype=np.int8), px.scale, px.zero_point)
            table = q8.quantize(np.asarray(fn(values), dtype=np.float32), p.scale, p.zero_point)
        if out not in self.graph.tensors:
            self.graph.tensors[out] = Tensor(out, self.graph.tensors[x].shape, "i8")
        self._retype(out, p)
        table_name = self.graph.add_constant(f"{name}.table", np.asarray(table, dtype=np.int8))
        self.nodes.append(Node(name, "lut_s8", [x, table_name], [out], {}, source))


# Float ops that move or select values without computing: run on the board and in numpy they
# give the same bits, so a quantize after them is exact on both.
MOVES = {"reshape", "cast", "table_row", "concat", "strided_copy", "pad", "upsample_nearest2d"}


def float_islands(graph: Graph) -> list[str]:
    """The float layers whose results reach an int8 layer through a quantize: their C and
    numpy roundings may differ, and a difference can move a quantized byte, so an int8 graph
    with any cannot be checked against its numpy reference bit for bit."""
    producer = {n.outputs[0]: n for n in graph.nodes}
    islands, todo, seen = [], [n.inputs[0] for n in graph.nodes if n.op == "quantize"], set()
    while todo:
        tensor = todo.pop()
        node = producer.get(tensor)
        # stop at the int8 region: an int8 op, or a dequantize (exact: a float times a small int)
        if node is None or node.name in seen or node.op == "dequantize" or graph.tensors[tensor].dtype == "i8":
            continue
        seen.add(node.name)
        if node.op not in MOVES:
            islands.append(node.name)
        todo += [t for t in node.inputs if t and not graph.is_constant(t)]
    return sorted(islands, key=[n.name for n in graph.nodes].index)


def time_path(graph: Graph) -> set[str]:
    """The nodes that do not depend on the first input (the image): a denoiser's time path
    (embedding and time MLP). They stay float: TFMQ-DM finds int8 there costs the most
    quality, and the mobile int8 export measured the same (docs/MOBILE_INT8.md)."""
    reached = {graph.inputs[0]}
    for node in graph.nodes:
        if any(t in reached for t in node.inputs):
            reached.update(node.outputs)
    return {n.name for n in graph.nodes if n.outputs[0] not in reached}


def lowerable(graph: Graph, node: Node) -> bool:
    """Has the node an int8 form (_Lowering.lower) when its inputs are float? The layers
    `--precision auto` may put in int8; the time path is not (it stays float)."""
    computed = [t for t in node.inputs if t and not graph.is_constant(t)]
    if node.op in ("conv2d", "linear"):
        return bool(node.inputs[0]) and not graph.is_constant(node.inputs[0])
    return bool(computed) and (node.op in ("add", "sub", "group_norm", "concat", "upsample_nearest2d")
                               or node.op in TABLE_OPS)


def output_range(graph: Graph) -> tuple[float, float] | None:
    """The calibrated range of the graph's output that run() recorded (None: no int8 layer)."""
    producer = graph.producer(graph.outputs[0])
    value = producer.attrs.get(OUTPUT_RANGE) if producer else None
    return tuple(value) if value else None


OUTPUT_RANGE = "calibrated_range"


def int8_noise(graph: Graph) -> dict | None:
    """What a float build's int8 layers add to its error (sdk/verify/tolerance.py int8_noise):
    how many of its ops round to int8 (those that only move bytes do not) and the output's
    calibrated range."""
    roundings = sum(1 for n in graph.nodes if graph.tensors[n.outputs[0]].dtype == "i8" and n.op not in MOVES)
    return {"roundings": roundings, "output_range": list(output_range(graph))} if roundings else None


def run(graph: Graph, options: CompileOptions) -> Graph:
    policy = options.precision
    if not any(policy.for_node(n.name) == "i8" for n in graph.nodes):
        return graph
    if not options.calibration and options.ranges is None:
        raise ValueError("int8 layers need calibration inputs (CompileOptions.calibration)")
    if options.ranges is not None:  # calibrated once on the FP32 graph (--precision auto's candidates)
        ranges = dict(options.ranges)
        for node in graph.nodes:  # a cast assign_precision inserted carries its input's range
            if node.op == "cast" and node.outputs[0] not in ranges and node.inputs[0] in ranges:
                ranges[node.outputs[0]] = ranges[node.inputs[0]]
    else:
        ranges = observe(graph, options.calibration, options.calibration_widen)
    domain = time_domain(graph, options)
    if domain:
        ranges.update(int8_time_tables.time_ranges(graph, *domain))
    lowering = _Lowering(graph, ranges)
    time = time_path(graph)
    for node in list(graph.nodes):
        # the time MLP in int8: its embedding (computed by float ops) stays float up to the
        # one quantize before the first linear, which a time table then replaces
        keep = node.name in time and (not options.int8_time_path or (
            node.op == "concat" and not any(t in lowering.quant for t in node.inputs)))
        if not (policy.for_node(node.name) == "i8" and not keep and lowering.lower(node)):
            lowering.keep_float(node)
    for name in graph.outputs:
        if name in lowering.quant:
            int8_name = f"{name}_q8"
            graph.tensors[int8_name] = graph.tensors.pop(name)
            graph.tensors[int8_name].name = int8_name
            for node in lowering.nodes:
                node.inputs = [int8_name if t == name else t for t in node.inputs]
                node.outputs = [int8_name if t == name else t for t in node.outputs]
            lowering.quant[int8_name] = lowering.quant.pop(name)
            p = lowering.quant[int8_name]
            graph.tensors[name] = Tensor(name, graph.tensors[int8_name].shape, "f32")
            lowering.nodes.append(Node(f"dequantize_{name}", "dequantize", [int8_name], [name],
                                       {"scale": p.scale, "zero_point": p.zero_point}))
    for node in lowering.nodes:  # each int8 tensor's parameters, on its producer (inspection, tests)
        p = lowering.quant.get(node.outputs[0])
        if p is not None:
            node.attrs["out_scale"], node.attrs["out_zero_point"] = p.scale, p.zero_point
    graph.nodes = lowering.nodes
    graph.remove_unused()
    if graph.outputs[0] in ranges:  # what a float-fed int8 build's noise is relative to (sdk/verify/tolerance.py)
        graph.producer(graph.outputs[0]).attrs[OUTPUT_RANGE] = list(ranges[graph.outputs[0]])
    if domain:
        int8_time_tables.tabulate_quantizes(graph, *domain)
    return resolve_layout.run(graph, options)


def time_domain(graph: Graph, options: CompileOptions) -> tuple[str, int] | None:
    """(time input, T) when the time input takes only the values 0..T-1: a sampler build's
    step index (tabulate_time ran), or a float timestep the model declares integer-valued."""
    if options.time_input is not None and STEP_INPUT in graph.inputs:
        return STEP_INPUT, len(options.timesteps)
    if options.time_steps and len(graph.inputs) > 1 and graph.tensors[graph.inputs[1]].dtype == "f32" \
            and graph.tensors[graph.inputs[1]].numel == 1:
        return graph.inputs[1], int(options.time_steps)
    return None
