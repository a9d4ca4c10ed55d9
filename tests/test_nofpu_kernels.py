"""The integer-only int8 boundary kernels (codegen/kernels/nofpu/, fe310) against the
reference kernels they replace, compiled together for the host: the same int8 bytes and the
same float32 bits on inputs drawn to hit every rounding case (random magnitudes over the
whole float range, the exact ties k + 1/2 and their neighbours one ulp away, zeros,
subnormals, the saturation edges) and scales from tiny to huge."""

from __future__ import annotations

import ctypes
import subprocess

import numpy as np
import pytest

from codegen.kernels.overrides.nofpu import boundary_applies
from codegen.kernels.registry import INCLUDE_DIR, kernel_source
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel]


class Params(ctypes.Structure):
    _fields_ = [("count", ctypes.c_int32), ("scale", ctypes.c_float), ("zero_point", ctypes.c_int32)]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    cc = require_target("host").cc
    out = tmp_path_factory.mktemp("nofpu") / "boundary.so"
    names = ("quantize_f32_to_s8", "dequantize_s8_to_f32")
    sources = [str(kernel_source(n + suffix)) for n in names for suffix in ("", "_nofpu")]
    subprocess.run([cc, "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                    f"-I{INCLUDE_DIR}", *sources, "-o", str(out)], check=True)
    return ctypes.CDLL(str(out))


def _quantize(lib, function: str, x: np.ndarray, scale: np.float32, zero_point: int) -> np.ndarray:
    x = np.ascontiguousarray(x, np.float32)
    out = np.zeros(x.size, np.int8)
    getattr(lib, function)(ctypes.byref(Params(x.size, float(scale), zero_point)),
                           x.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p))
    return out


def _dequantize(lib, function: str, q: np.ndarray, scale: np.float32, zero_point: int) -> np.ndarray:
    q = np.ascontiguousarray(q, np.int8)
    out = np.zeros(q.size, np.float32)
    getattr(lib, function)(ctypes.byref(Params(q.size, float(scale), zero_point)),
                           q.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p))
    return out


def _inputs(rng: np.random.Generator, scale: np.float32) -> np.ndarray:
    """Every rounding case of x / scale: ties k + 1/2 times the scale and a few ulps around
    them, random magnitudes from subnormal to huge, and the special values."""
    with np.errstate(over="ignore"):  # the huge scales: products past FLT_MAX are dropped below
        return _cases(rng, scale)


def _cases(rng: np.random.Generator, scale: np.float32) -> np.ndarray:
    k = np.arange(-260, 261, dtype=np.float32) + np.float32(0.5)
    ties = (k * scale).astype(np.float32)
    near = [np.nextafter(ties, np.float32(np.inf)), np.nextafter(ties, np.float32(-np.inf))]
    near += [np.nextafter(near[0], np.float32(np.inf)), np.nextafter(near[1], np.float32(-np.inf))]
    grid = (np.arange(-300, 301, dtype=np.float32) * scale).astype(np.float32)
    bits = rng.integers(0, 2 ** 32, 20_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    local = (rng.uniform(-300, 300, 20_000) * scale).astype(np.float32)
    special = np.array([0.0, -0.0, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38], np.float32)
    x = np.concatenate([ties, *near, grid, bits, local, special]).astype(np.float32)
    return x[np.isfinite(x)]


SCALES = [np.float32(s) for s in (1.1754944e-38, 3.7e-20, 1e-6, 0.0078125, 0.013, 0.1, 1.0, 3.0, 255.0, 1e20, 1.7e38)]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("zero_point", [-128, -3, 0, 127])
def test_quantize_gives_the_references_bytes(lib, scale, zero_point):
    assert boundary_applies({"scale": float(scale), "zero_point": zero_point})
    x = _inputs(np.random.default_rng(int(zero_point) + 1000), scale)
    want = _quantize(lib, "edgediff_quantize_f32_to_s8", x, scale, zero_point)
    got = _quantize(lib, "edgediff_quantize_f32_to_s8_nofpu", x, scale, zero_point)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, [(float(x[i]), int(want[i]), int(got[i])) for i in bad[:5]]
    assert len(set(want.tolist())) > 100 or scale > 1e19 or scale < 1e-30  # the cases reach many codes


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("zero_point", [-128, -3, 0, 127])
def test_dequantize_gives_the_references_bits(lib, scale, zero_point):
    q = np.arange(-128, 128, dtype=np.int8)
    want = _dequantize(lib, "edgediff_dequantize_s8_to_f32", q, scale, zero_point)
    got = _dequantize(lib, "edgediff_dequantize_s8_to_f32_nofpu", q, scale, zero_point)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), (got, want)


@pytest.mark.parametrize("scale", SCALES[2:5])
def test_dequantize_rounds_products_wider_than_a_significand(lib, scale):
    """Random normal scales: ms * |v| needs up to 32 bits, rounded to 24 to nearest even."""
    rng = np.random.default_rng(7)
    q = np.arange(-128, 128, dtype=np.int8)
    for s in (rng.uniform(0.5, 1.0, 200) * scale).astype(np.float32):
        want = _dequantize(lib, "edgediff_dequantize_s8_to_f32", q, s, 5)
        got = _dequantize(lib, "edgediff_dequantize_s8_to_f32_nofpu", q, s, 5)
        assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), s


@pytest.mark.unit
def test_only_normal_positive_scales_and_int8_zero_points_take_it():
    assert not boundary_applies({"scale": 1e-40, "zero_point": 0})  # subnormal
    assert not boundary_applies({"scale": float("inf"), "zero_point": 0})
    assert not boundary_applies({"scale": 0.5, "zero_point": 128})
