"""The int8 zoo dncnn on the emulated Arm boards runs the DSP convolution (conv2d_s8_dsp: SMLAD,
LDRD, the inline assembly step) in every convolution (cortex-m55: the Helium one,
conv2d_s8_mve, and add_s8_mve), and its output equals the numpy int8 reference of the same
lowered graph bit for bit. dncnn is int8 from its first quantize to its
last dequantize, so its dequantized floats are equal exactly when the int8 bytes are; its
layers take the stem (one input channel, widened to 4), 16 -> 16 channels and one output
channel (a half-empty channel pair). (The int8 unet, with stride 2, 1x1 and linear_s8_dsp,
was equal on all four boards too before int8 builds began refusing float layers that feed
int8 ones; it needs its time path in int8 to come back here.)
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
# model -> (int8 layers of each op, all of which must run the op's _dsp kernel, or on
# cortex-m55 the kernel of SUFFIX)
MODELS = {"dncnn": {"conv2d_s8": 5, "add_s8": 1}}
SUFFIX = {("cortex-m55", "conv2d_s8"): "_mve", ("cortex-m55", "add_s8"): "_mve",
          ("cortex-m4", "add_s8"): "", ("cortex-m7", "add_s8"): "", ("cortex-m33", "add_s8"): ""}


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("target", DSP_TARGETS)
def test_int8_model_on_the_board_equals_numpy(target, model, tmp_path):
    board = require_target(target)
    assert "dsp" in board.isa_features
    manifest = build(model, target, tmp_path, PrecisionPolicy("int8"))
    for op, count in MODELS[model].items():
        functions = [layer["function"] for layer in manifest.layers if layer["op"] == op]
        assert functions == [op + SUFFIX.get((target, op), "_dsp")] * count, (op, functions)
    spec = load_model(model)
    graph, _ = lower(spec, PrecisionPolicy("int8"), board.isa_features)
    with open_board(manifest, emulator=True, port=None) as client:
        for inputs in spec.sample_inputs(2, seed=7):
            arrays = [x.numpy() for x in inputs]
            out, _ = run_sample(client, arrays)
            want = run_graph(graph, arrays)[0]
            assert np.array_equal(np.asarray(out).reshape(want.shape), want)
