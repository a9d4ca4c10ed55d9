"""How far a build that takes signs of FP16 activations (W1A1 in FP16) may be from torch.

sdk/verify/tolerance.py bounds rounding, which moves an output a little. A binary activation
turns a little into a lot: an activation that torch sees just above its threshold and the
device, after FP16 rounding, just below it flips its sign, and the binary conv's output
moves by 2·alpha for every weight that reads it; later layers carry that on and may flip
more signs. Which signs flip depends on the device's exact rounding, so no reference
can follow them; what can be computed is how large their effect is.

The envelope: run the torch model again with every borderline sign — an input within the
build's rounding bound of its threshold (output_tolerance × that tensor's max |x|, the
same bound the device's rounding is held to) — set at random, several times, and take the
largest change of the output. The device flips a subset of those signs (each borderline
one only if its rounding error crosses zero), so its change is of the same kind and at most
about as large. It is one estimate for the whole validation set (the largest over all
samples and draws): which samples end up with the most borderline signs is chance.

The envelope is large for a chaotic model (a W1A1 UNet's FP16 build sits ~0.1–0.3 of the
output scale from torch FP32; torch's own float16 evaluation is as far). The exact checks
of such a model are elsewhere: its FP32 build validates within 1e-4, and the binary
kernels equal the integer reference bit for bit on every target (tests).
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from sdk.compress import binary_ops  # noqa: F401  (registers torch.ops.edgediff.sign)

DRAWS = 4  # random settings of the borderline signs per input


def takes_half_signs(layers: list[dict]) -> bool:
    """Whether a build's layers take the sign of FP16 values (sign / sign_pack reading f16, as
    the manifest recorded)."""
    return any(layer["op"] in ("sign", "sign_pack") and layer["input_dtype"] == "f16" for layer in layers)


class BorderlineSigns(TorchDispatchMode):
    """Inside the context, edgediff.sign gives a random ±1 wherever |x| < margin_rel · max|x|."""

    def __init__(self, margin_rel: float, generator: torch.Generator):
        super().__init__()
        self.margin_rel = margin_rel
        self.generator = generator

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func is not torch.ops.edgediff.sign.default:
            return out
        x = args[0]
        borderline = x.abs() < self.margin_rel * x.abs().amax()
        coin = torch.rand(x.shape, generator=self.generator) < 0.5
        return torch.where(borderline, torch.where(coin, 1.0, -1.0).to(out.dtype), out)


@torch.no_grad()
def envelope(run: Callable[[], torch.Tensor], margin_rel: float, seed: int, relative: bool = False) -> float:
    """Largest max |output − output with random borderline signs| over DRAWS draws
    (relative: divided by the output's max |x|)."""
    reference = run()
    generator = torch.Generator().manual_seed(seed)
    largest = 0.0
    for _ in range(DRAWS):
        with BorderlineSigns(margin_rel, generator):
            largest = max(largest, float((run() - reference).abs().max()))
    return largest / (float(reference.abs().max()) or 1.0) if relative else largest


def call_envelope(runs: Iterable[Callable[[], torch.Tensor]], margin_rel: float) -> float:
    """The envelope of one model call, relative to each call's output scale, over a set."""
    return max((envelope(run, margin_rel, seed=i, relative=True) for i, run in enumerate(runs)), default=0.0)
