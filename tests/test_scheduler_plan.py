"""diffusers schedulers tabulated for the board (sdk/diffusion/scheduler_plan.py): the plan
follows scheduler.step itself for every supported scheduler and prediction type, and what
cannot be tabulated is refused with the reason."""

from __future__ import annotations

import dataclasses

import diffusers  # the `diffusers` extra, which make test installs
import pytest
import torch

from sdk.diffusion.sampling import run_plan
from sdk.diffusion.scheduler_plan import agreement, scheduler_loop, tabulate_scheduler
from sdk.errors import UserError

pytestmark = [pytest.mark.unit]

SCHEDULERS = [
    ("DDIMScheduler", {}),  # clip_sample=True: the clipped estimate
    ("DDIMScheduler", {"prediction_type": "v_prediction"}),
    ("DDIMScheduler", {"prediction_type": "sample"}),
    ("DDIMScheduler", {"clip_sample": False, "beta_schedule": "squaredcos_cap_v2"}),
    # clipped where √ᾱ is 5e-5 (t = 999): the estimate is 2e4 × the state, so a probe of the
    # state must be small for the estimate to stay inside the clip range
    ("DDIMScheduler", {"beta_schedule": "squaredcos_cap_v2", "timestep_spacing": "trailing"}),
    ("EulerDiscreteScheduler", {}),  # scaled model input, init_noise_sigma ≈ 157
    ("EulerDiscreteScheduler", {"prediction_type": "v_prediction"}),
    ("DPMSolverMultistepScheduler", {}),  # 2nd order: one previous step
    ("DPMSolverMultistepScheduler", {"prediction_type": "v_prediction"}),
    ("DPMSolverMultistepScheduler", {"solver_order": 3}),
]


def stand_in(seed: int):
    """A smooth nonlinear 'model' of 64 values, so outputs depend on the state."""
    w = torch.randn(64, 64, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) / 6

    def model(x, t):
        return 1.5 * torch.sin(x.reshape(-1, 64) @ w - float(t.reshape(-1)[0]) / 500).reshape(x.shape)

    return model


@pytest.mark.parametrize("name,config", SCHEDULERS, ids=lambda v: str(v))
@pytest.mark.parametrize("steps", [1, 4, 25])
def test_plan_follows_the_schedulers_own_loop(name, config, steps):
    scheduler = getattr(diffusers, name)(**config)
    plan = tabulate_scheduler(scheduler, steps)
    noise = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(steps), dtype=torch.float64)
    model = stand_in(seed=7)  # not the stand-in tabulate_scheduler checks itself with
    want, _ = scheduler_loop(scheduler, steps, model, noise * plan.init_sigma)
    got = run_plan(plan, model, noise)
    assert float((got - want).abs().max() / want.abs().max()) <= agreement(steps)
    assert plan.steps == steps and plan.times == tuple(float(t) for t in _timesteps(scheduler, steps))


def _timesteps(scheduler, steps):
    scheduler.set_timesteps(steps)
    return scheduler.timesteps


def test_clip_is_tabulated_not_ignored():
    """DDIM's clip_sample acts on large states: the plan clips where the scheduler does."""
    scheduler = diffusers.DDIMScheduler()
    plan = tabulate_scheduler(scheduler, 4)
    assert all(row[3] == 1.0 and row[5] != 0.0 for row in plan.coefficients)
    noise = 5 * torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    model = stand_in(seed=3)
    want, _ = scheduler_loop(scheduler, 4, model, noise)
    unclipped = dataclasses.replace(plan, coefficients=tuple(
        (*row[:3], 0.0, *row[4:]) for row in plan.coefficients))
    assert float((run_plan(plan, model, noise) - want).abs().max()) <= agreement(4) * float(want.abs().max())
    assert float((run_plan(unclipped, model, noise) - want).abs().max()) > 1e-3


def test_multistep_history_is_kept():
    plan = tabulate_scheduler(diffusers.DPMSolverMultistepScheduler(), 6)
    assert plan.history == 1 and any(row[7] or row[8] for row in plan.coefficients)


@pytest.mark.parametrize("make,reason", [
    (lambda: diffusers.DDPMScheduler(), "stochastic"),
    (lambda: diffusers.DDIMScheduler(thresholding=True), "dynamic thresholding"),
    (lambda: object(), "not a diffusers scheduler"),
])
def test_untabulatable_schedulers_are_refused_with_the_reason(make, reason):
    with pytest.raises(UserError, match=reason):
        tabulate_scheduler(make(), 4)


class SquaringScheduler(diffusers.DDIMScheduler):
    """A deterministic scheduler whose update is not linear in the state."""

    def step(self, model_output, timestep, sample, **kwargs):
        out = super().step(model_output, timestep, sample, **kwargs)
        return type(out)(prev_sample=out.prev_sample + 0.1 * sample ** 2,
                         pred_original_sample=out.pred_original_sample)


def test_a_nonlinear_update_fails_the_check_against_scheduler_step():
    with pytest.raises(UserError, match="cannot be tabulated"):
        tabulate_scheduler(SquaringScheduler(clip_sample=False), 4)


def test_bad_step_counts_are_refused():
    with pytest.raises(UserError, match="positive integer"):
        tabulate_scheduler(diffusers.DDIMScheduler(), 0)
