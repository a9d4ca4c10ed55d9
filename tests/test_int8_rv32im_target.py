"""The scalar RV32IM int8 kernels (conv2d_s8_rv32im, linear_s8_rv32im) on the emulated
boards: rv32 (RV32IMAFC, clang) and fe310 (RV32IMAC, no FPU, 16 KiB) run a network of awkward
shapes (tests/fixtures/int8_rv32im_shapes/model.py: one input channel, odd channel counts,
stride 2, padding edges, 5x5, 1x3, 1x1, unpadded, depthwise, grouped, rows of 6 to 45 pixels,
two linear layers) and give the same bytes as the numpy int8 reference (codegen/int8,
bit-exact with TFLite Micro); every convolution and linear layer ran the RV32IM kernels. The
network is int8 from its first quantize to its last dequantize, so its float output is equal
exactly when every int8 byte is. tests/test_int8_rv32im_kernels.py runs the kernels' loops on
the host; tests/test_fe310.py the zoo's HiFive1 model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_int8_simd_kernels import _board_equals_numpy

SHAPES = Path(__file__).parent / "fixtures" / "int8_rv32im_shapes" / "model.py"


@pytest.fixture(scope="module", params=["rv32", "fe310"])
def board_build(request, tmp_path_factory):
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target(request.param)
    return build(str(SHAPES), request.param, tmp_path_factory.mktemp("int8rv32im"),
                 PrecisionPolicy("int8"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_awkward_shapes_on_the_board_equal_numpy(board_build):
    convs = [layer["function"] for layer in board_build.layers if layer["op"] == "conv2d_s8"]
    assert convs == ["conv2d_s8_rv32im"] * 9, convs
    linears = [layer["function"] for layer in board_build.layers if layer["op"] == "linear_s8"]
    assert linears == ["linear_s8_rv32im"] * 2, linears
    _board_equals_numpy(board_build, SHAPES, samples=2)
