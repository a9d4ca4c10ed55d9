"""Small graphs for the tiling tests (codegen/tile.py): a DnCNN whose height no band divides
and whose width leaves the FPU 3x3 kernel a tail of single pixels, and a stage with a
stride-2 layer, a 5x5 convolution (reference kernel) and a residual add."""

from __future__ import annotations

import torch
from torch import nn

from codegen.capture import capture
from codegen.ir import Graph
from codegen.passes import CompileOptions, PrecisionPolicy, run_passes
from sdk.models.dncnn import DnCNN


class StridedStage(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.c = nn.Conv2d(8, 8, 3, padding=1)
        self.d = nn.Conv2d(8, 4, 5, padding=2)

    def forward(self, x):
        z = torch.relu(self.b(torch.relu(self.a(x))))
        return self.d(self.c(z) + z)


def lowered(name: str) -> tuple[Graph, torch.Tensor]:
    """(the FP32 graph after the pipeline, its input) for "dncnn" or "strided"."""
    torch.manual_seed(0)
    if name == "dncnn":
        model, x = DnCNN(channels=1, features=8, depth=5), torch.randn(1, 1, 23, 22)
    else:
        model, x = StridedStage(), torch.randn(1, 1, 21, 22)
    model.eval()
    with torch.no_grad():
        return run_passes(capture(model, (x,)), CompileOptions(PrecisionPolicy())), x
