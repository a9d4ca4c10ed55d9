"""The Arm bootloader's guards (issue 17 item 5), one board per architecture: on the Armv7-M
cortex-m4 and the Armv8.1-M cortex-m55 a hand-written app that stores into the bootloader's own
RAM faults on the MPU region hal_protect_bootloader set up (targets/cortex-m/hal/protect_mpu.c),
the fault resets the board into its bootloader, which reverts the unconfirmed attacker and boots
the previous app; the word the attacker aimed at is unchanged. On the cortex-m4 an image for the
cortex-m55 (MVE code) is refused for the features the core lacks, read from its ID registers,
not only for its target name (the rv32 versions are in test_flash_slots.py)."""

from __future__ import annotations

import struct

import pytest

from sdk.runner import MsgType
from sdk.runner.board_files import start_board
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH, FlashError, Flasher
from sdk.runner.image import FlashImage, pack_header
from sdk.sign.keys import development_key
from tests.test_flash import app, booted, client_for, computes_exactly, need

pytestmark = [pytest.mark.hil, pytest.mark.slow]

BOOTLOADER_RAM = 0x21000000  # both boards' bootloader (targets/cortex-m/bootloader.ld)
# In the bootloader's region, below its handoff block, past its stack: no segment QEMU loads
# (so a reset does not restore it) and nothing the bootloader writes.
TARGET_WORD = BOOTLOADER_RAM + 0x7FE00
APP_STACK = 0x20010000  # in both boards' app RAM (target.toml [memory] ram)


def attacker(target) -> FlashImage:
    """A hand-written Thumb program at the start of the app's code memory, as an attacker would
    send it (signed with the development key, which these boards trust): its own stack, then one
    store of 0xDEADBEEF into the bootloader's region, then spin."""
    code = struct.pack(
        "<6H3I",
        0x4802,  # ldr r0, [pc, #8]    APP_STACK
        0x4685,  # mov sp, r0          (the exception frame must not go to the bootloader's stack)
        0x4802,  # ldr r0, [pc, #8]    TARGET_WORD
        0x4903,  # ldr r1, [pc, #12]   0xDEADBEEF
        0x6001,  # str r1, [r0]
        0xE7FE,  # b .
        APP_STACK, TARGET_WORD, 0xDEADBEEF)
    origin = target.app_regions()[0][0]
    body = struct.pack("<II", origin, len(code)) + code
    key = development_key()
    return FlashImage(body, pack_header(body, origin, target.name, "writer", key), origin, target.name, "writer",
                      public_key=key.public, development_key=True)


@pytest.fixture(scope="module")
def m4_app(tmp_path_factory):
    target = need("cortex-m4")
    return target, app(target, tmp_path_factory.mktemp("m4_app"), 1)[1]


@pytest.mark.parametrize("target_name", ["cortex-m4", "cortex-m55"])
def test_an_app_store_into_the_bootloader_faults_and_the_board_recovers(tmp_path, target_name, m4_app):
    target = need(target_name)
    old = m4_app[1] if target_name == "cortex-m4" else app(target, tmp_path / "app", 1)[1]
    with start_board(target, tmp_path, paused=True) as emu, client_for(emu) as client:
        before = emu.read_word(TARGET_WORD)
        emu.resume()
        client.wait_until_ready(15)
        Flasher(client).flash(old)
        Flasher(client).flash(attacker(target), boot=False)
        client.request(MsgType.BOOT)  # a trial: the fault's reset reverts it
        info = client.wait_until_ready(15)
        assert info.build_id == old.build_id and info.booted_image == booted(old)
        computes_exactly(client)
        assert emu.read_word(TARGET_WORD) == before


def test_an_mve_image_is_refused_on_the_cortex_m4_for_its_features(tmp_path, m4_app):
    target, old = m4_app
    with start_board(target, tmp_path) as emu, client_for(emu) as client:
        client.wait_until_ready(15)
        flasher = Flasher(client)
        flasher.flash(old, boot=False)
        with pytest.raises(FlashError, match="the bootloader refused the image: .*ISA extensions this core lacks"):
            flasher.commit(pack_header(old.body, old.entry, "cortex-m55", old.build_id))
        assert client.hello().model_hash == BOOTLOADER_MODEL_HASH
