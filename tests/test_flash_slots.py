"""The bootloader nobody can brick (issue 17, slots part), on the emulated rv32 board with its
persistent pflash files: a new image boots once as a trial and reverts unless the app confirms
it; an app that hangs is taken over in the recovery window; the attacks of the issue replayed
(a hand-written program that erases the bootloader's flash, an image for a core with V, VERIFY
over 4-byte ranges); and a power-cut campaign with QEMU killed mid-write, after which the
previous app must always boot.

The boards are powered up from their flash files as they are (power_up), never with the
bootloader installed again, so anything that damaged the bootloader's flash would show."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest

from sdk.runner import DeviceClient, DeviceError, DeviceUnresponsive, Emulator, ErrorCode, MsgType
from sdk.runner.board_files import board_dir, prepare_board, start_board
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH, FlashError, Flasher
from sdk.runner.image import HEADER_CRC_OFFSET, FlashImage, pack_header
from sdk.sign.keys import development_key
from tests.test_flash import FIXTURE, app, booted, client_for, computes_exactly, need, write_board_image

pytestmark = [pytest.mark.hil, pytest.mark.slow]

# Power cuts in CI (each costs an emulator start, its recovery window and part of a flash:
# 3-7 s on the shared 2-core host); the campaign in
# docs/RELIABILITY.md ran EDGEDIFF_POWER_CUTS=120. EDGEDIFF_CUT_SEED picks other cut points.
POWER_CUTS = int(os.environ.get("EDGEDIFF_POWER_CUTS", "10"))
CUT_SEED = int(os.environ.get("EDGEDIFF_CUT_SEED", "17"))

PFLASH0 = 0x20000000  # QEMU virt's pflash0, where the rv32 bootloader runs in place (bootloader.ld)
APP_RAM = 0x80000000  # the app's RAM (target.toml [memory]); hand-written programs load here


@pytest.fixture(scope="module")
def rv32():
    return need("rv32")


def variant_model(variant: int) -> str:
    """The fixture model as a different program per variant: 2*x computed as a product, a sum
    or a difference (the same results), and its own constant stored on every run."""
    source = (FIXTURE / "model.c").read_text()
    double = ("2.0f * x[i]", "x[i] + x[i]", "(3.0f * x[i] - x[i])")[variant % 3]
    mark = "    model_layer_mark(0);\n"
    assert "2.0f * x[i]" in source and mark in source
    source = source.replace("2.0f * x[i]", double).replace(mark, f"    variant_sink = {variant * 7919}u;\n" + mark)
    return source.replace('#include "model.h"\n', '#include "model.h"\n\nstatic volatile unsigned variant_sink;\n', 1)


@pytest.fixture(scope="module")
def apps(rv32, tmp_path_factory):
    """Three different programs (the campaign always writes one that neither slot holds)."""
    root = tmp_path_factory.mktemp("slot_apps")
    return tuple(app(rv32, root / f"v{v}", v, variant_model(v))[1] for v in (1, 2, 3))


def power_up(target, directory: Path, paused: bool = False) -> Emulator:
    """The board started from its flash files as they are (paused: see Flasher.recover)."""
    files = board_dir(directory)
    return Emulator(target, None, argv=target.bootloader_argv(flash0=files / "flash0.img",
                                                              flash1=files / "flash1.img"), paused=paused)


def bootloader_hash(directory: Path) -> str:
    return hashlib.sha256((board_dir(directory) / "flash0.img").read_bytes()).hexdigest()


def raw_image(target, words: list[int], build_id: str) -> FlashImage:
    """A hand-written program, as an attacker would send it: one record of RV32 machine code at
    the start of the app's RAM, entry there, a header with the right CRCs."""
    code = struct.pack(f"<{len(words)}I", *words)
    body = struct.pack("<II", APP_RAM, len(code)) + code
    key = development_key()  # what a board built for this project trusts
    return FlashImage(body, pack_header(body, APP_RAM, target.name, build_id, key), APP_RAM, target.name, build_id,
                      public_key=key.public, development_key=True)


