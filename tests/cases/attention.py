"""Kernel cases of matmul (two activations) and the fused attention: batch broadcasting on
either side, sizes that are not a multiple of any vector length, keys fewer than one vector
and more than several, causal masks with fewer and more queries than keys, value widths
different from the head dim and past one vector of output features, a single key.

The scalar FPU kernel (fpu/attention_<dtype>_fpu, 4 query rows x 4 keys / 4 output features
per tile) sees every code path in them: query rows past the last block of 4 (13, 5, 6, 3, 7,
9 rows), keys past the last block of 4 and fewer than 4 keys in all, odd head dims (5, 3, 7),
output features past the last block of 4 and fewer than 4 (11, 20, 9, 6, 5, 3), several
heads and batches (batch slices of K and V), causal rows with fewer keys than their block's
last row (the masked numerators and per-row maxima), more queries than keys, a negative
scale (folded into the query rows, so the row maximum is of the scaled scores), and (FP16)
K and V past the budget the kernel widens them within."""

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


# ... and the scalar FPU kernel on rv32 and the Cortex-M4/M7/M33 (test_fpu_cases_run_the_fpu_kernel).
FPU_CASES = dict.fromkeys(SIMD_CASES | {"attention_heads_neg_scale", "attention_causal_wide",
                                        "attention_kv_past_budget"}, "attention")


def add_cases(b) -> None:
    _matmul(b, "matmul_bcast_b", (2, 3, 5, 7), (7, 6), (2, 3, 5, 6))
    _matmul(b, "matmul_bcast_both", (2, 1, 4, 9), (1, 3, 9, 5), (2, 3, 4, 5))
    _matmul(b, "bmm", (3, 6, 10), (3, 10, 4), (3, 6, 4))
    _attention(b, "attention", (1, 2), 16, 16, 8, 8)
    _attention(b, "attention_causal", (1, 1), 13, 13, 5, 11, causal=True)
    _attention(b, "attention_cross", (2, 1), 5, 21, 16, 20, scale=0.5)
    _attention(b, "attention_causal_short_k", (1, 2), 6, 3, 4, 4, causal=True)
    _attention(b, "attention_one_key", (3,), 3, 1, 4, 9)
    _attention(b, "attention_heads_neg_scale", (2, 3), 7, 10, 3, 6, scale=-0.45)
    _attention(b, "attention_causal_wide", (1, 1), 9, 14, 7, 3, causal=True)
    # K and V of 37 keys x (29 + 27) features: 8288 bytes as floats, past the FP16 FPU
    # kernel's EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES (8192): it widens each half as it loads it
    _attention(b, "attention_kv_past_budget", (1, 1), 6, 37, 29, 27, causal=True)
