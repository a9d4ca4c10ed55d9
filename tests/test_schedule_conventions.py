"""EdgeDiff's own schedule next to diffusers' (README "Diffusion", conventions): the DDIM
timestep grid is diffusers' "trailing" spacing, and the cosine ᾱ(t) is diffusers'
squaredcos_cap_v2 alphas_cumprod[t − 1] — one index apart, kept so that the trained
checkpoints stay valid — up to the clamp at the schedule's end."""

from __future__ import annotations

import diffusers
import pytest
import torch

from sdk.diffusion import ddim
from sdk.diffusion.schedule import CosineSchedule

pytestmark = [pytest.mark.unit]

CLAMP = 1e-5  # CosineSchedule.alpha_bar's floor; diffusers caps β at 0.999 instead


def test_ddim_grid_is_diffusers_trailing_spacing():
    scheduler = diffusers.DDIMScheduler(timestep_spacing="trailing")
    checked = 0
    for count in range(1, 1001):
        scheduler.set_timesteps(count)
        theirs = [float(t) for t in scheduler.timesteps]
        if len(theirs) != count:  # diffusers' float arange gives count + 1 steps for a few counts
            continue
        assert ddim.timesteps(CosineSchedule(), count) == theirs, count
        checked += 1
    assert checked > 900


def test_cosine_alpha_bar_is_diffusers_one_index_later():
    ours = CosineSchedule().alpha_bar(torch.arange(1, 1000, dtype=torch.float32))
    theirs = diffusers.DDIMScheduler(beta_schedule="squaredcos_cap_v2").alphas_cumprod[:999]
    assert float((ours - theirs).abs().max()) <= CLAMP
    # the same index would be off by a step's worth of noise at the start of the schedule
    same_index = CosineSchedule().alpha_bar(torch.arange(0, 999, dtype=torch.float32))
    assert float((same_index - theirs).abs().max()) > 10 * CLAMP
