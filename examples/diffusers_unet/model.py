"""A diffusers UNet2DModel and its scheduler, as `sdk build` takes them.

The UNet is built from its config (nothing is downloaded): 16×16 images with one channel,
two levels (16 and 32 channels), self-attention at 8×8 (AttnDownBlock2D/AttnUpBlock2D) and
in the mid block (diffusers' default). The model file only wraps it so that
`model(x, t)` returns the `.sample` tensor; the timestep is an integer, as diffusers passes it.

`scheduler` and `num_inference_steps` make `sdk build` emit the on-board sampler: the board
runs these 8 DDIM steps (η = 0, the clean estimate clipped to [-1, 1], diffusers' defaults),
and `sdk validate` checks its samples against this scheduler's own `step` loop. train.py
trains the UNet on the digits with the same noise schedule (`beta_schedule`), so both come
from here. The steps are diffusers' default "leading" ones, 875, 750, …, 0: "trailing" would
start at t = 999, where the cosine schedule's √ᾱ is 5e-5 and the clean estimate
(x − √(1−ᾱ)·ε)/√ᾱ is 2e4 times any error of ε, so only the clip keeps it in range and an
FP16 rounding of ε flips whole pixels of the first estimate from −1 to 1 (with DPM-Solver++,
which has no clip, an ε-model's samples saturate).

The weights are `unet.pt` next to this file (train.py writes it); without it the UNet keeps
its random initialisation, which builds and validates the same but draws noise, not digits.
"""

from pathlib import Path

import torch
from diffusers import DDIMScheduler, UNet2DModel

WEIGHTS = Path(__file__).resolve().with_name("unet.pt")


def make_unet() -> UNet2DModel:
    """The UNet of this example, randomly initialised (seed 0)."""
    torch.manual_seed(0)
    return UNet2DModel(sample_size=16, in_channels=1, out_channels=1, block_out_channels=(16, 32),
                       layers_per_block=1, down_block_types=("DownBlock2D", "AttnDownBlock2D"),
                       up_block_types=("AttnUpBlock2D", "UpBlock2D"), norm_num_groups=8,
                       attention_head_dim=8)


class Denoiser(torch.nn.Module):
    """model(x, t) → the UNet's noise prediction as a tensor (diffusers returns UNet2DOutput)."""

    def __init__(self, unet: UNet2DModel):
        super().__init__()
        self.unet = unet

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.unet(x, t).sample


unet = make_unet()
if WEIGHTS.is_file():
    unet.load_state_dict(torch.load(WEIGHTS, weights_only=True))
else:
    print(f"note: no {WEIGHTS.name} next to model.py: random weights (python {WEIGHTS.with_name('train.py')} trains them)")

model = Denoiser(unet).eval()
example_input = (torch.randn(1, 1, 16, 16), torch.tensor([500]))
scheduler = DDIMScheduler(beta_schedule="squaredcos_cap_v2")
num_inference_steps = 8
