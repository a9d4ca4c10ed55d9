"""Host-side runner: talk to a board (real or emulated) over the EdgeDiff serial protocol."""

from sdk.runner.client import DeviceClient, DeviceUnresponsive, LinkLost
from sdk.runner.emulator import Emulator, EmulatorFailed
from sdk.runner.protocol import DeviceError, DeviceInfo, ErrorCode, FrameError, MsgType, ProtocolError, TensorSpec
from sdk.runner.transport import PortUnavailable

__all__ = [
    "DeviceClient", "DeviceError", "DeviceInfo", "DeviceUnresponsive", "Emulator", "EmulatorFailed",
    "ErrorCode", "FrameError", "LinkLost", "MsgType", "PortUnavailable", "ProtocolError", "TensorSpec",
]
