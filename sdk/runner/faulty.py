"""A pyserial-like port that damages the bytes passing through it, in both directions.

It sits between DeviceClient and the real port (QEMU's pty, /dev/ttyUSB0) and drops,
duplicates and corrupts single bytes at set rates, from a seeded RNG, so a fault test is
reproducible and measures what a noisy UART does to the protocol: the runner must still get
exactly the right results, only slower. Counters say how many faults were injected.

It can also lose whole replies on purpose: lose_replies(MsgType.BOOT) drops the next reply
(OK or ERR) to a BOOT request and lets everything else through, so a test can put a lost reply
exactly where it hurts most."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import serial

from sdk.runner import protocol as p


@dataclass(frozen=True)
class FaultRates:
    """Per-byte probabilities; each byte suffers at most one fault."""

    corrupt: float = 0.0  # replaced by a different random byte (may become or stop being 0x00)
    drop: float = 0.0
    duplicate: float = 0.0

    def __str__(self) -> str:
        return f"corrupt {self.corrupt:.2%}, drop {self.drop:.2%}, duplicate {self.duplicate:.2%}"


@dataclass
class FaultCounts:
    bytes: int = 0
    corrupted: int = 0
    dropped: int = 0
    duplicated: int = 0


class FaultyPort:
    """Wraps an open pyserial port; the runner's FramedPort uses it like the port itself."""

    def __init__(self, inner: serial.SerialBase, to_device: FaultRates, from_device: FaultRates | None = None,
                 seed: int = 0):
        self.inner = inner
        self.rates = {"tx": to_device, "rx": to_device if from_device is None else from_device}
        self.rng = np.random.default_rng(seed)
        self.counts = {"tx": FaultCounts(), "rx": FaultCounts()}
        self.port = f"faulty({getattr(inner, 'port', None) or repr(inner)})"
        self.to_lose: dict[int, int] = {}  # request type -> replies still to lose
        self.lost: list[int] = []  # request types whose reply was lost, in order
        self._awaiting: dict[int, int] = {}  # seq -> type of a request whose reply is to be lost
        self._tx = bytearray()
        self._rx = bytearray()

    def lose_replies(self, msg_type: int, count: int = 1) -> None:
        """Lose the next count replies to requests of msg_type (whole frames, delimiter included)."""
        self.to_lose[msg_type] = self.to_lose.get(msg_type, 0) + count

    def _watch_requests(self, data: bytes) -> None:
        """Note the seq of every complete request whose reply is to be lost."""
        self._tx += data
        while p.DELIMITER in self._tx:
            end = self._tx.index(p.DELIMITER)
            wire = bytes(self._tx[:end])
            del self._tx[:end + 1]
            try:
                frame = p.decode_frame(wire) if wire else None
            except p.FrameError:
                continue
            if frame is not None and self.to_lose.get(frame.type, 0) > 0:
                self._awaiting[frame.seq] = frame.type

    def _filter_replies(self, data: bytes) -> bytes:
        """The received bytes, whole frames only, without the replies to lose."""
        self._rx += data
        out = bytearray()
        while p.DELIMITER in self._rx:
            end = self._rx.index(p.DELIMITER)
            wire = bytes(self._rx[:end + 1])
            del self._rx[:end + 1]
            try:
                frame = p.decode_frame(wire[:-1]) if len(wire) > 1 else None
            except p.FrameError:
                frame = None
            request = self._awaiting.get(frame.seq) if frame and frame.type in (p.MsgType.OK, p.MsgType.ERR) else None
            if request is not None and self.to_lose.get(request, 0) > 0:
                del self._awaiting[frame.seq]
                self.to_lose[request] -= 1
                self.lost.append(request)
                continue
            out += wire
        return bytes(out)

    def damage(self, data: bytes, direction: str) -> bytes:
        """The bytes as they arrive at the other end."""
        if not data:
            return data
        rates, counts = self.rates[direction], self.counts[direction]
        buf = np.frombuffer(data, dtype=np.uint8)
        roll = self.rng.random(len(buf))
        corrupt = roll < rates.corrupt
        drop = (roll >= rates.corrupt) & (roll < rates.corrupt + rates.drop)
        dup = (roll >= rates.corrupt + rates.drop) & (roll < rates.corrupt + rates.drop + rates.duplicate)
        out = buf.copy()
        # XOR with 1..255 guarantees the byte really changes.
        out[corrupt] ^= self.rng.integers(1, 256, int(corrupt.sum()), dtype=np.uint8)
        repeats = np.where(drop, 0, np.where(dup, 2, 1))
        counts.bytes += len(buf)
        counts.corrupted += int(corrupt.sum())
        counts.dropped += int(drop.sum())
        counts.duplicated += int(dup.sum())
        return np.repeat(out, repeats).tobytes()

    # The pyserial surface FramedPort and DeviceClient use.
    @property
    def timeout(self):
        return self.inner.timeout

    @timeout.setter
    def timeout(self, value) -> None:
        self.inner.timeout = value

    @property
    def in_waiting(self) -> int:
        return self.inner.in_waiting

    def read(self, size: int = 1) -> bytes:
        data = self.damage(self.inner.read(size), "rx")
        return self._filter_replies(data) if self.to_lose or self._rx else data

    def write(self, data: bytes) -> int:
        sent = self.damage(bytes(data), "tx")
        if self.to_lose:
            self._watch_requests(sent)
        self.inner.write(sent)
        return len(data)

    def flush(self) -> None:
        self.inner.flush()

    def reset_input_buffer(self) -> None:
        self._rx.clear()
        self.inner.reset_input_buffer()

    def close(self) -> None:
        self.inner.close()

    def summary(self) -> str:
        parts = []
        for direction, name in (("tx", "host→device"), ("rx", "device→host")):
            c = self.counts[direction]
            parts.append(f"{name}: {c.bytes} bytes, {c.corrupted} corrupted, {c.dropped} dropped, "
                         f"{c.duplicated} duplicated")
        return "; ".join(parts)
