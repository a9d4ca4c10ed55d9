"""The function a mobile runtime runs: the model with the inputs the device build has.

A diffusion checkpoint built with its sampler takes a step index, as on the MCU: the
exported graph looks the model time up in the plan's own table, so an app passes the
loop counter (int32, which TFLite Micro accepts where it rejects int64) and never needs
the schedule's times. Any other model keeps its inputs as they are.
"""

from __future__ import annotations

import torch

from sdk.models.spec import ModelSpec


class StepFunction(torch.nn.Module):
    """model(x, times[step]) for a sampler build; model(*inputs) otherwise."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.model = spec.module.eval()
        self.has_sampler = spec.sampler is not None
        if self.has_sampler:
            self.register_buffer("times", torch.tensor(spec.sampler.times, dtype=torch.float32))

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        if not self.has_sampler:
            return self.model(*inputs)
        x, step = inputs
        return self.model(x, self.times[step.reshape(-1).long()])


def export_inputs(spec: ModelSpec, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    """A spec's input tuple (spec.sample_inputs / example_inputs) in the exported dtypes:
    the step index of a sampler build as int32, everything else float32."""
    if spec.sampler is None:
        return tuple(t.float() for t in inputs)
    x, step = inputs
    return x.float(), step.reshape(1).to(torch.int32)


def example_inputs(spec: ModelSpec) -> tuple[torch.Tensor, ...]:
    if spec.sampler is None:
        return export_inputs(spec, spec.example_inputs)
    return spec.example_inputs[0].float(), torch.zeros(1, dtype=torch.int32)
