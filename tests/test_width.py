"""Width distillation: its two auxiliary losses, the checkpoint it writes, the CLI, DDP."""

from __future__ import annotations

import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from sdk.cli import main
from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.train import TeacherConfig, save_checkpoint
from sdk.diffusion.width import _slice_init, feature_loss, spectral_loss, width_distill
from tests.tiny_unet import TINY, untrained_student

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    return untrained_student(tmp_path_factory.mktemp("teacher"))


def test_feature_loss_is_zero_on_a_match_and_invariant_to_the_teacher_scale():
    gen = torch.Generator().manual_seed(0)
    teacher = [torch.randn(4, 8, 16, 16, generator=gen), torch.randn(4, 16, 8, 8, generator=gen)]
    student = [f + 0.3 * torch.randn(f.shape, generator=gen) for f in teacher]
    loss = feature_loss(student, teacher)
    assert float(feature_loss(teacher, teacher)) == 0.0
    assert float(loss) > 0.1
    for c in (1e-3, 50.0):
        torch.testing.assert_close(feature_loss([c * f for f in student], [c * f for f in teacher]), loss)


def test_spectral_loss_is_zero_on_a_match_and_weights_weak_frequencies_up():
    y, x = torch.meshgrid(torch.arange(16.0), torch.arange(16.0), indexing="ij")
    teacher = torch.cos(2 * torch.pi * x / 16)[None, None]  # all its energy at one frequency
    at_strong = 0.1 * torch.cos(2 * torch.pi * x / 16)[None, None]
    at_weak = 0.1 * torch.cos(2 * torch.pi * y / 16)[None, None]  # same pixel MSE, empty bin
    strong, weak = (float(spectral_loss(teacher + e, teacher)) for e in (at_strong, at_weak))
    assert float(spectral_loss(teacher, teacher)) == 0.0
    assert 0 < strong and weak > 10 * strong


def test_slice_init_keeps_evenly_spaced_channels(teacher):
    model = load_checkpoint(teacher)[2]
    student = TeacherConfig(**{**TINY, "width": 4}).make_model()
    _slice_init(student, model)
    torch.testing.assert_close(student.stem.weight, model.stem.weight[::2])
    # The level-0 up block sees cat([upsampled 8, skip 4]) channels out of the teacher's (16, 8).
    keep = torch.cat([torch.arange(0, 16, 2), torch.arange(16, 24, 2)])
    torch.testing.assert_close(student.up_blocks[1].conv1.weight,
                               model.up_blocks[1].conv1.weight[::2][:, keep])


@pytest.mark.slow  # distils a student
def test_width_distill_writes_a_narrower_student_at_the_teachers_steps(teacher, tmp_path):
    (path,) = width_distill(teacher, 4, iterations=2, out_dir=tmp_path, batch=8, spectral=1.0,
                            feature_weight=0.1)
    ckpt, config, model = load_checkpoint(path)
    assert path.name == "width4_2steps.pt"
    assert (ckpt["kind"], ckpt["method"], ckpt["sampling_steps"]) == ("student", "width", 2)
    assert config.width == 4 and model.stem.out_channels == 4
    samples = sampling.sample(model, sampling.plan_for(config.prediction, 2), torch.randn(3, 1, 16, 16))
    assert samples.shape == (3, 1, 16, 16) and torch.isfinite(samples).all()


@pytest.mark.slow  # distils a student
def test_a_teacher_without_sampling_steps_is_followed_at_50_ddim_steps(tmp_path):
    config = TeacherConfig(**TINY)
    path = save_checkpoint(tmp_path / "t.pt", config, config.make_model(), "teacher")
    (out,) = width_distill(path, 4, iterations=1, out_dir=tmp_path, batch=8)
    assert load_checkpoint(out)[0]["sampling_steps"] == 50


@pytest.mark.slow  # distils a student
def test_distill_cli_width(teacher, tmp_path):
    code = main(["distill", "--method", "width", "--teacher", str(teacher), "--width", "4",
                 "--iterations", "2", "--batch", "8", "--spectral", "0.5", "--out", str(tmp_path)])
    assert code == 0
    assert load_checkpoint(tmp_path / "width4_2steps.pt")[0]["spectral"] == 0.5


@pytest.mark.parametrize("width, why", [(8, "narrower than its teacher"), (12, "narrower"),
                                        (0, "at least 1"), (6, "multiple of the teacher's 4 GroupNorm")])
def test_bad_widths_say_why(teacher, tmp_path, width, why):
    with pytest.raises(ValueError, match=why):
        width_distill(teacher, width, iterations=1, out_dir=tmp_path)


def test_distill_cli_turns_a_bad_width_into_a_user_error(teacher, tmp_path, capsys):
    assert main(["distill", "--method", "width", "--teacher", str(teacher), "--width", "6",
                 "--out", str(tmp_path)]) == 2
    assert "GroupNorm" in capsys.readouterr().out


def _ddp_worker(rank: int, size: int, port: int, teacher: str, out: str):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(size))
    torch.set_num_threads(1)
    width_distill(teacher, 4, iterations=2, out_dir=out, batch=8, spectral=1.0, feature_weight=0.1,
                  ema_decay=0.0)
    dist.destroy_process_group()


@pytest.mark.slow  # two gloo processes
def test_two_gloo_processes_train_the_same_student_as_one(tmp_path):
    # Two channels per GroupNorm group: with one, a bias before the norm has no gradient
    # and Adam's first step would amplify the all-reduce's rounding into a sign.
    config = TeacherConfig(**{**TINY, "groups": 2})
    teacher = save_checkpoint(tmp_path / "t.pt", config, config.make_model(), "student",
                              sampling_steps=2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_ddp_worker, args=(2, port, str(teacher), str(tmp_path / "ddp")), nprocs=2, join=True)
    (single,) = width_distill(teacher, 4, iterations=2, out_dir=tmp_path / "one", batch=8,
                              spectral=1.0, feature_weight=0.1, ema_decay=0.0)
    ddp = load_checkpoint(tmp_path / "ddp" / single.name)[2].state_dict()
    one = load_checkpoint(single)[2].state_dict()
    start = TeacherConfig(**{**TINY, "groups": 2, "width": 4}).make_model()
    _slice_init(start, load_checkpoint(teacher)[2])
    assert any(not torch.equal(v, start.state_dict()[k]) for k, v in one.items())  # it trained
    for name, value in one.items():
        torch.testing.assert_close(ddp[name], value, rtol=1e-4, atol=1e-5)
