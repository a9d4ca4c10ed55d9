"""Signed images and rollback protection through the serial bootloader, replaying the attacks
of issue 17 on one emulated board per ISA (rv32, cortex-m4): an unsigned (format-1) image, one
flipped body byte (CRCs recomputed, as an attacker would), an image signed by another key, and
a lower security counter. Each is refused by the bootloader itself (the flasher's own
pre-check is switched off) with its own reason, and the board still answers its bootloader
and takes the next, good image. On rv32 (flash kept in files) a tampered image written
straight into flash, past the bootloader, is refused at power-up: verification runs before
every boot. INFO's cost of the signature check is checked to be in the expected range and
printed (the figure docs/RELIABILITY.md quotes).

Images are the tiny fixture model built once per target and signed several ways."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from sdk.compile.firmware import build_firmware
from sdk.runner import DeviceClient
from sdk.runner.board_files import board_dir, start_board
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH, FlashError, Flasher
from sdk.runner.image import HEADER_CRC_OFFSET, MAGIC, SIGNED_HEADER_BYTES, FlashImage, make_image, signed_digest
from sdk.sign.keys import SigningKey
from tests.helpers.tools import require_target
from tests.test_flash import slot_holding

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
BOARD_KEY = SigningKey(bytes(range(32)), Path("board-key"))  # a test key: what the bootloader trusts
OTHER_KEY = SigningKey(bytes(range(1, 33)), Path("other-key"))


def fixture_elf(target, out: Path) -> tuple[Path, str]:
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name in ("model.c", "model.h", "sampler.h"):
        shutil.copy(FIXTURE / name, src / name)
    image = build_firmware(target, [src / "model.c"], [src], out / "fw", reuse=True)
    return image.elf, image.build_id


def resigned(image: FlashImage, header: bytes, body: bytes, key: SigningKey) -> FlashImage:
    """header (76 signed bytes, CRCs made right for body) signed again by key over body."""
    fields = bytearray(header[:SIGNED_HEADER_BYTES])
    struct.pack_into("<II", fields, 8, len(body), zlib.crc32(body))
    struct.pack_into("<I", fields, HEADER_CRC_OFFSET, zlib.crc32(bytes(fields[4:HEADER_CRC_OFFSET])))
    signed = bytes(fields)
    return FlashImage(body, signed + key.sign(signed_digest(signed, body)), image.entry, image.target,
                      image.build_id, image.security_counter, key.public)


def flipped_body(image: FlashImage) -> FlashImage:
    """One body byte flipped, body CRC and header CRC recomputed, the signature left as it was."""
    body = bytearray(image.body)
    body[len(body) // 2] ^= 0x01
    body = bytes(body)
    fields = bytearray(image.header[:SIGNED_HEADER_BYTES])
    struct.pack_into("<I", fields, 12, zlib.crc32(body))
    struct.pack_into("<I", fields, HEADER_CRC_OFFSET, zlib.crc32(bytes(fields[4:HEADER_CRC_OFFSET])))
    return FlashImage(body, bytes(fields) + image.header[SIGNED_HEADER_BYTES:], image.entry, image.target,
                      image.build_id, image.security_counter, image.public_key)


def unsigned_image(image: FlashImage) -> FlashImage:
    """The format-1 image of the same body: 64-byte header, CRC-protected only."""
    fields = struct.pack("<IIII16s24s", 1, len(image.body), zlib.crc32(image.body), image.entry,
                         image.target.encode(), image.build_id.encode())
    header = struct.pack("<I", MAGIC) + fields + struct.pack("<I", zlib.crc32(fields))
    return FlashImage(image.body, header, image.entry, image.target, image.build_id, 0, BOARD_KEY.public)


def assert_refused(flasher: Flasher, bad: FlashImage, reason: str) -> None:
    with pytest.raises(FlashError) as error:
        flasher.flash(bad, precheck=False)
    assert "the bootloader refused the image" in str(error.value) and reason in str(error.value)
    hello = flasher.client.hello()  # still there, in its bootloader
    assert hello.model_hash == BOOTLOADER_MODEL_HASH


@pytest.fixture(scope="module")
def signed_images(tmp_path_factory, request):
    target = require_target(request.param)
    elf, build_id = fixture_elf(target, tmp_path_factory.mktemp(f"signed-{target.name}"))
    return target, {n: make_image(elf, target.name, build_id, BOARD_KEY, n) for n in (1, 2)}, \
        make_image(elf, target.name, build_id, OTHER_KEY, 2)


@pytest.mark.parametrize("signed_images", ["rv32", "cortex-m4"], indirect=True)
def test_attacks_over_serial_are_refused_with_their_reason(signed_images, tmp_path, capsys):
    target, good, other_key = signed_images
    with start_board(target, tmp_path, public_key=BOARD_KEY.public) as emu, \
            DeviceClient(emu.port, timeout=5.0, retries=3) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        flasher = Flasher(client)
        flasher.flash(good[2])  # counter 2 boots: from now on the board refuses counter 1
        assert client.hello().build_id == good[2].build_id
        info = flasher.enter_bootloader()
        assert info.has_image and info.highest_counter == 2 and info.key_id == BOARD_KEY.key_id
        # the signature check before this INFO's answer: SHA-512 of ~2 KB, then Ed25519
        assert 20_000 < info.hash_instructions < 2_000_000, info.hash_instructions
        assert 1_000_000 < info.verify_instructions < 8_000_000, info.verify_instructions
        with capsys.disabled():
            print(f"\n{target.name}: signature check of a {len(good[2].body):,}-byte body: SHA-512 "
                  f"{info.hash_instructions:,} + Ed25519 {info.verify_instructions:,} instructions")

        with pytest.raises(FlashError, match="not flashing: the image is signed by key id"):
            flasher.flash(other_key)  # the flasher's pre-check: nothing written...
        assert flasher.info().has_image  # ...the board keeps its app

        assert_refused(flasher, unsigned_image(good[2]), "image unsigned (format 1)")
        assert_refused(flasher, flipped_body(good[2]), "header or body altered after signing")
        assert_refused(flasher, other_key, "signed by another key than the bootloader's")
        # a tampered body signed again by the attacker's key, the board's key id copied into the header
        assert_refused(flasher, resigned(good[2], good[2].header, flipped_body(good[2]).body, OTHER_KEY),
                       "image signature invalid")
        assert_refused(flasher, good[1], "security counter lower than the highest this board has booted "
                                         "(image 1, board 2)")
        assert flasher.info().highest_counter == 2
        flasher.flash(good[2])  # and the next good image boots
        assert client.hello().build_id == good[2].build_id


@pytest.mark.parametrize("signed_images", ["rv32"], indirect=True)
def test_a_tampered_image_in_flash_is_refused_at_power_up(signed_images, tmp_path):
    """Written past the bootloader (a stray tool, a probe): header and CRCs consistent, one body
    byte changed. Power-up checks the signature, stays in the bootloader and says why (the
    other refusals are the same check: the serial test shows each)."""
    target, good, _ = signed_images
    with start_board(target, tmp_path, public_key=BOARD_KEY.public) as emu, \
            DeviceClient(emu.port, timeout=5.0, retries=3) as client:
        client.wait_until_ready(15)
        Flasher(client).flash(good[2])
    bad = flipped_body(good[2])
    slot = target.bootloader.slot_offset(slot_holding(target, tmp_path, good[2]))  # the confirmed app's
    with open(board_dir(tmp_path) / "flash1.img", "r+b") as f:
        f.seek(slot)
        f.write(bad.header)
        f.seek(slot + target.bootloader.flash_sector)
        f.write(bad.body)
    with start_board(target, tmp_path, public_key=BOARD_KEY.public) as emu, \
            DeviceClient(emu.port, timeout=5.0, retries=3) as client:
        assert client.wait_until_ready(15).model_hash == BOOTLOADER_MODEL_HASH
        info = Flasher(client).info()
        assert not info.has_image and info.state_text == "image signature invalid: header or body altered after signing"
