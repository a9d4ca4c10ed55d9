"""Binarization: the sign op and its ReSTE gradient, BinaryConv2d's exported graph, layer
selection, binarized checkpoints, `sdk binarize` and its data parallelism."""

from __future__ import annotations

import logging
import math
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from sdk.cli import main
from sdk.compress.binarize import binarize_distill, dmd_loss
from sdk.compress.binary_layers import BinaryConv2d, binarize_model
from sdk.compress.binary_ops import RESTE_EPS
from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.train import TeacherConfig, save_checkpoint
from sdk.errors import UserError
from tests.tiny_unet import TINY, untrained_student

pytestmark = pytest.mark.unit

DEFAULT = {"down_blocks.0.conv1", "down_blocks.0.conv2", "down_blocks.1.conv1", "down_blocks.1.conv2",
           "downsamples.0", "mid.conv1", "mid.conv2", "up_blocks.0.conv1", "up_blocks.0.conv2",
           "up_blocks.1.conv1", "up_blocks.1.conv2"}


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    return untrained_student(tmp_path_factory.mktemp("teacher"))


def test_sign_is_plus_or_minus_one_and_sign_of_zero_is_plus_one():
    x = torch.tensor([-3.0, -1e-6, -0.0, 0.0, 1e-6, 2.0])
    assert torch.ops.edgediff.sign(x, 1.0).tolist() == [-1, -1, 1, 1, 1, 1]
    assert torch.ops.edgediff.sign(x.half(), 2.0).dtype == torch.float16


@pytest.mark.parametrize("o", [1.0, 2.0, 3.0])
def test_reste_gradient_is_the_derivative_of_sign_x_abs_x_to_the_1_over_o(o):
    points = [-1.5, -1.0, -0.6, -0.2, -0.05, 0.0, 0.03, 0.1, 0.4, 0.9, 1.01, 4.0]
    x = torch.tensor(points, requires_grad=True)
    upstream = torch.linspace(0.5, 2.0, len(points))
    torch.ops.edgediff.sign(x, o).backward(upstream)

    def analytic(v):  # d/dv sign(v)|v|^(1/o), capped below |v| = ε, zero outside |v| <= 1
        return 0.0 if abs(v) > 1 else (1 / o) * max(abs(v), RESTE_EPS) ** (1 / o - 1)

    expected = torch.tensor([analytic(v) for v in points]) * upstream
    torch.testing.assert_close(x.grad, expected)
    if o == 1.0:  # the clipped straight-through estimator
        torch.testing.assert_close(x.grad, torch.where(x.abs() <= 1, upstream, 0.0))
    assert math.isclose(analytic(0.0), (1 / o) * RESTE_EPS ** (1 / o - 1))


def _conv_weight(program: torch.export.ExportedProgram, x: torch.Tensor) -> torch.Tensor:
    """The weight tensor the exported graph's conv2d receives."""
    seen = {}

    class Recorder(torch.fx.Interpreter):
        def call_function(self, target, args, kwargs):
            if target is torch.ops.aten.conv2d.default:
                seen["weight"] = args[1]
            return super().call_function(target, args, kwargs)

    Recorder(program.module()).run(x)
    return seen["weight"]


def _parameter_only(program: torch.export.ExportedProgram, node: torch.fx.Node) -> bool:
    """True when every placeholder `node` depends on is a parameter (it folds to a constant)."""
    params = set(program.graph_signature.inputs_to_parameters)
    stack, placeholders = [node], set()
    while stack:
        n = stack.pop()
        if n.op == "placeholder":
            placeholders.add(n.name)
        stack.extend(n.all_input_nodes)
    return placeholders <= params


