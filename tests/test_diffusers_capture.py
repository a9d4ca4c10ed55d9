"""diffusers' UNet2DModel as a user brings it: built from its config (no download), called as
model(x, t).sample with an integer timestep, captured unchanged.

The progress list of issue #13 for diffusers models: the tiny 16×16 DownBlock2D/UpBlock2D UNet
(with and without its mid-block attention) and UNet1DModel's default blocks must capture and
match torch in the numpy interpreter (codegen/interpret.py), and the tiny UNet2DModel validate
on the host board through the serial protocol (the timestep is int32 on the wire). The
tolerance is the project's FP32 acceptance, 1e-4 of the output scale (sdk/verify/tolerance.py);
the interpreter's own error is float32 rounding over ~90 layers, orders of magnitude below.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes
from sdk.compile.build import build
from sdk.runner.board import open_board
from sdk.runner.protocol import DType
from sdk.verify.validate import validate
from tests.helpers.tools import require_target

FP32_TOLERANCE = 1e-4

TINY_UNET = """\
import torch
from diffusers import UNet2DModel

torch.manual_seed(0)
unet = UNet2DModel(sample_size=16, in_channels=1, out_channels=1, block_out_channels=(32, 64),
                   layers_per_block=1, down_block_types=("DownBlock2D", "DownBlock2D"),
                   up_block_types=("UpBlock2D", "UpBlock2D"), norm_num_groups=8,
                   add_attention={attention})


class Denoiser(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t):
        return self.unet(x, t).sample


model = Denoiser(unet)
example_input = (torch.randn(1, 1, 16, 16), torch.tensor({timestep}))
"""


def tiny_unet(timestep: str = "[500]", attention: bool = False):
    namespace: dict = {}
    exec(TINY_UNET.format(timestep=timestep, attention=attention), namespace)
    return namespace["model"].eval(), namespace["example_input"]


@pytest.mark.unit
@pytest.mark.slow
@pytest.mark.parametrize("timestep", ["[500]", "500"], ids=["shape-1", "scalar"])
@pytest.mark.parametrize("attention", [False, True], ids=["no-attention", "mid-block-attention"])
def test_tiny_unet2d_captures_and_matches_torch(timestep, attention):
    model, (x, t) = tiny_unet(timestep, attention)
    graph = run_passes(capture(model, (x, t)), PrecisionPolicy())
    assert graph.tensors[graph.inputs[1]].dtype == "i32"
    for step in (0, 1, 999):
        t = torch.full_like(t, step)
        with torch.no_grad():
            want = model(x, t).numpy()
        got = run_graph(graph, [x.numpy(), t.numpy()])[0]
        assert np.abs(got - want).max() <= FP32_TOLERANCE * np.abs(want).max()


class Sample(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t):
        return self.unet(x, t).sample


@pytest.mark.unit
@pytest.mark.slow
def test_unet1d_default_blocks_capture_and_match_torch():
    """UNet1DModel's default blocks (DownBlock1DNoSkip, DownBlock1D, AttnDownBlock1D, the 1-D
    mid block, Fourier time features): conv1d, GELU, reflect pad, a kernel built with
    new_zeros and indexed writes, 1-D attention, conv_transpose1d. extra_in_channels=64 is the
    Fourier features' width (the default 0 does not run in diffusers itself)."""
    from diffusers import UNet1DModel

    torch.manual_seed(0)
    model = Sample(UNet1DModel(extra_in_channels=64)).eval()
    x = torch.randn(1, 2, 256)
    graph = run_passes(capture(model, (x, torch.tensor([500]))), PrecisionPolicy())
    for step in (0, 999):
        t = torch.tensor([step])
        with torch.no_grad():
            want = model(x, t).numpy()
        got = run_graph(graph, [x.numpy(), t.numpy()])[0]
        assert np.abs(got - want).max() <= FP32_TOLERANCE * np.abs(want).max()


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_tiny_unet2d_validates_on_the_host_board_with_an_int32_timestep(tmp_path):
    target = require_target("host")
    model_file = tmp_path / "tiny_unet.py"
    model_file.write_text(TINY_UNET.format(timestep="[500]", attention=False))
    manifest = build(str(model_file), target.name, tmp_path / "build")
    assert [i["dtype"] for i in manifest.inputs] == ["f32", "i32"]
    with open_board(manifest, emulator=True, port=None) as client:
        assert [spec.dtype for spec in client.info.inputs] == [DType.F32, DType.I32]
        report, records = validate(manifest, client, samples=3)
        timesteps = {int(r.inputs[1].reshape(-1)[0]) for r in records}
        with pytest.raises(ValueError, match="int32 on the board"):
            client.write_input(1, np.array([2.5]))
    assert report.passed, report.to_dict()
    assert report.max_rel_error <= FP32_TOLERANCE
    assert len(timesteps) == 3  # three different timesteps went over the wire as int32


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_tiny_unet2d_with_its_ddim_scheduler_samples_on_the_host_board_as_diffusers_loop(tmp_path):
    target = require_target("host")
    model_file = tmp_path / "tiny_unet_ddim.py"
    model_file.write_text(TINY_UNET.format(timestep="[500]", attention=False)
                          + "\nfrom diffusers import DDIMScheduler\n\n"
                          + "scheduler = DDIMScheduler()\nnum_inference_steps = 4\n")
    manifest = build(str(model_file), target.name, tmp_path / "build")
    with open_board(manifest, emulator=True, port=None) as client:
        report, _ = validate(manifest, client, samples=2)
    assert report.passed, report.to_dict()
    assert report.sampler["passed"] and report.sampler["steps"] == 4, report.sampler
