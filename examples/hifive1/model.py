"""A DnCNN-class denoiser sized for the HiFive1 Rev B (FE310: 16 KiB of RAM, no FPU):
8 features, 4 layers, on 16×16 images. In int8 (`sdk build --target hifive1-revb --model
examples/hifive1/model.py --precision int8`) its arena is a few KiB, and it runs the portable
int8 kernels. The zoo `dncnn` (16 features) needs about 0.5 KiB more RAM than the board has,
which the fit check says before linking. Untrained: the weights are seeded, for checking the
board against the int8 reference, not for denoising."""

import torch

from sdk.models.dncnn import DnCNN

torch.manual_seed(0)
model = DnCNN(channels=1, features=8, depth=4).eval()
example_input = torch.randn(1, 1, 16, 16)
