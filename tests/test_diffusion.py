"""Diffusion building blocks: schedule algebra, DDIM grid, checkpoints, the quality metric."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from sdk.cli import main
from sdk.data.datasets import load_dataset
from sdk.diffusion import ddim, sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import evaluate_samples
from sdk.diffusion.schedule import CosineSchedule
from sdk.diffusion.train import TeacherConfig, save_checkpoint, train_teacher
from sdk.errors import UserError

pytestmark = pytest.mark.unit

TINY = dict(width=8, mults=[1, 2], emb_dim=16, groups=4, batch=16)


@pytest.mark.parametrize("prediction", ["eps", "v"])
def test_parametrisations_recover_x0_and_noise(prediction):
    schedule = CosineSchedule()
    x0, noise = torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8)
    t = torch.tensor([0.0, 10.0, 500.0, 999.0])
    x_t = schedule.add_noise(x0, t, noise)
    target = schedule.target(prediction, x0, t, noise)
    got_x0, got_eps = schedule.to_x0_eps(prediction, target, x_t, t)
    torch.testing.assert_close(got_eps, noise, rtol=0, atol=2e-3)
    torch.testing.assert_close(got_x0[:3], x0[:3], rtol=0, atol=2e-3)  # at t=999 x0 is ill-posed


def test_ddim_grid_and_impossible_step_counts():
    schedule = CosineSchedule()
    assert ddim.timesteps(schedule, 4) == [999.0, 749.0, 499.0, 249.0]
    for bad in (0, 1001):
        with pytest.raises(ValueError, match="cannot be sampled in"):
            ddim.timesteps(schedule, bad)


def test_checkpoint_that_does_not_match_its_config_says_which_tensors(tmp_path):
    config = TeacherConfig(**TINY)
    path = save_checkpoint(tmp_path / "a.pt", config, config.make_model(), "teacher")
    ckpt = torch.load(path, weights_only=True)
    ckpt["config"]["width"] = 16
    del ckpt["sha256"]  # an undigested file (older, or edited by hand and re-saved): its config is checked
    torch.save(ckpt, path)
    with pytest.raises(UserError, match=r"does not match its model config \(width=16.*stem.weight"):
        load_checkpoint(path)


@pytest.mark.slow  # trains
def test_train_writes_a_checkpoint_that_samples(tmp_path):
    out = train_teacher(TeacherConfig(steps=3, **TINY), tmp_path / "teacher.pt")
    ckpt, config, model = load_checkpoint(out)
    assert ckpt["kind"] == "teacher" and config.steps == 3
    samples = sampling.sample(model, sampling.plan_for(config.prediction, 4), torch.randn(2, 1, 16, 16))
    assert samples.shape == (2, 1, 16, 16) and samples.abs().max() <= 1


@pytest.mark.slow  # trains
def test_mnist1d_teacher_trains_on_signals_and_samples_them(tmp_path):
    ckpt, config, model = load_checkpoint(train_teacher(TeacherConfig(dataset="mnist1d", steps=2, **TINY),
                                                        tmp_path / "m.pt"))
    samples = sampling.sample(model, sampling.plan_for(config.prediction, 2), torch.randn(3, *config.sample_shape))
    assert config.sample_shape == (1, 1, 40) and samples.shape == (3, 1, 1, 40)


@pytest.mark.slow  # trains the feature classifier
def test_quality_metric_orders_real_noisy_and_noise(tmp_path):
    data, _ = load_dataset("digits16")
    gen = torch.Generator().manual_seed(0)
    real = data[torch.randperm(len(data), generator=gen)[:256]]
    noisy = (real + 0.3 * torch.randn(real.shape, generator=gen)).clamp(-1, 1)
    noise = torch.randn(real.shape, generator=gen).clamp(-1, 1)
    reports = [evaluate_samples(x, "digits16", tmp_path) for x in (real, noisy, noise)]
    assert reports[0].classifier_test_accuracy > 0.9
    assert reports[0].fd < reports[1].fd < reports[2].fd
    assert reports[0].kid < reports[2].kid
    assert abs(reports[0].kid) < 0.05 and reports[0].classes_covered == 10
    assert reports[0].memorised_fraction > 0.9 and reports[2].memorised_fraction == 0.0


@pytest.mark.slow  # trains the feature classifier
def test_eval_cli_prints_the_metric_and_writes_a_grid(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGEDIFF_EVAL_CACHE", str(tmp_path / "cache"))
    ckpt = train_teacher(TeacherConfig(steps=2, **TINY), tmp_path / "t.pt")
    code = main(["eval", "--checkpoint", str(ckpt), "--steps", "2", "--n", "32",
                 "--png", str(tmp_path / "g.png"), "--json", str(tmp_path / "q.json")])
    assert code == 0
    assert (tmp_path / "g.png").stat().st_size > 0 and "fd" in (tmp_path / "q.json").read_text()
    # Samples made elsewhere (a board's .npy) are measured the same way; a wrong shape is refused.
    np.save(tmp_path / "s.npy", np.zeros((32, 1, 16, 16), np.float32))
    assert main(["eval", "--checkpoint", str(ckpt), "--samples", str(tmp_path / "s.npy"),
                 "--png", str(tmp_path / "s.png"), "--json", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["samples"] == 32
    np.save(tmp_path / "bad.npy", np.zeros((4, 1, 8, 8), np.float32))
    assert main(["eval", "--checkpoint", str(ckpt), "--samples", str(tmp_path / "bad.npy")]) == 2
    assert "shaped (1, 8, 8)" in capsys.readouterr().out


def test_progressive_target_makes_one_step_land_on_the_teacher():
    from sdk.diffusion.progressive import _ddim_to, distillation_target

    schedule = CosineSchedule()
    x_t, x_next = torch.randn(3, 1, 8, 8), torch.randn(3, 1, 8, 8)
    t, t_next = torch.tensor([999.0, 499.0, 249.0]), torch.tensor([499.0, 249.0, -1.0])
    x0 = distillation_target(schedule, x_t, x_next, t, t_next)
    # Express that x0 as an ε-prediction and take the student's single DDIM step.
    ab = schedule.alpha_bar(t).view(-1, 1, 1, 1)
    eps_output = (x_t - ab.sqrt() * x0) / (1 - ab).sqrt()
    torch.testing.assert_close(_ddim_to(schedule, "eps", eps_output, x_t, t, t_next), x_next,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.slow  # trains
def test_progressive_distillation_halves_steps_round_by_round(tmp_path):
    from sdk.diffusion.progressive import progressive_distill

    teacher = train_teacher(TeacherConfig(steps=2, prediction="v", **TINY), tmp_path / "t.pt")
    paths = progressive_distill(teacher, start_steps=8, final_steps=2, iterations=2,
                                out_dir=tmp_path / "pd", batch=8)
    assert [p.name for p in paths] == ["student_4steps.pt", "student_2steps.pt"]
    ckpt, _, student = load_checkpoint(paths[-1])
    assert ckpt["kind"] == "student" and ckpt["sampling_steps"] == 2
    with pytest.raises(ValueError, match="powers of two"):
        progressive_distill(teacher, start_steps=6, final_steps=2, iterations=1, out_dir=tmp_path)
