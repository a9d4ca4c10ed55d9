"""conv2d_chunked_s8_dsp (the 3x3 int8 convolution of the Arm DSP cores in chunks of 16 input
channels, codegen/kernels/dsp/conv2d_chunked_s8_dsp.c) gives the same bytes as the numpy int8
reference (codegen/int8), and its scratch and blob are the sizes the planner and flash count.

On the host the kernel compiles with plain C in place of the intrinsics and assembly
(internal/gemm_s8_dsp.h), so this runs its chunk loop, sums, column layout and tails on random
shapes: 17-52 input channels (one to four chunks, a short or odd last chunk), 1-9 output
channels (an odd one: the half-empty pair), 1-9 x 1-11 images (every border: the padding rows,
the left and right padding columns, a one-pixel last block, images narrower than 4), zero
points at the ends, saturating multipliers. tests/test_int8_dsp_target.py runs the Arm build
(the assembly) in the zoo unet on the emulated boards."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest

from codegen.kernels import INCLUDE_DIR, kernel_sources
from codegen.kernels.catalog import choose_override
from codegen.kernels.overrides import dsp_conv_chunked_pack as pack
from codegen.kernels.overrides.dsp_conv_pack import short_requant
from tests.host_build import build_shared_library
from tests.test_int8_dsp_kernels import DSP, _want_conv, conv_case
from tests.test_int8_kernels import Conv2dParams, Conv2dS8Params, QuantS8, _ptr
from tests.test_int8_simd_kernels import _conv

pytestmark = pytest.mark.kernel

CASES = 60
CHUNKED = Path(__file__).parent / "fixtures" / "int8_dsp_chunked" / "model.py"


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> ctypes.CDLL:
    tmp = tmp_path_factory.mktemp("int8dspchunked")
    return ctypes.CDLL(str(build_shared_library(kernel_sources(["conv2d_chunked_s8_dsp"]),
                                                [INCLUDE_DIR], tmp / "chunked.so")))


def _run(lib, geom, q, x, weight, bias, mult, shift) -> np.ndarray:
    params = {"conv": {**geom, "act": 0}, "q": q}
    override = choose_override("conv2d_s8", params, DSP)
    assert override.function == "conv2d_chunked_s8_dsp", geom
    nbytes = override.scratch_bytes(params)
    # garbage in the scratch, as the arena holds: the kernel must write all it reads
    scratch = np.random.default_rng(0).integers(-2**31, 2**31, nbytes // 4 + 1, dtype=np.int64).astype(np.int32)
    out = np.zeros((geom["n"], geom["c_out"], geom["h_out"], geom["w_out"]), dtype=np.int8)
    p = Conv2dS8Params(Conv2dParams(**geom, act=0), QuantS8(**q))
    blob = np.ascontiguousarray(override.prepack(params, [None, weight, bias, mult, shift])[1])
    assert len(blob) == pack.blob_bytes(geom["c_in"], geom["c_out"])
    lib.edgediff_conv2d_chunked_s8_dsp(ctypes.byref(p), _ptr(x), _ptr(blob), None, None, None,
                                       _ptr(out), _ptr(scratch))
    return out


def test_conv_matches_numpy(lib):
    """Random layers, both requantizations among them: the short one (doubled sums, SMMLAR)
    and the general one."""
    rng = np.random.default_rng(1570)
    kinds = set()
    for i in range(CASES):
        shape = (int(rng.integers(17, 53)), int(rng.integers(1, 10)), int(rng.integers(1, 10)),
                 int(rng.integers(1, 12)))
        case = conv_case(rng, *shape, 3, 1, n=int(rng.integers(1, 3)))
        np.testing.assert_array_equal(_run(lib, *case), _want_conv(*case),
                                      err_msg=f"case {i}: {case[:2]}")
        _, q, _, weight, bias, mult, shift = case
        kinds.add(short_requant(weight.astype(np.int64), bias, mult, shift, q["input_offset"]))
    assert kinds == {False, True}


def test_conv_unet_shape(lib):
    """zoo unet's 64 -> 32 layer (conv2d_9) at its 8 x 8."""
    rng = np.random.default_rng(1571)
    case = conv_case(rng, 64, 32, 8, 8, 3, 1)
    np.testing.assert_array_equal(_run(lib, *case), _want_conv(*case))


def test_scratch_and_which_layers():
    """A 64 -> 32 layer's scratch is 576 B of column and 256 B of sums, where conv2d_s8_dsp's
    column is 2,304 B; it runs by default only for stride 1 and more than 16 input channels,
    and conv2d_s8_dsp stays the faster choice the planner may take for it."""
    unet_9 = _conv(c_in=64, c_out=32, h_in=8, w_in=8, h_out=8, w_out=8)
    assert choose_override("conv2d_s8", unet_9, DSP).scratch_bytes(unet_9) == 832
    faster = choose_override("conv2d_s8", unet_9, DSP, optional=True)
    assert faster.function == "conv2d_s8_dsp" and faster.scratch_bytes(unet_9) == 2304
    assert choose_override("conv2d_s8", _conv(c_in=16), DSP).function == "conv2d_s8_dsp"
    stride2 = _conv(c_in=64, stride_h=2, stride_w=2, h_out=8, w_out=8)
    assert choose_override("conv2d_s8", stride2, DSP).function == "conv2d_s8_dsp"
    assert pack.chunks(40) == [(0, 16), (16, 16), (32, 8)]


@pytest.fixture(scope="module")
def m4_build(tmp_path_factory):
    """The fixture network on cortex-m4 with conv2d_chunked_s8_dsp wherever it applies (the
    planner would keep conv2d_s8_dsp where the arena has room: here, everywhere). Its three
    chunked layers all qualify for the short requantization; the last one (6 outputs) is
    packed with the general one, so the board runs both."""
    from codegen.kernels import catalog
    from codegen.passes import PrecisionPolicy
    from sdk.compile.build import build
    from tests.helpers.tools import require_target

    require_target("cortex-m4")
    lean = [o for o in catalog.OVERRIDES["conv2d_s8"] if not o.arena_optional]
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(catalog.OVERRIDES, "conv2d_s8", lean)
        mp.setattr(pack, "short_requant",
                   lambda weight, *rest: len(weight) != 6 and short_requant(weight, *rest))
        return build(str(CHUNKED), "cortex-m4", tmp_path_factory.mktemp("chunked"),
                     PrecisionPolicy("int8"))


@pytest.mark.hil
@pytest.mark.slow
def test_awkward_chunks_on_cortex_m4_equal_numpy(m4_build):
    """The assembly paths the host build does not run (the row gather, the pass over the
    channel pairs, the mid-way entry, the SIMD stores; conv2d_s8_dsp's stride-2 gather) give
    the numpy reference's bytes."""
    from tests.test_int8_simd_kernels import _board_equals_numpy

    functions = [layer["function"] for layer in m4_build.layers if layer["op"] == "conv2d_s8"]
    assert functions == ["conv2d_s8_dsp", "conv2d_chunked_s8_dsp", "conv2d_s8_dsp",
                         "conv2d_chunked_s8_dsp", "conv2d_s8", "conv2d_chunked_s8_dsp",
                         "conv2d_s8_dsp", "conv2d_s8_dsp"], functions
    _board_equals_numpy(m4_build, CHUNKED, samples=2)
