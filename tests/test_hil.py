"""Host-in-the-loop: the UNet denoiser on every target in both precisions, through the
real serial path (emulator pty or host pty, pyserial, framed protocol), against torch FP32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdk.compile.build import build
from sdk.compile.precision import load_policy
from sdk.models import load_model
from sdk.runner.board import open_board
from sdk.runner.protocol import DeviceError, ErrorCode
from sdk.target import isa_targets
from sdk.verify.validate import run_sample, validate
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "denoiser" / "model.py")
# Goal of the FP16 build: the denoised output within 40 dB of the FP32 output (PSNR over the
# output's dynamic range), on top of the derived per-element tolerance validate() applies.
FP16_MIN_PSNR_DB = 40.0


@pytest.fixture(scope="module", params=[(t, p) for t in isa_targets() for p in ("fp32", "fp16")],
                ids=lambda tp: f"{tp[0]}-{tp[1]}")
def config(request):
    return require_target(request.param[0]), request.param[1]


@pytest.fixture(scope="module")
def manifest(config, tmp_path_factory):
    target, precision = config
    return build(EXAMPLE, target.name, tmp_path_factory.mktemp("build"), load_policy(precision))


@pytest.fixture(scope="module")
def board(manifest):
    with open_board(manifest, emulator=True, port=None) as client:
        yield client


def test_unet_matches_torch(manifest, board):
    report, _ = validate(manifest, board, samples=3, seed=11)
    assert report.passed, report.per_sample
    assert report.max_rel_error <= report.tolerance_rel
    if manifest.precision.startswith("fp16"):
        assert report.min_psnr_db >= FP16_MIN_PSNR_DB
    assert report.instructions_per_inference > 0
    assert report.arena_bytes >= report.arena_lower_bound_bytes > 0
    # The model's stack, painted at boot and scanned after the RUNs: used, and within the
    # linker script's reservation (the host target's stack is the process's: not measured).
    ram = report.ram
    if manifest.stack_bytes:
        assert 0 < report.stack_bytes == ram["stack_used_bytes"] < ram["stack_reserved_bytes"]
        assert ram["stack_reserved_bytes"] == manifest.stack_bytes
        assert report.ram_bytes == manifest.data_bytes + manifest.bss_bytes + report.stack_bytes
    else:
        assert report.stack_bytes is None and ram["stack_used_bytes"] is None


def test_counts_are_per_layer_and_deterministic(config, manifest, board):
    inputs = [x.numpy() for x in load_model(EXAMPLE).sample_inputs(1, seed=5)[0]]
    out_a, count_a = run_sample(board, inputs)
    layers_a = board.counters()
    out_b, count_b = run_sample(board, inputs)
    np.testing.assert_array_equal(out_a, out_b)
    assert len(layers_a) == len(manifest.layers) and all(c > 0 for c in layers_a)
    assert sum(layers_a) <= count_a
    if config[0].counter_deterministic:
        assert count_a == count_b and board.counters() == layers_a
        # The layers are the inference: what is outside them is the marking itself.
        assert count_a - sum(layers_a) < 100 * len(layers_a)


def test_wrong_shape_gets_an_error_and_the_board_keeps_serving(manifest, board):
    with pytest.raises(DeviceError) as err:
        board.write_input(0, np.zeros((1, 1, 8, 8), dtype=np.float32))
    assert err.value.code == ErrorCode.SHAPE_MISMATCH
    with pytest.raises(DeviceError) as err:
        board.run()  # the refused write must not count as an input
    assert err.value.code == ErrorCode.INPUT_INCOMPLETE
    report, _ = validate(manifest, board, samples=1, seed=9)
    assert report.passed


def test_firmware_image_is_byte_identical_across_builds(config, manifest, tmp_path):
    target, precision = config
    again = build(EXAMPLE, target.name, tmp_path, load_policy(precision))
    assert again.build_id == manifest.build_id
    assert Path(again.elf).read_bytes() == Path(manifest.elf).read_bytes()
