"""The matmul and attention op entries without a compiler: their numpy references against
torch, MAC counts, the kernel parameters codegen emits (batch broadcast strides), which
attention kernel each ISA selects, the Python limits against the C headers, and the forms
capture refuses with what the message says."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.ir import Graph, Node, Tensor
from codegen.kernels.catalog import choose_function
from codegen.kernels.overrides import mve
from codegen.kernels.registry import INCLUDE_DIR
from codegen.ops import OPS, evaluate, macs
from codegen.ops.attention import ATTENTION_MAX_KEYS

pytestmark = pytest.mark.unit


class Sdpa(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.kwargs = kwargs

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **self.kwargs)


class MatMul(nn.Module):
    def forward(self, a, b):
        return a @ b


def _header_define(name: str, header: str = "kernels.h") -> int:
    text = (INCLUDE_DIR / "edgediff" / header).read_text()
    return int(re.search(rf"#define {name} (\d+)", text).group(1))


def test_limits_match_the_headers():
    assert _header_define("EDGEDIFF_ATTENTION_MAX_KEYS") == ATTENTION_MAX_KEYS
    assert _header_define("EDGEDIFF_ATTENTION_MVE_MAX_D", "kernels_mve.h") == mve.ATTENTION_MAX_D


@pytest.mark.parametrize("causal, scale, lq, lk", [(False, None, 6, 9), (True, None, 7, 7),
                                                   (True, 0.3, 9, 4), (True, None, 3, 8)])
def test_attention_reference_matches_torch(causal, scale, lq, lk):
    gen = torch.Generator().manual_seed(1)
    q, k = torch.randn(2, 3, lq, 5, generator=gen), torch.randn(2, 3, lk, 5, generator=gen)
    v = torch.randn(2, 3, lk, 4, generator=gen)
    want = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), is_causal=causal,
                                          scale=scale).numpy()
    attrs = {"causal": causal, "scale": 1 / np.sqrt(5) if scale is None else scale}
    got = evaluate("attention", [q.numpy(), k.numpy(), v.numpy()], attrs)
    assert np.abs(got - want).max() <= 1e-6 * np.abs(want).max()
    keys = sum(min(i + 1, lk) for i in range(lq)) if causal else lq * lk
    assert macs("attention", [q.shape, k.shape, v.shape], want.shape, attrs) == 6 * keys * 9


@pytest.mark.parametrize("a, b", [((2, 3, 5), (5, 4)), ((3, 5), (2, 1, 5, 4)), ((5,), (2, 5, 3)),
                                  ((2, 1, 4, 3), (1, 3, 3, 2)), ((4, 6), (6,))])
def test_matmul_reference_macs_and_broadcast_strides(a, b):
    x, y = np.random.default_rng(0).standard_normal(a), np.random.default_rng(1).standard_normal(b)
    want = (torch.from_numpy(x) @ torch.from_numpy(y)).numpy()
    got = evaluate("matmul", [x.astype(np.float32), y.astype(np.float32)], {})
    assert got.shape == want.shape and np.allclose(got, want, rtol=1e-5, atol=1e-5)
    k = a[-1]
    assert macs("matmul", [a, b], want.shape, {}) == want.size * k
    graph = Graph(tensors={"a": Tensor("a", a), "b": Tensor("b", b), "y": Tensor("y", want.shape)},
                  nodes=[], inputs=["a", "b"], outputs=["y"])
    _, p = OPS["matmul"].params(graph, Node("y", "matmul", ["a", "b"], ["y"], {}))
    # walk the kernel's loops in numpy: every output from the operand slices its strides pick
    am, bm = x.reshape(-1), y.reshape(-1)
    out = []
    for b0 in range(p["batch"][0]):
        for b1 in range(p["batch"][1]):
            ao = b0 * p["a_batch_strides"][0] + b1 * p["a_batch_strides"][1]
            bo = b0 * p["b_batch_strides"][0] + b1 * p["b_batch_strides"][1]
            out.append(am[ao:ao + p["m"] * p["k"]].reshape(p["m"], p["k"])
                       @ bm[bo:bo + p["k"] * p["n"]].reshape(p["k"], p["n"]))
    assert np.allclose(np.stack(out).reshape(want.shape), want)


def test_attention_kernel_per_isa():
    p = dict(batch=2, lq=64, lk=64, d=32, dv=32, scale="0.17f", causal=0)
    assert choose_function("attention_f16", p, ["mve"]) == "attention_f16_mve"
    assert choose_function("attention_f32", p, ["rvv"]) == "attention_f32_rvv"
    assert choose_function("attention_f16", p, ["rv32imafc", "zfh"]) == "attention_f16"
    wide = {**p, "d": mve.ATTENTION_MAX_D + 1}  # the MVE kernel's query row: the reference
    assert choose_function("attention_f16", wide, ["mve"]) == "attention_f16"


def test_capture_gives_one_attention_node_with_its_attrs():
    x = torch.randn(1, 2, 5, 8)
    graph = capture(Sdpa(is_causal=True, scale=0.25), (x, x, x))
    (node,) = graph.nodes
    assert node.op == "attention" and node.attrs == {"causal": True, "scale": 0.25}
    (node,) = capture(Sdpa(), (x, x, x)).nodes
    assert node.attrs == {"causal": False, "scale": 1 / np.sqrt(8)}


@pytest.mark.parametrize("kwargs, message", [
    ({"attn_mask": "mask"}, "attn_mask is not supported"),
    ({"dropout_p": 0.1}, r"dropout_p=0.1 in inference: pass dropout_p=0.0"),
])
def test_masks_and_dropout_are_refused(kwargs, message):
    x = torch.randn(1, 2, 4, 8)
    if kwargs.get("attn_mask") == "mask":
        kwargs = {"attn_mask": torch.ones(4, 4, dtype=torch.bool).tril()}
    with pytest.raises(UnsupportedOpError, match=message):
        capture(Sdpa(**kwargs), (x, x, x))


def test_broadcast_heads_are_refused():
    q, kv = torch.randn(1, 4, 6, 8), torch.randn(1, 1, 6, 8)
    with pytest.raises(UnsupportedOpError, match="same leading"):
        capture(Sdpa(), (q, kv, kv))


def test_attention_over_too_many_keys_says_how_many_bytes_it_needs():
    keys = ATTENTION_MAX_KEYS + 4
    q, kv = torch.randn(1, 1, 2, 4), torch.randn(1, 1, keys, 4)
    with pytest.raises(UnsupportedOpError, match=f"over {keys} keys needs {4 * keys} bytes for one "
                                                 f"row of scores; the attention kernels hold at most "
                                                 f"{4 * ATTENTION_MAX_KEYS} bytes"):
        capture(Sdpa(), (q, kv, kv))


def test_matmul_with_three_batch_dims_is_refused():
    a, b = torch.randn(2, 2, 2, 3, 4), torch.randn(4, 5)
    with pytest.raises(UnsupportedOpError, match="3 batch dims"):
        capture(MatMul(), (a, b))