HANG = [0x0000006F]  # j .  (an app that never answers)
# The attack: a CFI block erase of the bootloader's own sector, then spin.
ERASE_BOOTLOADER = [
    0x200002B7,  # lui  t0, 0x20000        t0 = pflash0
    0x02000313,  # addi t1, zero, 0x20     block erase
    0x0062A023,  # sw   t1, 0(t0)
    0x0D000313,  # addi t1, zero, 0xD0     confirm
    0x0062A023,  # sw   t1, 0(t0)
    0x0000006F,  # j .
]


def runs(client: DeviceClient, image) -> None:
    info = client.wait_until_ready(15)
    assert info.build_id == image.build_id and info.booted_image == booted(image)
    computes_exactly(client)


def with_counter(image: FlashImage, counter: int) -> FlashImage:
    """image signed again (development key) with another security counter."""
    key = development_key()
    header = pack_header(image.body, image.entry, image.target, image.build_id, key, counter)
    return FlashImage(image.body, header, image.entry, image.target, image.build_id, counter, key.public, True)


def test_a_trial_image_reverts_unless_confirmed(rv32, apps, tmp_path):
    """old (security counter 0) confirmed; new (counter 1) booted as a trial and left
    unconfirmed: a power cut (or a hang the watchdog would end) and a reset by the app both
    bring old back, and the board's counter has not moved (a reverted trial never locks out
    the app it reverts to); confirmed, new stays and the counter is 1: old is refused now."""
    old, new = apps[0], with_counter(apps[1], 1)
    prepare_board(rv32, tmp_path)
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(old)
        Flasher(client).flash(new, confirm=False)
        runs(client, new)  # the trial runs ...
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        runs(client, old)  # ... but a power cycle before CONFIRM reverts it
        Flasher(client).flash(new, confirm=False)
        client.request(MsgType.BOOTLOADER)  # the trial app resets into the bootloader unconfirmed
        info = Flasher(client).info()
        assert info.build_id == old.build_id and "reverted" in info.state_text and info.highest_counter == 0
        client.request(MsgType.BOOT)
        runs(client, old)
        report = Flasher(client).flash(new)  # confirmed this time
        assert report.programmed_bytes == 0  # its slot still held it: only COMMIT, BOOT, CONFIRM
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        runs(client, new)
        with pytest.raises(FlashError, match="security counter 0 is lower than 1"):
            Flasher(client).flash(old)
        assert Flasher(client).info().highest_counter == 1


def test_a_hung_app_is_taken_over_in_the_recovery_window(rv32, apps, tmp_path):
    """A board whose only app hangs at power-up (put there by a vendor tool, so nothing reverts
    it) never answers HELLO; reset, it is caught in the recovery window and reflashed."""
    old = apps[0]
    hang = raw_image(rv32, HANG, "hang")
    write_board_image(rv32, tmp_path, hang.body, hang.entry, hang.build_id)
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        with pytest.raises(DeviceUnresponsive):
            client.wait_until_ready(3)
    with power_up(rv32, tmp_path, paused=True) as emu, client_for(emu) as client:
        info = Flasher(client).recover(resume=emu.resume)
        assert info.build_id == "hang" and info.has_image
        Flasher(client).flash(old)
        runs(client, old)


def test_an_app_cannot_erase_the_bootloader(rv32, apps, tmp_path):
    """The issue's 62-byte attack: a program that sends the bootloader's own flash a CFI erase.
    The locked PMP entry makes the store fault; the bootloader's flash is unchanged, and the
    unconfirmed attacker is reverted at the next power-up."""
    old = apps[0]
    prepare_board(rv32, tmp_path)
    before = bootloader_hash(tmp_path)
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(old)
        Flasher(client).flash(raw_image(rv32, ERASE_BOOTLOADER, "eraser"), boot=False)
        client.request(MsgType.BOOT)
        time.sleep(1.0)  # the erase would take effect at once
    assert bootloader_hash(tmp_path) == before
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        runs(client, old)


