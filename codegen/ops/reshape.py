"""reshape: a new shape over the same row-major bytes. Every view op captures to it.

No kernel runs: the memory plan aliases the output to the input, the emitter skips it, and
it keeps its input's precision.
"""

from __future__ import annotations

from codegen.ops.spec import OpSpec, Precision


def capture(args, kwargs, out_shape):
    return "reshape", [args[0]], {"shape": [int(s) for s in out_shape]}


VIEWS = ["aten.unsqueeze.default", "aten.squeeze.dim", "aten.squeeze.dims", "aten.view.default",
         "aten.reshape.default", "aten._unsafe_view.default", "aten.flatten.using_ints",
         "aten.squeeze.default", "aten.unflatten.int", "aten.view_as.default", "aten.reshape_as.default",
         "aten.ravel.default"]

SPECS = [OpSpec("reshape", 1, lambda x, a: x.reshape(a["shape"]), captures={t: capture for t in VIEWS},
                precision=Precision(follows_input=True), alias=True)]
