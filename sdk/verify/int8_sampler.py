"""The host twin of an int8 build's board samples, bit for bit.

The board's sampler draws the noise with firmware/noise.c (integer arithmetic: twinned exactly
by sdk/diffusion/device_noise.py), runs the int8 model at each step (twinned exactly by the
build's graph in numpy, sdk/verify/int8_reference.py: the time path is a table of bytes, the
rest TFLite's integer arithmetic, the output one dequantize) and applies the plan's update in
float32. The update here is sdk/diffusion/sampling.py's, in torch float32: each product, sum
and clip rounded once, in the C sampler's order, and the C sampler is compiled without
contraction (codegen/emit_sampler.py NO_CONTRACTION), so the board's sample is this one's,
bit for bit. A "tabulated" plan's history terms are summed in another order than the host's
(codegen/emit_sampler_tabulated.py), so it has no twin: int8 is refused for it at build time.
"""

from __future__ import annotations

import numpy as np
import torch

from codegen.emit_sampler import sampler_io
from codegen.interpret import run_graph
from codegen.ir import Graph
from sdk.diffusion import device_noise
from sdk.diffusion.sampling import SamplerPlan
from sdk.verify.host_sample import HostSample, sample_from

TWINNED_KINDS = ("ddim", "euler")


class GraphModel:
    """A sampler build's graph as the host sampler's model(x, t): t (one of plan.times) is
    mapped to its step index, as the board's sampler passes it."""

    def __init__(self, graph: Graph, plan: SamplerPlan):
        self.graph, self.times = graph, np.asarray(plan.times, dtype=np.float32)
        self.x_input, _ = sampler_io(graph)

    def __call__(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        step = int(np.argmin(np.abs(self.times - np.float32(t.reshape(-1)[0]))))
        inputs = [None, None]
        inputs[self.x_input] = x.numpy().astype(np.float32)
        inputs[1 - self.x_input] = np.array([step], dtype=np.float32)
        out = run_graph(self.graph, inputs)[0].astype(np.float32).reshape(x.shape)
        return torch.from_numpy(out)


def int8_host_sample(graph: Graph, plan: SamplerPlan, seed: int, shape: tuple[int, ...]) -> HostSample:
    """The board's sample for `seed`, made on the host from the build's graph."""
    if plan.kind not in TWINNED_KINDS:
        raise ValueError(f"no bit-exact host twin for a {plan.kind!r} sampler")
    noise = device_noise.gaussian(seed, int(np.prod(shape))).reshape(shape)
    return sample_from(GraphModel(graph, plan), plan, torch.from_numpy(noise))
