"""An integer input that indexes an embedding is drawn only up to the embedding's last row
(sdk/models/integer_inputs.py), so validation never asks torch for a row that is not there."""

from __future__ import annotations

import pytest
import torch

from sdk.models import load_model

pytestmark = [pytest.mark.unit]

LABELLED = """
import torch
from torch import nn

torch.manual_seed(0)


class Labelled(nn.Module):
    def __init__(self):
        super().__init__()
        self.classes = nn.Embedding(10, 4)
        self.conv = nn.Conv2d(1, 4, 3, padding=1)

    def forward(self, x, label, t):
        return self.conv(x) + self.classes(label).reshape(1, 4, 1, 1) + t.float().reshape(1, 1, 1, 1)


model = Labelled().eval()
example_input = (torch.randn(1, 1, 4, 4), torch.tensor([7]), torch.tensor([6]))
"""


def test_a_class_label_is_drawn_within_its_embedding_and_a_plain_integer_up_to_twice_its_example(tmp_path):
    """label 7 of 10 classes would be drawn up to 14 by the twice-the-example rule: it stays
    within 0..9; the third input (no embedding behind it) keeps twice its example, 0..12."""
    path = tmp_path / "labelled.py"
    path.write_text(LABELLED)
    spec = load_model(str(path))
    drawn = spec.sample_inputs(400, 3)
    labels = torch.cat([x[1] for x in drawn])
    others = torch.cat([x[2] for x in drawn])
    assert int(labels.max()) == 9 and int(labels.min()) == 0
    assert int(others.max()) == 12
    for x in drawn[:20]:
        spec.reference(x)  # torch finds every row it is asked for


TIMED = """
import torch
from torch import nn


class Timed(nn.Module):
    def forward(self, x, t):
        return x * t


model = Timed().eval()
example_input = (torch.randn(1, 1, 4, 4), torch.tensor([{t}]))
time_steps = 10
"""


@pytest.mark.parametrize("t", ["3.0", "7"])
def test_a_timestep_the_model_declares_whole_is_drawn_from_0_to_time_steps(tmp_path, t):
    """`time_steps = 10`: a float timestep (an int8 build looks its time path up in tables of
    10 rows) is drawn from the whole values 0..9, not as Gaussian noise around the example; an
    integer one no higher than 9 (twice the example would reach 14)."""
    path = tmp_path / "timed.py"
    path.write_text(TIMED.replace("{t}", t))
    spec = load_model(str(path))
    times = torch.cat([x[1] for x in spec.sample_inputs(300, 1)])
    assert times.dtype == (torch.float32 if "." in t else torch.int64)
    assert torch.equal(torch.unique(times).double(), torch.arange(10).double())
