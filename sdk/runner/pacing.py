"""A serial port that takes as long as a real UART: QEMU's pty moves bytes as fast as the host
can, so without this a "115200 baud" figure would mean nothing. Each byte costs 10 bit times
(8N1) in its direction; writes block until their bytes would have left the line, reads hand
bytes over no faster than they would have arrived. Only for emulated boards: a real port is
paced by its hardware."""

from __future__ import annotations

import time

import serial

BITS_PER_BYTE = 10  # start + 8 data + stop


class PacedPort:
    """Wraps a pyserial port with the attributes FramedPort uses."""

    def __init__(self, port: serial.SerialBase, baud: int):
        self._port = port
        self.baud = baud
        self.port = getattr(port, "port", None) or repr(port)
        self._tx_free = 0.0  # when the transmit line is idle again
        self._rx_free = 0.0

    def _line(self, free_at: float, nbytes: int) -> float:
        done = max(time.monotonic(), free_at) + nbytes * BITS_PER_BYTE / self.baud
        delay = done - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return done

    def write(self, data: bytes) -> int:
        written = self._port.write(data)
        self._tx_free = self._line(self._tx_free, len(data))
        return written

    def read(self, size: int = 1) -> bytes:
        data = self._port.read(size)
        if data:
            self._rx_free = self._line(self._rx_free, len(data))
        return data

    @property
    def timeout(self):
        return self._port.timeout

    @timeout.setter
    def timeout(self, value) -> None:
        self._port.timeout = value

    @property
    def in_waiting(self) -> int:
        return self._port.in_waiting

    def flush(self) -> None:
        self._port.flush()

    def reset_input_buffer(self) -> None:
        self._port.reset_input_buffer()

    def close(self) -> None:
        self._port.close()