def relabelled(header: bytes, target: str) -> bytes:
    """header with its target field changed and its header CRC made right again, as an attacker
    would; the signature left as it was."""
    fields = bytearray(header)
    fields[20:36] = target.encode().ljust(16, b"\0")
    struct.pack_into("<I", fields, HEADER_CRC_OFFSET, zlib.crc32(bytes(fields[4:HEADER_CRC_OFFSET])))
    return bytes(fields)


def test_refusals_name_their_reason_and_keep_the_bootloader(rv32, apps, tmp_path):
    """No read-back: VERIFY over 4 bytes (or any part of a 4 KiB block) is refused, over whole
    blocks answered. An image for rv32v (vector code) is refused on this core without V, with
    its own reason; one for another target with another; an rv32v image relabelled rv32 (its
    header's target changed, header CRC fixed) fails its signature, which covers the header.
    The board stays in its bootloader."""
    old = apps[0]
    prepare_board(rv32, tmp_path)
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        flasher = Flasher(client)
        flasher.flash(old, boot=False)
        for offset, length in ((0, 4), (4, 4), (0, 4092), (4, 4096), (4096, 2048)):
            with pytest.raises(DeviceError) as error:
                flasher.verify(offset, length)
            assert error.value.code == ErrorCode.OUT_OF_RANGE and "no read-back" in error.value.text
        assert flasher.verify(0, 8192) == flasher.verify(0, 8192)  # whole blocks: answered
        for target, reason in (("rv32v", "ISA extensions this core lacks"), ("cortex-m4", "another target")):
            with pytest.raises(FlashError, match="the bootloader refused the image: .*" + reason):
                flasher.commit(pack_header(old.body, old.entry, target, old.build_id))
            assert client.hello().model_hash == BOOTLOADER_MODEL_HASH
        with pytest.raises(FlashError, match="refused the image: image signature invalid: header or body altered"):
            flasher.commit(relabelled(pack_header(old.body, old.entry, "rv32v", old.build_id), "rv32"))
        assert client.hello().model_hash == BOOTLOADER_MODEL_HASH
        flasher.boot(old)  # still ready for the next flash: old was committed before
        runs(client, old)


class CutFlasher(Flasher):
    """Sets `reached` when the flash gets to the chosen point (the k-th PROGRAM, ERASE, COMMIT,
    BOOT or CONFIRM) and notes where it is, so the test knows where its power cut landed."""

    def __init__(self, client, cut_at: tuple[str, int], reached: threading.Event):
        super().__init__(client)
        self.cut_at, self.reached = cut_at, reached
        self.phase, self.programs, self.acked = "start", 0, 0

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

    def boot(self, image, confirm=True):
        self._at("boot")
        return super().boot(image, confirm)

    def confirm(self, image) -> bool:
        self._at("confirm")
        return super().confirm(image)


