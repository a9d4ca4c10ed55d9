"""Calibration inputs for static int8 quantization, diffusion-aware.

A denoiser's activation ranges drift with the timestep: near pure noise and near the clean
image the same layer sees very different values (Q-Diffusion, Li et al. 2023). Calibrating
on one timestep, or on Gaussian inputs, clips the others. So for a checkpoint built with
its sampler the calibration set is states on the model's own sampler trajectories, with
every step of the plan equally represented; any other model uses its sample_inputs, the
generator `sdk validate` draws from too (another seed), so calibration sees what validation
feeds, and its ranges are extended to the calls a user will make (ranges.py). For the zoo's
denoisers that is noisy digits at a uniformly random timestep of 1000: the set has to be
large enough to cover the noise levels densely and the images' variety, and to give
ranges.py a tail to extrapolate from.

CALIBRATION_SAMPLES, measured on the zoo models (float model, all tensors, 320 held-out
inputs): with min/max envelopes, 64 inputs leave 36 (dncnn) and 240 (unet) inputs with a
tensor more than one int8 step past its range, 256 leave 5 and 87, 1024 leave 0 and 28;
with ranges.py's extrapolation, 1024 leave 0 and 0 (docs/MOBILE_INT8.md, "Ranges").
"""

from __future__ import annotations

import math

import numpy as np

from sdk.mobile.step import export_inputs
from sdk.models.spec import ModelSpec

CALIBRATION_SAMPLES = 1024  # a model without a sampler
SAMPLER_CALIBRATION_SAMPLES = 64  # a checkpoint: 16 states per step of a 4-step plan


def calibration_size(spec: ModelSpec) -> int:
    return CALIBRATION_SAMPLES if covers_tails(spec) else SAMPLER_CALIBRATION_SAMPLES


def covers_tails(spec: ModelSpec) -> bool:
    """Whether ranges are extended to the calls the model will see (sdk/quant/ranges.py): for
    a model without a sampler. A checkpoint keeps the envelope of its trajectory states,
    which passes `sdk validate` there; on the 4-step demo student, 1024 states with the
    extension cost quality (FD 2.342 against torch's 2.123 where the 64-state envelope gives
    2.115, N = 64) and TFLite Micro then differed from LiteRT by 5 output steps."""
    return spec.sampler is None


def calibration_inputs(spec: ModelSpec, n: int, seed: int) -> list[tuple[np.ndarray, ...]]:
    """About n input tuples in the exported dtypes (float32 state, int32 step index).

    With a sampler, n is rounded up to a multiple of the step count so that every step
    gets the same number of states (spec.sample_inputs cycles through the steps)."""
    if spec.sampler is not None:
        n = spec.sampler.steps * max(1, math.ceil(n / spec.sampler.steps))
    return [tuple(t.numpy() for t in export_inputs(spec, inputs))
            for inputs in spec.sample_inputs(n, seed)]
