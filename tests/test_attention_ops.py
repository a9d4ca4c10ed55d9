"""The matmul and attention op entries without a compiler: their numpy references against
torch, MAC counts, the kernel parameters codegen emits (batch broadcast strides), which
attention kernel each ISA selects and the scratch the plan gives it (its row of scores: any
number of keys lowers), and the forms capture refuses with what the message says."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.ir import Graph, Node, Tensor
from codegen.kernels.catalog import choose_function, scratch_bytes
from codegen.kernels.limits import limit
from codegen.ops import OPS, evaluate, macs
from codegen.plan import SCRATCH_SUFFIX, plan_memory

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
    # a scalar FPU core: the _fpu kernels; with a vector unit too, the vector kernel wins
    assert choose_function("attention_f32", p, ["rv32imafc", "fpu"]) == "attention_f32_fpu"
    heads8 = {**p, "d": 8, "dv": 8}  # diffusers' 8-dim heads: K and V of 64 keys in 4 KiB
    assert choose_function("attention_f16", heads8, ["fpv4_sp", "fpu"]) == "attention_f16_fpu"
    assert choose_function("attention_f16", p, ["fpu"]) == "attention_f16_fpu"  # K, V: 16 KiB
    assert choose_function("attention_f16", p, ["mve", "fpu"]) == "attention_f16_mve"
    assert choose_function("attention_f32", p, ["rvv", "fpu"]) == "attention_f32_rvv"
    # the FP16 one widens a slice's K and V to floats in its scratch within its budget; past
    # it, as it loads them (the scratch without them)
    budget = limit("FPU_ATTENTION_F16_KV_BYTES")
    fits = {**heads8, "lk": budget // (4 * (heads8["d"] + heads8["dv"]))}
    over = {**fits, "lk": fits["lk"] + 1}
    for shape, kv in ((fits, budget), (over, 0)):
        assert choose_function("attention_f16", shape, ["fpu"]) == "attention_f16_fpu"
        assert scratch_bytes("attention_f16", shape, ["fpu"]) == 16 * shape["lk"] + 16 * 8 + kv
    # the FP16 MVE kernel's 16-bit gather offsets: past them the reference; FP32 has none
    wide = {**p, "d": limit("MVE_ATTENTION_F16_MAX_D") + 1}
    assert choose_function("attention_f16", wide, ["mve"]) == "attention_f16"
    assert choose_function("attention_f32", wide, ["mve"]) == "attention_f32_mve"


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


@pytest.mark.parametrize("features, function, nbytes", [
    ((), "attention_f32", 4 * 5000),  # the reference's row of scores
    (("mve",), "attention_f32_mve", 4 * 5000 + 4 * 24),  # and the FP32 query row
    (("rvv",), "attention_f32_rvv", 4 * 5000),
    (("fpu",), "attention_f32_fpu", 16 * 5000 + 16 * 24)])  # 4 rows of scores, 4 query rows
def test_any_number_of_keys_lowers_with_its_row_of_scores_in_the_arena(features, function, nbytes):
    """5000 keys (more than the 4096 the kernels' stack rows held): the layer's kernel gets
    its scratch from the arena, live only during its step."""
    q, kv = torch.randn(1, 1, 2, 24), torch.randn(1, 1, 5000, 24)
    graph = capture(Sdpa(), (q, kv, kv))
    (node,) = graph.nodes
    plan = plan_memory(graph, features)
    assert plan.kernels[node.name] == function
    offset, size = plan.scratch[node.name]
    assert size == nbytes == plan.scratch_bytes and offset % 16 == 0
    (buf,) = [b for b in plan.buffers if b.name == node.name + SCRATCH_SUFFIX]
    assert (buf.first, buf.last) == (0, 0) and buf.size >= nbytes and plan.arena_bytes >= nbytes


def test_matmul_with_three_batch_dims_is_refused():
    a, b = torch.randn(2, 2, 2, 3, 4), torch.randn(4, 5)
    with pytest.raises(UnsupportedOpError, match="3 batch dims"):
        capture(MatMul(), (a, b))
