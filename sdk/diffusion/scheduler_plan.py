"""A diffusers scheduler as a SamplerPlan: its timesteps and every step's update, read off the
scheduler itself, so the board runs what `scheduler.step` computes, not our re-derivation.

Deterministic schedulers (DDIM with η = 0, Euler, DPM-Solver++ multistep, with ε, v or
sample prediction) update the state linearly in the state and the model outputs, except for
clipping the clean-image estimate (DDIM's `clip_sample`). Each step is therefore tabulated
as one row of the "tabulated" plan (sdk/diffusion/sampling.py, ROW_FIELDS):

    x_in  = s_in · x                      the model's input (Euler's scale_model_input)
    o     = model(x_in, t_k)
    x̂0    = clip(cx · x + co · o)         only where the scheduler clips (clip = its range)
    x'    = A · x + B · x̂0 + D · o + Σ_j (P_j · x_{k−j} + Q_j · o_{k−j})   (multistep history)

The coefficients are measured by probing: a deep copy of the scheduler steps through the
whole schedule on a batch of unit impulses (one per state and output variable, scaled small
so nothing clips: where the estimate is thousands of times the state, as at the start of a
cosine schedule, √ᾱ ≈ 5e-5, smaller still), and the clip's share is measured with a clipped
probe. The result is then
checked against the scheduler's own loop on a nonlinear stand-in model; a scheduler whose
update is not of this form (stochastic, dynamic thresholding) is refused with the reason.
"""

from __future__ import annotations

import copy

import torch

from sdk.diffusion.sampling import SamplerPlan
from sdk.errors import UserError

# Impulse sizes, tried in turn until the step's clean estimate stays inside half the clip
# range (the update is linear there, so any size gives the same coefficients; float64).
PROBES = (1e-3, 1e-7, 1e-11)
CLIP_PROBE = 1e6  # a state so large that the estimate is clipped whatever the step
ZERO = 1e-12  # a history coefficient below this is no dependence
# The plan (float64) against scheduler.step, which rounds the state to float32 in some
# schedulers (Euler, DPM-Solver): a few float32 roundings per step, accumulated over the steps.
ROUNDINGS_PER_STEP = 4


def agreement(steps: int) -> float:
    """Largest |plan − scheduler.step| / max |sample| a faithful tabulation shows."""
    return ROUNDINGS_PER_STEP * steps * 2.0 ** -24


def fresh_scheduler(scheduler, steps: int):
    """A copy of the scheduler, set to `steps` inference steps (the original is untouched)."""
    s = copy.deepcopy(scheduler)
    s.set_timesteps(steps)
    return s


def _run(scheduler, steps: int, k: int, xs: torch.Tensor, os: torch.Tensor):
    """Step a fresh copy through steps 0..k with states xs[j] and outputs os[j] (batched
    probes); return (scale_model_input factor at step k, step k's output)."""
    s = fresh_scheduler(scheduler, steps)
    scale = None
    for j in range(k + 1):
        t = s.timesteps[j]
        scaled = s.scale_model_input(torch.ones(1, 1, 1, 1, dtype=torch.float64), t)
        scale = float(scaled.reshape(-1)[0])
        out = s.step(os[j], t, xs[j])
    return scale, out


def _check_deterministic(scheduler, name: str, steps: int) -> None:
    """Refuse a scheduler whose step adds noise. Probed at the user's step count (PNDM's
    Runge-Kutta warm-up cannot be set to fewer than 4 steps)."""
    if scheduler.config.get("thresholding", False):
        raise UserError(f"{name} uses dynamic thresholding (a per-sample quantile of the clean "
                        "estimate), which the board's tabulated update cannot express: set "
                        "thresholding=False")
    a = fresh_scheduler(scheduler, steps)
    b = fresh_scheduler(scheduler, steps)
    x = torch.full((4, 1, 1, 1), 0.3, dtype=torch.float64)
    o = torch.full((4, 1, 1, 1), 0.2, dtype=torch.float64)
    ya = a.step(o, a.timesteps[0], a.scale_model_input(x, a.timesteps[0])).prev_sample
    yb = b.step(o, b.timesteps[0], b.scale_model_input(x, b.timesteps[0])).prev_sample
    if not torch.equal(ya, yb) or ya.std() > 0:
        raise UserError(f"{name} adds fresh noise at every step (it is stochastic, e.g. DDPM or "
                        "DDIM with eta > 0): the board samples deterministically from its initial "
                        "noise; use DDIMScheduler (eta=0), EulerDiscreteScheduler or "
                        "DPMSolverMultistepScheduler")


def _probe_step(scheduler, steps: int, k: int,
                clip: float) -> tuple[float, list[float], list[float], list[float]]:
    """(s_in, [x_k..x_0 coefficients], [o_k..o_0 coefficients], [cx, co] or []) of step k."""
    n = 2 * (k + 1)
    for probe in PROBES:
        xs = torch.zeros(k + 1, n, 1, 1, 1, dtype=torch.float64)
        os = torch.zeros(k + 1, n, 1, 1, 1, dtype=torch.float64)
        for j in range(k + 1):
            xs[j, 2 * (k - j)] = probe  # column 2m: x_{k-m}; column 2m+1: o_{k-m}
            os[j, 2 * (k - j) + 1] = probe
        scale, out = _run(scheduler, steps, k, xs, os)
        x0 = getattr(out, "pred_original_sample", None)
        if not clip or x0 is None or float(x0.abs().max()) < clip / 2:
            break
    coef = (out.prev_sample.reshape(-1) / probe).tolist()
    estimate = [] if x0 is None else [float(v) / probe for v in x0.reshape(-1)[:2]]
    return scale, coef[0::2], coef[1::2], estimate


