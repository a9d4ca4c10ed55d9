"""Flashing through the serial bootloader on the emulated boards, over QEMU's real pty:
end to end on rv32 (persistent CFI pflash files) and the Arm boards (RAM stand-in), the app's way
back to the bootloader, a corrupted body refused, a CRC mismatch reported, `sdk flash` output,
a body that is not the build's under a header naming the build (caught by the image CRC the
app reports), lost replies to COMMIT and BOOT, and power cuts: QEMU killed at random points of
a transfer, the board started again from its flash files, which must come back in the
bootloader or in a complete old or new image.

Images are the tiny fixture model (out = 2*x + t, exact), so a board that answers with an app
build id is also made to compute, proving the image is complete, not merely its header."""

from __future__ import annotations

import hashlib
import os
import re
import random
import shutil
import signal
import struct
import threading
import time
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
from sdk.runner.image import HEADER_CRC_OFFSET, MAGIC, make_image, pack_header
from sdk.runner.protocol import BootedImage
from sdk.runner.transport import open_port
from sdk.target import isa_targets, load_target
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
X_SHAPE = (1, 1, 16, 16)
CUT_SEED = int(os.environ.get("EDGEDIFF_CUT_SEED", "4"))  # another seed: other cut points
PAD_BYTES = 64 * 1024  # the power-cut apps' padding: ~70 PROGRAM chunks, so most cuts land mid-write
MID_WRITE_CUTS = 6  # power cuts at a random PROGRAM of the body; one more each at ERASE, COMMIT, BOOT


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


def write_board_image(target, directory: Path, body: bytes, entry: int, build_id: str) -> None:
    """Put body under a valid header naming build_id straight into the board's flash file, as a
    stray tool or a bad copy would: the bootloader finds header and CRC right and boots it."""
    prepare_board(target, directory)
    with open(board_dir(directory) / "flash1.img", "r+b") as f:
        f.write(pack_header(body, entry, target.name, build_id))
        f.seek(target.bootloader.flash_sector)
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
            report = flasher.flash(right)  # INFO's build id alone does not make it current
            assert not report.already_current and report.programmed_bytes > 0
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


def padded_model(variant: int) -> str:
    """The fixture model made big and distinct per variant: PAD_BYTES of random bytes (read at an
    index the compiler cannot know, so the linker keeps them) and other code (2*x as a product or
    as a sum: the same results), so two variants differ in every chunk and in their code."""
    source = (FIXTURE / "model.c").read_text()
    double = ("2.0f * x[i]", "x[i] + x[i]")[variant % 2]
    mark = "    model_layer_mark(0);\n"
    assert "2.0f * x[i]" in source and mark in source
    rng = random.Random(variant)
    pad = ",".join(str(rng.randrange(256)) for _ in range(PAD_BYTES))
    source = source.replace("2.0f * x[i]", double).replace(mark, "    pad_sink = pad[pad_at % sizeof pad];\n" + mark)
    return source.replace('#include "model.h"\n', f'#include "model.h"\n\nstatic const unsigned char pad[{PAD_BYTES}] '
                          f'= {{{pad}}};\nstatic volatile unsigned pad_at;\nstatic volatile unsigned char pad_sink;\n', 1)


@pytest.fixture(scope="module")
def big_apps(rv32, tmp_path_factory):
    root = tmp_path_factory.mktemp("big")
    return tuple(app(rv32, root / name, variant, padded_model(variant))[1]
                 for name, variant in (("old", 1), ("new", 2)))


def power_up(target, directory: Path) -> Emulator:
    """The board started from its flash files as they are. Unlike start_board, the bootloader is
    not installed again, so anything that damaged flash0.img would show."""
    files = board_dir(directory)
    return Emulator(target, None, argv=target.bootloader_argv(flash0=files / "flash0.img",
                                                              flash1=files / "flash1.img"))


def stored_image(target, directory: Path, old, new):
    """old or new if flash1.img holds its header over exactly its body, None if it holds no valid
    header; anything else (a valid header over other bytes) fails. Read from the file, so this
    does not take the bootloader's word for it."""
    with open(board_dir(directory) / "flash1.img", "rb") as f:
        header = f.read(len(old.header))
        image = {old.header: old, new.header: new}.get(header)
        if image is None:
            magic, = struct.unpack_from("<I", header)
            valid = (magic == MAGIC and struct.unpack_from("<I", header, HEADER_CRC_OFFSET)[0]
                     == zlib.crc32(header[4:HEADER_CRC_OFFSET]))
            assert not valid, "a valid header that names neither image"
            return None
        f.seek(target.bootloader.flash_sector)
        assert f.read(len(image.body)) == image.body, "a valid header over a partial body"
    return image


def _power_up_state(target, directory: Path, old, new) -> str:
    """'bootloader', 'old' or 'new': the flash holds no valid header or one over its complete
    body, and an app runs exactly that image (its bootloader checked that body) and computes."""
    held = stored_image(target, directory, old, new)
    with power_up(target, directory) as emu, client_for(emu) as client:
        info = client.wait_until_ready(15)  # DeviceUnresponsive here would be a bricked board
        if info.model_hash == BOOTLOADER_MODEL_HASH:
            assert held is None, "the bootloader did not boot a complete image"
            return "bootloader"
        assert held is not None and info.build_id == held.build_id, f"runs {info.build_id} from no image"
        assert info.booted_image == booted(held), f"partial image {info.booted_image} under {info.build_id}"
        computes_exactly(client)
        return "old" if held is old else "new"


