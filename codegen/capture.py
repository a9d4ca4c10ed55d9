"""torch.export → Graph IR. The only module in codegen that imports torch.

The exported ATen graph is walked node by node; each supported ATen op maps to one IR op
(views and no-ops map to nothing or to a reshape) by the capturer its op's entry lists
(codegen/ops/, `captures`). Export artefacts that compute nothing (a same-dtype `to`,
`clone`, dropout, `x / 1.0`: codegen/capture_artefacts.py) pass their operand through, and
nodes whose results nothing reads (assertions) are dropped. A node whose tensor inputs are all
constants is evaluated here with torch and becomes a constant, so the IR never sees
arange/exp chains that only build buffers (and no pass needs to fold constants).

Integer inputs (a diffusers timestep) are int32 tensors in the IR, on the wire and on the
device; where the model converts one to float (or torch's type promotion does, for an
integer operand of a float op) the IR has a `cast` (codegen/ops/cast.py). Integer arithmetic
itself is not lowered.

An op that cannot be lowered does not stop the walk: every one is recorded and the model's
whole list is raised as one UnsupportedOpError whose message is a table (codegen/unsupported.py):
op, node count, the user's own line, the library line, what to do.
"""

from __future__ import annotations

import operator
import re
from typing import Any

import numpy as np
import torch
from torch.export import ExportedProgram

from codegen.capture_artefacts import SHAPE_ONLY, is_reshape, pass_through
from codegen.capture_inplace import VIEW_WRITE, functional_target, view_write
from codegen.ir import Graph, Node, Tensor
from codegen.ops import CAPTURERS, OPS
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import MAX_RANK
from codegen.unsupported import Failure, raise_if_any
from codegen.user_code import describe

__all__ = ["UnsupportedOpError", "capture", "export_model"]

_FRAME = re.compile(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)')
_LIBRARY = re.compile(r"/(?:site|dist)-packages/")
FLOAT = {torch.float32: "f32"}
INTEGER = {torch.int64: "i32", torch.int32: "i32", torch.int16: "i32", torch.int8: "i32",
           torch.uint8: "i32"}


def _frames(fx_node: torch.fx.Node) -> list[tuple[str, str, str]]:
    return _FRAME.findall(fx_node.meta.get("stack_trace") or "")


def _format(frame: tuple[str, str, str]) -> str:
    path, line, code = frame
    return f"{path}:{line}: {code.strip()}"


def _source_line(fx_node: torch.fx.Node) -> str:
    """The innermost stack frame in the user's code (not in torch), as 'file:line: code'."""
    frames = _frames(fx_node)
    user = [f for f in frames if "/torch/" not in f[0]] or frames
    return _format(user[-1]) if user else "unknown source line"


def _user_line(fx_node: torch.fx.Node) -> str:
    """The innermost frame in the user's own files (not torch, not an installed library)."""
    own = [f for f in _frames(fx_node) if "/torch/" not in f[0] and not _LIBRARY.search(f[0])]
    return _format(own[-1]) if own else ""


def _library_line(fx_node: torch.fx.Node) -> str:
    """The innermost frame in an installed library other than torch (e.g. diffusers), with its
    path from site-packages: 'diffusers/models/attention_processor.py:607: return ...'."""
    libs = [f for f in _frames(fx_node) if "/torch/" not in f[0] and _LIBRARY.search(f[0])]
    if not libs:
        return ""
    path, line, code = libs[-1]
    return _format((_LIBRARY.split(path)[-1], line, code))


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
        if x.dtype not in FLOAT and x.dtype not in INTEGER:
            raise UnsupportedOpError(f"input {i} is {x.dtype}; EdgeDiff models take float32 or integer "
                                     "inputs: pass e.g. x.float() and cast inside forward if needed")
    return _Converter(export_model(module, example_inputs)).run()


def _first_value(fx_node: torch.fx.Node):
    """The traced value of the node's (first) output: ops like native_layer_norm return a tuple."""
    val = fx_node.meta.get("val")
    return val[0] if isinstance(val, (tuple, list)) else val


def _reshape(args, kwargs, out_shape):
    return "reshape", [args[0]], {"shape": [int(s) for s in out_shape]}


