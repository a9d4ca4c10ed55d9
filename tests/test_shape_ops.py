"""The data-movement ops' capture and numpy references against torch on many random shapes,
without compiling: every ATen view/pad/resize form captured, run by the IR interpreter
(codegen/interpret.py), compared bit for bit (resize: to the float32 rounding of torch's
own sum). The C kernels are checked on the host (tests/test_shape_ops_host.py) and on every
board (tests/cases/shape.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.ops.strided_view import STRIDED_RANK, View
from codegen.passes import run_passes
from tests.test_shape_ops_host import MOVES, RESIZES, Fn, _resize

pytestmark = [pytest.mark.unit, pytest.mark.slow]

DRAWS = 5


@pytest.mark.parametrize("name", list(MOVES))
def test_view_and_pad_references_equal_torch(name):
    for draw in range(DRAWS):
        rng = np.random.default_rng([sum(map(ord, name)), draw])
        fn, shape = MOVES[name](rng)
        x = torch.randn(*shape)
        graph = capture(Fn(fn), (x,))
        got = run_graph(graph, [x.numpy()])[0]
        want = fn(x).numpy()
        assert got.shape == want.shape and np.array_equal(got, want), (name, shape)


@pytest.mark.parametrize("name", list(RESIZES))
def test_resize_reference_is_torchs_sum_to_float_rounding(name):
    """The reference sums in float64 with torch's float32 weights; torch sums in float32:
    the two differ by the sum's roundings only (bound as in test_shape_ops_host)."""
    mode, rank, size, scale, ac = RESIZES[name]
    fn = _resize(mode, rank, size, scale, ac)[0]
    for draw in range(DRAWS):
        rng = np.random.default_rng([sum(map(ord, name)), draw])
        shape = (1, 2) + tuple(int(s) for s in rng.integers(2, 9, rank - 2))
        x = torch.randn(*shape) * 4
        got = run_graph(capture(Fn(fn), (x,)), [x.numpy()])[0].astype(np.float64)
        want = fn(x).numpy().astype(np.float64)
        assert np.all(np.abs(got - want) <= 4 * 2.0 ** -24 * fn(x.abs()).numpy() + 1e-30), (name, shape)


def test_views_merge_to_few_dims():
    """A slice of the last dim and a transpose of the two last dims merge what they can: the
    kernel's loop count stays small, and a 4-D pixel shuffle fits its rank."""
    v = View.dense((2, 3, 4, 5)).slice(3, 1, 4).coalesced()
    assert v.shape == (24, 3) and v.strides == (5, 1) and v.offset == 1
    assert View.dense((2, 3, 4, 5)).transpose(2, 3).coalesced().shape == (6, 5, 4)
    graph = capture(Fn(lambda x: F.pixel_shuffle(x, 2)), (torch.randn(3, 8, 4, 5),))
    assert len(graph.nodes[0].attrs["shape"]) <= STRIDED_RANK


def test_split_pieces_are_one_copy_each_and_unused_pieces_cost_nothing():
    """torch.export lists a getitem per piece; the ones nothing reads are dead nodes."""
    graph = run_passes(capture(Fn(lambda x: x.split([1, 2, 3], dim=1)[2]), (torch.randn(2, 6),)))
    assert [n.op for n in graph.nodes] == ["strided_copy"]
