"""Flashing through the serial bootloader on the emulated boards, over QEMU's real pty:
end to end on rv32 (persistent CFI pflash files) and the Arm boards (RAM stand-in), the app's way
back to the bootloader, a corrupted body refused, a CRC mismatch reported, `sdk flash` output,
a body that is not the build's under a header naming the build (caught by the image CRC the
app reports), lost replies to COMMIT and BOOT. Two slots, trial and revert, the recovery window,
the attacks of issue 17 and the power-cut campaign are in test_flash_slots.py (the Arm
bootloader's MPU region and core features in test_flash_mpu.py).

Images are the tiny fixture model (out = 2*x + t, exact), so a board that answers with an app
build id is also made to compute, proving the image is complete, not merely its header."""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from sdk.cli import commands as cli
from sdk.compile.firmware import build_firmware
from sdk.compile.manifest import BuildManifest
from sdk.errors import UserError
from sdk.runner import DeviceClient, DeviceError, Emulator, ErrorCode, MsgType
from sdk.runner import flasher as flasher_module
from sdk.runner.board import open_board
from sdk.runner.board_files import board_dir, prepare_board, start_board
from sdk.runner.faulty import FaultRates, FaultyPort
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH, FlashError, Flasher
from sdk.runner.image import make_image, pack_header
from sdk.runner.protocol import BootedImage
from sdk.runner.transport import open_port
from sdk.target import isa_targets, load_target
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
X_SHAPE = (1, 1, 16, 16)


def need(target_name: str):
    return require_target(target_name)


# The last read-only object of the last source, kept by `retain` though nothing uses it: the app's
# last body record ends in this zero word whatever the firmware before it holds, so truncated_body
# can cut it off and the app copied from the shorter body still runs the same. clang only (the
# truncated body is an rv32 test): arm-none-eabi-gcc 12 ignores `retain`, a warning under -Werror.
ZERO_TAIL = ("\n#if defined(__clang__)\n"
             "const unsigned int fixture_zero_tail[1] __attribute__((retain, used)) = {0};\n#endif\n")


def app(target, out: Path, variant: int = 0, model_source: str | None = None):
    """The fixture app (or model_source in its place); variant > 0 changes one source byte-wise,
    so its build id differs."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for header in ("model.h", "sampler.h"):
        shutil.copy(FIXTURE / header, src / header)
    source = (FIXTURE / "model.c").read_text() if model_source is None else model_source
    (src / "model.c").write_text(source + ZERO_TAIL + f"\n/* variant {variant} */\n")
    image = build_firmware(target, [src / "model.c"], [src], out / "fw", reuse=True)
    return image, make_image(image.elf, target.name, image.build_id)


def booted(image) -> BootedImage:
    """What the app reports its bootloader checked, when it was started from image."""
    return BootedImage(len(image.body), image.body_crc)


def fixture_manifest(image, root: Path) -> BuildManifest:
    """A build directory root/rv32 holding image (the fixture app) and its manifest."""
    (root / "rv32").mkdir(parents=True)
    shutil.copy(image.elf, root / "rv32" / "firmware.elf")
    manifest = BuildManifest(
        target="rv32", model="tiny", model_name="tiny", model_hash="0000000000f1c7e5",
        precision="fp32", precision_policy={"default": "fp32", "layers": {}}, kernels="reference",
        build_id=image.build_id, elf=str(root / "rv32" / "firmware.elf"), arena_bytes=1024,
        arena_lower_bound_bytes=1024, flash_bytes=0, ram_bytes=0, text_bytes=0, rodata_bytes=0,
        data_bytes=0, bss_bytes=0, kernel_sources=[], layers=[], inputs=[], outputs=[])
    manifest.save(root / "rv32" / "build.json")
    return manifest


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
        assert client.hello().booted_image == booted(new)  # what the bootloader checked and started
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
        report = Flasher(client).flash(old)  # another image, from the running app: the other slot
        assert report.erased_sectors == 0 and report.programmed_bytes == len(old.body)
        assert client.hello().build_id == old.build_id
        back = Flasher(client).flash(new)  # back to new: its slot still holds it, nothing to write
        assert not back.already_current and back.programmed_bytes == 0
        assert client.hello().booted_image == booted(new)


def test_corrupted_body_is_refused_and_board_stays_reachable(rv32, rv32_apps, tmp_path):
    (_, old), _ = rv32_apps
    with start_board(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(old)
    flash1 = board_dir(tmp_path) / "flash1.img"
    slot = slot_holding(rv32, tmp_path, old)
    with open(flash1, "r+b") as f:  # one bit of the body, as a worn cell or a stray write would
        f.seek(rv32.bootloader.slot_offset(slot) + rv32.bootloader.flash_sector + len(old.body) // 2)
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
        report = flasher.flash(old)  # reflashing repairs it (into the other slot)
        assert report.programmed_bytes == len(old.body) and client.hello().build_id == old.build_id
        assert client.hello().booted_image == booted(old)


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


def truncated_body(body: bytes) -> bytes:
    """The body with its last record cut short by a trailing zero word: the app copied from it
    runs as before (RAM is zero there at power-on), but it is not the build's body."""
    at = last = 0
    while at < len(body):
        last = at
        at += 8 + (struct.unpack_from("<II", body, at)[1] + 3) // 4 * 4
    addr, length = struct.unpack_from("<II", body, last)
    data = body[last + 8:last + 8 + length]
    assert length % 4 == 0 and data.endswith(bytes(4)), "the fixture's last record should end in a zero word"
    return body[:last] + struct.pack("<II", addr, length - 4) + data[:-4]


