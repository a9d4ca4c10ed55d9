"""Stage 2, runner: everything that reaches a board (real or emulated) — the EdgeDiff serial
protocol and client, the emulator, opening a board (board.py) with its emulated flash files,
flashing through the bootloader, board maps, farms and labgrid places, on-board sampling."""

from sdk.runner.client import DeviceClient, DeviceUnresponsive, LinkLost
from sdk.runner.emulator import Emulator, EmulatorFailed
from sdk.runner.protocol import DeviceError, DeviceInfo, ErrorCode, FrameError, MsgType, ProtocolError, TensorSpec
from sdk.runner.transport import PortUnavailable

__all__ = [
    "DeviceClient", "DeviceError", "DeviceInfo", "DeviceUnresponsive", "Emulator", "EmulatorFailed",
    "ErrorCode", "FrameError", "LinkLost", "MsgType", "PortUnavailable", "ProtocolError", "TensorSpec",
]
