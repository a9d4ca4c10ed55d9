"""int8 group norm: EdgeDiff's own integer arithmetic (TFLite has no group norm builtin).

Every step is integer and defined here once; codegen/kernels/ref/group_norm_s8.c is the same
steps in C, so the two give the same bytes (tests/test_int8_kernels.py). docs/INT8.md has the
derivation and the measured error against float group norm.

Per (sample, group) of M elements with d = q - z_in (exact, |d| <= 255):
  S1 = sum d, S2 = sum d^2                          (int32 / int64, exact)
  c  = M * d - S1                                   (M times the centred value, exact)
  D  = M * S2 - S1^2 + E,  E = round(eps / s_in^2 * M^2)   (M^2 (var + eps) in input steps^2)
so the normalised value is (x - mean) / sqrt(var + eps) = c / sqrt(D). 1/sqrt(D) comes from
inv_sqrt (a fixed-point Newton iteration, below) as Y * 2^(-46 - j), and
  n = round(c * Y * 2^(-26 - j))                    (the normalised value in Q.20, int32)
  v = MultiplyByQuantizedMultiplier(n, m_c, s_c)    (m_c, s_c: gamma_c / s_out * 2^-12, so v
                                                     is n * gamma_c / s_out in 1/256 steps)
  q = RoundingDivideByPOT(v + b_c, 8) + z_out      (b_c = round(beta_c / s_out * 2^8))
clamped to [act_min, act_max]. No division anywhere (no 64-bit division helper on an MCU) and
no float: the FE310 has no FPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.int8.fixedpoint import multiply_by_quantized_multiplier, quantize_multiplier, rounding_divide_by_pot, wrap32
from codegen.int8.params import INT8_MAX, INT8_MIN

NORM_BITS = 20  # fractional bits of the normalised value n
OUT_BITS = 8  # fractional bits of v (output steps) before the last rounding
MAX_GROUP = 1 << 20  # elements per group: |c| < 2^29, |n| <= sqrt(M) * 2^20 < 2^31
NEWTON_STEPS = 4


@dataclass(frozen=True)
class GroupNormS8Params:
    multiplier: np.ndarray  # int32 [C]
    shift: np.ndarray  # int32 [C]
    bias: np.ndarray  # int32 [C]: beta / s_out in 1/256 output steps
    eps_term: int  # E, int64


def inv_sqrt(d: int) -> tuple[int, int]:
    """1/sqrt(d) for an integer d >= 1 as (Y, j): 1/sqrt(d) ~= Y * 2^(-46 - j).

    d is brought to x = d * 4^-j in [2^30, 2^32) by shifts of two bits (right shifts floor),
    X = x / 2^32 in [1/4, 1). y = 1/sqrt(X) in (1, 2] is Y = y * 2^30, found by Newton's
    y <- y (3 - X y^2) / 2 from the line y0 = 2.25 - 1.25 X, every product truncated. From any
    start below sqrt(3/X) the iterates after the first stay at or below 1/sqrt(X), so every
    intermediate is positive and under 2^63; four steps reach the truncation floor (a fifth
    changes no result: relative error 1.6e-9 at most, three leave 1e-5)."""
    x, j = int(d), 0
    while x >= 1 << 32:
        x >>= 2
        j += 1
    while x < 1 << 30:
        x <<= 2
        j -= 1
    y = 9 * (1 << 28) - (x >> 2) - (x >> 4)
    for _ in range(NEWTON_STEPS):
        t = (x * y) >> 32  # X y, Q.30
        u = (t * y) >> 30  # X y^2, Q.30
        y = (y * (3 * (1 << 30) - u)) >> 31
    return min(y, (1 << 31) - 1), j


def params(input_scale: float, output_scale: float, gamma, beta, eps: float, group_size: int) -> GroupNormS8Params:
    """The build-time constants: per-channel multiplier/shift for gamma / s_out * 2^-12, the
    int32 bias beta / s_out * 2^8 (rounded half away from zero), and E (eps in input steps^2,
    times M^2)."""
    if group_size > MAX_GROUP:
        raise ValueError(f"int8 group norm: {group_size} elements per group > {MAX_GROUP}")
    gamma = np.asarray(gamma, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    pairs = [quantize_multiplier(float(g) / float(output_scale) * 2.0 ** (OUT_BITS - NORM_BITS)) for g in gamma]
    b = beta / float(output_scale) * (1 << OUT_BITS)
    b = np.clip(np.sign(b) * np.floor(np.abs(b) + 0.5), -(1 << 30), 1 << 30)
    e = float(eps) / float(input_scale) ** 2 * float(group_size) ** 2
    eps_term = int(min(np.floor(e + 0.5), float(1 << 60)))
    return GroupNormS8Params(np.array([m for m, _ in pairs], dtype=np.int32),
                             np.array([s for _, s in pairs], dtype=np.int32), b.astype(np.int32), eps_term)


def group_norm(x: np.ndarray, groups: int, p: GroupNormS8Params, *, input_offset: int, output_offset: int,
               act_min: int = INT8_MIN, act_max: int = INT8_MAX) -> np.ndarray:
    """int8 x [N, C, ...] -> int8, the arithmetic in the module docstring."""
    n, c = x.shape[:2]
    xg = x.astype(np.int64).reshape(n, groups, -1) + input_offset
    m = xg.shape[2]
    s1 = xg.sum(axis=2)
    s2 = (xg * xg).sum(axis=2)
    out = np.empty_like(xg)
    for i in range(n):
        for g in range(groups):
            d = max(m * int(s2[i, g]) - int(s1[i, g]) ** 2 + p.eps_term, 1)
            y, j = inv_sqrt(d)
            shift = 26 + j
            t = (m * xg[i, g] - s1[i, g]) * y
            out[i, g] = (t + (1 << (shift - 1))) >> shift
    norm = out.reshape(n, c, -1)
    per_channel = (slice(None), None)
    v = multiply_by_quantized_multiplier(norm, p.multiplier[per_channel], p.shift[per_channel])
    q = rounding_divide_by_pot(wrap32(v + p.bias.astype(np.int64)[per_channel]), OUT_BITS) + output_offset
    return np.clip(q, act_min, act_max).astype(np.int8).reshape(x.shape)