class _Converter:
    def __init__(self, program: ExportedProgram):
        self.program = program
        self.graph = Graph(tensors={}, nodes=[], inputs=[], outputs=[])
        self.names: dict[str, str] = {}  # fx node name -> IR tensor name
        self.torch_constants: dict[str, torch.Tensor] = {}
        self.failures: list[Failure] = []
        self.as_float: dict[str, str] = {}  # int32 tensor -> its float32 cast or copy
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
                    val = fx_node.meta["val"]
                    shape = tuple(int(s) for s in val.shape)
                    dtype = FLOAT.get(val.dtype) or INTEGER[val.dtype]
                    self.graph.tensors[fx_node.name] = Tensor(fx_node.name, shape, dtype)
                    self.graph.inputs.append(fx_node.name)
                    self.names[fx_node.name] = fx_node.name
            elif fx_node.op == "call_function":
                self._convert(fx_node)
            elif fx_node.op == "output":
                raise_if_any(self.failures)
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
        for name in self.graph.outputs:
            if self.graph.tensors[name].dtype != "f32":
                raise UnsupportedOpError(f"model output {name} is an integer tensor; outputs are "
                                         "float32: return a float result (e.g. out.float())")
        if all(OPS[node.op].alias for node in self.graph.nodes):
            raise UnsupportedOpError("the model computes nothing: its output is its input (at most "
                                     "reshaped), so there is nothing to run on the board")

    def _add_constant(self, fx_name: str, name: str, value: torch.Tensor) -> None:
        value = value.detach()
        self.torch_constants[name] = value
        array = value.float().numpy() if value.is_floating_point() else value.numpy().astype(np.int32)
        self.graph.add_constant(name, array.copy())
        self.names[fx_name] = name

    def _constant(self, arg: Any) -> torch.Tensor | None:
        if isinstance(arg, torch.fx.Node):
            return self.torch_constants.get(self.names.get(arg.name, ""))
        return None

    def _ensure_not_constant(self, fx_node: torch.fx.Node) -> str:
        name = self.names[fx_node.name]
        if self.graph.is_constant(name):
            raise UnsupportedOpError(f"output {fx_node.name} does not depend on any input")
        return name

    def _fail(self, fx_node: torch.fx.Node, reason: str = "") -> None:
        """Record an op we cannot lower and go on: its output becomes a placeholder tensor so
        the nodes after it are still checked (their own unsupported ops are reported too)."""
        if not any(f.node == fx_node.name for f in self.failures):  # once per node (split pieces)
            self.failures.append(Failure(str(fx_node.target), fx_node.name, _user_line(fx_node),
                                         _library_line(fx_node), reason))
        val = _first_value(fx_node)
        shape = tuple(int(s) for s in val.shape) if isinstance(val, torch.Tensor) else ()
        self.graph.tensors[fx_node.name] = Tensor(fx_node.name, shape)
        self.names[fx_node.name] = fx_node.name

    def _convert(self, fx_node: torch.fx.Node) -> None:
        if view_write(fx_node):  # x[:, :2] += y: the base's readers do not see it
            self._fail(fx_node, VIEW_WRITE)
            return
        if not fx_node.users:  # an assertion (_assert_tensor_metadata) or an unused result
            return
        target = functional_target(fx_node) or str(fx_node.target)  # x += y: x + y
        tensor_args = [a for a in fx_node.all_input_nodes]
        if fx_node.target is operator.getitem and fx_node.args[0].name in self.constant_tuples:
            part = self.constant_tuples[fx_node.args[0].name][fx_node.args[1]]
            self._add_constant(fx_node.name, f"const_{fx_node.name}", part)
            return
        if target in SHAPE_ONLY or all(self.graph.is_constant(self.names.get(a.name, "")) for a in tensor_args):
            self._fold_with_torch(fx_node)
            return
        if f"{target}[]" in CAPTURERS:  # a multi-output op: captured per getitem, below
            return
        if fx_node.target is operator.getitem and f"{fx_node.args[0].target}[]" in CAPTURERS:
            self._convert_piece(fx_node)
            return
        if fx_node.target is operator.getitem:
            self.names[fx_node.name] = self.names[fx_node.args[0].name]
            return
        through = pass_through(fx_node, self._constant)
        if through is not None:
            self.names[fx_node.name] = self.names[through.name]
            return
        capturer = _reshape if is_reshape(fx_node) else CAPTURERS.get(target)
        if capturer is None:
            self._fail(fx_node)
            return
        # native_layer_norm, max_pool2d_with_indices: output 0
        out_shape = tuple(int(s) for s in _first_value(fx_node).shape)
        try:
            op, inputs, attrs = capturer(fx_node.args, fx_node.kwargs, out_shape)
        except UnsupportedOpError as e:
            self._fail(fx_node, str(e))
            return
        self._add_node(fx_node, fx_node, op, inputs, attrs, out_shape)

    def _convert_piece(self, fx_node: torch.fx.Node) -> None:
        """getitem i of a multi-output op (split): the op's `<target>[]` capturer gets the op's
        arguments and index=i, and returns the node that computes that one piece."""
        source_node, index = fx_node.args
        target = f"{source_node.target}[]"
        out_shape = tuple(int(s) for s in fx_node.meta["val"].shape)
        try:
            op, inputs, attrs = CAPTURERS[target](source_node.args, {**source_node.kwargs, "index": index},
                                                  out_shape)
        except UnsupportedOpError as e:
            self._fail(source_node, str(e))
            self.names[fx_node.name] = self.names[source_node.name]
            return
        self._add_node(fx_node, source_node, op, inputs, attrs, out_shape)

    def _add_node(self, fx_node: torch.fx.Node, where: torch.fx.Node, op: str, inputs: list,
                  attrs: dict, out_shape: tuple[int, ...]) -> None:
        """The IR node for fx_node (where: the node whose source line it carries)."""
        dtype = self._dtype(fx_node, op)
        if dtype is None:
            return
        computes = not OPS[op].alias and op != "cast"
        input_names = [self._operand(a, fx_node, computes) for a in inputs]
        self.graph.tensors[fx_node.name] = Tensor(fx_node.name, out_shape, dtype)
        self.graph.nodes.append(Node(fx_node.name, op, input_names, [fx_node.name], attrs,
                                     _source_line(where)))
        self.names[fx_node.name] = fx_node.name

    def _dtype(self, fx_node: torch.fx.Node, op: str) -> str | None:
        """The IR dtype of the node's result, or None after recording why it has none: a view of
        an integer tensor stays int32; any other op computes in float."""
        dtype = _first_value(fx_node).dtype
        if dtype in FLOAT or (dtype in INTEGER and OPS[op].alias):
            return FLOAT.get(dtype) or INTEGER[dtype]
        what = "integer arithmetic" if dtype in INTEGER else f"a {dtype} result"
        self._fail(fx_node, f"{what}: EdgeDiff computes in float32; convert the integer input "
                            "with .float() before computing with it")
        return None

    def _operand(self, arg: Any, fx_node: torch.fx.Node, needs_float: bool = True) -> str:
        if arg is None:
            return ""
        if isinstance(arg, torch.fx.Node):
            name = self.names[arg.name]
            if needs_float and self.graph.tensors[name].dtype == "i32":
                return self._float(name, fx_node)
            return name
        if isinstance(arg, (int, float)):
            name = f"{fx_node.name}_scalar{len(self.graph.constants)}"
            return self.graph.add_constant(name, np.array(arg, dtype=np.float32))
        raise UnsupportedOpError(f"node '{fx_node.name}' has an operand of type {type(arg).__name__}")

    def _float(self, name: str, fx_node: torch.fx.Node) -> str:
        """An int32 operand of a float op, converted as torch's type promotion does: a float32
        copy of a constant, or a cast node (made once per tensor)."""
        if name not in self.as_float:
            out = f"{name}_f32"
            if self.graph.is_constant(name):
                self.graph.add_constant(out, self.graph.constants[name].astype(np.float32))
            else:
                self.graph.tensors[out] = Tensor(out, self.graph.tensors[name].shape)
                self.graph.nodes.append(Node(f"cast_{out}", "cast", [name], [out], {"to": "f32"},
                                             _source_line(fx_node)))
            self.as_float[name] = out
        return self.as_float[name]

    def _fold_with_torch(self, fx_node: torch.fx.Node) -> None:
        """Evaluate a node whose inputs are all constants: it only builds a buffer. A
        shape-only op (new_zeros) gets a zero tensor of its operand's shape and dtype in place
        of the operand. (An in-place op such as index_put_ is folded like any other: the
        exported graph reads its result, not the tensor it wrote to.)"""
        def value(a):
            if isinstance(a, torch.fx.Node):
                name = self.names.get(a.name, "")
                if name not in self.torch_constants:  # the activation operand of a SHAPE_ONLY op
                    val = a.meta["val"]
                    return torch.zeros(tuple(int(d) for d in val.shape), dtype=val.dtype)
                return self.torch_constants[name]
            if isinstance(a, (list, tuple)):
                return type(a)(value(x) for x in a)
            return a
        with torch.no_grad():
            result = fx_node.target(*value(fx_node.args), **value(dict(fx_node.kwargs)))
        if isinstance(result, (list, tuple)):  # a split of a constant: its getitems pick
            self.constant_tuples[fx_node.name] = result
            return
        self._add_constant(fx_node.name, f"const_{fx_node.name}", result)