def test_power_cuts_never_brick_the_board_and_keep_the_previous_app(rv32, apps, tmp_path):
    """POWER_CUTS cuts, most at a random PROGRAM of the body (a random part of a chunk's time
    later), the rest at ERASE, COMMIT, BOOT and CONFIRM. Each run powers the board up, checks
    which app it runs, then flashes a program that neither slot holds (so the whole body is
    erased and rewritten) and kills QEMU at the cut. After every cut before the confirm the
    board must come back running the previous app; after one during CONFIRM, the previous or
    the new one; never unanswered, and the bootloader's flash never changes."""
    rng = random.Random(CUT_SEED)
    prepare_board(rv32, tmp_path)
    bootloader_before = bootloader_hash(tmp_path)
    by_id = {image.build_id: image for image in apps}
    with power_up(rv32, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(apps[0])
        Flasher(client).flash(apps[1])  # both slots hold a program now
        report = Flasher(client).flash(apps[2])
    chunks = report.programmed_bytes // Flasher._chunk_bytes() + 1
    chunk_s = report.seconds / chunks
    others = [("erase", 0), ("commit", 0), ("boot", 0), ("confirm", 0)]
    cuts = [others[i] if i < len(others) else ("program", rng.randint(1, chunks - 2)) for i in range(POWER_CUTS)]
    rng.shuffle(cuts)
    confirmed, staged = apps[2], apps[1]  # the confirmed app, and what was last written to the other slot
    outcomes = []
    for cut_at in cuts + [None]:
        with power_up(rv32, tmp_path) as emu:
            # Patient: on a loaded host a PROGRAM to the emulated pflash can stall for seconds.
            client = DeviceClient(emu.port, timeout=5.0, retries=3)
            info = client.wait_until_ready(15)  # DeviceUnresponsive here: a bricked board
            running = by_id.get(info.build_id)
            if outcomes:
                outcome = outcomes[-1]
                allowed = {outcome["previous"], outcome["writing"]} if outcome["phase"] == "confirm" else {outcome["previous"]}
                outcome["came back as"] = info.build_id
                assert info.build_id in allowed, f"after a cut at {outcome}: runs {info.model_hash} {info.build_id}"
                assert info.booted_image == booted(running)
                if running is not confirmed:  # the cut landed after the confirm was recorded
                    confirmed, staged = running, confirmed
                print(f"  cut {len(outcomes)}: {outcome}", flush=True)
            if cut_at is None:
                computes_exactly(client)
                client.close()
                break
            want = next(image for image in apps if image is not confirmed and image is not staged)
            reached = threading.Event()
            flasher = CutFlasher(client, cut_at, reached)
            failures = []

            def flash():
                try:
                    flasher.flash(want)
                except Exception as error:  # noqa: BLE001 - checked against the time of the cut below
                    failures.append((time.monotonic(), error))

            worker = threading.Thread(target=flash)
            worker.start()
            while not reached.wait(0.01) and worker.is_alive():
                pass
            time.sleep(rng.random() * chunk_s)
            phase, acked = flasher.phase, flasher.acked
            cut_time = time.monotonic()
            os.killpg(emu.process.pid, signal.SIGKILL)  # the power cut
            worker.join(30)
            client.close()
            assert not worker.is_alive()
            early = [error for when, error in failures if when < cut_time]
            assert not early, f"the flash failed before the power cut ({cut_at}): {early[0]!r}"
            outcomes.append({"cut at": cut_at, "phase": phase, "chunks acked": acked,
                             "previous": confirmed.build_id, "writing": want.build_id})
            staged = want  # the staging slot holds some or all of it
    mid = sum(o["phase"] == "program" for o in outcomes)
    print(f"\n{len(outcomes)} power cuts ({chunks} chunks of {chunk_s * 1000:.0f} ms per flash): {mid} mid-write; "
          f"came back as the previous app {sum(o['came back as'] == o['previous'] for o in outcomes)} times, "
          f"as the new one {sum(o['came back as'] == o['writing'] for o in outcomes)} times; 0 bricked")
    # the cuts aimed at a PROGRAM land while the body is being written (a stall on a loaded host
    # can let a flash run past its last chunk first, so a majority, not all); at CI's size the
    # four cuts at ERASE/COMMIT/BOOT/CONFIRM are 40 % of all, at the documented 120 under 4 %
    aimed = sum(cut[0] == "program" for cut in cuts)
    assert mid > aimed // 2, f"only {mid} of the {aimed} cuts aimed at PROGRAM landed mid-write"
    assert bootloader_hash(tmp_path) == bootloader_before


def test_the_slot_state_log_wraps_across_its_two_sectors(tmp_path):
    """On a board with 4 KiB sectors (256 state records each), enough COMMITs (each appends a
    record) fill the first state sector and move on to the second, which is erased first while
    the full one keeps the latest record: the latest record still decides, and the committed
    image boots, confirms and stays. (Coming back to the first sector is the same code.)"""
    target = need("cortex-m4")
    _, image = app(target, tmp_path / "app", 1)
    records = target.bootloader.flash_sector // 16 + 8
    with start_board(target, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        flasher = Flasher(client)
        flasher.flash(image, boot=False)  # one COMMIT
        for _ in range(records):
            flasher.commit(image.header)
        assert flasher.info().trial_holds(image)
        flasher.boot(image)
        runs(client, image)
        client.request(MsgType.BOOTLOADER)
        client.wait_until_ready(15)
        info = flasher.info()
        assert info.holds(image) and info.trial is None and "reverted" not in info.state_text
