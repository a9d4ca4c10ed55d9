"""Many kernel cases in one graph, so one firmware image per target and precision tests
every kernel through the real build, board and serial path.

Each case is an independent op reading graph inputs (and constant weights) and writing
its own graph output. Shapes are chosen to reach the corners optimized kernels special-
case: widths that are not a multiple of the vector length, borders, stride 2, depthwise,
broadcasting, fused activations.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph, Node, Tensor
from codegen.ops import evaluate, macs


class CaseBuilder:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.graph = Graph(tensors={}, nodes=[], inputs=[], outputs=[])
        self.input_values: list[np.ndarray] = []

    def input(self, name: str, shape) -> str:
        value = self.rng.standard_normal(shape).astype(np.float32)
        self.graph.tensors[name] = Tensor(name, tuple(shape))
        self.graph.inputs.append(name)
        self.input_values.append(value)
        return name

    def weight(self, name: str, shape, scale: float) -> str:
        return self.graph.add_constant(name, (self.rng.standard_normal(shape) * scale).astype(np.float32))

    def op(self, name: str, op: str, inputs: list[str], out_shape, **attrs) -> str:
        self.graph.tensors[name] = Tensor(name, tuple(out_shape))
        self.graph.nodes.append(Node(name, op, inputs, [name], attrs))
        self.graph.outputs.append(name)
        return name


def _conv(b: CaseBuilder, name, c_in, c_out, h, w, k, stride=1, pad=1, groups=1, act="none",
          bias=True):
    x = b.input(f"{name}_x", (1, c_in, h, w))
    wt = b.weight(f"{name}_w", (c_out, c_in // groups, k, k), 1 / np.sqrt(c_in // groups * k * k))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    h_out, w_out = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, h_out, w_out), stride=[stride, stride],
         padding=[pad, pad], dilation=[1, 1], groups=groups, act=act)


def kernel_case_graph(seed: int = 0) -> tuple[Graph, list[np.ndarray]]:
    b = CaseBuilder(seed)
    _conv(b, "conv3x3", 16, 16, 16, 16, 3, act="silu")
    _conv(b, "conv3x3_odd", 5, 12, 9, 13, 3, bias=False)
    _conv(b, "conv3x3_wide_out", 8, 32, 8, 8, 3, act="relu")
    _conv(b, "conv1x1", 32, 16, 8, 8, 1, pad=0)
    _conv(b, "conv1x1_odd", 7, 9, 5, 11, 1, pad=0, act="silu")
    _conv(b, "conv3x3_s2", 16, 16, 16, 16, 3, stride=2)
    _conv(b, "conv_depthwise", 8, 8, 10, 10, 3, groups=8)

    x = b.input("linear_x", (1, 32))
    b.op("linear", "linear", [x, b.weight("linear_w", (32, 32), 0.2), b.weight("linear_b", (32,), 0.1)],
         (1, 32), act="silu")
    x = b.input("linear_odd_x", (3, 13))
    b.op("linear_odd", "linear", [x, b.weight("linear_odd_w", (7, 13), 0.3), ""], (3, 7), act="none")

    x = b.input("gn_x", (1, 16, 8, 8))
    b.op("group_norm", "group_norm", [x, b.weight("gn_g", (16,), 1.0), b.weight("gn_b", (16,), 0.5)],
         (1, 16, 8, 8), groups=4, eps=1e-5, act="silu")
    x = b.input("gn_odd_x", (1, 6, 5, 7))
    b.op("group_norm_odd", "group_norm", [x, "", ""], (1, 6, 5, 7), groups=3, eps=1e-5, act="none")

    x = b.input("silu_x", (1, 3, 7, 5))
    b.op("silu", "silu", [x], (1, 3, 7, 5))
    x = b.input("relu_x", (1, 37))
    b.op("relu", "relu", [x], (1, 37))

    x, y = b.input("add_x", (1, 16, 8, 8)), b.input("add_bias", (1, 16, 1, 1))
    b.op("add_broadcast", "add", [x, y], (1, 16, 8, 8), act="none")
    x, y = b.input("add_same_x", (1, 5, 3, 3)), b.input("add_same_y", (1, 5, 3, 3))
    b.op("add_same", "add", [x, y], (1, 5, 3, 3), act="silu")
    x, y = b.input("mul_x", (1, 9, 4, 4)), b.input("mul_y", (1, 9, 4, 4))
    b.op("mul", "mul", [x, y], (1, 9, 4, 4), act="none")
    x, y = b.input("sub_x", (1, 1, 16, 16)), b.input("sub_y", (1, 1, 16, 16))
    b.op("sub", "sub", [x, y], (1, 1, 16, 16), act="none")

    x, y = b.input("cat_x", (1, 16, 8, 8)), b.input("cat_y", (1, 8, 8, 8))
    b.op("concat", "concat", [x, y], (1, 24, 8, 8), axis=1)
    x = b.input("up_x", (1, 8, 5, 7))
    b.op("upsample", "upsample_nearest2d", [x], (1, 8, 10, 14), size=[10, 14])
    return b.graph, b.input_values


def expected_outputs(graph: Graph, inputs: list[np.ndarray], dtype: str) -> dict[str, np.ndarray]:
    """Each case in float64 from its inputs and weights as the device stores them
    (rounded to FP16 for an FP16 build): what an exact kernel would produce."""
    store = np.float16 if dtype == "f16" else np.float32
    values = {name: v.astype(store) for name, v in zip(graph.inputs, inputs)}
    values.update({name: v.astype(store) for name, v in graph.constants.items()})
    return {node.outputs[0]: evaluate(node.op, [values[t].astype(np.float32) if t else None
                                               for t in node.inputs], node.attrs)
            for node in graph.nodes}


def case_accumulation(graph: Graph, output: str) -> int:
    """Products summed per output of the case (K of its dot product), 1 if none."""
    node = next(n for n in graph.nodes if n.outputs[0] == output)
    shapes = [graph.tensors[t].shape if t else () for t in node.inputs]
    out_shape = graph.tensors[output].shape
    return max(macs(node.op, shapes, out_shape, node.attrs) // int(np.prod(out_shape)), 1)
