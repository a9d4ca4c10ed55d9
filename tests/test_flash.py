"""Flashing through the serial bootloader on the emulated boards, over QEMU's real pty:
end to end on rv32 (persistent CFI pflash files) and cortex-m55 (RAM stand-in), the app's way
back to the bootloader, a corrupted body refused, a CRC mismatch reported, `sdk flash` output,
and power cuts: QEMU killed at random points of a transfer, the board started again from its
flash files, which must come back in the bootloader or in a complete old or new image.

Images are the tiny fixture model (out = 2*x + t, exact), so a board that answers with an app
build id is also made to compute, proving the image is complete, not merely its header."""

from __future__ import annotations

import os
import re
import random
import shutil
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from sdk import cli
from sdk.board_files import board_dir, start_board
from sdk.build import BuildManifest
from sdk.firmware_build import build_firmware
from sdk.runner import DeviceClient, DeviceError, ErrorCode, MsgType
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH, Flasher
from sdk.runner.image import make_image
from sdk.target import load_target

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
X_SHAPE = (1, 1, 16, 16)
POWER_CUTS = 6
CUT_SEED = int(os.environ.get("EDGEDIFF_CUT_SEED", "4"))  # another seed: other cut points


def need(target_name: str):
    target = load_target(target_name)
    if target.missing_tools():
        pytest.skip(f"{target.name} needs {', '.join(target.missing_tools())}: {target.install_command()}")
    return target


