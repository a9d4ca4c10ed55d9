"""How far a fused attention kernel's output may be from exact arithmetic on the same
stored q, k, v: the bound tests/helpers/kernel_check.py applies to attention cases.

Every attention kernel (reference and SIMD, FP32 and FP16) computes in FP32 on the stored
values (halves widen exactly; a product of two halves is exact in FP32), so one bound
serves all of them, plus the final rounding to half in FP16. With u = 2^-24, per query row
(only the keys the row sees, all of them or j <= i when causal):

- scores s_j = scale * q . k_j: a D-term FP32 dot product and the scale err by at most
  (D + 1) u S, S = max_j scale * sum_c |q_c k_jc| (which also bounds |s_j|), whether the
  scale multiplies the sum or (the scalar FPU kernel) each fl(scale * q_c) once, and whether
  the multiply-adds are fused (one rounding each) or not; s_j - max
  rounds once more (|s_j - max| <= 2S). A common shift of all scores cancels in the
  softmax, so an absolute score error delta moves each e^(s_j - max) by a relative
  e^delta - 1 ~ delta: delta <= (D + 4) u S, the slack covering second-order terms.
- exp: each numerator within EXP_ULPS ulp (u relative per ulp) of e^x: expf, or the
  kernels' range-reduced polynomials (kernels_mve.h, kernels_rvv.h, fpu_math.h's
  edgediff_fpu_exp_neg), plus the clamp of
  x to -87 (absolute < 2e-38 against a sum >= 1).
- relative errors eps_j of the numerators move y = sum e_j v_j / sum e_j by
  sum e_j eps_j (v_j - y) / sum e_j: at most 2 max|eps| max|v| (softmax weights sum to 1).
- the sum of Lk numerators and the Lk-term weighted sum of V rows, FP32: (2 Lk + 2) u
  max|v|; 1 / sum and the product: 3 u |y|.
"""

from __future__ import annotations

import numpy as np

UNIT_ROUNDOFF_F32 = 2.0 ** -24
UNIT_ROUNDOFF_F16 = 2.0 ** -11
EXP_ULPS = 4  # expf (picolibc, glibc) and the SIMD polynomials: a few ulp


def attention_bound(q: np.ndarray, k: np.ndarray, v: np.ndarray, attrs: dict,
                    expected: np.ndarray, dtype: str) -> np.ndarray:
    """Largest |kernel - exact| per output element (broadcasts against expected)."""
    q, k, v = (np.abs(x.astype(np.float64)) for x in (q, k, v))
    u = UNIT_ROUNDOFF_F32
    d = q.shape[-1]
    lq, lk = q.shape[-2], k.shape[-2]
    sees = np.tril(np.ones((lq, lk), dtype=bool)) if attrs["causal"] else np.ones((lq, lk), bool)
    magnitude = abs(attrs["scale"]) * (q @ np.swapaxes(k, -1, -2))      # [..., Lq, Lk]
    s_max = np.where(sees, magnitude, 0.0).max(axis=-1, keepdims=True)   # [..., Lq, 1]
    v_key_max = v.max(axis=-1)                                           # [..., Lk]
    v_max = np.where(sees, v_key_max[..., None, :], 0.0).max(axis=-1, keepdims=True)
    keys = sees.sum(axis=-1, keepdims=True)                              # [Lq, 1]
    delta = (d + 4) * u * s_max + EXP_ULPS * u
    y = np.abs(expected.astype(np.float64))
    out_rounding = UNIT_ROUNDOFF_F16 * y if dtype == "f16" else 0.0
    return v_max * (2 * delta + (2 * keys + 2) * u) + 3 * u * y + out_rounding
