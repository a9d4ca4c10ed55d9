"""Host-in-the-loop: the UNet denoiser on the emulated rv32 board, through the real serial
path (QEMU -serial pty, pyserial, framed protocol), against torch FP32."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdk.board import open_board
from sdk.build import build
from sdk.models import load_model
from sdk.runner.protocol import DeviceError, ErrorCode
from sdk.tolerance import FP32_TOLERANCE_REL
from sdk.validate import run_sample, validate

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "denoiser" / "model.py")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    return build(EXAMPLE, "rv32", tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def board(manifest):
    with open_board(manifest, emulator=True, port=None) as client:
        yield client


def test_unet_on_rv32_matches_torch(manifest, board):
    report, _ = validate(manifest, board, samples=4, seed=11)
    assert report.max_rel_error <= FP32_TOLERANCE_REL, report.per_sample
    assert report.passed
    assert report.instructions_per_inference > report.macs_per_inference > 0
    assert report.arena_bytes >= report.arena_lower_bound_bytes > 0


def test_instruction_counts_are_deterministic_and_per_layer(manifest, board):
    inputs = [x.numpy() for x in load_model(EXAMPLE).sample_inputs(1, seed=5)[0]]
    out_a, count_a = run_sample(board, inputs)
    layers_a = board.counters()
    out_b, count_b = run_sample(board, inputs)
    assert count_a == count_b and board.counters() == layers_a
    np.testing.assert_array_equal(out_a, out_b)
    assert len(layers_a) == len(manifest.layers)
    assert all(c > 0 for c in layers_a)
    # The layers are the inference: what is outside them is the marking itself.
    assert 0 < count_a - sum(layers_a) < 100 * len(layers_a)


def test_wrong_shape_gets_an_error_and_the_board_keeps_serving(board):
    with pytest.raises(DeviceError) as err:
        board.write_input(0, np.zeros((1, 1, 8, 8), dtype=np.float32))
    assert err.value.code == ErrorCode.SHAPE_MISMATCH
    with pytest.raises(DeviceError) as err:
        board.run()  # the partial, refused write must not count as an input
    assert err.value.code == ErrorCode.INPUT_INCOMPLETE
    spec = load_model(EXAMPLE)
    inputs = spec.sample_inputs(1, seed=9)[0]
    output, _ = run_sample(board, [x.numpy() for x in inputs])
    reference = spec.reference(inputs).numpy()
    assert np.abs(output - reference).max() <= FP32_TOLERANCE_REL * np.abs(reference).max()


def test_firmware_image_is_byte_identical_across_builds(manifest, tmp_path):
    again = build(EXAMPLE, "rv32", tmp_path)
    assert again.build_id == manifest.build_id
    assert Path(again.elf).read_bytes() == Path(manifest.elf).read_bytes()