def app(target, out: Path, variant: int = 0):
    """The fixture app; variant > 0 changes one source byte-wise, so its build id differs."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for header in ("model.h", "sampler.h"):
        shutil.copy(FIXTURE / header, src / header)
    (src / "model.c").write_text((FIXTURE / "model.c").read_text() + f"\n/* variant {variant} */\n")
    image = build_firmware(target, [src / "model.c"], [src], out / "fw", reuse=True)
    return image, make_image(image.elf, target.name, image.build_id)


def client_for(emu) -> DeviceClient:
    return DeviceClient(emu.port, timeout=2.0, retries=3)


def computes_exactly(client: DeviceClient, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    x, t = rng.standard_normal(X_SHAPE).astype(np.float32), rng.standard_normal(1).astype(np.float32)
    client.write_input(0, x)
    client.write_input(1, t)
    client.run()
    np.testing.assert_array_equal(client.read_output(0), 2 * x + t)


@pytest.fixture(scope="module")
def rv32():
    return need("rv32")


@pytest.fixture(scope="module")
def rv32_apps(rv32, tmp_path_factory):
    root = tmp_path_factory.mktemp("apps")
    return app(rv32, root / "old", 1), app(rv32, root / "new", 2)


def test_flash_boots_and_board_keeps_the_app_across_restarts(rv32, rv32_apps, tmp_path):
    (_, old), (_, new) = rv32_apps
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH  # a new board
        report = Flasher(client).flash(new)
        assert report.programmed_bytes == len(new.body) and report.skipped_bytes == 0
        assert client.hello().build_id == new.build_id
        computes_exactly(client)
    # Power up again from the same flash files: the bootloader boots the stored app by itself.
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).build_id == new.build_id
        computes_exactly(client, 1)
        # The app goes back to the bootloader on request (no power cycle), which stays there.
        client.request(MsgType.BOOTLOADER)
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        again = Flasher(client).flash(new)  # the same image: nothing to write
        assert again.already_current and again.programmed_bytes == 0
        assert client.hello().build_id == new.build_id
        report = Flasher(client).flash(old)  # another image over it, from the running app
        assert report.erased_sectors >= 1 and client.hello().build_id == old.build_id


def test_corrupted_body_is_refused_and_board_stays_reachable(rv32, rv32_apps, tmp_path):
    (_, old), _ = rv32_apps
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(old)
    flash1 = board_dir(tmp_path) / "flash1.img"
    with open(flash1, "r+b") as f:  # one bit of the body, as a worn cell or a stray write would
        f.seek(rv32.bootloader.flash_sector + len(old.body) // 2)
        byte = f.read(1)[0]
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte ^ 0x10]))
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        flasher = Flasher(client)
        info = flasher.info()
        assert not info.has_image and "CRC" in info.state_text and info.build_id == old.build_id
        with pytest.raises(DeviceError) as error:
            client.request(MsgType.BOOT)
        assert error.value.code == ErrorCode.NO_IMAGE and "CRC" in error.value.text
        report = flasher.flash(old)  # reflashing repairs it
        assert report.erased_sectors == 1 and client.hello().build_id == old.build_id


def test_verify_mismatch_is_reported(rv32, rv32_apps, tmp_path):
    (_, old), (_, new) = rv32_apps
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        flasher = Flasher(client)
        flasher.erase(0, len(old.body))
        for offset in range(0, len(old.body), 1016):
            flasher.program(offset, old.body[offset:offset + 1016])
        # The header of another image over this body: the bootloader computes the body's CRC.
        with pytest.raises(DeviceError) as error:
            flasher.commit(new.header)
        assert error.value.code == ErrorCode.VERIFY
        assert f"the header says {new.body_crc:#010x}" in error.value.text
        # Programming over data that is not erased is refused too (NOR rules, on every board).
        changed = bytes([old.body[0] ^ 0xFF]) + old.body[1:4]
        with pytest.raises(DeviceError) as error:
            flasher.program(0, changed)
        assert error.value.code == ErrorCode.FLASH and "not erased" in error.value.text
        assert flasher.info().state_text == "no image header"


def test_sdk_flash_reports_progress_bytes_and_rate(rv32, rv32_apps, tmp_path, capsys, monkeypatch):
    from rich.console import Console
    monkeypatch.setattr(cli, "console", Console(width=200, force_terminal=False))
    (image, flash_image), _ = rv32_apps
    root = tmp_path / "build"
    (root / "rv32").mkdir(parents=True)
    shutil.copy(image.elf, root / "rv32" / "firmware.elf")
    BuildManifest(target="rv32", model="tiny", model_name="tiny", model_hash="0000000000f1c7e5",
                  precision="fp32", precision_policy={"default": "fp32", "layers": {}}, kernels="reference",
                  build_id=image.build_id, elf=str(root / "rv32" / "firmware.elf"), arena_bytes=1024,
                  arena_lower_bound_bytes=1024, flash_bytes=0, ram_bytes=0, text_bytes=0, rodata_bytes=0,
                  data_bytes=0, bss_bytes=0, kernel_sources=[], layers=[], inputs=[], outputs=[],
                  ).save(root / "rv32" / "build.json")
    argv = ["--build-dir", str(root), "flash", "--target", "rv32", "--emulator", "--baud", "921600"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "bootloader; flashing build" in out and "kB" in out  # the progress bar
    assert re.search(rf"programmed bytes\W+{len(flash_image.body):,}", out)
    for row in ("bytes/s", "921,600 (paced)", f"runs build {image.build_id}", "board state kept in"):
        assert row in out
    assert cli.main(argv) == 0  # again: the board boots the app, which hands over to the bootloader
    assert "already held this image" in capsys.readouterr().out


def test_flash_end_to_end_on_cortex_m55(tmp_path):
    target = need("cortex-m55")
    _, image = app(target, tmp_path / "app", 1)
    with start_board(target, tmp_path) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        report = Flasher(client).flash(image)
        assert report.programmed_bytes == len(image.body)
        assert client.hello().build_id == image.build_id
        computes_exactly(client)
        client.request(MsgType.BOOTLOADER)  # and back, on the Arm HAL too
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        assert Flasher(client).flash(image).already_current


def _power_up_state(target, directory: Path, old, new) -> str:
    """Start the board from its flash files; 'bootloader', 'old' or 'new' (the app computes)."""
    with start_board(target, directory) as emu, client_for(emu) as client:
        info = client.wait_until_ready(15)  # DeviceUnresponsive here would be a bricked board
        if info.model_hash == BOOTLOADER_MODEL_HASH:
            return "bootloader"
        assert info.build_id in (old.build_id, new.build_id), f"partial or unknown image {info.build_id}"
        computes_exactly(client)
        return "old" if info.build_id == old.build_id else "new"


def _flash_in_thread(emu, want, progress: list[int]) -> tuple[threading.Thread, list]:
    failure: list = []

    def flash():
        try:
            with client_for(emu) as client:
                client.wait_until_ready(15)
                Flasher(client, progress=lambda done, total: progress.append(done)).flash(want)
        except Exception as error:  # noqa: BLE001 - a power cut is expected to break it
            failure.append(error)

    worker = threading.Thread(target=flash)
    worker.start()
    return worker, failure


def test_power_cuts_during_flash_never_brick_the_board(rv32, rv32_apps, tmp_path):
    """Cut times are stratified over one whole `flash` (reaching the bootloader, erase, program,
    verify, commit, boot), so every phase gets cut; each run writes the image the board does
    not hold, so every run has something to lose."""
    (_, old), (_, new) = rv32_apps
    rng = random.Random(CUT_SEED)
    with start_board(rv32, tmp_path) as emu:  # the time one full flash takes, this same way
        begin = time.monotonic()
        worker, failure = _flash_in_thread(emu, old, [])
        worker.join(60)
        span = time.monotonic() - begin
        assert not failure
    state, outcomes = "old", []
    for cut in range(POWER_CUTS):
        want = old if state == "new" else new
        at = span * (cut + rng.random()) / POWER_CUTS
        progress: list[int] = []
        with start_board(rv32, tmp_path) as emu:
            worker, failure = _flash_in_thread(emu, want, progress)
            time.sleep(at)
            os.killpg(emu.process.pid, signal.SIGKILL)  # the power cut: no chance to finish a write
            worker.join(30)
            assert not worker.is_alive()
        state = _power_up_state(rv32, tmp_path, old, new)
        outcomes.append((round(at, 2), progress[-1] if progress else None, len(want.body),
                         "new" if want is new else "old", state))
    print(f"\npower cuts (s into the flash, bytes done, of, writing, came back as): {outcomes}")
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:  # and a full flash succeeds
        client.wait_until_ready(15)
        Flasher(client).flash(new)
        assert client.hello().build_id == new.build_id
        computes_exactly(client, 2)


def test_app_loaded_without_bootloader_says_so(rv32, rv32_apps):
    """The -kernel path (tests, sdk bench) has no bootloader to return to: a clear ERR."""
    from sdk.runner import Emulator

    (image, _), _ = rv32_apps
    with Emulator(rv32, image.elf) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).build_id == image.build_id
        with pytest.raises(DeviceError) as error:
            client.request(MsgType.BOOTLOADER)
        assert error.value.code == ErrorCode.NO_BOOTLOADER
        computes_exactly(client)
