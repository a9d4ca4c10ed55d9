"""A pyserial-like port that damages the bytes passing through it, in both directions.

It sits between DeviceClient and the real port (QEMU's pty, /dev/ttyUSB0) and drops,
duplicates and corrupts single bytes at set rates, from a seeded RNG, so a fault test is
reproducible and measures what a noisy UART does to the protocol: the runner must still get
exactly the right results, only slower. Counters say how many faults were injected."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import serial


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
        return self.damage(self.inner.read(size), "rx")

    def write(self, data: bytes) -> int:
        self.inner.write(self.damage(bytes(data), "tx"))
        return len(data)

    def flush(self) -> None:
        self.inner.flush()

    def reset_input_buffer(self) -> None:
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