def altered_body(body: bytes) -> bytes:
    """The body with one letter of an error text changed: the app runs and says the same build id."""
    text = b"unknown request type"
    assert body.count(text) == 1
    return body.replace(text, b"unknown request TYPE")


def slot_holding(target, directory: Path, image) -> int:
    """The slot whose header in the board's flash file is image's."""
    with open(board_dir(directory) / "flash1.img", "rb") as f:
        for slot in (0, 1):
            f.seek(target.bootloader.slot_offset(slot))
            if f.read(len(image.header)) == image.header:
                return slot
    raise AssertionError(f"no slot holds build {image.build_id}")


def write_board_image(target, directory: Path, body: bytes, entry: int, build_id: str) -> None:
    """Put body under a valid header naming build_id straight into slot 0 of the board's flash
    file, with the slot state erased, as a vendor tool programming a board afresh (or a stray
    tool, a bad copy) would: on a board without slot state slot 0 holds the app, and the
    bootloader finds header and CRC right and boots it."""
    prepare_board(target, directory)
    with open(board_dir(directory) / "flash1.img", "r+b") as f:
        f.write(b"\xff" * target.bootloader.slot_offset(0))
        f.seek(target.bootloader.slot_offset(0))
        f.write(pack_header(body, entry, target.name, build_id))
        f.seek(target.bootloader.slot_offset(0) + target.bootloader.flash_sector)
        f.write(body)


@pytest.mark.parametrize("change", [truncated_body, altered_body], ids=["truncated", "altered"])
def test_a_body_that_is_not_the_builds_is_caught_under_the_right_build_id(rv32, rv32_apps, tmp_path, change):
    """The board answers HELLO with the right build id, but its bootloader started it from
    another body: validate's open_board reflashes the emulated board and says why, a board on a
    port is refused with what to run, and the flasher neither takes it as current nor as booted."""
    (image, right), _ = rv32_apps
    manifest = fixture_manifest(image, tmp_path / "build")
    wrong = change(right.body)
    held = BootedImage(len(wrong), zlib.crc32(wrong))
    write_board_image(rv32, manifest.directory, wrong, right.entry, right.build_id)

    told: list[str] = []
    with open_board(manifest, emulator=True, port=None, via_bootloader=True, on_flash=told.append) as client:
        info = client.hello()
        assert info.booted_image == booted(right) and info.build_id == right.build_id
    assert told == [f"the emulated rv32 board holds an image with {held} under build id {right.build_id}, "
                    f"the build's has {booted(right)}: flashing build {right.build_id}"]

    write_board_image(rv32, manifest.directory, wrong, right.entry, right.build_id)
    with start_board(rv32, manifest.directory) as emu:
        with pytest.raises(UserError) as error:
            with open_board(manifest, emulator=False, port=emu.port):
                pass
        assert f"holds an image with {held} under build id {right.build_id}" in str(error.value)
        assert f"`sdk --build-dir {tmp_path / 'build'} flash --target rv32 --port {emu.port}`" in str(error.value)
        with client_for(emu) as client:
            assert client.wait_until_ready(15).booted_image == held
            client.request(MsgType.BOOTLOADER)
            client.wait_until_ready(15)
            flasher = Flasher(client)
            with pytest.raises(FlashError) as error:  # BOOT starts it; its HELLO gives it away
                flasher.boot(right)
            assert f"from an image with {held}, but the flashed image has {booted(right)}" in str(error.value)
            client.request(MsgType.BOOTLOADER)
            client.wait_until_ready(15)
            report = flasher.flash(right)  # INFO's build id alone does not make it current: the
            assert not report.already_current  # build's body goes to the other slot (which still held it)
            assert client.hello().booted_image == booted(right)
            computes_exactly(client)


