"""The stack high-water mark on every emulated board: the firmware paints its stack at boot and
RESET (firmware/stack_watermark.c) and STACK reports how deep it ever went. Two images per
target: the tiny fixture model, which uses little stack, and the stack probe
(tests/fixtures/stack_probe), whose RUN writes a MODEL_RUN_STACK_BYTES stack array and whose
SAMPLE holds MODEL_SAMPLE_STACK_BYTES more around its model calls. Without painting the scan
finds no pattern and reports the whole region; without scanning it reports nothing: either
fails these checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdk.compile.firmware import build_firmware
from sdk.runner import DeviceClient, Emulator
from sdk.target import isa_targets
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RUN_STACK_BYTES = 8192  # tests/fixtures/stack_probe/model.h
SAMPLE_STACK_BYTES = 16384


def fixture_defines(name: str) -> dict[str, int]:
    """The probe's #define'd sizes, read from its header so the two cannot drift apart."""
    text = (FIXTURES / name / "model.h").read_text()
    return {key: int(text.split(f"#define {key} ")[1].split("u")[0])
            for key in ("MODEL_RUN_STACK_BYTES", "MODEL_SAMPLE_STACK_BYTES")}


@pytest.fixture(scope="module", params=isa_targets())
def target(request):
    return require_target(request.param)


def open_image(target, fixture: str, out: Path):
    image = build_firmware(target, [FIXTURES / fixture / "model.c"], [FIXTURES / fixture], out)
    return image, Emulator(target, image.elf)


@pytest.fixture(scope="module")
def tiny(target, tmp_path_factory):
    image, emulator = open_image(target, "tiny_model", tmp_path_factory.mktemp("tiny"))
    with emulator as emu, DeviceClient(emu.port, timeout=2.0) as client:
        client.wait_until_ready(deadline_s=15)
        yield image, client


@pytest.fixture(scope="module")
def probe(target, tmp_path_factory):
    image, emulator = open_image(target, "stack_probe", tmp_path_factory.mktemp("probe"))
    with emulator as emu, DeviceClient(emu.port, timeout=5.0) as client:
        client.wait_until_ready(deadline_s=15)
        yield image, client


def run_tiny(client) -> None:
    client.write_input(0, np.ones((1, 1, 16, 16), np.float32))
    client.write_input(1, np.ones(1, np.float32))
    client.run()


def test_probe_sizes_match_its_header():
    assert fixture_defines("stack_probe") == {"MODEL_RUN_STACK_BYTES": RUN_STACK_BYTES,
                                              "MODEL_SAMPLE_STACK_BYTES": SAMPLE_STACK_BYTES}


def test_reserved_stack_is_the_linker_scripts(target, tiny):
    image, client = tiny
    run_tiny(client)
    stack = client.stack()
    assert stack.reserved_bytes == image.stack_bytes == target.memory["stack_bytes"]
    if not target.memory["stack_bytes"]:  # the host target: a process's stack, not measured
        assert (stack.measured, stack.used_bytes) == (False, 0)


def test_high_water_after_run_and_sample_grows_with_the_stack_used(target, tiny, probe):
    _, client = probe
    x = np.arange(16, dtype=np.float32).reshape(1, 16)
    client.write_input(0, x)
    client.run()
    np.testing.assert_array_equal(client.read_output(0), x)
    after_run = client.stack()
    client.sample(seed=3, device_noise=True, steps=2)
    after_sample = client.stack()
    if not target.memory["stack_bytes"]:  # the host target: nothing painted, nothing measured
        assert not after_run.measured and not after_sample.measured
        return

    run_tiny(tiny[1])
    small = tiny[1].stack()
    assert 0 < small.used_bytes < RUN_STACK_BYTES  # the firmware's own requests use little
    # A RUN holds the probe's array; a SAMPLE holds its own around the RUN's: both at once.
    assert after_run.reserved_bytes == after_sample.reserved_bytes == small.reserved_bytes
    assert max(RUN_STACK_BYTES, small.used_bytes) < after_run.used_bytes < after_run.reserved_bytes
    assert max(RUN_STACK_BYTES + SAMPLE_STACK_BYTES, after_run.used_bytes) < after_sample.used_bytes
    assert after_sample.used_bytes < after_sample.reserved_bytes

    client.reset()  # paints afresh: the deep calls are forgotten
    assert client.stack().used_bytes < RUN_STACK_BYTES
