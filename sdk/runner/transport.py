"""Byte transport: any pyserial port or URL, plus splitting the byte stream at 0x00 delimiters.

A real board (/dev/ttyUSB0), QEMU's pty (/dev/pts/N) and a TCP bridge (socket://host:port) all
open through serial.serial_for_url, so the protocol code above never knows which it talks to."""

from __future__ import annotations

import errno
import time

import serial

from sdk.runner.protocol import DELIMITER, PROTO_MAX_PAYLOAD, ProtocolError

BAUDRATE = 115200
# Longest frame worth collecting: anything longer is garbage and is dropped up to the next 0x00.
MAX_WIRE_BYTES = 2 * (PROTO_MAX_PAYLOAD + 16)


class PortUnavailable(ProtocolError):
    """The port cannot be opened: no such device, refused connection, no permission, bad URL."""


def open_port(url: str, timeout: float, baud: int = BAUDRATE) -> serial.SerialBase:
    try:
        return serial.serial_for_url(url, baudrate=baud, timeout=timeout, write_timeout=timeout)
    except (OSError, ValueError) as error:  # serial.SerialException is an OSError
        raise PortUnavailable(_unavailable_message(url, error)) from None


def _unavailable_message(url: str, error: Exception) -> str:
    code = getattr(error, "errno", None) or getattr(error.__context__, "errno", None)
    if code == errno.ENOENT:
        return (f"serial port {url} does not exist: is the board plugged in? `sdk devices` lists "
                "the serial ports on this host")
    if code == errno.ECONNREFUSED:
        return (f"nothing accepts connections at {url} (connection refused): start the board's "
                "TCP bridge (or the emulator serving that port) first, or check the host and port")
    if code in (errno.EACCES, errno.EPERM):
        return (f"no permission to open {url}: add your user to the port's group "
                "(`sudo usermod -aG dialout $USER`, then log in again)")
    if code == errno.EBUSY:
        return f"{url} is busy: close the other program using it (a serial monitor?), then try again"
    return (f"cannot open serial port {url} ({error}): pass a serial device (/dev/ttyUSB0), a pty "
            "or a pyserial URL such as socket://host:port; `sdk devices` lists this host's ports")


class FramedPort:
    """Sends raw frame bytes and returns the bytes between delimiters, one frame at a time."""

    def __init__(self, port: serial.SerialBase):
        self.port = port
        self.name = getattr(port, "port", None) or repr(port)
        self._pending = bytearray()

    def send(self, wire: bytes) -> None:
        self.port.write(wire)
        self.port.flush()

    def receive(self, deadline: float) -> bytes | None:
        """Next non-empty frame (delimiter stripped), or None when the deadline passes."""
        while True:
            frame = self._take_frame()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.port.timeout = min(remaining, 0.1)
            self._pending += self.port.read(max(1, self.port.in_waiting))
            if len(self._pending) > MAX_WIRE_BYTES and DELIMITER not in self._pending:
                self._pending.clear()

    def _take_frame(self) -> bytes | None:
        while DELIMITER in self._pending:
            end = self._pending.index(DELIMITER)
            frame = bytes(self._pending[:end])
            del self._pending[:end + 1]
            if frame:
                return frame
        return None

    def discard_input(self) -> None:
        self._pending.clear()
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.port.close()
