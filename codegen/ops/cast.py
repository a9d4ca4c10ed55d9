"""cast: convert between FP32 and FP16. Inserted by assign_precision where precisions meet;
its kernel is named after both dtypes (cast_f32_to_f16)."""

from __future__ import annotations

from codegen.ir import DTYPES
from codegen.ops.spec import OpSpec, count_call


def kernel(graph, node) -> str:
    return f"cast_{graph.tensors[node.inputs[0]].dtype}_to_{node.attrs['to']}"


SPECS = [OpSpec("cast", 1, lambda x, a: x.astype(DTYPES[a["to"]]), kernel=kernel, call=count_call)]