@pytest.mark.parametrize("retries", [3, 0], ids=["commit-resent", "commit-info"])
def test_lost_commit_and_boot_replies_do_not_fail_the_flash(rv32, rv32_apps, tmp_path, monkeypatch, retries):
    """The link loses the reply to COMMIT and the reply to BOOT. COMMIT: its re-send is answered
    from the bootloader's saved reply (retries 3) or, with no re-send (retries 0), INFO shows the
    header written. BOOT: the app it started answers HELLO with the flashed build and image."""
    monkeypatch.setattr(flasher_module, "ERASE_TIMEOUT_S", 2.0)  # the wait a lost COMMIT reply costs
    (_, old), _ = rv32_apps
    with start_board(rv32, tmp_path) as emu:
        faulty = FaultyPort(open_port(emu.port, 2.0), to_device=FaultRates())
        faulty.lose_replies(MsgType.COMMIT)
        faulty.lose_replies(MsgType.BOOT)
        with DeviceClient(faulty, timeout=2.0, retries=retries) as client:
            assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
            report = Flasher(client).flash(old)
            assert faulty.lost == [MsgType.COMMIT, MsgType.BOOT]
            assert report.programmed_bytes == len(old.body)
            info = client.hello()
            assert info.build_id == old.build_id and info.booted_image == booted(old)
            computes_exactly(client)


def test_sdk_flash_reports_progress_bytes_and_rate(rv32, rv32_apps, tmp_path, capsys, monkeypatch):
    from rich.console import Console
    monkeypatch.setattr(cli, "console", Console(width=200, force_terminal=False))
    (image, flash_image), _ = rv32_apps
    root = tmp_path / "build"
    fixture_manifest(image, root)
    argv = ["--build-dir", str(root), "flash", "--target", "rv32", "--emulator", "--baud", "921600"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "bootloader; flashing build" in out and "kB" in out  # the progress bar
    assert re.search(rf"programmed bytes\W+{len(flash_image.body):,}", out)
    for row in ("bytes/s", "921,600 (paced)", f"runs build {image.build_id}", "board state kept in"):
        assert row in out
    assert cli.main(argv) == 0  # again: the board boots the app, which hands over to the bootloader
    assert "already held this image" in capsys.readouterr().out


# The Arm boards: the bootloader keeps the app in a RAM stand-in (nothing persists).
RAM_FLASH_TARGETS = [name for name in isa_targets()
                     if (spec := load_target(name).bootloader) is not None and not spec.persistent]


@pytest.mark.parametrize("target_name", RAM_FLASH_TARGETS)
def test_flash_end_to_end_on_the_arm_boards(tmp_path, target_name):
    target = need(target_name)
    _, image = app(target, tmp_path / "app", 1)
    with start_board(target, tmp_path) as emu, client_for(emu) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        report = Flasher(client).flash(image)
        assert report.programmed_bytes == len(image.body)
        assert client.hello().build_id == image.build_id
        assert client.hello().booted_image == booted(image)  # the handoff block on the Arm HAL too
        computes_exactly(client)
        client.request(MsgType.BOOTLOADER)  # and back, on the Arm HAL too
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        assert Flasher(client).flash(image).already_current


def test_app_loaded_without_bootloader_says_so(rv32, rv32_apps):
    """The -kernel path (tests, sdk bench) has no bootloader to return to: a clear ERR."""
    (image, _), _ = rv32_apps
    with Emulator(rv32, image.elf) as emu, client_for(emu) as client:
        info = client.wait_until_ready(15)
        assert info.build_id == image.build_id and info.booted_image is None  # HELLO: no bootloader
        with pytest.raises(DeviceError) as error:
            client.request(MsgType.BOOTLOADER)
        assert error.value.code == ErrorCode.NO_BOOTLOADER
        computes_exactly(client)
