"""The sign-flip envelope that bounds a W1A1 FP16 build (sdk/verify/flip_envelope.py): it moves
only borderline signs, is zero where nothing is binary, and a W1A1 FP16 build on a board
validates within it while a wrong output does not."""

from __future__ import annotations

import pytest
import torch

from sdk.compile.build import build
from sdk.compile.precision import load_policy
from sdk.compress.binary_layers import binarize_model
from sdk.diffusion.train import TeacherConfig, save_checkpoint
from sdk.runner.board import open_board
from sdk.runner.client import DeviceClient
from sdk.verify.flip_envelope import BorderlineSigns, call_envelope, takes_half_signs
from sdk.verify.tolerance import output_tolerance
from sdk.verify.validate import validate
from tests.tiny_unet import TINY


@pytest.mark.unit
def test_only_signs_within_the_margin_are_redrawn():
    x = torch.linspace(-1, 1, 2001)
    plain = torch.ops.edgediff.sign(x, 1.0)
    with BorderlineSigns(0.1, torch.Generator().manual_seed(0)):
        drawn = torch.ops.edgediff.sign(x, 1.0)
    outside = x.abs() >= 0.1
    torch.testing.assert_close(drawn[outside], plain[outside], rtol=0, atol=0)
    inside = drawn[~outside]
    assert set(inside.tolist()) == {-1.0, 1.0}
    assert (inside != plain[~outside]).sum() > 0.3 * inside.numel()  # a fair coin, not a copy


@pytest.mark.unit
def test_a_model_without_signs_has_no_envelope():
    model = torch.nn.Conv2d(1, 4, 3, padding=1)
    inputs = [torch.randn(1, 1, 8, 8) for _ in range(3)]
    assert call_envelope([lambda x=x: model(x) for x in inputs], margin_rel=0.5) == 0.0


@pytest.mark.unit
def test_only_sign_ops_on_half_values_take_the_envelope():
    layer = dict(name="s", op="sign_pack", dtype="u32", accumulation=1)
    assert takes_half_signs([{**layer, "function": "sign_pack_f16_mve", "input_dtype": "f16"}])
    assert not takes_half_signs([{**layer, "function": "sign_pack_f32", "input_dtype": "f32"}])
    assert not takes_half_signs([dict(layer, op="conv2d", function="conv2d_f16", input_dtype="f16")])


@pytest.fixture(scope="module")
def w1a1_fp16(tmp_path_factory):
    """A W1A1 student built in FP16 for the host board (perturbed weights so signs vary).
    Untrained binary networks are chaotic (each binary layer's output is a sum of ±alpha):
    with every default layer binary their envelope exceeds the output scale, so one binary
    layer keeps the check sharp (envelope ~0.3; a trained W1A1 UNet's is ~0.4)."""
    root = tmp_path_factory.mktemp("w1a1")
    torch.manual_seed(0)
    model = TeacherConfig(**TINY).make_model()
    names = binarize_model(model, "w1a1", ["mid.conv2"])
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    config = TeacherConfig(**TINY, binary={"mode": "w1a1", "layers": names})
    path = save_checkpoint(root / "binary_w1a1_2steps.pt", config, model, "student", sampling_steps=2,
                           method="binarize-w1a1")
    return build(str(path), "host", root / "build", load_policy("fp16"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_w1a1_fp16_build_validates_within_the_envelope(w1a1_fp16):
    with open_board(w1a1_fp16, emulator=True, port=None) as client:
        report, _ = validate(w1a1_fp16, client, samples=4, seed=0)
    assert takes_half_signs(w1a1_fp16.layers)
    assert report.tolerance_rel > output_tolerance(w1a1_fp16.layers)  # the envelope was added
    assert report.passed, (report.max_rel_error, report.tolerance_rel)
    assert report.sampler["passed"]


class SignFlippedOutput(DeviceClient):
    """A board whose outputs come back negated: a wrong kernel the envelope must not hide."""

    def read_output(self, index: int = 0):
        return -super().read_output(index)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_a_wrong_output_fails_despite_the_envelope(w1a1_fp16):
    with open_board(w1a1_fp16, emulator=True, port=None) as client:
        client.__class__ = SignFlippedOutput
        report, _ = validate(w1a1_fp16, client, samples=4, seed=0)
    assert not report.passed and report.max_rel_error > report.tolerance_rel
