"""Data-movement and resize ops captured from torch modules, compiled for the host and run
against torch on random shapes: slice (any dim, step 1 and > 1), narrow, chunk, split,
split_with_sizes, select, unbind, repeat, expand, permute, transpose, .t(), pad (constant
zero and non-zero, reflect, replicate; 1-D and 2-D), pixel_shuffle/unshuffle, nearest
resize (1-D and 2-D), linear and bilinear resize (both align_corners).

Data movement is exact: bit-equal to torch in FP32, and in FP16 bit-equal to torch on the
same half-rounded input (a copy commutes with rounding; a pad constant is rounded once).
Resize compares with a bound derived from its arithmetic (see _resize_bound)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import capture
from codegen.ops.capture_util import UnsupportedOpError
from codegen.passes import PrecisionPolicy
from sdk.compile.lower import generate_c
from sdk.models.spec import ModelSpec, gaussian_sampler
from tests.host_build import compile_model, run_model

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

U32, U16 = 2.0 ** -24, 2.0 ** -11


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _dims(rng, rank, low=1, high=6):
    return tuple(int(s) for s in rng.integers(low, high + 1, rank))


# name -> (rng -> (function of x, input shape)); each draws its shapes and arguments.
def _slice_step(rng):
    shape = _dims(rng, 4, 2, 7)
    d, step = int(rng.integers(0, 4)), int(rng.integers(2, 4))
    start = int(rng.integers(0, shape[d] - 1))
    return (lambda x: x[(slice(None),) * d + (slice(start, None, step),)]), shape


def _slice_neg(rng):
    shape = _dims(rng, 3, 3, 8)
    return (lambda x: x[:, 1:-1, -2:]), shape


def _narrow(rng):
    shape = _dims(rng, 3, 3, 7)
    d = int(rng.integers(0, 3))
    return (lambda x: x.narrow(d, 1, shape[d] - 2)), shape


def _chunk(rng):
    shape = _dims(rng, 4, 2, 7)
    d, n = int(rng.integers(1, 4)), int(rng.integers(2, 4))
    return (lambda x: torch.cat([p * (i + 1) for i, p in enumerate(x.chunk(n, d))], d)), shape


def _split(rng):
    shape = (2, 7, 5)
    return (lambda x: x.split(3, dim=1)[2] * 2), shape


def _split_with_sizes(rng):
    shape = _dims(rng, 3, 2, 5)[:2] + (9,)
    return (lambda x: torch.cat(list(reversed(x.split([2, 3, 4], dim=-1))), -1)), shape


def _select(rng):
    return (lambda x: x[:, 2] - x[1:2, -1]), _dims(rng, 3, 3, 6)


def _unbind(rng):
    return (lambda x: torch.cat(list(reversed(x.unbind(1))), -1)), _dims(rng, 3, 2, 6)


def _repeat(rng):
    shape = _dims(rng, 3, 1, 4)
    reps = [int(r) for r in rng.integers(1, 4, 3)]
    return (lambda x: x.repeat(reps)), shape


def _repeat_new_dim(rng):  # UNet1DModel repeats a [B, C] embedding over length
    return (lambda x: x[:, :, None].repeat([1, 1, 5])), (2, 6)


def _expand(rng):
    return (lambda x: x.expand(3, -1, 4, x.shape[-1])), (1, 5, 1, 3)


def _permute(rng):
    perm = [int(p) for p in rng.permutation(4)]
    return (lambda x: x.permute(perm)), _dims(rng, 4, 2, 5)


def _transpose(rng):
    return (lambda x: x.transpose(1, 3)), _dims(rng, 4, 2, 5)


def _t(rng):
    return (lambda x: x.t()), _dims(rng, 2, 2, 9)


def _pixel_shuffle(rng):
    r = int(rng.integers(2, 4))
    return (lambda x: F.pixel_shuffle(x, r)), (2, 2 * r * r, 3, 4)


def _pixel_unshuffle(rng):
    r = int(rng.integers(2, 4))
    return (lambda x: F.pixel_unshuffle(x, r)), (2, 3, 2 * r, 3 * r)


def _pad(mode, rank, value=None):
    def case(rng):
        shape = _dims(rng, rank, 3, 7)
        pads = [int(p) for p in rng.integers(1, 3, 2 if rank == 3 else 4)]
        if value is None:
            return (lambda x: F.pad(x, pads, mode=mode)), shape
        return (lambda x: F.pad(x, pads, mode=mode, value=value)), shape
    return case


def _pad_all_dims(rng):  # constant pads any dim, and a negative pad crops
    return (lambda x: F.pad(x, (1, -1, 0, 2, 2, 0), value=-1.5)), (2, 3, 4, 5)


def _nearest(size=None, scale=None, rank=4):
    def case(rng):
        shape = _dims(rng, rank, 2, 6)
        return (lambda x: F.interpolate(x, size=size, scale_factor=scale, mode="nearest")), shape
    return case


MOVES = {
    "slice_step": _slice_step, "slice_negative": _slice_neg, "narrow": _narrow, "chunk": _chunk,
    "split": _split, "split_with_sizes": _split_with_sizes, "select": _select, "unbind": _unbind,
    "repeat": _repeat, "repeat_new_dim": _repeat_new_dim, "expand": _expand, "permute": _permute,
    "transpose": _transpose, "t": _t, "pixel_shuffle": _pixel_shuffle,
    "pixel_unshuffle": _pixel_unshuffle,
    "pad_zero_1d": _pad("constant", 3), "pad_value_2d": _pad("constant", 4, 0.3),
    "pad_all_dims": _pad_all_dims,
    "reflect_1d": _pad("reflect", 3), "reflect_2d": _pad("reflect", 4),
    "replicate_1d": _pad("replicate", 3), "replicate_2d": _pad("replicate", 4),
    "nearest_2d_scale3": _nearest(scale=3), "nearest_2d_size": _nearest(size=(7, 5)),
    "nearest_1d_scale2": _nearest(scale=2, rank=3), "nearest_1d_size": _nearest(size=9, rank=3),
}


def _build(fn, shape, precision, tmp_path, seed):
    torch.manual_seed(seed)
    example = (torch.randn(*shape),)
    spec = ModelSpec("case", Fn(fn).eval(), example, gaussian_sampler(example))
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy(precision))
    return spec, generated, compile_model(generated, tmp_path)


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("name", list(MOVES))
def test_data_movement_is_bit_exact_against_torch(name, precision, tmp_path):
    seed = sum(map(ord, name))
    fn, shape = MOVES[name](np.random.default_rng(seed))
    spec, generated, lib = _build(fn, shape, precision, tmp_path, seed)
    for (x,) in spec.sample_inputs(2, seed=seed):
        if precision == "fp16":
            x = x.half().float()
        want = fn(x).numpy()
        if precision == "fp16":
            want = want.astype(np.float16).astype(np.float32)
        got = run_model(lib, generated, (x,))
        assert got.shape == want.shape
        assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), \
            f"{int((got != want).sum())} of {got.size} elements differ"


def _resize(mode, rank, size=None, scale=None, align_corners=False):
    def fn(x):
        return F.interpolate(x, size=size, scale_factor=scale, mode=mode, align_corners=align_corners)
    return fn, rank


RESIZES = {f"{name}_{'ac' if ac else 'hc'}": (mode, rank, size, scale, ac)
           for ac in (False, True)
           for name, (mode, rank, size, scale) in {
               "bilinear_x2": ("bilinear", 4, None, 2),
               "bilinear_x1.5": ("bilinear", 4, None, 1.5),
               "bilinear_size_up": ("bilinear", 4, (9, 13), None),
               "bilinear_size_down": ("bilinear", 4, (3, 2), None),
               "bilinear_one_dim": ("bilinear", 4, (5, 11), None),  # H unchanged: a copy
               "linear_x2": ("linear", 3, None, 2),
               "linear_x1.7": ("linear", 3, None, 1.7),
               "linear_size": ("linear", 3, 10, None)}.items()}


def _resize_bound(x, fn, dtype_out):
    """|device - torch| <= |device - exact| + |torch - exact|. Both use the same float
    weights (torch's own index arithmetic, reproduced exactly), so each errs only in the
    interpolation: a row t = a*w0 + b*w1, then t0*l0 + t1*l1, every term through at most 4
    roundings, so within 4u * sum w|x| = 4u * resize(|x|) (non-negative weights). An FP16
    result is rounded once more (u16 * |y|)."""
    magnitude = fn(x.abs()).numpy().astype(np.float64)
    bound = 2 * 4 * U32 * magnitude
    if dtype_out == "f16":
        bound = bound + U16 * np.abs(fn(x).numpy().astype(np.float64))
    return bound


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("name", list(RESIZES))
def test_resize_matches_torch_within_derived_bound(name, precision, tmp_path):
    mode, rank, size, scale, ac = RESIZES[name]
    seed = sum(map(ord, name))
    shape = (2, 3, 5, 6) if rank == 4 else (2, 3, 7)
    if name.startswith("bilinear_one_dim"):
        shape = (1, 2, 5, 4)
    fn = _resize(mode, rank, size, scale, ac)[0]
    spec, generated, lib = _build(fn, shape, precision, tmp_path, seed)
    assert [n.op for n in capture(spec.module, spec.example_inputs).nodes] == ["upsample_linear"]
    for (x,) in spec.sample_inputs(2, seed=seed):
        x = x * 4
        if precision == "fp16":
            x = x.half().float()
        got = run_model(lib, generated, (x,)).astype(np.float64)
        want = fn(x).numpy().astype(np.float64)
        excess = np.abs(got - want) - _resize_bound(x, fn, "f16" if precision == "fp16" else "f32")
        assert excess.max() <= 0, f"error over the bound by {excess.max():.3e}"


def test_bilinear_weights_are_torchs_exactly():
    """One-hot inputs read torch's weights back: ours are the same float32 values (torch's
    CPU build fuses scale * (d + 0.5) - 0.5; two roundings give other weights at x1.5)."""
    from codegen.ops.upsample_linear import indices_and_weights, scale
    for n, factor, ac in [(9, 1.5, False), (9, 1.7, False), (7, 1.5, False), (6, 2.5, True), (5, None, False)]:
        out = int(np.floor(n * factor)) if factor else 12
        s = scale(n, out, ac, factor if not ac else None)
        i0, i1, l0, l1 = indices_and_weights(n, out, s, ac)
        ours = np.zeros((out, n), np.float32)
        np.add.at(ours, (np.arange(out), i0), l0)
        np.add.at(ours, (np.arange(out), i1), l1)
        theirs = np.zeros((out, n), np.float32)
        for i in range(n):
            x = torch.zeros(1, 1, n)
            x[0, 0, i] = 1
            kwargs = {"scale_factor": factor} if factor else {"size": out}
            theirs[:, i] = F.interpolate(x, mode="linear", align_corners=ac, **kwargs)[0, 0].numpy()
        assert np.array_equal(ours, theirs), (n, factor, ac)


@pytest.mark.parametrize("fn, message", [
    (lambda x: F.pad(x, (1, 1), mode="circular"), "pad mode 'circular'"),
    (lambda x: F.interpolate(x, scale_factor=1.5, mode="nearest"), "non-integer scale_factor"),
], ids=["circular_pad", "nearest_fractional"])
def test_unsupported_forms_say_what_to_do(fn, message):
    with pytest.raises(UnsupportedOpError, match=message):
        capture(Fn(fn), (torch.randn(1, 2, 6),))
