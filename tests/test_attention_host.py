"""matmul of two activations and scaled_dot_product_attention, captured from torch modules,
compiled for the host and compared with torch in FP32 and FP16 with the tolerance `sdk
validate` derives for the build; attention blocks shaped like diffusers' AttnProcessor2_0
(and diffusers' own Attention when it is installed). The refused forms: test_attention_ops.py."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import capture
from codegen.ops import CAPTURERS
from sdk.models.spec import ModelSpec, gaussian_sampler
from tests.test_layer_forms_host import _check_against_torch

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

# Heads are split and merged with transpose, an op of the shape-op family (issue 13 item 2,
# lowered in parallel): these cases run once it is captured.
needs_transpose = pytest.mark.skipif("aten.transpose.int" not in CAPTURERS,
                                     reason="transpose is not captured yet (shape-op family)")


class MatMul(nn.Module):
    """a @ b with b transposed first when asked (the attention-by-hand form)."""

    def __init__(self, op: str = "@", transpose_b: bool = False):
        super().__init__()
        self.op, self.transpose_b = op, transpose_b

    def forward(self, a, b):
        b = b.transpose(-1, -2) if self.transpose_b else b
        if self.op == "bmm":
            return torch.bmm(a, b)
        if self.op == "mm":
            return torch.mm(a, b)
        return a @ b


class Sdpa(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.kwargs = kwargs

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **self.kwargs)


class TokenAttention(nn.Module):
    """One head over a token input [N, L, C]: linear projections, sdpa, to_out, residual
    (no transpose: the head dim is an unsqueeze)."""

    def __init__(self, channels: int):
        super().__init__()
        self.to_q, self.to_k, self.to_v = (nn.Linear(channels, channels) for _ in range(3))
        self.to_out = nn.Linear(channels, channels)

    def forward(self, x):
        q, k, v = (f(x).unsqueeze(1) for f in (self.to_q, self.to_k, self.to_v))
        return self.to_out(F.scaled_dot_product_attention(q, k, v).squeeze(1)) + x


class AttnBlock(nn.Module):
    """diffusers' AttnProcessor2_0 on an image: tokens, to_q/to_k/to_v, heads, sdpa, back,
    to_out, residual."""

    def __init__(self, channels: int, heads: int):
        super().__init__()
        self.heads = heads
        self.to_q, self.to_k, self.to_v = (nn.Linear(channels, channels) for _ in range(3))
        self.to_out = nn.Linear(channels, channels)

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = x.view(n, c, h * w).transpose(1, 2)
        head = c // self.heads
        q, k, v = (f(tokens).view(n, -1, self.heads, head).transpose(1, 2)
                   for f in (self.to_q, self.to_k, self.to_v))
        y = F.scaled_dot_product_attention(q, k, v)
        y = self.to_out(y.transpose(1, 2).reshape(n, -1, c))
        return y.transpose(1, 2).reshape(n, c, h, w) + x


def _spec(model: nn.Module, *shapes) -> ModelSpec:
    torch.manual_seed(0)
    example = tuple(torch.randn(*s) for s in shapes)
    return ModelSpec(type(model).__name__, model.eval(), example, gaussian_sampler(example))


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("model, shapes", [
    (MatMul(), [(2, 3, 5), (2, 5, 4)]),                        # 3-D @ 3-D
    (MatMul(), [(2, 3, 6, 5), (5, 7)]),                        # 4-D @ 2-D, broadcast b
    (MatMul(), [(3, 5), (2, 2, 5, 4)]),                        # 2-D @ 4-D, broadcast a
    (MatMul(), [(2, 1, 4, 3), (1, 3, 3, 2)]),                  # both broadcast
    (MatMul(), [(5,), (2, 5, 3)]),                             # 1-D row
    pytest.param(MatMul(transpose_b=True), [(1, 2, 6, 4), (1, 2, 7, 4)], marks=needs_transpose),
    (MatMul("bmm"), [(3, 4, 6), (3, 6, 5)]),
    (MatMul("mm"), [(4, 9), (9, 3)]),
], ids=["3d", "4d_2d", "2d_4d", "broadcast_both", "1d", "qkT", "bmm", "mm"])
def test_matmul_matches_torch(model, shapes, precision, tmp_path):
    _check_against_torch(_spec(model, *shapes), precision, tmp_path)


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("kwargs, q, kv, dv", [
    ({}, (1, 2, 16, 8), (1, 2, 16, 8), 8),
    ({"is_causal": True}, (2, 3, 9, 5), (2, 3, 9, 5), 5),
    ({"is_causal": True}, (1, 1, 7, 4), (1, 1, 11, 4), 6),     # Lq < Lk, Dv != D
    ({"is_causal": True}, (1, 2, 12, 4), (1, 2, 5, 4), 4),     # Lq > Lk
    ({"scale": 0.7}, (1, 4, 10, 16), (1, 4, 33, 16), 16),
    ({}, (3, 6, 8), (3, 20, 8), 3),                            # 3-D operands
], ids=["plain", "causal", "causal_short_q", "causal_long_q", "scale", "3d"])
def test_attention_matches_torch(kwargs, q, kv, dv, precision, tmp_path):
    v = kv[:-1] + (dv,)
    _check_against_torch(_spec(Sdpa(**kwargs), q, kv, v), precision, tmp_path)


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_token_attention_matches_torch(precision, tmp_path):
    spec = _spec(TokenAttention(12), (1, 64, 12))
    assert "attention" in {n.op for n in capture(spec.module, spec.example_inputs).nodes}
    _check_against_torch(spec, precision, tmp_path)


@needs_transpose
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_attention_block_matches_torch(precision, tmp_path):
    spec = _spec(AttnBlock(16, 2), (1, 16, 8, 8))
    assert "attention" in {n.op for n in capture(spec.module, spec.example_inputs).nodes}
    _check_against_torch(spec, precision, tmp_path)


@needs_transpose
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_diffusers_attention_matches_torch(precision, tmp_path):
    attention_processor = pytest.importorskip("diffusers.models.attention_processor")
    block = attention_processor.Attention(query_dim=16, heads=2, dim_head=8, bias=True,
                                          residual_connection=True, upcast_softmax=True,
                                          _from_deprecated_attn_block=True)
    spec = _spec(block, (1, 16, 4, 4))
    assert "attention" in {n.op for n in capture(spec.module, spec.example_inputs).nodes}
    _check_against_torch(spec, precision, tmp_path)
