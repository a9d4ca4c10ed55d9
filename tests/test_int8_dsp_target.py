"""The int8 zoo dncnn on the emulated Arm boards runs the DSP convolution (conv2d_s8_dsp: SMLAD,
LDRD, the inline assembly step) in every convolution, and its output equals the numpy int8
reference of the same lowered graph bit for bit. dncnn is int8 from its first quantize to its
last dequantize, so the dequantized floats are equal exactly when the int8 bytes are. Its
layers take the kernel's paths on the board: the stem (one input channel, widened to 4),
16 -> 16 channels, and one output channel (a half-empty channel pair);
tests/test_int8_dsp_kernels.py runs the same loops on the host on many more shapes."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy
from sdk.compile.build import build
from sdk.compile.lower import lower
from sdk.models import load_model
from sdk.runner.board import open_board
from sdk.verify.validate import run_sample
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

DSP_TARGETS = ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]


@pytest.mark.parametrize("target", DSP_TARGETS)
def test_dncnn_int8_on_the_board_equals_numpy(target, tmp_path):
    board = require_target(target)
    assert "dsp" in board.isa_features
    manifest = build("dncnn", target, tmp_path, PrecisionPolicy("int8"))
    convs = {layer["name"]: layer["function"] for layer in manifest.layers
             if layer["op"] == "conv2d_s8"}
    assert len(convs) == 5 and set(convs.values()) == {"conv2d_s8_dsp"}, convs
    spec = load_model("dncnn")
    graph, _ = lower(spec, PrecisionPolicy("int8"), board.isa_features)
    with open_board(manifest, emulator=True, port=None) as client:
        for inputs in spec.sample_inputs(2, seed=7):
            arrays = [x.numpy() for x in inputs]
            out, _ = run_sample(client, arrays)
            want = run_graph(graph, arrays)[0]
            assert np.array_equal(np.asarray(out).reshape(want.shape), want)
