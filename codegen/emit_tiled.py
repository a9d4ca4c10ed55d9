"""C for a tiled stage (codegen/tile.py): the TilePlan's events written out as calls.

Each Call is the layer's own kernel (the one the plan chose for the untiled layer) on a row
window: a convolution gets its parameters with row0/rows and the row origin and plane height
of its input and output buffers (conv2d_params_t), so it reads the rows a band buffer holds
and sums every output as the whole call would; an elementwise op gets its 4-D shape cut to
the band's rows and strides over the buffers' planes (one call per channel when the output
plane is taller than the rows written, as the kernel writes its output dense). A Shift is a
copy per channel of the kept rows to the buffer's front; copy_f32 copies forwards, so the
overlapping move (to a lower address) is safe.
"""

from __future__ import annotations

from codegen.ir import Graph, Node
from codegen.kernels.symbol import kernel_symbol
from codegen.ops import OPS
from codegen.tile import Call, Shift, TilePlan, broadcast_rows


class StageEmitter:
    def __init__(self, emitter, tiling: TilePlan):
        self.e, self.tiling = emitter, tiling
        self.graph: Graph = emitter.graph
        self.nodes = {n.name: n for n in self.graph.nodes}
        self.count = 0

    def origin(self, tensor: str, bases: dict[str, int]) -> tuple[int, int]:
        """(image row at the buffer's front, rows per channel plane) of a tensor's buffer."""
        if tensor in self.tiling.rows:
            return bases[tensor], self.tiling.rows[tensor]
        return 0, self.graph.tensors[tensor].shape[2]

    def lines(self) -> list[str]:
        out = []
        for event in self.tiling.events:
            out.extend(self.shift(event) if isinstance(event, Shift) else self.call(event))
        return out

    def shift(self, event: Shift) -> list[str]:
        if event.rows == 0:
            return []
        _, c, rows, w = (self.graph.tensors[event.tensor].shape[0], self.graph.tensors[event.tensor].shape[1],
                         self.tiling.rows[event.tensor], self.graph.tensors[event.tensor].shape[3])
        self.e.functions.add("copy_f32")
        ptr = self.e.pointer(event.tensor)
        return [f"/* keep rows {event.row0}..{event.row0 + event.rows - 1} of {event.tensor} */",
                f"for (int32_t c = 0; c < {c}; ++c) {{",
                f"    {kernel_symbol('copy_f32')}({ptr} + (c * {rows} + {event.src}) * {w}, "
                f"{ptr} + c * {rows * w}, {event.rows * w});",
                "}"]

    def call(self, event: Call) -> list[str]:
        node = self.nodes[event.node]
        self.count += 1
        name = f"t{self.count}"
        if node.op == "conv2d":
            return self.conv(node, event, name)
        return self.binary(node, event, name)

    def conv(self, node: Node, event: Call, name: str) -> list[str]:
        ctype, fields = OPS[node.op].params(self.graph, node)
        in_row0, in_rows = self.origin(node.inputs[0], event.bases)
        out_row0, out_rows = self.origin(node.outputs[0], event.bases)
        fields = {**fields, "row0": event.row0, "rows": event.rows, "in_row0": in_row0,
                  "in_rows": in_rows, "out_row0": out_row0, "out_rows": out_rows}
        fn = kernel_symbol(self.e.function(node))
        args = self.e.operands(node) + ["NULL"] * (3 - len(node.inputs))
        scratch = self.e.scratch(node)
        tail = f", {scratch}" if scratch else ""
        return [self.e._params(ctype, name, fields),
                f"{fn}(&{name}, {', '.join(args)}, {self.e.pointer(node.outputs[0])}{tail});"]

    def binary(self, node: Node, event: Call, name: str) -> list[str]:
        out = node.outputs[0]
        _, c, _, w = self.graph.tensors[out].shape
        out_row0, out_rows = self.origin(out, event.bases)
        per_channel = c > 1 and out_rows != event.rows
        shape = [1, 1 if per_channel else c, event.rows, w]
        fields = {"out_shape": shape}
        operands = []
        for key, x in zip(("a_strides", "b_strides"), node.inputs):
            strides = list(node.attrs[key])  # a one-row operand keeps its own (broadcast) strides
            row0 = 0
            if not broadcast_rows(self.graph, x):  # a buffer of `rows` rows per channel plane
                row0, rows = self.origin(x, event.bases)
                strides = [0 if s == 0 else d for s, d in zip(strides, [c * rows * w, rows * w, w, 1])]
            fields[key] = strides
            operands.append((self.e.pointer(x), (event.row0 - row0) * strides[2], strides[1]))
        fields["act"] = OPS[node.op].params(self.graph, node)[1]["act"]
        fn = kernel_symbol(self.e.function(node))
        lines = [self.e._params("binary_params_t", name, fields)]
        out_offset = (event.row0 - out_row0) * w
        if not per_channel:
            args = [f"{p} + {off}" for p, off, _ in operands]
            lines.append(f"{fn}(&{name}, {', '.join(args)}, {self.e.pointer(out)} + {out_offset});")
            return lines
        args = [f"{p} + {off} + c * {step}" for p, off, step in operands]
        lines += [f"for (int32_t c = 0; c < {c}; ++c) {{",
                  f"    {fn}(&{name}, {', '.join(args)}, {self.e.pointer(out)} + {out_offset} + c * {out_rows * w});",
                  "}"]
        return lines
