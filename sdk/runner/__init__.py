"""Host-side runner: talk to a board (real or emulated) over the EdgeDiff serial protocol."""

from sdk.runner.client import DeviceClient, DeviceUnresponsive
from sdk.runner.emulator import Emulator, EmulatorFailed
from sdk.runner.protocol import DeviceError, DeviceInfo, ErrorCode, FrameError, MsgType, ProtocolError, TensorSpec

__all__ = [
    "DeviceClient", "DeviceError", "DeviceInfo", "DeviceUnresponsive", "Emulator", "EmulatorFailed",
    "ErrorCode", "FrameError", "MsgType", "ProtocolError", "TensorSpec",
]
