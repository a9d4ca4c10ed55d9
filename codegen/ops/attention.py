"""attention: F.scaled_dot_product_attention as one fused kernel.

out[b, i] = sum_j softmax_j(scale * q[b, i] . k[b, j]) v[b, j] over Q [..., Lq, D],
K [..., Lk, D], V [..., Lk, Dv] with the same leading dims (batch, heads), scale 1/sqrt(D)
unless given, and is_causal's top-left mask (query i sees keys j <= i, as torch's
tril(ones(Lq, Lk))). The kernel never materialises the Lq x Lk score matrix: it works one
query row at a time, holding that row's Lk scores (FP32) in its scratch, then its softmax,
then the weighted sum of V. That row is the attention's memory cost besides its operands:
4 * Lk bytes of the arena during the layer's step (`scratch_bytes`, the reference's rule;
the SIMD kernels' rules are in codegen/kernels/overrides/), so any number of keys lowers and
a long attention is a question of arena size, not a refusal. Masks (attn_mask) and dropout
are refused: diffusers' attention blocks pass neither in inference.
"""

from __future__ import annotations

import math

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, params_call

SCORE_BYTES = 4  # FP32 scores in every precision


def scratch_bytes(p: dict) -> int:
    """attention_<dtype>: one row of scores, FP32 whatever the precision (its C
    edgediff_attention_<dtype>_get_buffer_size() in kernels.h). No number of keys is
    refused; a memory fit check names this cost as "attention over N keys needs 4*N bytes
    for one row of scores"."""
    return p["lk"] * SCORE_BYTES


def reference(q, k, v, attrs):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    scores = (q @ np.swapaxes(k, -1, -2)) * attrs["scale"]
    if attrs["causal"]:
        lq, lk = scores.shape[-2:]
        scores = np.where(np.tril(np.ones((lq, lk), dtype=bool)), scores, -np.inf)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return ((scores / scores.sum(axis=-1, keepdims=True)) @ v).astype(np.float32)


def _arg(args, kwargs, index, name, default):
    return args[index] if len(args) > index else kwargs.get(name, default)


def capture(args, kwargs, out_shape):
    q, k, v = args[:3]
    if _arg(args, kwargs, 3, "attn_mask", None) is not None:
        raise UnsupportedOpError("attn_mask is not supported: only unmasked attention and "
                                 "is_causal=True lower to the fused attention kernel")
    dropout = _arg(args, kwargs, 4, "dropout_p", 0.0)
    if not isinstance(dropout, (int, float)) or dropout > 0.0:
        raise UnsupportedOpError(f"dropout_p={dropout} in inference: pass dropout_p=0.0 when not "
                                 "training (e.g. dropout_p=self.p if self.training else 0.0)")
    causal = bool(_arg(args, kwargs, 5, "is_causal", False))
    shapes = [tuple(int(s) for s in x.meta["val"].shape) for x in (q, k, v)]
    (qs, ks, vs) = shapes
    if min(len(s) for s in shapes) < 2 or not qs[:-2] == ks[:-2] == vs[:-2]:
        raise UnsupportedOpError(f"query, key and value of shapes {list(map(list, shapes))} must "
                                 "have the same leading (batch, head) dims: expand or repeat them "
                                 "first (enable_gqa and broadcasting are not supported)")
    if qs[-1] != ks[-1] or ks[-2] != vs[-2]:
        raise UnsupportedOpError(f"query, key and value of shapes {list(map(list, shapes))}: "
                                 "query and key need the same last dim, key and value the same "
                                 "number of rows")
    keys = ks[-2]
    if keys < 1 or qs[-1] < 1:
        raise UnsupportedOpError("attention over no keys or with head dim 0")
    scale = kwargs.get("scale")
    scale = 1.0 / math.sqrt(qs[-1]) if scale is None else float(scale)
    return "attention", [q, k, v], {"scale": scale, "causal": causal}


def _sizes(q_shape, k_shape, v_shape):
    batch = int(np.prod(q_shape[:-2], dtype=np.int64))
    return batch, q_shape[-2], k_shape[-2], q_shape[-1], v_shape[-1]


def _keys_per_row(lq: int, lk: int, causal: bool) -> int:
    """Keys summed over the query rows: all Lk per row, or min(i + 1, Lk) with the mask."""
    if not causal:
        return lq * lk
    return sum(min(i + 1, lk) for i in range(lq))


def macs(inputs, output_shape, attrs):
    batch, lq, lk, d, dv = _sizes(*inputs[:3])
    return batch * _keys_per_row(lq, lk, attrs["causal"]) * (d + dv)


def params(graph, node):
    batch, lq, lk, d, dv = _sizes(*(graph.tensors[t].shape for t in node.inputs))
    return "attention_params_t", dict(batch=batch, lq=lq, lk=lk, d=d, dv=dv,
                                      scale=c_float(node.attrs["scale"]),
                                      causal=int(node.attrs["causal"]))


SPECS = [OpSpec("attention", 3, reference,
                captures={"aten.scaled_dot_product_attention.default": capture},
                macs=macs, params=params, call=params_call, scratch_bytes=scratch_bytes)]
