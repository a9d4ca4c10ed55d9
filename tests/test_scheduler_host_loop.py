"""The host's diffusers loop is run at the user's num_inference_steps, not at the plan's row
count (sdk/diffusion/sampling.py SamplerPlan.inference_steps).

A user hit: HeunDiscreteScheduler at 4 steps builds (7 model calls: 999, 666, 666, 333, 333,
0, 0), but `sdk generate` reported the board 6.4e-2 away from the host and `sdk validate`
crashed with an IndexError: the host re-ran diffusers' loop at 7 inference steps (13 calls).
PNDMScheduler() at 4 steps was refused with a numpy broadcast error: the determinism probe
set it to 2 steps, fewer than its Runge-Kutta warm-up takes.
Here the tabulated float32 twin (the board's arithmetic) must agree with the host loop within
the update's arithmetic bound, with one output scale per model call.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from diffusers import HeunDiscreteScheduler, PNDMScheduler

from sdk.diffusion.sampling import run_plan
from sdk.diffusion.scheduler_model import scheduler_spec
from sdk.verify.host_sample import sample_from
from sdk.verify.tolerance import update_rounding
from tests.test_scheduler_tolerance import Eps

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("scheduler, calls", [(HeunDiscreteScheduler, 7), (PNDMScheduler, 13)],
                         ids=["heun", "pndm"])
def test_host_loop_matches_the_tabulated_plan(scheduler, calls):
    model = Eps().eval()
    spec = scheduler_spec("s", model, (torch.randn(1, 2, 8, 8), torch.tensor([500])), scheduler(), 4)
    assert spec.sampler.steps == calls  # Heun: 2·4 − 1 model calls; PNDM: its Runge-Kutta warm-up
    noise = torch.randn(1, 2, 8, 8, generator=torch.Generator().manual_seed(0))
    host = sample_from(model, spec.sampler, noise)
    assert len(host.output_scales) == spec.sampler.steps
    with torch.no_grad():
        twin = run_plan(spec.sampler, model, noise).numpy()
    bound = update_rounding(spec.sampler, host.state_scales, host.output_scales) + host.float32_error
    assert float(np.abs(twin - host.sample).max()) <= bound
