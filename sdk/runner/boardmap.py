"""The board map: which boards a bench (or a CI farm) has and how to reach each one.

A TOML file, like Zephyr twister's hardware map, so a farm is described once and every
command (`sdk devices`, `sdk validate --boards`) agrees on it:

    [[board]]
    name = "f4-disco-1"            # unique, used in reports and error messages
    target = "cortex-m4"           # a folder under targets/
    serial_number = "0672FF48"     # USB serial number, found via pyserial list_ports
    # or: port = "/dev/ttyUSB0" (also socket://host:port, rfc2217://host:port)
    # or: emulator = true          (the target's emulated board, started per run)
    # or: labgrid_place = "m55-a"  (a place on a labgrid coordinator; see sdk/runner/labgrid_place.py)
    #     labgrid_coordinator = "farm.example:20408"  (default: $LG_COORDINATOR)
    baud = 115200                  # optional

Serial numbers beat /dev/ttyUSB* names, which change with plug order."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

from sdk.errors import UserError
from sdk.target import load_target

WAYS = ("port", "serial_number", "emulator", "labgrid_place")


@dataclass(frozen=True)
class BoardEntry:
    name: str
    target: str
    port: str | None = None
    serial_number: str | None = None
    emulator: bool = False
    labgrid_place: str | None = None
    labgrid_coordinator: str | None = None
    baud: int = 115200

    @property
    def how(self) -> str:
        """How the board is reached, for tables."""
        if self.emulator:
            return "emulator"
        if self.labgrid_place:
            return f"labgrid place {self.labgrid_place}"
        if self.serial_number:
            return f"serial number {self.serial_number}"
        return f"port {self.port}"


def load_board_map(path: Path) -> list[BoardEntry]:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"board map {path} not found")
    try:
        spec = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML: {error}") from error
    entries = spec.get("board")
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{path}: no [[board]] entries")
    boards, names = [], set()
    for i, raw in enumerate(entries):
        where = f"{path}: board #{i + 1}"
        unknown = set(raw) - {"name", "target", "baud", "labgrid_coordinator", *WAYS}
        if unknown:
            raise UserError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if "name" not in raw or "target" not in raw:
            raise UserError(f"{where}: needs name and target")
        ways = [w for w in WAYS if raw.get(w)]
        if len(ways) != 1:
            raise UserError(f"{where} ({raw['name']}): give exactly one of {', '.join(WAYS)}")
        if raw["name"] in names:
            raise UserError(f"{where}: name {raw['name']!r} used twice")
        names.add(raw["name"])
        load_target(raw["target"])  # unknown target: fail now, listing the known ones
        boards.append(BoardEntry(**raw))
    return boards


def find_port_by_serial(serial_number: str) -> str | None:
    for info in list_ports.comports():
        if info.serial_number and info.serial_number == serial_number:
            return info.device
    return None


def resolve_port(board: BoardEntry) -> str:
    """The pyserial URL of a board reached by port or serial number."""
    if board.port:
        return board.port
    device = find_port_by_serial(board.serial_number or "")
    if device is None:
        raise UserError(f"board {board.name!r}: no serial port with serial number "
                        f"{board.serial_number} is connected (see `sdk devices`)")
    return device
