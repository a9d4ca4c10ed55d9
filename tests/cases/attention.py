"""Kernel cases of matmul (two activations) and the fused attention: batch broadcasting on
either side, sizes that are not a multiple of any vector length, keys fewer than one vector
and more than several, causal masks with fewer and more queries than keys, value widths
different from the head dim and past one vector of output features, a single key."""

from __future__ import annotations

import math


def _matmul(b, name, a_shape, b_shape, out_shape):
    x, y = b.input(f"{name}_a", a_shape), b.input(f"{name}_b", b_shape)
    b.op(name, "matmul", [x, y], out_shape)


def _attention(b, name, batch, lq, lk, d, dv, causal=False, scale=None):
    q = b.input(f"{name}_q", (*batch, lq, d))
    k = b.input(f"{name}_k", (*batch, lk, d))
    v = b.input(f"{name}_v", (*batch, lk, dv))
    b.op(name, "attention", [q, k, v], (*batch, lq, dv),
         scale=1.0 / math.sqrt(d) if scale is None else scale, causal=causal)


# Every attention case must run the MVE / RVV kernel on cortex-m55 / rv32v
# (tests/test_kernels_target_ops.py test_simd_cases_run_the_isa_kernel).
SIMD_CASES = {"attention", "attention_causal", "attention_cross", "attention_causal_short_k",
              "attention_one_key"}


def add_cases(b) -> None:
    _matmul(b, "matmul_bcast_b", (2, 3, 5, 7), (7, 6), (2, 3, 5, 6))
    _matmul(b, "matmul_bcast_both", (2, 1, 4, 9), (1, 3, 9, 5), (2, 3, 4, 5))
    _matmul(b, "bmm", (3, 6, 10), (3, 10, 4), (3, 6, 4))
    _attention(b, "attention", (1, 2), 16, 16, 8, 8)
    _attention(b, "attention_causal", (1, 1), 13, 13, 5, 11, causal=True)
    _attention(b, "attention_cross", (2, 1), 5, 21, 16, 20, scale=0.5)
    _attention(b, "attention_causal_short_k", (1, 2), 6, 3, 4, 4, causal=True)
    _attention(b, "attention_one_key", (3,), 3, 1, 4, 9)
