"""torch.export → Graph IR. The only module in codegen that imports torch.

The exported ATen graph is walked node by node; each supported ATen op maps to one IR op
(views and no-ops map to nothing or to a reshape) by the capturer its op's entry lists
(codegen/ops/, `captures`). A node whose tensor inputs are all constants is evaluated here
with torch and becomes a constant, so the IR never sees arange/exp chains that only build
buffers (and no pass needs to fold constants). Anything else is an UnsupportedOpError that
names the op, the node and the line of model code that produced it.
"""

from __future__ import annotations

import operator
import re
from typing import Any

import numpy as np
import torch
from torch.export import ExportedProgram

from codegen.ir import Graph, Node, Tensor
from codegen.ops import CAPTURERS, OPS
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import MAX_RANK
from codegen.user_code import describe

__all__ = ["UnsupportedOpError", "capture", "export_model"]


def _source_line(fx_node: torch.fx.Node) -> str:
    """The innermost stack frame in the user's code (not in torch), as 'file:line: code'."""
    trace = fx_node.meta.get("stack_trace") or ""
    frames = re.findall(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)', trace)
    user = [f for f in frames if "/torch/" not in f[0]] or frames
    if not user:
        return "unknown source line"
    path, line, code = user[-1]
    return f"{path}:{line}: {code.strip()}"


# Ops that return their input unchanged in inference.
IDENTITIES = {"aten.clone.default", "aten.contiguous.default", "aten.dropout.default",
              "aten.alias.default", "aten.detach.default", "aten.feature_dropout.default"}

HINT = ("rewrite that part of the model with supported ops ("
        + ", ".join(sorted({k.split('.')[1] for k in CAPTURERS})) + "), or keep it on the host")


EXPORT_HINT = ("EdgeDiff captures forward with torch.export, which traces it once: forward must not "
               "branch on tensor values (if/while on a tensor, .item(), .tolist(), .numpy()) and "
               "shapes may depend only on the input shapes")


def export_model(module: torch.nn.Module, example_inputs: tuple[torch.Tensor, ...]) -> ExportedProgram:
    try:
        with torch.no_grad():
            return torch.export.export(module.eval(), tuple(example_inputs))
    except Exception as e:  # the model's code cannot be traced: say where, not a stack trace
        raise UnsupportedOpError(f"torch.export cannot capture the model: {describe(e)}\n"
                                 f"{EXPORT_HINT}") from None


def capture(module: torch.nn.Module, example_inputs: tuple[torch.Tensor, ...]) -> Graph:
    for i, x in enumerate(example_inputs):
        if x.dtype != torch.float32:
            raise UnsupportedOpError(f"input {i} is {x.dtype}; EdgeDiff models take float32 "
                                     "inputs: pass e.g. t.float() and cast inside forward if needed")
    return _Converter(export_model(module, example_inputs)).run()


