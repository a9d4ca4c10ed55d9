"""Open the board a command talks to: the target's emulator running the built image, or a
real board on a serial port. Either way the caller gets a DeviceClient that has already
checked the board runs the build it is about to use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sdk.build import BuildManifest
from sdk.errors import UserError
from sdk.runner.client import DeviceClient
from sdk.runner.emulator import Emulator
from sdk.target import load_target

BOOT_DEADLINE_S = 15.0


@contextlib.contextmanager
def open_board(manifest: BuildManifest, emulator: bool, port: str | None,
               timeout: float = 5.0) -> Iterator[DeviceClient]:
    if emulator == bool(port):
        raise UserError("say where the board is: --emulator or --port DEVICE (not both)")
    with contextlib.ExitStack() as stack:
        if emulator:
            board = stack.enter_context(Emulator(load_target(manifest.target), Path(manifest.elf)))
            port = board.port
        client = stack.enter_context(DeviceClient(port, timeout=timeout))
        info = client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
        if info.model_hash != manifest.model_hash or info.build_id != manifest.build_id:
            raise UserError(
                f"the board on {port} runs build {info.build_id} (model {info.model_hash}), "
                f"but {manifest.directory} holds build {manifest.build_id} (model "
                f"{manifest.model_hash}): program {manifest.elf} onto the board with the "
                "vendor's tool, then run the command again")
        yield client
