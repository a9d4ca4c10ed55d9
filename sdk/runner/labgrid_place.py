"""A labgrid place as a board: boards on other hosts come through labgrid's coordinator and
exporters instead of networking of our own.

The exporter on the board's host shares its serial port (a RawSerialPort/USBSerialPort that
labgrid serves with ser2net, or a NetworkSerialPort that is already on the network); we
acquire the place on the coordinator, read the NetworkSerialPort's host and port from the
place's environment, open it as socket:// (raw) or rfc2217://, and release the place after.
We drive labgrid through its documented command line (`labgrid-client acquire / env /
release`), which stays stable across labgrid's releases better than its internal classes.

labgrid is optional (`pip install 'edgediff[farm]'`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from sdk.errors import UserError

CLIENT_TIMEOUT_S = 30


def labgrid_client_path() -> str:
    """labgrid-client next to this Python (a venv) or on PATH."""
    beside = Path(sys.executable).parent / "labgrid-client"
    found = str(beside) if beside.exists() else shutil.which("labgrid-client")
    if found is None:
        raise UserError("a labgrid place needs labgrid: pip install 'edgediff[farm]' (or pip install labgrid)")
    return found


def _client(place: str, coordinator: str | None, *args: str) -> str:
    env = dict(os.environ)
    if coordinator:
        env["LG_COORDINATOR"] = coordinator
    if not env.get("LG_COORDINATOR"):
        raise UserError(f"labgrid place {place!r}: set labgrid_coordinator in the board map or $LG_COORDINATOR")
    argv = [labgrid_client_path(), "-p", place, *args]
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_S,
                                stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise UserError(f"labgrid place {place!r}: `{' '.join(argv[1:])}` got no answer from the "
                        f"coordinator {env['LG_COORDINATOR']} within {CLIENT_TIMEOUT_S} s") from error
    if result.returncode != 0:
        raise UserError(f"labgrid place {place!r} (coordinator {env['LG_COORDINATOR']}): "
                        f"`labgrid-client {' '.join(args)}` failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def serial_url_from_env(place: str, env_yaml: str) -> str:
    """The pyserial URL of the place's NetworkSerialPort, from `labgrid-client env` output."""
    import yaml  # a labgrid dependency

    config = yaml.safe_load(env_yaml) or {}
    resources = (config.get("targets", {}).get(place) or {}).get("resources") or []
    if isinstance(resources, dict):
        resources = [{cls: args} for cls, args in resources.items()]
    for entry in resources:
        args = entry.get("NetworkSerialPort")
        if args is not None:
            scheme = "socket" if args.get("protocol", "rfc2217") == "raw" else "rfc2217"
            return f"{scheme}://{args['host']}:{args['port']}"
    raise UserError(f"labgrid place {place!r} has no NetworkSerialPort: export the board's "
                    "serial port (RawSerialPort, USBSerialPort or NetworkSerialPort) and add-match it")


@contextlib.contextmanager
def acquired_place(place: str, coordinator: str | None = None) -> Iterator[str]:
    """Acquire the place, yield its serial URL, always release it."""
    _client(place, coordinator, "acquire")
    try:
        yield serial_url_from_env(place, _client(place, coordinator, "env"))
    finally:
        with contextlib.suppress(UserError):
            _client(place, coordinator, "release")