def _clip_split(scheduler, steps: int, k: int, a: float, b: float, cx: float, co: float,
                clip: float) -> tuple[float, float, float]:
    """(A, B, D) with x' = A·x + B·clip(x̂0) + D·o, from two probes so large that the
    estimate clips: on the state, or on the output where the estimate ignores the state
    (sample prediction)."""
    on_state = abs(cx) > ZERO
    outs = []
    for size in (CLIP_PROBE, 2 * CLIP_PROBE):
        xs = torch.zeros(k + 1, 1, 1, 1, 1, dtype=torch.float64)
        os = torch.zeros(k + 1, 1, 1, 1, 1, dtype=torch.float64)
        (xs if on_state else os)[k, 0] = size
        outs.append(float(_run(scheduler, steps, k, xs, os)[1].prev_sample.reshape(-1)[0]))
    slope = (outs[1] - outs[0]) / CLIP_PROBE  # A (state probe) or D (output probe)
    clipped = clip if (cx if on_state else co) > 0 else -clip
    big_b = (outs[0] - slope * CLIP_PROBE) / clipped
    if on_state:
        return slope, big_b, b - big_b * co
    return a - big_b * cx, big_b, slope


def tabulate_scheduler(scheduler, steps: int) -> SamplerPlan:
    """The plan of `scheduler` at `steps` inference steps (checked against scheduler.step)."""
    name = type(scheduler).__name__
    try:
        return _tabulate(scheduler, steps, name)
    except UserError:
        raise
    except Exception as e:  # the scheduler's own refusal of its config or step count
        raise UserError(f"{name} cannot be stepped at {steps} inference steps: {e}") from None


def _tabulate(scheduler, steps: int, name: str) -> SamplerPlan:
    if not hasattr(scheduler, "set_timesteps") or not hasattr(scheduler, "step"):
        raise UserError(f"`scheduler` is a {name}, not a diffusers scheduler (set_timesteps, step)")
    if not isinstance(steps, int) or steps < 1:
        raise UserError(f"num_inference_steps must be a positive integer, not {steps!r}")
    _check_deterministic(scheduler, name, steps)
    clip = float(scheduler.config.get("clip_sample_range", 1.0)) if scheduler.config.get("clip_sample") else 0.0
    fresh = fresh_scheduler(scheduler, steps)
    times = tuple(float(t) for t in fresh.timesteps)
    rows, history = [], 0
    probes = [_probe_step(scheduler, steps, k, clip) for k in range(len(times))]
    for k, (_, xc, oc, _) in enumerate(probes):
        deps = [m for m in range(1, k + 1) if abs(xc[m]) > ZERO or abs(oc[m]) > ZERO]
        history = max(history, max(deps, default=0))
    for k, (scale, xc, oc, estimate) in enumerate(probes):
        a, b = xc[0], oc[0]
        if clip:
            if not estimate:
                raise UserError(f"{name} clips its clean estimate but does not return it "
                                "(pred_original_sample): cannot tabulate the clip")
            cx, co = estimate
            big_a, big_b, d = _clip_split(scheduler, steps, k, a, b, cx, co, clip)
        else:
            cx = co = big_b = 0.0
            big_a, d = a, b
        past = []
        for m in range(1, history + 1):
            past += [xc[m], oc[m]] if m <= k else [0.0, 0.0]
        rows.append((scale, cx, co, clip, big_a, big_b, d, *past))
    plan = SamplerPlan("tabulated", scheduler.config.get("prediction_type", "epsilon"), times,
                       tuple(rows), history=history,
                       init_sigma=float(fresh.init_noise_sigma), clip_final=False,
                       scheduler=name, source=scheduler, inference_steps=steps)
    _check_against_scheduler(plan, scheduler, steps, name)
    return plan


def scheduler_loop(scheduler, steps: int, model, x: torch.Tensor,
                   states: list | None = None) -> tuple[torch.Tensor, list[float]]:
    """diffusers' own sampling loop from the initial state x (already times init_noise_sigma):
    scale_model_input, the model, scheduler.step. Returns the sample and each step's max |o|;
    `states` collects each step's max |x| before its update."""
    s = fresh_scheduler(scheduler, steps)
    scales = []
    for t in s.timesteps:
        if states is not None:
            states.append(float(x.abs().max()))
        o = model(s.scale_model_input(x, t), t.reshape(1).expand(x.shape[0]))
        scales.append(float(o.abs().max()))
        x = s.step(o, t, x).prev_sample
    return x, scales


def _check_against_scheduler(plan: SamplerPlan, scheduler, steps: int, name: str) -> None:
    """The plan's update against scheduler.step, on a smooth nonlinear stand-in model."""
    from sdk.diffusion.sampling import run_plan

    gen = torch.Generator().manual_seed(0)
    noise = torch.randn(2, 1, 8, 8, generator=gen, dtype=torch.float64)
    w = torch.randn(64, 64, generator=gen, dtype=torch.float64) / 8

    def stand_in(x, t):
        return torch.tanh(x.reshape(2, 64) @ w + float(t.reshape(-1)[0]) / 1000.0).reshape(x.shape)

    want, _ = scheduler_loop(scheduler, steps, stand_in, noise * plan.init_sigma)
    got = run_plan(plan, stand_in, noise)
    error = float((got - want).abs().max() / want.abs().max().clamp(min=1e-30))
    if not error <= agreement(steps):
        raise UserError(f"{name} at {steps} steps cannot be tabulated for the board: the tabulated "
                        f"update differs from scheduler.step by {error:.2e} of the sample's scale "
                        "(its update is not linear in the state and model outputs); supported: "
                        "DDIMScheduler (eta=0), EulerDiscreteScheduler, DPMSolverMultistepScheduler")
