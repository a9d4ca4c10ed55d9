"""conv2d_s8_dsp (the 3x3 int8 convolution of the Arm DSP cores, weights packed at build time)
on the emulated cortex-m4 gives the same bytes as the numpy int8 reference (codegen/int8,
itself bit-exact with TFLite Micro) on the network of awkward shapes of
tests/fixtures/int8_simd_shapes/model.py: 3 input channels (an odd one, paired with a
zero-weight partner; 3 is not a multiple of 4), 5 and 7 output channels (a half-empty last
channel pair), stride 2 with odd output rows and columns (a one-pixel last block), padding on
every border of an 11 x 13 image; its 1x1 runs conv2d_1x1_s8_dsp, its 5x5, 1x3, 3x1,
width-unpadded 3x3, stride-4 1x1 and depthwise layers the reference (the DSP predicates refuse
them). The network is int8 from its first quantize to its last dequantize, so its float
output is equal exactly when every int8 byte is. tests/test_int8_dsp_target.py runs the zoo
dncnn (16 channels, 16 x 16: the stride-1 border cases of the assembly gather) on all the
DSP boards; tests/test_int8_dsp_kernels.py runs the kernels' C twins on many more shapes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codegen.kernels.catalog import choose_function, scratch_bytes
from codegen.kernels.overrides import dsp_pointwise_pack
from codegen.kernels.overrides.dsp_conv_pack import blob_bytes, conv_pack, steps
from tests.test_int8_simd_kernels import _board_equals_numpy, _conv

SHAPES = Path(__file__).parent / "fixtures" / "int8_simd_shapes" / "model.py"
M4 = ("armv7em", "dsp", "fpv4_sp", "fpu")
# conv2d_s8 layers of the shapes network per function: a, b; c; d, e, f, g, h, dw, dw2
LAYERS = {"conv2d_s8_dsp": 2, "conv2d_1x1_s8_dsp": 1, "conv2d_s8": 7}


@pytest.mark.unit
def test_predicate_scratch_and_blob():
    """3x3 pad 1 stride 1 or 2 only; the scratch is the two pixels' column (zoo dncnn's
    16 -> 16 layer: 36 steps of 16 B, so its int8 arena stays within half the FP16 one) and
    the blob a flag word, then per channel pair 16 B of sums' start, the int16 weights and
    (a short layer) 24 B of its requantization, (another) then 40 B of the general
    requantization per pair."""
    assert choose_function("conv2d_s8", _conv(), M4) == "conv2d_s8_dsp"
    assert choose_function("conv2d_s8", _conv(stride_h=2, stride_w=2, h_out=8, w_out=8), M4) \
        == "conv2d_s8_dsp"
    assert choose_function("conv2d_s8", _conv(kernel_h=5, kernel_w=5, pad_h=2, pad_w=2), M4) \
        == "conv2d_s8"
    assert choose_function("conv2d_s8", _conv(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0), M4) \
        == "conv2d_1x1_s8_dsp"
    assert scratch_bytes("conv2d_s8", _conv(), M4) == 576
    assert [steps(c) for c in (1, 2, 3, 4, 16)] == [9, 9, 9, 9, 36]
    w = np.arange(5 * 3 * 9).reshape(5, 3, 3, 3) % 255 - 127
    p = _conv(c_in=3, c_out=5, act=0)
    p["q"]["output_offset"] = -3
    pair = 16 + 16 * 9 + 24  # one channel pair's head, weights and short tail
    # a short layer: right shift 3, sums far from 2^30; weights and sums' start doubled
    blob = conv_pack(p, [None, w, np.arange(5), np.full(5, 1 << 30), np.full(5, -3)])
    assert blob.dtype == np.int8 and len(blob) == blob_bytes(3, 5, True) == 4 + 3 * pair
    assert list(blob[:4].view("<i4")) == [1]
    assert list(blob[4:20].view("<i4")) == [0, 0, 2, 2]  # bias 0 + input_offset 0 * sum, x2
    first = blob[20:28].view("<i2")  # slot (w[0,0,0,0], w[0,0,0,2]), then channel 1's
    assert list(first) == [2 * w[0, 0, 0, 0], 2 * w[0, 0, 0, 2],
                           2 * w[1, 0, 0, 0], 2 * w[1, 0, 0, 2]]
    # m, 2^(r-1) + output_offset * 2^r, r per channel
    assert list(blob[4 + pair - 24:4 + pair].view("<i4")) == [1 << 30, 4 - 24, 3] * 2
    # a left shift: the general requantization, nothing doubled
    blob = conv_pack(p, [None, w, np.arange(5), np.full(5, 1 << 30), np.full(5, 1)])
    assert len(blob) == blob_bytes(3, 5, False) == 4 + 3 * (pair - 24 + 40)
    assert list(blob[:4].view("<i4")) == [0] and list(blob[4:20].view("<i4")) == [0, 0, 1, 1]
    assert list(blob[20:24].view("<i2")) == [w[0, 0, 0, 0], w[0, 0, 0, 2]]
    # per channel multiplier, left 1, right - 1 = -1, 2^30 as two words
    general = 4 + 3 * (pair - 24)
    assert list(blob[general:general + 40].view("<i4")) == [1 << 30, 1, -1, 1 << 30, 0] * 2


@pytest.mark.unit
def test_pointwise_scratch_and_weights():
    """conv2d_1x1_s8_dsp: the scratch is the two pixels' columns, not the widened weights (zoo
    unet's 64 -> 32 layer at 8 x 8: 256 B where its weights widened and a row were 5,120); the
    weights are int16 in flash, per channel pair and group of 4 input channels 4 of each
    channel, zeros past c_in and c_out."""
    pointwise = dict(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0)
    unet_11 = _conv(c_in=64, c_out=32, h_in=8, w_in=8, h_out=8, w_out=8, **pointwise)
    assert scratch_bytes("conv2d_s8", unet_11, M4) == 256
    w = np.arange(3 * 5).reshape(3, 5, 1, 1) - 7
    blob = dsp_pointwise_pack.pointwise_pack(_conv(c_in=5, c_out=3, **pointwise), [None, w])
    assert len(blob) == dsp_pointwise_pack.blob_bytes(5, 3) == 2 * 2 * 8 * 2
    half = blob.view("<i2").reshape(2, 2, 2, 4)  # pair, group, channel, tap
    assert list(half[0, 0, 1]) == list(w[1, :4, 0, 0])
    assert list(half[0, 1, 0]) == [w[0, 4, 0, 0], 0, 0, 0]
    assert not half[1, :, 1].any() and list(half[1, 0, 0]) == list(w[2, :4, 0, 0])


@pytest.fixture(scope="module")
def m4_build(tmp_path_factory):
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target("cortex-m4")
    return build(str(SHAPES), "cortex-m4", tmp_path_factory.mktemp("int8dsp"), PrecisionPolicy("int8"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_awkward_shapes_on_cortex_m4_equal_numpy(m4_build):
    functions = [layer["function"] for layer in m4_build.layers if layer["op"] == "conv2d_s8"]
    assert {f: functions.count(f) for f in set(functions)} == LAYERS, functions
    _board_equals_numpy(m4_build, SHAPES, samples=2)
