"""Rectified-flow distillation: the Euler convention, the student checkpoint, the CLI, bad input."""

from __future__ import annotations

import pytest
import torch

from sdk.cli import main
from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import QualityReport
from sdk.diffusion.reflow import flow_loss, reflow_distill, sample_time
from sdk.diffusion.schedule import CosineSchedule
from sdk.diffusion.train import TeacherConfig, save_checkpoint, train_teacher

pytestmark = pytest.mark.unit

TINY = dict(width=8, mults=[1, 2], emb_dim=16, groups=4, batch=16)


class StraightLine(torch.nn.Module):
    """The ideal flow for one pair: outputs z − x0 wherever it is asked, and checks that it
    is asked at s·999 on the line x_s = (1−s)·x0 + s·z."""

    def __init__(self, z, x0):
        super().__init__()
        self.z, self.x0 = z, x0

    def forward(self, x, t):
        s = t.view(-1, 1, 1, 1) / sampling.FLOW_TIME_SCALE
        torch.testing.assert_close(x, (1 - s) * self.x0 + s * self.z)
        return self.z - self.x0


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    return train_teacher(TeacherConfig(steps=2, prediction="v", **TINY),
                         tmp_path_factory.mktemp("teacher") / "t.pt")


@pytest.mark.parametrize("steps", [1, 2, 4])
def test_euler_on_a_straight_flow_lands_on_x0(steps):
    gen = torch.Generator().manual_seed(0)
    z, x0 = torch.randn(3, 1, 8, 8, generator=gen), torch.rand(3, 1, 8, 8, generator=gen) * 2 - 1
    model = StraightLine(z, x0)
    torch.testing.assert_close(sampling.sample(model, sampling.euler_plan(steps), z), x0)
    assert flow_loss(model, z, x0, torch.rand(3, generator=gen)) == 0


def test_time_density_covers_0_1_and_favours_the_ends():
    s = sample_time(100_000, torch.Generator().manual_seed(0))
    assert 0 <= s.min() and s.max() <= 1
    ends = ((s < 0.1) | (s > 0.9)).float().mean()
    middle = ((s > 0.4) & (s < 0.6)).float().mean()
    assert ends > 2 * middle and abs(s.mean() - 0.5) < 0.01


def test_flow_is_not_on_the_cosine_schedule():
    schedule, x = CosineSchedule(), torch.zeros(1, 1, 8, 8)
    with pytest.raises(ValueError, match="euler_plan"):
        schedule.to_x0_eps("flow", x, x, torch.zeros(1))
    with pytest.raises(ValueError, match="euler_plan"):
        schedule.target("flow", x, torch.zeros(1), x)


@pytest.mark.slow  # distils a student
def test_reflow_writes_a_flow_student_that_samples(teacher, tmp_path):
    paths = reflow_distill(teacher, steps=2, iterations=3, out_dir=tmp_path, batch=8, pairs=12,
                           teacher_steps=3)
    assert paths == [tmp_path / "reflow_2steps.pt"]
    ckpt, config, student = load_checkpoint(paths[0])
    assert ckpt["kind"] == "student" and ckpt["method"] == "reflow" and ckpt["sampling_steps"] == 2
    assert config.prediction == "flow" and config.width == TINY["width"]
    _, _, original = load_checkpoint(teacher)
    assert any(not torch.equal(a, b) for a, b in zip(student.state_dict().values(),
                                                     original.state_dict().values()))
    samples = sampling.sample(student, sampling.plan_for(config.prediction, 2), torch.randn(5, 1, 16, 16))
    assert samples.shape == (5, 1, 16, 16) and samples.abs().max() <= 1


@pytest.mark.slow  # distils a student
def test_distill_and_eval_cli_on_a_flow_student(teacher, tmp_path, monkeypatch):
    """`sdk eval` samples a flow checkpoint with Euler steps (the metric itself is stubbed:
    training its classifier takes minutes and is tested in test_diffusion.py)."""
    out = tmp_path / "reflow"
    assert main(["distill", "--method", "reflow", "--teacher", str(teacher), "--steps", "4",
                 "--start-steps", "2", "--pairs", "8", "--iterations", "2", "--batch", "4",
                 "--out", str(out)]) == 0
    evaluated = []
    monkeypatch.setattr("sdk.diffusion.evaluate.evaluate_samples",
                        lambda samples, *_: evaluated.append(samples) or QualityReport(16, *[0.0] * 6))
    ckpt = out / "reflow_4steps.pt"
    assert main(["eval", "--checkpoint", str(ckpt), "--steps", "1", "--n", "16", "--seed", "3",
                 "--png", str(tmp_path / "g.png")]) == 0
    _, _, student = load_checkpoint(ckpt)
    noise = torch.randn((16, 1, 16, 16), generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(evaluated[0], sampling.sample(student, sampling.euler_plan(1), noise))


def test_bad_input_says_what_is_wrong(teacher, tmp_path, capsys):
    with pytest.raises(ValueError, match="at least 1 Euler step"):
        reflow_distill(teacher, steps=0, iterations=1, out_dir=tmp_path)
    config = TeacherConfig(prediction="flow", **TINY)
    flow = save_checkpoint(tmp_path / "flow.pt", config, config.make_model(), "student")
    with pytest.raises(ValueError, match="already a flow model"):
        reflow_distill(flow, steps=1, iterations=1, out_dir=tmp_path)
    assert main(["distill", "--method", "reflow", "--teacher", str(flow), "--steps", "1",
                 "--out", str(tmp_path)]) == 2
    assert "already a flow model" in " ".join(capsys.readouterr().out.split())