class CutFlasher(Flasher):
    """Sets `reached` when the flash gets to the chosen point (the k-th PROGRAM sent, ERASE, COMMIT
    or BOOT) and keeps count, so the test knows where its power cut landed."""

    def __init__(self, client, cut_at: tuple[str, int], reached: threading.Event):
        super().__init__(client)
        self.cut_at, self.reached = cut_at, reached
        self.phase, self.programs, self.acked = "reaching the bootloader", 0, 0
        self.cut_phase, self.cut_acked = "", 0  # where the flash was when the power went

    def _at(self, phase: str, count: int = 0) -> None:
        self.phase = phase
        if (phase, count) == self.cut_at:
            self.reached.set()

    def erase(self, offset: int, length: int) -> None:
        self._at("erase")
        super().erase(offset, length)

    def program(self, offset: int, data: bytes) -> None:
        self.programs += 1
        self._at("program", self.programs)
        super().program(offset, data)
        self.acked += 1

    def commit(self, header: bytes) -> None:
        self._at("commit")
        super().commit(header)

    def boot(self, image):
        self._at("boot")
        return super().boot(image)


def _cut_during_flash(target, directory: Path, want, cut_at, delay: float) -> CutFlasher:
    """Power the board up, flash want, and kill QEMU `delay` s after the flash reaches cut_at
    (or once it is over, if it never does)."""
    reached = threading.Event()
    with power_up(target, directory) as emu:
        client = client_for(emu)
        flasher = CutFlasher(client, cut_at, reached)
        failures = []  # (when, error): the power cut breaks the flash; nothing else may

        def flash():
            try:
                client.wait_until_ready(15)
                flasher.flash(want)
            except Exception as error:  # noqa: BLE001 - checked against the time of the cut below
                failures.append((time.monotonic(), error))

        worker = threading.Thread(target=flash)
        worker.start()
        while not reached.wait(0.02) and worker.is_alive():
            pass
        time.sleep(delay)
        flasher.cut_phase, flasher.cut_acked = flasher.phase, flasher.acked
        cut_time = time.monotonic()
        os.killpg(emu.process.pid, signal.SIGKILL)  # the power cut: no chance to finish a write
        worker.join(30)
        client.close()
        assert not worker.is_alive()
        early = [error for when, error in failures if when < cut_time]
        assert not early, f"the flash failed before the power cut ({cut_at}): {early[0]!r}"
    return flasher


def test_power_cuts_during_flash_never_brick_the_board(rv32, big_apps, tmp_path):
    """Old and new are different programs of ~70 KB (~70 PROGRAM chunks). Most cuts land at a
    random PROGRAM (stratified over the body), one each at ERASE, COMMIT and BOOT, each a random
    part of a chunk's time later; every run writes the image the board does not hold (after a
    half-written one, the other image), so every run erases and rewrites the whole body. The
    board is powered up from its flash files without reinstalling the bootloader."""
    old, new = big_apps
    rng = random.Random(CUT_SEED)
    prepare_board(rv32, tmp_path)  # the one-time bootloader install
    flash0 = board_dir(tmp_path) / "flash0.img"
    bootloader_hash = hashlib.sha256(flash0.read_bytes()).hexdigest()
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:  # the old image, in full
        client.wait_until_ready(15)
        report = Flasher(client).flash(old)
    chunks = -(-len(new.body) // Flasher._chunk_bytes())
    chunk_s = report.seconds / chunks
    cuts = [("program", 1 + int((i + rng.random()) * chunks / MID_WRITE_CUTS)) for i in range(MID_WRITE_CUTS)]
    cuts += [("erase", 0), ("commit", 0), ("boot", 0)]
    rng.shuffle(cuts)
    state, last, outcomes = "old", old, []
    for cut_at in cuts:
        want = {"old": new, "new": old}.get(state, old if last is new else new)
        flasher = _cut_during_flash(rv32, tmp_path, want, cut_at, rng.random() * chunk_s)
        total = -(-len(want.body) // Flasher._chunk_bytes())
        mid_write = flasher.cut_phase == "program" and flasher.cut_acked < total  # body partly written
        state, last = _power_up_state(rv32, tmp_path, old, new), want
        outcomes.append({"cut at": cut_at, "landed in": flasher.cut_phase, "chunks acked": f"{flasher.cut_acked}/{total}",
                         "mid-write": mid_write, "writing": "new" if want is new else "old", "came back as": state})
    mid = sum(o["mid-write"] for o in outcomes)
    came_back = {k: sum(o["came back as"] == k for o in outcomes) for k in ("bootloader", "old", "new")}
    print(f"\n{len(cuts)} power cuts over a {len(new.body):,}-byte body ({chunks} chunks, {chunk_s * 1000:.0f} ms "
          f"each): {mid} mid-write; came back as {came_back}")
    for outcome in outcomes:
        print("  ", outcome)
    assert mid > len(cuts) // 2, f"only {mid} of {len(cuts)} cuts landed mid-write"
    assert hashlib.sha256(flash0.read_bytes()).hexdigest() == bootloader_hash  # the bootloader is intact
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:  # and a full flash succeeds
        client.wait_until_ready(15)
        Flasher(client).flash(new)
        assert client.hello().booted_image == booted(new)
        computes_exactly(client, 2)


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