@pytest.mark.parametrize("mode", ["w1a1", "w1a16"])
def test_exported_binary_conv_is_sign_then_a_conv_with_plus_minus_alpha_weights(mode):
    torch.manual_seed(0)
    float_conv = nn.Conv2d(8, 8, 3, padding=1)
    layer = BinaryConv2d(float_conv, mode).eval()
    with torch.no_grad():
        for p in (layer.beta, layer.gamma, layer.slope, layer.zeta, layer.scale):
            if p is not None:
                p.normal_()
    x = torch.randn(2, 8, 6, 6)
    program = torch.export.export(layer, (x,))
    calls = [n for n in program.graph.nodes if n.op == "call_function"]
    conv = next(n for n in calls if n.target is torch.ops.aten.conv2d.default)
    signs = [n for n in calls if n.target is torch.ops.edgediff.sign.default]
    if mode == "w1a1":
        assert len(signs) == 1 and conv.args[0] is signs[0]
        assert signs[0].args[0].target is torch.ops.aten.sub.Tensor
        assert signs[0].args[0].args[0].name == "x"
    else:
        assert not signs and conv.args[0].name == "x"
    assert _parameter_only(program, conv.args[1])
    after = [str(n.target) for n in calls[calls.index(conv) + 1:]]
    assert after == ["aten.sub.Tensor", "aten.prelu.default", "aten.add.Tensor", "aten.mul.Tensor",
                     "aten.add.Tensor"]

    weight = _conv_weight(program, x)
    alpha = float_conv.weight.abs().mean(dim=(1, 2, 3))
    torch.testing.assert_close(weight.abs(), alpha.view(-1, 1, 1, 1).expand_as(weight), rtol=0, atol=0)
    assert torch.equal(weight > 0, float_conv.weight >= 0)
    torch.testing.assert_close(program.module()(x), layer(x))


def test_a_conv_that_changes_the_shape_has_no_shortcut():
    assert BinaryConv2d(nn.Conv2d(8, 16, 3, padding=1), "w1a1").scale is None
    assert BinaryConv2d(nn.Conv2d(8, 8, 3, stride=2, padding=1), "w1a1").scale is None
    assert BinaryConv2d(nn.Conv2d(8, 8, (1, 3), padding=(0, 1)), "w1a1").scale is not None


def test_binarize_model_replaces_exactly_the_block_and_downsample_convs():
    model = TeacherConfig(**TINY).make_model()
    names = binarize_model(model, "w1a1")
    binary = {n for n, m in model.named_modules() if isinstance(m, BinaryConv2d)}
    assert set(names) == binary == DEFAULT
    for name in ("stem", "out_conv", "down_blocks.1.skip", "up_blocks.0.skip", "up_blocks.1.skip"):
        assert type(model.get_submodule(name)) is nn.Conv2d
    assert model(torch.randn(2, 1, 16, 16), torch.tensor([999.0, 10.0])).shape == (2, 1, 16, 16)


def test_layers_that_cannot_be_binarized_warn_and_stay_float(caplog):
    model = TeacherConfig(**TINY).make_model()
    model.down_blocks[0].conv1 = nn.Conv2d(8, 8, 3, padding=1, groups=2)
    with caplog.at_level(logging.WARNING):
        names = binarize_model(model, "w1a16", ["mid.*", "time_embed.1", "down_blocks.0.conv1", "stem"])
    assert names == ["stem", "mid.conv1", "mid.conv2"]
    text = caplog.text
    for kept in ("mid.norm1", "mid.emb", "mid.norm2", "time_embed.1", "down_blocks.0.conv1"):
        assert f"{kept} cannot be binarized" in text
        assert not isinstance(model.get_submodule(kept), BinaryConv2d)
    assert "grouped and dilated" in text and "Linear has no binary form" in text
    assert "binarizing stem, which stays float by default" in text
    with pytest.raises(ValueError, match="'nothing.*' names no layer"):
        binarize_model(TeacherConfig(**TINY).make_model(), "w1a1", ["nothing.*"])


def test_dmd_loss_is_zero_on_a_match_and_blind_to_the_feature_scale():
    gen = torch.Generator().manual_seed(0)
    teacher = [torch.randn(4, 8, 16, 16, generator=gen), torch.randn(4, 16, 1, 20, generator=gen)]
    student = [f + 0.5 * torch.randn(f.shape, generator=gen) for f in teacher]
    assert float(dmd_loss(teacher, teacher)) == 0.0
    torch.testing.assert_close(dmd_loss([3 * f for f in teacher], teacher), torch.tensor(0.0))
    assert float(dmd_loss(student, teacher)) > 0.01


