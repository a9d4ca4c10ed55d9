"""How far a device output may be from torch FP32, derived from the arithmetic used.

FP32 builds: the C kernels differ from torch only in summation order. For a dot product of
K terms float32 rounding is bounded by K * 2^-24 * sum|a*b|; with K ≤ ~500 per layer and a
few dozen layers that stays far below 1e-4 of the output scale, so 1e-4 separates rounding
from a wrong kernel.

FP16 builds: each rounding to binary16 is modelled as an independent relative error,
uniform in ±u (u = 2^-11, standard deviation u/sqrt(3)). Every FP16 layer rounds its
output once; a kernel that also accumulates in FP16 rounds each of its K partial sums.
Normalisation keeps layer gains near 1, so the errors add in quadrature over the network:
sigma = u/sqrt(3) * sqrt(sum over FP16 layers of (1 + K if FP16 accumulation else 1)).
The bound is 5 sigma (the largest of a few thousand outputs stays within ~4.5 sigma).

Reductions (sum, mean, var over M values; average pooling over a K-value window) record M
or K as their accumulation, but sum in FP32 in every precision (as softmax's sum of
exponentials and the norms' statistics), so each counts one rounding. The gain-near-1
assumption does not hold for a softmax of large logits: an input error of u * |x| moves its
output by about that much in absolute terms, so logits of magnitude L amplify it ~L times.

Float builds with int8 layers (`--precision auto`, a --precision-config naming int8): every
op with an int8 output rounds once to its tensor's step s = range / 255, an error uniform
within ±s/2 (rms s/√12) relative to that tensor's calibrated range; carried to the output
each is that share of the output's range, so over L roundings sigma = s_out·√(L/12) with
s_out = the output's calibrated range / 255 (the model docs/MOBILE_INT8.md and
sdk/mobile/tolerance.py use for TFLite int8), and the limit adds 5 sigma, absolute, to the
float layers' own. Calibration clipping is not modelled: a value beyond its range shows as
an error the limit does not cover, which is what a user must hear about.

The layers are the build's manifest rows (sdk/compile/manifest.py): dtype, accumulation (K)
and accumulation_dtype as recorded when the build chose its kernels, not looked up again.
"""

from __future__ import annotations

import math

from sdk.diffusion.sampling import ROW_FIELDS

FP32_TOLERANCE_REL = 1e-4
HALF_UNIT_ROUNDOFF = 2.0 ** -11
SIGMAS = 5.0


def roundings(layers: list[dict]) -> int:
    """How many FP16 roundings an output goes through, summed over the FP16 layers."""
    total = 0
    for layer in layers:
        if layer["dtype"] == "f16":
            half_acc = layer["accumulation_dtype"] == "f16"
            total += 1 + (layer["accumulation"] if half_acc else 0)
    return total


def output_tolerance(layers: list[dict]) -> float:
    """Max |device - torch| allowed, relative to max |torch|, for a build's layers."""
    return _from_roundings(roundings(layers))


def layer_tolerances(layers: list[dict]) -> list[float]:
    """The limit of each layer's output (sdk validate --layers): output_tolerance() over the
    layers up to and including it, so an intermediate tensor is allowed the roundings that
    reached it and no more; the last layer's limit is the output's."""
    limits, count = [], 0
    for layer in layers:
        count += roundings([layer])
        limits.append(_from_roundings(count))
    return limits


def _from_roundings(count: int) -> float:
    if count == 0:
        return FP32_TOLERANCE_REL
    return max(FP32_TOLERANCE_REL, SIGMAS * HALF_UNIT_ROUNDOFF / math.sqrt(3) * math.sqrt(count))


def sampler_step_gain(plan, step: int) -> float:
    """|∂x_next/∂output| of one sampler update (sdk/diffusion/sampling.py): how much of an
    error in the model's output reaches the next state. A multistep (tabulated) plan also
    reads the output again in the next `history` steps: those shares add."""
    if plan.kind == "tabulated":
        row = plan.coefficients[step]
        gain = abs(row[6] + row[5] * row[2])  # D + B·co (the clip only shrinks it)
        for j in range(1, plan.history + 1):
            if step + j < plan.steps:
                gain += abs(plan.coefficients[step + j][len(ROW_FIELDS) + 2 * j - 1])  # its Q_j
        return gain
    c0, c1, c2, c3 = plan.coefficients[step]
    if plan.kind == "euler":
        return abs(c0)
    if plan.prediction == "v":
        return abs(c3 * c0 - c2 * c1)
    return abs(c3 - c2 * c1 / c0)


def int8_noise(noise: dict | None) -> float:
    """The absolute limit int8 roundings add to one model call's output (manifest.int8_noise:
    {"roundings": L, "output_range": [lo, hi]}); 0 for a build without them."""
    if not noise:
        return 0.0
    lo, hi = noise["output_range"]
    step = (max(hi, 0.0) - min(lo, 0.0)) / 255.0
    return SIGMAS * step * math.sqrt(noise["roundings"] / 12.0)


def sample_tolerance(layers: list[dict], plan, output_scales: list[float],
                     state_scales: list[float] = (), host_float32_error: float = 0.0,
                     noise: float = 0.0) -> float:
    """Max |device sample − host sample| for one sample, from the per-call output tolerance:
    each step's model error (tolerance × that step's output scale on the host) passes into
    the state with the update's gain, and the steps' contributions add. It assumes a later
    model call does not amplify an earlier error — the sampler's ODE maps nearby states to
    nearby samples; validation against real checkpoints is what checks that assumption.

    A diffusers scheduler's host sample is its own float32 loop, whose arithmetic is not the
    board's: the board's update rounds within update_rounding() of the exact one, and the
    host's sample is host_float32_error from its float64 twin. Where the state grows large
    (an ε-model's clean estimate divided by a small √ᾱ, no clip) these are what dominate.
    noise: int8_noise() of the build, absolute, added to every call's limit."""
    per_call = output_tolerance(layers)
    model = sum(sampler_step_gain(plan, k) * (per_call * scale + noise) for k, scale in enumerate(output_scales))
    if plan.kind != "tabulated" or not state_scales:
        return model
    return model + update_rounding(plan, state_scales, output_scales) + host_float32_error


def update_rounding(plan, state_scales: list[float], output_scales: list[float]) -> float:
    """How far the board's float32 tabulated updates (sdk/diffusion/sampling.py
    tabulated_update, in the same order in gen/sampler.c) may be from exact ones, summed over
    the steps. A step sums n products c·v (the clean estimate's cx·x + co·o once more scaled
    by b), each coefficient rounded to float32 from float64, each product and each partial
    sum rounded once: at most (n + 3) roundings of relative 2^-24 on any term's path, so
    the error is within (n + 3)·2^-24·Σ|c|·max|v| (Higham's γ bound, to first order)."""
    u = 2.0 ** -24
    total = 0.0
    for k, row in enumerate(plan.coefficients):
        _, cx, co, _, a, b, d = row[:len(ROW_FIELDS)]
        terms = [(a, state_scales[k]), (d, output_scales[k]), (b * cx, state_scales[k]),
                 (b * co, output_scales[k])]
        past = row[len(ROW_FIELDS):]
        for j in range(1, plan.history + 1):
            if k - j >= 0:
                terms += [(past[2 * j - 2], state_scales[k - j]), (past[2 * j - 1], output_scales[k - j])]
        terms = [(c, v) for c, v in terms if c]
        total += (len(terms) + 3) * u * sum(abs(c) * v for c, v in terms)
    return total
