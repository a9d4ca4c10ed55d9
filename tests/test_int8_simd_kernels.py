"""The vector int8 kernels (Helium: codegen/kernels/mve/ conv2d_s8_mve, conv2d_dw_s8_mve,
linear_s8_mve, add_s8_mve, group_norm_s8_mve, requantize_s8_mve; RVV: codegen/kernels/rvv/ conv2d_s8_rvv, conv2d_dw_s8_rvv,
linear_s8_rvv): which layers the
catalog gives them, their scratch, and on the emulated cortex-m55 and rv32v the same bytes
as the numpy int8 reference (codegen/int8, itself bit-exact with TFLite Micro) on a network
of awkward shapes (tests/fixtures/int8_simd_shapes/model.py: odd channel counts, patches
that are not whole vectors, stride 2 and 4, 1x1, 5x5, 1x3, 3x1, unpadded in width, a
same-shape add, two depthwise layers, two linear layers with a tail, two group norms of
group sizes 715 and 126 and odd spatial sizes). The network is int8 from its first quantize to its last
dequantize, so its float output is equal exactly when every int8 byte is.
tests/test_int8_dsp_target.py runs the zoo dncnn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codegen.kernels.catalog import choose_function, scratch_bytes
from codegen.kernels.overrides import mve

M55 = ("armv8.1m", "dsp", "fpv5", "fp16", "mve", "mve_f", "mve_f16", "fpu")
RV32V = ("rv32imafc", "zfh", "zbb", "rvv", "zvfh", "fpu")
# target -> the functions each int8 op of the shapes network must run there (the two
# depthwise layers: conv2d_dw_s8_mve, conv2d_dw_s8_rvv)
KERNELS = {"cortex-m55": {"conv2d_s8": {"conv2d_s8_mve", "conv2d_dw_s8_mve"},
                          "add_s8": {"add_s8_mve"}, "linear_s8": {"linear_s8_mve"},
                          "group_norm_s8": {"group_norm_s8_mve"}},
           "rv32v": {"conv2d_s8": {"conv2d_s8_rvv", "conv2d_dw_s8_rvv"}, "add_s8": {"add_s8"},
                     "linear_s8": {"linear_s8_rvv"}, "group_norm_s8": {"group_norm_s8"}}}
SHAPES = Path(__file__).parent / "fixtures" / "int8_simd_shapes" / "model.py"
# group_norm_s8_mve's and add_s8_mve's (broadcast) bytes as the network output; Helium only
NORM = Path(__file__).parent / "fixtures" / "int8_simd_norm" / "model.py"
# the table and byte-move kernels (add's tables, lut, requantize's table, upsample, concat)
TABLES = Path(__file__).parent / "fixtures" / "int8_simd_tables" / "model.py"


def _conv(**kw) -> dict:
    c = dict(n=1, c_in=16, h_in=16, w_in=16, c_out=16, h_out=16, w_out=16, kernel_h=3,
             kernel_w=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1, dilation_w=1,
             groups=1, act=0)
    c.update(kw)
    return {"conv": c, "q": dict(input_offset=0, output_offset=0, act_min=-128, act_max=127)}


@pytest.mark.unit
def test_conv_predicate_and_scratch():
    """Any kernel, stride and padding with groups 1 and dilation 1 take the MVE kernel (the
    DSP one otherwise, where it applies); its scratch is only the kernel_h padded input rows,
    column by column, and the bytes a patch's last vector reads past it (the weights come
    packed from flash)."""
    assert choose_function("conv2d_s8", _conv(), M55) == "conv2d_s8_mve"
    for ok in (dict(kernel_h=5, kernel_w=5, pad_h=2, pad_w=2), dict(kernel_h=1, kernel_w=3, pad_h=0),
               dict(stride_h=2, stride_w=2, h_out=8, w_out=8), dict(pad_h=0, pad_w=0, h_out=14, w_out=14)):
        assert choose_function("conv2d_s8", _conv(**ok), M55) == "conv2d_s8_mve", ok
    assert choose_function("conv2d_s8", _conv(dilation_h=2, h_out=14), M55) == "conv2d_s8"
    assert choose_function("conv2d_s8", _conv(kernel_h=9, kernel_w=9, pad_h=4, pad_w=4), M55) \
        == "conv2d_s8"  # past EDGEDIFF_S8_CONV_MAX_KH
    assert choose_function("conv2d_s8", _conv(), ("dsp",)) == "conv2d_s8_dsp"
    # dncnn's 16 -> 16 layer: 18 columns of 3 x 16 B; the 144-byte patch is 9 whole vectors
    assert scratch_bytes("conv2d_s8", _conv(), M55) == 18 * 48
    # 5 channels: 18 columns of 15 B, and the 45-byte patch's third vector reads 3 past it
    assert scratch_bytes("conv2d_s8", _conv(c_in=5), M55) == 288  # 273 rounded up to 16 B
    # 9600-B columns: the DSP kernels take it, the chunked one first (conv2d_s8_dsp's two-pixel
    # column is the arena-optional choice the memory planner tries)
    assert choose_function("conv2d_s8", _conv(c_in=3200), M55) == "conv2d_chunked_s8_dsp"
    # RVV: the same shapes, layout and build-time packing (strided stores: no column limit)
    assert choose_function("conv2d_s8", _conv(kernel_h=1, kernel_w=3, pad_h=0), RV32V) == "conv2d_s8_rvv"
    assert choose_function("conv2d_s8", _conv(groups=2), RV32V) == "conv2d_s8"
    assert scratch_bytes("conv2d_s8", _conv(), RV32V) == 18 * 48
    assert scratch_bytes("conv2d_s8", _conv(c_in=5), RV32V) == 288
    assert choose_function("conv2d_s8", _conv(c_in=3200), RV32V) == "conv2d_s8_rvv"
    from codegen.kernels.catalog import prepack_of

    assert prepack_of("conv2d_s8_rvv") is not None


@pytest.mark.unit
def test_depthwise_predicate_and_scratch():
    """groups == c_in (depth multiplier 1 or more) takes conv2d_dw_s8_mve / _rvv, with one
    padded input channel of scratch; other grouped convolutions keep the reference."""
    dw = _conv(groups=16, c_out=32, stride_h=2, stride_w=2, h_out=8, w_out=8)
    assert choose_function("conv2d_s8", dw, M55) == "conv2d_dw_s8_mve"
    assert scratch_bytes("conv2d_s8", dw, M55) == 18 * 18 + 12  # rounded up to 16
    assert choose_function("conv2d_s8", _conv(groups=4), M55) == "conv2d_s8"
    assert choose_function("conv2d_s8", dw, RV32V) == "conv2d_dw_s8_rvv"
    assert scratch_bytes("conv2d_s8", dw, RV32V) == 18 * 18 + 12


@pytest.mark.unit
def test_linear_takes_any_shape():
    lin = {"linear": dict(rows=3, in_features=37, out_features=5, act=0),
           "q": dict(input_offset=0, output_offset=0, act_min=-128, act_max=127)}
    assert choose_function("linear_s8", lin, M55) == "linear_s8_mve"
    # 2 blocks x 3 vectors x 64 B, 2 x 64 B, two rows of 3 x 16 + 16 B
    assert scratch_bytes("linear_s8", lin, M55) == 384 + 128 + 128
    assert choose_function("linear_s8", lin, ("dsp",)) == "linear_s8_dsp"
    assert choose_function("linear_s8", lin, RV32V) == "linear_s8_rvv"
    assert scratch_bytes("linear_s8", lin, RV32V) == 384 + 128 + 128


@pytest.mark.unit
def test_add_predicate():
    dense = dict(out_shape=[1, 4, 5, 6], a_strides=[120, 30, 6, 1], b_strides=[120, 30, 6, 1], act=0)
    assert choose_function("add_s8", {"shape": dense}, M55) == "add_s8_mve"
    per_channel = dict(dense, b_strides=[0, 1, 0, 0])  # the time embedding [1,C,1,1]
    assert choose_function("add_s8", {"shape": per_channel}, M55) == "add_s8_mve"
    per_row = dict(dense, b_strides=[0, 0, 1, 0])  # varies inside the inner dims: reference
    assert choose_function("add_s8", {"shape": per_row}, M55) == "add_s8"
    assert choose_function("add_s8", {"shape": dense}, ("dsp",)) == "add_s8"


@pytest.mark.unit
def test_group_norm_and_requantize_predicates():
    """group_norm_s8_mve takes groups of up to 2^18 elements (its normalised value stays below
    2^30), requantize_s8_mve every count; other ISAs keep the reference."""
    gn = dict(n=1, channels=12, spatial=63, groups=4, input_offset=0, output_offset=0,
              act_min=-128, act_max=127, eps_term=1)
    assert choose_function("group_norm_s8", gn, M55) == "group_norm_s8_mve"
    assert choose_function("group_norm_s8", dict(gn, spatial=1 << 16, groups=1), M55) == "group_norm_s8"
    assert choose_function("group_norm_s8", dict(gn, spatial=1 << 16, groups=3), M55) == "group_norm_s8_mve"
    assert choose_function("group_norm_s8", gn, RV32V) == "group_norm_s8"
    rq = dict(count=5, input_offset=0, output_offset=0, multiplier=1 << 30, shift=0)
    assert choose_function("requantize_s8", rq, M55) == "requantize_s8_mve"
    assert choose_function("requantize_s8", rq, ("dsp",)) == "requantize_s8"


@pytest.fixture(scope="module", params=sorted(KERNELS))
def board_build(request, tmp_path_factory):
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target(request.param)
    return build(str(SHAPES), request.param, tmp_path_factory.mktemp("int8simd"), PrecisionPolicy("int8"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_awkward_shapes_on_the_board_equal_numpy(board_build):
    target = board_build.target
    functions = {layer["op"]: set() for layer in board_build.layers}
    for layer in board_build.layers:
        functions[layer["op"]].add(layer["function"])
    for op, want in KERNELS[target].items():
        assert functions[op] == want, (op, functions[op])
    assert sum(layer["op"] == "conv2d_s8" for layer in board_build.layers) == 10
    _board_equals_numpy(board_build, SHAPES, samples=2)


def _board_equals_numpy(built, model: Path, samples: int) -> None:
    """The emulated board's output equals the numpy int8 reference's, exactly."""
    from codegen.interpret import run_graph
    from codegen.passes import PrecisionPolicy
    from sdk.compile.lower import lower
    from sdk.models import load_model
    from sdk.runner.board import open_board
    from sdk.target import load_target
    from sdk.verify.validate import run_sample

    spec = load_model(str(model))
    graph, _ = lower(spec, PrecisionPolicy("int8"), load_target(built.target).isa_features)
    with open_board(built, emulator=True, port=None) as client:
        for inputs in spec.sample_inputs(samples, seed=11):
            arrays = [x.numpy() for x in inputs]
            out, _ = run_sample(client, arrays)
            want = run_graph(graph, arrays)[0]
            assert np.array_equal(np.asarray(out).reshape(want.shape), want)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_group_norm_and_broadcast_add_on_the_board_equal_numpy(tmp_path):
    """A broadcast add ([1,12,9,7] + [1,12,1,1]), a concat at other scales, then a group norm
    whose bytes are the output: group_norm_s8_mve, add_s8_mve and requantize_s8_mve on
    cortex-m55, the reference's bytes."""
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target("cortex-m55")
    built = build(str(NORM), "cortex-m55", tmp_path, PrecisionPolicy("int8"))
    functions = {(layer["op"], layer["function"]) for layer in built.layers}
    assert ("group_norm_s8", "group_norm_s8_mve") in functions, functions
    assert ("add_s8", "add_s8_mve") in functions, functions
    assert ("requantize_s8", "requantize_s8_mve") in functions, functions
    _board_equals_numpy(built, NORM, samples=4)