@pytest.mark.slow  # trains and samples
def test_binarized_checkpoint_rebuilds_its_model_and_samples(tmp_path):
    torch.manual_seed(1)
    model = TeacherConfig(**TINY).make_model()
    names = binarize_model(model, "w1a1", ["down_blocks.*.conv*", "mid.conv2"])
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    config = TeacherConfig(**TINY, binary={"mode": "w1a1", "layers": names})
    path = save_checkpoint(tmp_path / "b.pt", config, model, "student", sampling_steps=2,
                           method="binarize-w1a1")
    ckpt, loaded_config, loaded = load_checkpoint(path)
    assert loaded_config.binary == {"mode": "w1a1", "layers": names}
    x, t = torch.randn(3, 1, 16, 16), torch.tensor([999.0, 500.0, 3.0])
    torch.testing.assert_close(loaded(x, t), model.eval()(x, t), rtol=0, atol=0)
    samples = sampling.sample(loaded, sampling.plan_for("v", 2), torch.randn(3, 1, 16, 16))
    assert samples.shape == (3, 1, 16, 16) and torch.isfinite(samples).all()

    ckpt["config"].pop("binary")  # a checkpoint written before binarization existed
    del ckpt["sha256"]  # (and so before checkpoints carried a digest)
    torch.save(ckpt, path)
    with pytest.raises(UserError, match="does not match its model config"):
        load_checkpoint(path)  # its binary tensors no longer fit a float model: said, not ignored


def test_old_float_checkpoint_without_a_binary_entry_still_loads(teacher, tmp_path):
    ckpt = torch.load(teacher, weights_only=True)
    ckpt["config"].pop("binary")
    del ckpt["sha256"]  # written before checkpoints carried a digest
    torch.save(ckpt, tmp_path / "old.pt")
    assert load_checkpoint(tmp_path / "old.pt")[1].binary is None


@pytest.mark.slow  # distils a student
def test_binarize_cli_writes_a_binary_student_at_the_teachers_steps(teacher, tmp_path, capsys):
    assert main(["binarize", "--teacher", str(teacher), "--mode", "w1a1", "--iterations", "2",
                 "--batch", "8", "--out", str(tmp_path)]) == 0
    path = tmp_path / "binary_w1a1_2steps.pt"
    assert str(path) in capsys.readouterr().out.replace("\n", "")
    ckpt, config, model = load_checkpoint(path)
    assert (ckpt["kind"], ckpt["method"], ckpt["sampling_steps"]) == ("student", "binarize-w1a1", 2)
    assert config.binary["mode"] == "w1a1" and set(config.binary["layers"]) == DEFAULT
    start = load_checkpoint(teacher)[2].state_dict()
    assert not torch.equal(model.mid.conv1.weight, start["mid.conv1.weight"])  # it trained
    samples = sampling.sample(model, sampling.plan_for("v", 2), torch.randn(3, 1, 16, 16))
    assert torch.isfinite(samples).all()


def test_binarize_cli_bad_input_is_a_user_error(teacher, tmp_path, capsys):
    assert main(["binarize", "--teacher", str(teacher), "--mode", "w1a16", "--layers", "nope",
                 "--out", str(tmp_path)]) == 2
    assert "'nope' names no layer" in capsys.readouterr().out
    assert main(["binarize", "--teacher", str(teacher), "--mode", "w1a16", "--layers", "mid.norm1",
                 "--out", str(tmp_path)]) == 2
    assert "every layer named by --layers stays float" in capsys.readouterr().out


def _ddp_worker(rank: int, size: int, port: int, teacher: str, out: str):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(size))
    torch.set_num_threads(1)
    binarize_distill(teacher, "w1a1", iterations=1, out_dir=out, batch=8)
    dist.destroy_process_group()


@pytest.mark.slow  # two gloo processes
def test_two_gloo_processes_train_the_same_binary_student_as_one(tmp_path):
    config = TeacherConfig(**{**TINY, "groups": 2})
    teacher = save_checkpoint(tmp_path / "t.pt", config, config.make_model(), "student", sampling_steps=2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_ddp_worker, args=(2, port, str(teacher), str(tmp_path / "ddp")), nprocs=2, join=True)
    single = binarize_distill(teacher, "w1a1", iterations=1, out_dir=tmp_path / "one", batch=8)
    ddp = load_checkpoint(tmp_path / "ddp" / single.name)[2].state_dict()
    one = load_checkpoint(single)[2].state_dict()
    for name, value in one.items():
        torch.testing.assert_close(ddp[name], value, rtol=1e-4, atol=1e-5)
