"""Calibration inputs for static int8 quantization, diffusion-aware.

A denoiser's activation ranges drift with the timestep: near pure noise and near the clean
image the same layer sees very different values (Q-Diffusion, Li et al. 2023). Calibrating
on one timestep, or on Gaussian inputs, clips the others. So for a checkpoint built with
its sampler the calibration set is states on the model's own sampler trajectories, with
every step of the plan equally represented; any other model uses its sample_inputs.
"""

from __future__ import annotations

import math

import numpy as np

from sdk.mobile.step import export_inputs
from sdk.models.spec import ModelSpec


def calibration_inputs(spec: ModelSpec, n: int, seed: int) -> list[tuple[np.ndarray, ...]]:
    """About n input tuples in the exported dtypes (float32 state, int32 step index).

    With a sampler, n is rounded up to a multiple of the step count so that every step
    gets the same number of states (spec.sample_inputs cycles through the steps)."""
    if spec.sampler is not None:
        n = spec.sampler.steps * max(1, math.ceil(n / spec.sampler.steps))
    return [tuple(t.numpy() for t in export_inputs(spec, inputs))
            for inputs in spec.sample_inputs(n, seed)]