@pytest.mark.unit
def test_conv_weights_are_packed_as_the_kernel_reads_them():
    """conv_s8_pack: blocks of 4 output channels x 16-byte vectors of the (kx, ky, channel)
    patch, zero past it and past c_out; 16 int32 per block: bias + input offset x weight
    sum, multiplier, left shift, minus the right shift (0 for the missing channels)."""
    rng = np.random.default_rng(3)
    p = _conv(c_in=3, c_out=5, kernel_h=2, kernel_w=3)
    p["q"]["input_offset"] = 7
    w = rng.integers(-128, 128, (5, 3, 2, 3), dtype=np.int8)
    bias = rng.integers(-1000, 1000, 5).astype(np.int32)
    mult = rng.integers(1 << 30, 1 << 31, 5).astype(np.int32)
    shift = np.array([-3, 2, 0, -1, 1], np.int32)
    out = mve.conv_s8_pack(p, [None, w, bias, mult, shift])
    packed = out[1].reshape(2, 2, 4, 16)  # blocks, vectors (18 taps -> 2), channels, bytes
    for co in range(5):
        taps = [w[co, ci, ky, kx] for kx in range(3) for ky in range(2) for ci in range(3)]
        column = packed[co // 4, :, co % 4].reshape(-1)
        assert list(column[:18]) == taps and not column[18:].any()
    assert not packed[1, :, 1:].any()  # channels 5..7 do not exist
    params = out[3].reshape(2, 4, 4)
    sums = w.reshape(5, -1).astype(np.int64).sum(axis=1)
    for co in range(5):
        got = params[co // 4, :, co % 4]
        assert list(got) == [bias[co] + 7 * sums[co], mult[co], max(shift[co], 0), min(shift[co], 0)]
    assert not params[1, :, 1:].any()
    assert out[2] is None and out[4] is None  # folded in: the kernel gets NULL


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_tables_and_byte_moves_on_the_board_equal_numpy(tmp_path):
    """add_s8_mve's tables (same shape, a constant operand on either side, rows of 99: a
    tail of 3), lut_s8_mve, requantize_s8_mve (its lanes under 512 bytes, its table from
    there), upsample_nearest2d_i8_mve and concat_i8_mve on counts that are not whole vectors
    give the reference's bytes on cortex-m55."""
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target("cortex-m55")
    built = build(str(TABLES), "cortex-m55", tmp_path, PrecisionPolicy("int8"))
    functions = {layer["function"] for layer in built.layers}
    for want in ("add_s8_mve", "lut_s8_mve", "requantize_s8_mve", "upsample_nearest2d_i8_mve",
                 "concat_i8_mve", "conv2d_s8_mve"):
        assert want in functions, (want, functions)
    _board_equals_numpy(built, TABLES, samples=2)
