"""In-place ops as users write them (codegen/capture_inplace.py).

`r += h`, `r *= 0.5`, `r.clamp_()`, `g.sigmoid_()`, `r.mul_(g)`, `r.sub_(h)`, `x.pow_(2)` on a
tensor of the model's own are their functional ops (diffusers' SkipUpBlock2D UNets end with
`sample += skip_sample`, which was refused as an unknown op). A write through a view
(`x[:, :2] += y`, `F.relu(x[:, :2], inplace=True)`) changes a tensor the exported graph keeps
reading by its old node: it is refused with the reason, where before the view write was
dropped and the build silently computed something else (61% of the output scale off).

Tolerance: a handful of float32 ops on values of order 1, interpreter (float64 inside) against
torch (float32): 1e-6 of the output scale.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from codegen.capture import UnsupportedOpError, capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes

pytestmark = [pytest.mark.unit]


class InPlace(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        h = self.c1(x)
        r = self.c2(h)
        r += h
        r *= 0.5
        r.clamp_(-0.3, 0.3)
        g = self.c2(r).sigmoid_()
        r.mul_(g)
        r.sub_(h)
        r.pow_(2)
        return F.relu(r, inplace=True) + h.div_(4)


class ViewWrite(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)

    def forward(self, x):
        h = self.conv(x)
        F.relu(h[:, :2], inplace=True)
        h.view(-1).mul_(3)
        return h * 2


def test_inplace_ops_on_own_tensors_match_torch():
    model, x = InPlace().eval(), torch.randn(1, 1, 8, 8)
    graph = run_passes(capture(model, (x,)), PrecisionPolicy())
    with torch.no_grad():
        want = model(x).numpy()
    got = run_graph(graph, [x.numpy()])[0]
    assert np.abs(got - want).max() <= 1e-6 * np.abs(want).max()
    assert {"add", "mul", "sub"} <= {n.op for n in graph.nodes}


def test_a_write_through_a_view_is_refused_with_the_reason():
    with pytest.raises(UnsupportedOpError) as e:
        capture(ViewWrite().eval(), (torch.randn(1, 1, 8, 8),))
    message = str(e.value)
    assert "aten.relu_.default" in message and "aten.mul_.Tensor" in message
    assert message.count("writes in place into a view") == 2
    assert "h.view(-1).mul_(3)" in message  # the user's line