class _Converter:
    def __init__(self, program: ExportedProgram):
        self.program = program
        self.graph = Graph(tensors={}, nodes=[], inputs=[], outputs=[])
        self.names: dict[str, str] = {}  # fx node name -> IR tensor name
        self.torch_constants: dict[str, torch.Tensor] = {}
        self.constant_tuples: dict[str, tuple] = {}  # fx name -> the tensors a folded split gave

    def run(self) -> Graph:
        sig = self.program.graph_signature
        lifted = {**sig.inputs_to_parameters, **sig.inputs_to_buffers,
                  **sig.inputs_to_lifted_tensor_constants}
        state = {**self.program.state_dict, **self.program.constants}
        for fx_node in self.program.graph.nodes:
            if fx_node.op == "placeholder":
                if fx_node.name in lifted:
                    self._add_constant(fx_node.name, lifted[fx_node.name], state[lifted[fx_node.name]])
                else:
                    shape = tuple(int(s) for s in fx_node.meta["val"].shape)
                    self.graph.tensors[fx_node.name] = Tensor(fx_node.name, shape)
                    self.graph.inputs.append(fx_node.name)
                    self.names[fx_node.name] = fx_node.name
            elif fx_node.op == "call_function":
                self._convert(fx_node)
            elif fx_node.op == "output":
                outs = fx_node.args[0]
                self.graph.outputs = [self._ensure_not_constant(o) for o in outs]
        self.graph.remove_unused()
        self.graph.validate()
        self._check_model_io()
        return self.graph

    def _check_model_io(self) -> None:
        """What the firmware's I/O tables and the layer loop need, said in the model's terms."""
        for kind, names in (("input", self.graph.inputs), ("output", self.graph.outputs)):
            for name in names:
                rank = len(self.graph.tensors[name].shape)
                if rank > MAX_RANK:
                    raise UnsupportedOpError(
                        f"model {kind} {name} has {rank} dims; model inputs and outputs have at most "
                        f"{MAX_RANK}: reshape it in forward (e.g. merge two dims)")
        if all(OPS[node.op].alias for node in self.graph.nodes):
            raise UnsupportedOpError("the model computes nothing: its output is its input (at most "
                                     "reshaped), so there is nothing to run on the board")

    def _add_constant(self, fx_name: str, name: str, value: torch.Tensor) -> None:
        value = value.detach()
        self.torch_constants[name] = value
        array = value.float().numpy() if value.is_floating_point() else value.numpy().astype(np.int32)
        self.graph.add_constant(name, array.copy())
        self.names[fx_name] = name

    def _ensure_not_constant(self, fx_node: torch.fx.Node) -> str:
        name = self.names[fx_node.name]
        if self.graph.is_constant(name):
            raise UnsupportedOpError(f"output {fx_node.name} does not depend on any input")
        return name

    def _convert(self, fx_node: torch.fx.Node) -> None:
        target = str(fx_node.target)
        tensor_args = [a for a in fx_node.all_input_nodes]
        if fx_node.target is operator.getitem and fx_node.args[0].name in self.constant_tuples:
            part = self.constant_tuples[fx_node.args[0].name][fx_node.args[1]]
            self._add_constant(fx_node.name, f"const_{fx_node.name}", part)
            return
        if all(self.graph.is_constant(self.names.get(a.name, "")) for a in tensor_args):
            self._fold_with_torch(fx_node)
            return
        if f"{target}[]" in CAPTURERS:  # a multi-output op: captured per getitem, below
            return
        if fx_node.target is operator.getitem and f"{fx_node.args[0].target}[]" in CAPTURERS:
            self._convert_piece(fx_node)
            return
        if target in IDENTITIES or fx_node.target is operator.getitem:
            self.names[fx_node.name] = self.names[fx_node.args[0].name]
            return
        if target == "aten.slice.Tensor" and self._is_full_slice(fx_node):
            self.names[fx_node.name] = self.names[fx_node.args[0].name]
            return
        source = _source_line(fx_node)
        capturer = CAPTURERS.get(target)
        if capturer is None:
            raise UnsupportedOpError(
                f"unsupported op {target} at node '{fx_node.name}' ({source}): {HINT}")
        val = fx_node.meta["val"]
        if isinstance(val, (tuple, list)):  # native_layer_norm, max_pool2d_with_indices: output 0
            val = val[0]
        out_shape = tuple(int(s) for s in val.shape)
        try:
            op, inputs, attrs = capturer(fx_node.args, fx_node.kwargs, out_shape)
        except UnsupportedOpError as e:
            raise UnsupportedOpError(f"unsupported use of {target} at node '{fx_node.name}' "
                                     f"({source}): {e}") from None
        input_names = [self._operand(a, fx_node) for a in inputs]
        self.graph.tensors[fx_node.name] = Tensor(fx_node.name, out_shape)
        self.graph.nodes.append(Node(fx_node.name, op, input_names, [fx_node.name], attrs, source))
        self.names[fx_node.name] = fx_node.name

    def _convert_piece(self, fx_node: torch.fx.Node) -> None:
        """getitem i of a multi-output op (split): the op's `<target>[]` capturer gets the op's
        arguments and index=i, and returns the node that computes that one piece."""
        source_node, index = fx_node.args
        source = _source_line(source_node)
        target = f"{source_node.target}[]"
        out_shape = tuple(int(s) for s in fx_node.meta["val"].shape)
        try:
            op, inputs, attrs = CAPTURERS[target](source_node.args, {**source_node.kwargs, "index": index},
                                                  out_shape)
        except UnsupportedOpError as e:
            raise UnsupportedOpError(f"unsupported use of {source_node.target} at node "
                                     f"'{source_node.name}' ({source}): {e}") from None
        input_names = [self._operand(a, fx_node) for a in inputs]
        self.graph.tensors[fx_node.name] = Tensor(fx_node.name, out_shape)
        self.graph.nodes.append(Node(fx_node.name, op, input_names, [fx_node.name], attrs, source))
        self.names[fx_node.name] = fx_node.name

    def _operand(self, arg: Any, fx_node: torch.fx.Node) -> str:
        if arg is None:
            return ""
        if isinstance(arg, torch.fx.Node):
            return self.names[arg.name]
        if isinstance(arg, (int, float)):
            name = f"{fx_node.name}_scalar{len(self.graph.constants)}"
            return self.graph.add_constant(name, np.array(arg, dtype=np.float32))
        raise UnsupportedOpError(f"node '{fx_node.name}' has an operand of type {type(arg).__name__}")

    def _is_full_slice(self, fx_node: torch.fx.Node) -> bool:
        in_shape = fx_node.args[0].meta["val"].shape
        return tuple(fx_node.meta["val"].shape) == tuple(in_shape)

    def _fold_with_torch(self, fx_node: torch.fx.Node) -> None:
        """Evaluate a node whose inputs are all constants: it only builds a buffer."""
        def value(a):
            if isinstance(a, torch.fx.Node):
                return self.torch_constants[self.names[a.name]]
            if isinstance(a, (list, tuple)):
                return type(a)(value(x) for x in a)
            return a
        with torch.no_grad():
            result = fx_node.target(*value(fx_node.args), **value(dict(fx_node.kwargs)))
        if isinstance(result, (list, tuple)):  # a split of a constant: its getitems pick
            self.constant_tuples[fx_node.name] = result
            return
        self._add_constant(fx_node.name, f"const_{fx_node.name}", result)
