"""Forms users write that capture refused although they only move data or reorder an op the
SDK has (found bringing models that are not in this repository, issue #13):
`x.squeeze()`, `unflatten` (nn.MultiheadAttention with batch_first), `view_as`/`reshape_as`,
`movedim`, `swapaxes`, `.mT`, `.T` and `repeat_interleave` by a number, each a reshape or one
strided copy; the pad of a 6-D view in diffusers' FIR resampling (SkipDownBlock2D,
SkipUpBlock2D, AttnSkip*: "pad of a 6-D tensor"); nn.Embedding looked up by an integer input (UNet2DModel's class labels and learned time
embedding: "look the embedding up on the host"); `torch.stack` (a concat whose inputs lack the axis); `1 - x` (aten.rsub), a sub with the operands swapped.

Each model is captured, run through the passes and interpreted in numpy against torch. The views
are copies, exact; `1 - x` one rounding; the attention model does float32 sums of at most 16 products of
values of order 1 per op, far below the 1e-6 of the output scale asked.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes

pytestmark = [pytest.mark.unit]


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x * 2)  # one computing op, so the model is not just its input


class MultiHead(nn.Module):
    """nn.MultiheadAttention(batch_first=True) on the pixels of a feature map."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.attn = nn.MultiheadAttention(4, 2, batch_first=True)

    def forward(self, x):
        t = x.flatten(2).transpose(1, 2)
        return self.attn(t, t, t, need_weights=False)[0]


FORMS = {
    "squeeze-all": lambda x: x[:, :1].squeeze().unsqueeze(0).unsqueeze(0),
    "unflatten": lambda x: x.flatten(2).unflatten(2, (3, 5)),
    "view_as": lambda x: x.flatten(1).view_as(x),
    "reshape_as": lambda x: x.flatten(1).reshape_as(x),
    "movedim": lambda x: torch.movedim(x, 1, 3),
    "movedim-lists": lambda x: torch.movedim(x, (1, 2), (3, 0)),
    "swapaxes": lambda x: x.swapaxes(1, 2),
    "mT": lambda x: x.mT,
    "T": lambda x: x.T,
    "repeat_interleave": lambda x: x.repeat_interleave(3, dim=1),
    "repeat_interleave-neg": lambda x: x.repeat_interleave(2, dim=-1).repeat_interleave(2, -2),
    "repeat_interleave-flat": lambda x: x.repeat_interleave(2),
    "stack": lambda x: torch.stack([torch.sin(x), x], dim=-1).flatten(-2) + torch.stack([x, x], 1)[:, 1].repeat(1, 1, 1, 2),
    "one-minus": lambda x: (1 - torch.sigmoid(x)) * x + (0.5 - x.mean(1, keepdim=True)),
    "rsub-tensor": lambda x: torch.rsub(x, x.abs()),
}


def _check(model: nn.Module, x: torch.Tensor) -> None:
    graph = run_passes(capture(model.eval(), (x,)), PrecisionPolicy())
    with torch.no_grad():
        want = model(x).numpy()
    got = run_graph(graph, [x.numpy()])[0]
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-6 * np.abs(want).max()


@pytest.mark.parametrize("form", FORMS)
def test_view_forms_match_torch(form):
    _check(Fn(FORMS[form]), torch.randn(1, 4, 3, 5))


class FirUpsample(nn.Module):
    """diffusers' upfirdn2d_native zero-stuffing, as SkipUpBlock2D runs it: a pad of a 6-D view
    whose unpadded dims merge to 4 (codegen/ops/pad.py)."""

    def forward(self, x):
        n, c, h, w = x.shape
        x = (x * 2).reshape(-1, h, w, 1).view(-1, h, 1, w, 1, 1)
        x = nn.functional.pad(x, [0, 0, 0, 1, 0, 0, 0, 1])
        x = x.view(-1, h * 2, w * 2, 1)
        return nn.functional.pad(x, [0, 0, 1, 2, 2, 1]).permute(0, 3, 1, 2).reshape(n, c, h * 2 + 3, w * 2 + 3)


def test_pad_of_a_6d_view_matches_torch():
    _check(FirUpsample(), torch.randn(1, 3, 4, 5))


class ClassConditioned(nn.Module):
    """A class label (an int input) picks a learned embedding added to the features, as
    UNet2DModel(num_class_embeds=...) or time_embedding_type="learned" do."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.embed = nn.Embedding(10, 4)
        self.conv = nn.Conv2d(1, 4, 3, padding=1)

    def forward(self, x, label):
        return self.conv(x) + self.embed(label)[:, :, None, None]


def test_embedding_of_an_integer_input_matches_torch():
    model, x = ClassConditioned().eval(), torch.randn(1, 1, 4, 4)
    graph = run_passes(capture(model, (x, torch.tensor([3]))), PrecisionPolicy())
    for label in (0, 7, 9):
        with torch.no_grad():
            want = model(x, torch.tensor([label])).numpy()
        got = run_graph(graph, [x.numpy(), np.array([label], dtype=np.int32)])[0]
        assert np.abs(got - want).max() <= 1e-6 * np.abs(want).max()


def test_embedding_of_several_indices_is_refused_with_the_reason():
    with pytest.raises(UnsupportedOpError, match="embedding of 2 indices"):
        capture(ClassConditioned().eval(), (torch.randn(2, 1, 4, 4), torch.tensor([3, 4])))


def test_multihead_attention_batch_first_matches_torch():
    _check(MultiHead(), torch.randn(1, 4, 4, 4))
