"""Open the board a command talks to: the target's emulator running the built image, or a
real board on a serial port. Either way the caller gets a DeviceClient that has already
checked the board runs the build it is about to use: its build id and model hash, and, when
a bootloader started the app, the image the bootloader checked (body length and CRC) against
the build's image, so a header naming this build over another or truncated body is caught."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sdk.compile.manifest import BuildManifest
from sdk.errors import UserError
from sdk.runner.board_files import start_board
from sdk.runner.client import DeviceClient
from sdk.runner.emulator import Emulator
from sdk.runner.flash import app_image, flash_app, trusted_key
from sdk.runner.flasher import BOOTLOADER_MODEL_HASH
from sdk.runner.protocol import BootedImage, DeviceInfo
from sdk.target import load_target

BOOT_DEADLINE_S = 15.0


def other_image(info: DeviceInfo, manifest: BuildManifest) -> str | None:
    """What the board runs instead of this build's image, or None: another build id, or this
    build id started from a body that is not the build's (another length or CRC). A program no
    bootloader started (QEMU -kernel, the host target) is judged by its build id alone."""
    if info.build_id != manifest.build_id:
        return "only its bootloader" if info.model_hash == BOOTLOADER_MODEL_HASH else f"build {info.build_id}"
    if info.booted_image is None:
        return None
    image = app_image(manifest)
    built = BootedImage(len(image.body), image.body_crc)
    if info.booted_image != built:
        return f"an image with {info.booted_image} under build id {info.build_id}, the build's has {built}"
    return None


@contextlib.contextmanager
def open_board(manifest: BuildManifest, emulator: bool, port: str | None,
               timeout: float = 5.0, via_bootloader: bool = False,
               on_flash: Callable[[str], None] | None = None) -> Iterator[DeviceClient]:
    """via_bootloader (sdk validate): an emulated board powers up in its bootloader from its
    flash (build/<target>/board/) and boots the stored app; if that is not this build (or the
    board keeps no flash, as on the Arm boards), the app is flashed over serial first, and
    on_flash is told why. Without it (sdk bench, tests) QEMU loads the ELF with -kernel."""
    if emulator == bool(port):
        raise UserError("say where the board is: --emulator or --port DEVICE (not both)")
    target = load_target(manifest.target)
    with contextlib.ExitStack() as stack:
        if emulator and via_bootloader and target.bootloader is not None:
            board = stack.enter_context(start_board(target, manifest.directory, public_key=trusted_key(manifest)))
            client = stack.enter_context(DeviceClient(board.port, timeout=timeout))
            held = other_image(client.wait_until_ready(deadline_s=BOOT_DEADLINE_S), manifest)
            if held is not None:
                if on_flash:
                    on_flash(f"the emulated {target.name} board holds {held}: flashing build {manifest.build_id}")
                flash_app(client, app_image(manifest))
        else:
            if emulator:
                board = stack.enter_context(Emulator(target, Path(manifest.elf)))
                port = board.port
            client = stack.enter_context(DeviceClient(port, timeout=timeout))
        info = client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
        if info.model_hash != manifest.model_hash or info.build_id != manifest.build_id:
            how = f"with `{manifest.command('flash')} --port {port}`"
            if target.bootloader is None and (target.board or {}).get("flashing"):
                how = f"({target.board['flashing']})"  # a board with no serial bootloader
            raise UserError(
                f"the board on {port} runs build {info.build_id} (model {info.model_hash}), "
                f"but {manifest.directory} holds build {manifest.build_id} (model "
                f"{manifest.model_hash}): program {manifest.elf} onto the board {how}, "
                "then run the command again")
        held = other_image(info, manifest)
        if held is not None:
            how = "--emulator" if emulator else f"--port {client.port_name}"
            raise UserError(
                f"the board on {client.port_name} holds {held}: its flash holds another body under "
                f"a header naming this build (altered or truncated). Flash it with "
                f"`{manifest.command('flash')} {how}`, then run the command again")
        yield client
