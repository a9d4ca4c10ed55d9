"""concat: join up to MAX_CONCAT tensors along one axis.

Layout: row-major, the output is `outer` blocks, each the inputs' `inner_sizes` elements in
turn; the kernel copies blocks and never sees the axis. So torch.stack is a concat too: its
inputs lack the new axis, their blocks are their dims from the axis on, the same bytes a
concat of the inputs unsqueezed there copies.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.layout import MAX_CONCAT, LayoutError
from codegen.ops.spec import CallSite, OpSpec


def reference(*inputs_and_attrs):
    *inputs, attrs = inputs_and_attrs
    if attrs.get("stack"):
        return np.stack(inputs, axis=attrs["axis"])
    return np.concatenate(inputs, axis=attrs["axis"])


def capture(args, kwargs, out_shape):
    tensors = list(args[0])
    axis = int(args[1] if len(args) > 1 else kwargs.get("dim", 0)) % len(out_shape)
    return "concat", tensors, {"axis": axis}


def capture_stack(args, kwargs, out_shape):
    tensors = list(args[0])
    axis = int(args[1] if len(args) > 1 else kwargs.get("dim", 0)) % len(out_shape)
    return "concat", tensors, {"axis": axis, "stack": True}


def layout(graph, node) -> None:
    if len(node.inputs) > MAX_CONCAT:
        raise LayoutError(f"node {node.name}: concat of {len(node.inputs)} inputs > {MAX_CONCAT}")
    axis = node.attrs["axis"]
    out = graph.tensors[node.outputs[0]].shape
    node.attrs["outer"] = int(np.prod(out[:axis], dtype=np.int64))
    node.attrs["inner_sizes"] = [int(np.prod(graph.tensors[name].shape[axis:], dtype=np.int64))
                                 for name in node.inputs]


def params(graph, node):
    a = node.attrs
    sizes = a["inner_sizes"] + [0] * (MAX_CONCAT - len(a["inner_sizes"]))
    return "concat_params_t", dict(outer=a["outer"], count=len(node.inputs), inner_sizes=sizes)


def call(site: CallSite) -> list[str]:
    """The inputs go to the kernel as one array of pointers."""
    p = site.params
    return [site.declaration,
            f"const {site.ctype} *const {p}_inputs[] = {{{', '.join(site.inputs)}}};",
            f"{site.function}(&{p}, {p}_inputs, {site.output}{site.tail});"]


SPECS = [OpSpec("concat", 1, reference, variadic=True, captures={"aten.cat.default": capture,
                                                                  "aten.stack.default": capture_stack},
                layout=layout, params=params, call=call)]
