"""TFLite Micro on the host: the oracle for what an MCU running the .tflite computes.

The tflite-micro wheel runs TFLite Micro's own interpreter and reference kernels, the
code a board without vendor-optimized kernels (CMSIS-NN, ESP-NN) runs. LiteRT with its
reference kernels (sdk.mobile.int8.LiteRT) gives the same bytes on the int8 model;
LiteRT's default optimized kernels round some requantizations differently (off by a few
output steps), so they are not the oracle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ai_edge_litert.tools import flatbuffer_utils
from tflite_micro.python.tflite_micro import runtime

from sdk.errors import UserError


def run_tflite_micro(path: Path, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
    """One inference of the .tflite at `path` on `inputs` (in the model's input dtypes)."""
    data = Path(path).read_bytes()
    graph = flatbuffer_utils.convert_bytearray_to_object(data).subgraphs[0]
    try:
        interp = runtime.Interpreter.from_bytes(data)
    except RuntimeError as e:
        raise UserError(f"TFLite Micro cannot load {path} ({e}); the log above names the "
                        "op it lacks: keep that op out of the exported graph") from None
    if len(inputs) != len(graph.inputs):
        raise UserError(f"{path} takes {len(graph.inputs)} inputs, got {len(inputs)}")
    for i, x in enumerate(inputs):
        want = interp.get_input_details(i)
        if x.dtype != want["dtype"] or tuple(x.shape) != tuple(want["shape"]):
            raise UserError(f"{path} input {i} must be {np.dtype(want['dtype']).name} "
                            f"{tuple(want['shape'])}, got {x.dtype} {tuple(x.shape)}")
        interp.set_input(x, i)
    interp.invoke()
    return [np.array(interp.get_output(i)) for i in range(len(graph.outputs))]
