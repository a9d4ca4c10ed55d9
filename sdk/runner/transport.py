"""Byte transport: any pyserial port or URL, plus splitting the byte stream at 0x00 delimiters.

A real board (/dev/ttyUSB0), QEMU's pty (/dev/pts/N) and a TCP bridge (socket://host:port) all
open through serial.serial_for_url, so the protocol code above never knows which it talks to."""

from __future__ import annotations

import time

import serial

from sdk.runner.protocol import DELIMITER, PROTO_MAX_PAYLOAD

BAUDRATE = 115200
# Longest frame worth collecting: anything longer is garbage and is dropped up to the next 0x00.
MAX_WIRE_BYTES = 2 * (PROTO_MAX_PAYLOAD + 16)


def open_port(url: str, timeout: float) -> serial.SerialBase:
    return serial.serial_for_url(url, baudrate=BAUDRATE, timeout=timeout, write_timeout=timeout)


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
