"""diffusers' UNets in their common configurations build and validate on the boards as a
user brings them: each model file builds the UNet from its config (no download) and only
wraps it to return `.sample`; `sdk build` and `sdk validate` run through the CLI.

The acceptance matrix of issue #13, item 4, kept affordable (16×16 images, 64-sample
signals, narrow channels, one layer per block):
- `down-up-2d`: UNet2DModel with DownBlock2D/UpBlock2D and no attention;
- `attn-2d`: UNet2DModel with AttnDownBlock2D/AttnUpBlock2D and its default mid-block
  attention;
- `default-1d`: UNet1DModel's default blocks (DownBlock1DNoSkip, DownBlock1D,
  AttnDownBlock1D, UNetMidBlock1D, AttnUpBlock1D, UpBlock1D, UpBlock1DNoSkip; Fourier time
  features concatenated to the input). Its attention has channels // 32 heads, so 32 channels
  is the narrowest it runs; `extra_in_channels` must be the Fourier features' width
  (2 × block_out_channels[0]) or diffusers itself cannot run the default;
- `rl-1d`: the value-guided RL configuration (DownResnetBlock1D/UpResnetBlock1D,
  MidResTemporalBlock1D, OutConv1DBlock, Mish, a positional time embedding with its MLP).

On rv32 FP32 every output is within 1e-4 of the output scale; on cortex-m55 and rv32v FP16
within the tolerance sdk/verify/tolerance.py derives from the build's layers. Three
validation inputs per case (each a timestep drawn from 0 to 999 and Gaussian samples).

Time per case (build + flash + validate on a shared 2-core machine, varying with its load):
rv32 FP32 60–260 s (the 1-D configurations the longest: a 1.5 MB FP32 image to flash),
cortex-m55 FP16 30–80 s, rv32v FP16 45–75 s; 10–18 minutes for the matrix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdk.cli import main
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FP32_TOLERANCE = 1e-4
WRAP = """

class Sample(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t):
        return self.unet(x, t).sample


model = Sample(unet)
"""

MODELS = {
    "down-up-2d": """\
import torch
from diffusers import UNet2DModel

torch.manual_seed(0)
unet = UNet2DModel(sample_size=16, in_channels=1, out_channels=1, block_out_channels=(16, 32),
                   layers_per_block=1, down_block_types=("DownBlock2D", "DownBlock2D"),
                   up_block_types=("UpBlock2D", "UpBlock2D"), norm_num_groups=8, add_attention=False)
example_input = (torch.randn(1, 1, 16, 16), torch.tensor([500]))
""",
    "attn-2d": """\
import torch
from diffusers import UNet2DModel

torch.manual_seed(0)
unet = UNet2DModel(sample_size=16, in_channels=1, out_channels=1, block_out_channels=(16, 32),
                   layers_per_block=1, down_block_types=("DownBlock2D", "AttnDownBlock2D"),
                   up_block_types=("AttnUpBlock2D", "UpBlock2D"), norm_num_groups=8,
                   attention_head_dim=8)
example_input = (torch.randn(1, 1, 16, 16), torch.tensor([500]))
""",
    "default-1d": """\
import torch
from diffusers import UNet1DModel

torch.manual_seed(0)
unet = UNet1DModel(sample_size=64, in_channels=2, out_channels=2, block_out_channels=(32, 32, 32),
                   extra_in_channels=64)
example_input = (torch.randn(1, 2, 64), torch.tensor([500]))
""",
    "rl-1d": """\
import torch
from diffusers import UNet1DModel

torch.manual_seed(0)
unet = UNet1DModel(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(16, 32, 64),
                   down_block_types=("DownResnetBlock1D",) * 3, up_block_types=("UpResnetBlock1D",) * 2,
                   mid_block_type="MidResTemporalBlock1D", out_block_type="OutConv1DBlock",
                   act_fn="mish", time_embedding_type="positional", use_timestep_embedding=True,
                   flip_sin_to_cos=False, freq_shift=1.0, layers_per_block=1, norm_num_groups=8)
example_input = (torch.randn(1, 4, 64), torch.tensor([500]))
""",
}

TARGETS = [("rv32", "fp32"), ("cortex-m55", "fp16"), ("rv32v", "fp16")]


def build_and_validate(tmp_path: Path, source: str, target: str, precision: str) -> tuple[int, dict]:
    model = tmp_path / "model.py"
    model.write_text(source + WRAP)
    root = str(tmp_path / "build")
    assert main(["--build-dir", root, "build", "--target", target, "--precision", precision,
                 "--model", str(model)]) == 0
    code = main(["--build-dir", root, "validate", "--target", target, "--emulator", "--samples", "3"])
    return code, json.loads((tmp_path / "build" / target / "validate.json").read_text())


@pytest.mark.parametrize("target,precision", TARGETS, ids=[f"{t}-{p}" for t, p in TARGETS])
@pytest.mark.parametrize("config", list(MODELS))
def test_diffusers_unet_validates_on_the_board(tmp_path, config, target, precision):
    require_target(target)
    code, report = build_and_validate(tmp_path, MODELS[config], target, precision)
    print(f"{config} {target} {precision}: max error / output scale {report['max_rel_error']:.3e}"
          f" (limit {report['tolerance_rel']:.3e}), {report['instructions_per_inference']:,} instructions,"
          f" arena {report['arena_bytes']:,} B, flash {report['flash_bytes']:,} B")
    assert code == 0 and report["passed"], report
    if precision == "fp32":
        assert report["max_rel_error"] <= FP32_TOLERANCE
