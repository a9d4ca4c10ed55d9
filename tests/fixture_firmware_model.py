"""What the firmware built with the tiny fixture model (tests/fixtures/tiny_model: inputs x
[1,1,16,16] and t [1], out = 2*x + t, no sampler), started without a bootloader, answers to a
stream of bytes. A model of firmware/main.c (split at 0x00, frame checks in frame.c's order,
NAK with the frame status, a request identical to the previous one answered with the saved
reply) and of firmware/commands.c (each handler's checks in order), so a fuzz test can check
every answer, not only count them."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from sdk.runner import protocol as p

FRAME_MAX_RAW = 4 + p.PROTO_MAX_PAYLOAD + 4
FRAME_MAX_WIRE = FRAME_MAX_RAW + FRAME_MAX_RAW // 254 + 1 + 1  # COBS_MAX_ENCODED + the delimiter
BAD_COBS, TOO_SHORT, TOO_LONG, BAD_LENGTH, BAD_CRC = 1, 2, 3, 4, 5  # frame_status_t
INPUTS = (("x", (1, 1, 16, 16)), ("t", (1,)))
OUTPUT = ("out", (1, 1, 16, 16))
LAYERS = 2
ARENA_BYTES = 1024
MODEL_HASH = "0000000000f1c7e5"
E = p.ErrorCode


@dataclass(frozen=True)
class Expected:
    """One answer: a NAK with its status, an ERR with its code, an OK with its exact payload (or
    only its length, for instruction counts), or again: the same bytes as an earlier answer."""

    kind: str  # "nak", "err", "ok", "again"
    request: str  # what it answers, for messages
    seq: int = 0
    code: int = 0
    payload: bytes | None = None
    length: int | None = None
    again: int = -1

    def matches(self, got: p.Frame, answers: list[p.Frame]) -> bool:
        if self.kind == "again":
            return got == answers[self.again]
        if self.kind == "nak":
            return (got.type, got.seq, got.payload) == (p.MsgType.NAK, 0, bytes([self.code]))
        if got.seq != self.seq:
            return False
        if self.kind == "err":
            return got.type == p.MsgType.ERR and got.payload[:1] == bytes([self.code]) and len(got.payload) > 1
        if self.payload is not None:
            return got.type == p.MsgType.OK and got.payload == self.payload
        return got.type == p.MsgType.OK and len(got.payload) == self.length


def cobs_decode(src: bytes, cap: int) -> bytes | None:
    """firmware/cobs.c's decoder: None where it returns false."""
    out, at = bytearray(), 0
    while at < len(src):
        code = src[at]
        at += 1
        if code == 0:
            return None
        for _ in range(code - 1):
            if at >= len(src) or len(out) >= cap or src[at] == 0:
                return None
            out.append(src[at])
            at += 1
        if code != 0xFF and at < len(src):
            if len(out) >= cap:
                return None
            out.append(0)
    return bytes(out)


def decode(wire: bytes) -> tuple[int, p.Frame | None, int]:
    """(frame status, frame, CRC) as main.c and frame_decode() see the bytes before a 0x00."""
    if len(wire) > FRAME_MAX_WIRE:
        return TOO_LONG, None, 0
    raw = cobs_decode(wire, FRAME_MAX_RAW)
    if raw is None:
        return BAD_COBS, None, 0
    if len(raw) < 8:
        return TOO_SHORT, None, 0
    msg_type, seq, length = struct.unpack_from("<BBH", raw)
    if length > p.PROTO_MAX_PAYLOAD:
        return TOO_LONG, None, 0
    if len(raw) != 8 + length:
        return BAD_LENGTH, None, 0
    (crc,) = struct.unpack_from("<I", raw, 4 + length)
    if crc != zlib.crc32(raw[:4 + length]):
        return BAD_CRC, None, 0
    return 0, p.Frame(msg_type, seq, raw[4:4 + length]), crc


def str8(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def spec_bytes(name: str, shape: tuple[int, ...]) -> bytes:
    return str8(name) + struct.pack(f"<BB{len(shape)}I", p.DType.F32, len(shape), *shape)


class FixtureFirmware:
    """The firmware's state (inputs as written, which elements since the last RUN, the outputs,
    the last request) and, for each fragment of a byte stream, the answer it must give."""

    def __init__(self, build_id: str, target: str = "rv32"):
        self.hello = (struct.pack("<BHIHBB", p.PROTO_VERSION, p.PROTO_MAX_PAYLOAD, ARENA_BYTES, LAYERS,
                                  len(INPUTS), 1) + str8(target) + str8(build_id) + str8(MODEL_HASH)
                      + struct.pack("<BII", 0, 0, 0))  # booted 0: QEMU -kernel, no bootloader
        self.inputs = [np.zeros(int(np.prod(shape)), np.float32) for _, shape in INPUTS]
        self.written = [np.zeros(len(values), bool) for values in self.inputs]
        self.output = np.zeros(int(np.prod(OUTPUT[1])), np.float32)
        self.arena = np.zeros(ARENA_BYTES // 4, np.float32)  # layer 0 writes 2*x here
        self.outputs_valid = False
        self.last: tuple[int, int, int, int] | None = None  # type, seq, crc, index of its answer
        self.answered = 0

    def feed(self, stream: bytes) -> list[Expected]:
        """The answers to every complete fragment of stream, in order (empty fragments get none)."""
        expected = []
        for wire in stream.split(p.DELIMITER)[:-1]:
            if not wire:
                continue
            status, frame, crc = decode(wire)
            if frame is None:
                expected.append(Expected("nak", f"{len(wire)} bytes", code=status))
            elif self.last is not None and self.last[:3] == (frame.type, frame.seq, crc):
                expected.append(Expected("again", f"a repeated {p.type_name(frame.type)}", again=self.last[3]))
            else:
                expected.append(self.handle(frame))
                self.last = (frame.type, frame.seq, crc, self.answered)
            self.answered += 1
        return expected

    def handle(self, frame: p.Frame) -> Expected:
        name = f"{p.type_name(frame.type)} seq={frame.seq} ({len(frame.payload)} bytes)"
        result = {
            p.MsgType.HELLO: self._hello, p.MsgType.WRITE: self._write, p.MsgType.RUN: self._run,
            p.MsgType.SAMPLE: self._sample, p.MsgType.READ: self._read, p.MsgType.COUNTERS: self._counters,
            p.MsgType.RESET: self._reset, p.MsgType.TENSOR: self._tensor, p.MsgType.BOOTLOADER: self._bootloader,
            p.MsgType.RUN_UNTIL: self._run_until, p.MsgType.READ_ARENA: self._read_arena,
            p.MsgType.STACK: self._stack, p.MsgType.CONFIRM: self._bootloader,
        }.get(frame.type, lambda _: E.UNKNOWN_TYPE)(frame.payload)
        if isinstance(result, int):
            return Expected("err", name, frame.seq, code=result)
        if isinstance(result, bytes):
            return Expected("ok", name, frame.seq, payload=result)
        return Expected("ok", name, frame.seq, length=result[0])  # (length,): contents not predictable

    def _hello(self, payload: bytes):
        return E.BAD_PAYLOAD if payload else self.hello

    def _tensor(self, payload: bytes):
        if len(payload) != 2 or payload[0] > 1:
            return E.BAD_PAYLOAD
        output, index = payload[0] == 1, payload[1]
        if index >= (1 if output else len(INPUTS)):
            return E.BAD_INDEX
        return spec_bytes(*(OUTPUT if output else INPUTS[index]))

    def _write(self, payload: bytes):
        if len(payload) < 2:
            return E.BAD_PAYLOAD
        index, rank = payload[0], payload[1]
        if index >= len(INPUTS):
            return E.BAD_INDEX
        header = 2 + 4 * rank + 4
        if rank > 4 or len(payload) < header:
            return E.BAD_PAYLOAD
        if struct.unpack_from(f"<{rank}I", payload, 2) != INPUTS[index][1]:
            return E.SHAPE_MISMATCH
        (offset,) = struct.unpack_from("<I", payload, 2 + 4 * rank)
        data = payload[header:]
        if offset % 4 or len(data) % 4:
            return E.BAD_PAYLOAD
        tensor_bytes = 4 * len(self.inputs[index])
        if offset > tensor_bytes or len(data) > tensor_bytes - offset:
            return E.OUT_OF_RANGE
        values = np.frombuffer(data, "<f4")
        if not np.isfinite(values).all():
            return E.NOT_FINITE
        first = offset // 4
        self.inputs[index][first:first + len(values)] = values
        self.written[index][first:first + len(values)] = True
        return b""

    def _run(self, payload: bytes):
        if len(payload) != 6:
            return E.BAD_PAYLOAD
        if not all(written.all() for written in self.written):
            return E.INPUT_INCOMPLETE
        self._layers(LAYERS - 1)
        self._forget_written()
        return (8,)  # instructions:u64

    def _layers(self, last: int) -> None:
        x, t = self.inputs
        with np.errstate(over="ignore"):
            self.arena = np.float32(2) * x  # model.c: arena = 2x, then out = arena + t
            if last >= 1:
                self.output = self.arena + t[0]
        self.outputs_valid = True

    def _run_until(self, payload: bytes):
        if len(payload) != 2:
            return E.BAD_PAYLOAD
        (last,) = struct.unpack("<H", payload)
        if last >= LAYERS:
            return E.BAD_INDEX
        if not all(written.all() for written in self.written):
            return E.INPUT_INCOMPLETE
        self._layers(last)  # the inputs stay written
        return (8,)

    def _read_arena(self, payload: bytes):
        if len(payload) != 6:
            return E.BAD_PAYLOAD
        if not self.outputs_valid:
            return E.NO_OUTPUT
        offset, length = struct.unpack("<IH", payload)
        if length > p.PROTO_MAX_PAYLOAD or offset > ARENA_BYTES or length > ARENA_BYTES - offset:
            return E.OUT_OF_RANGE
        return self.arena.astype("<f4").tobytes()[offset:offset + length]

    def _sample(self, payload: bytes):
        return E.BAD_PAYLOAD if len(payload) != 5 or payload[0] > 1 else E.NO_SAMPLER

    def _read(self, payload: bytes):
        if len(payload) != 7:
            return E.BAD_PAYLOAD
        index, offset, length = struct.unpack("<BIH", payload)
        if index >= 1:
            return E.BAD_INDEX
        if not self.outputs_valid:
            return E.NO_OUTPUT
        data = self.output.astype("<f4").tobytes()
        if length > p.PROTO_MAX_PAYLOAD or offset > len(data) or length > len(data) - offset:
            return E.OUT_OF_RANGE
        return data[offset:offset + length]

    def _counters(self, payload: bytes):
        if len(payload) != 2:
            return E.BAD_PAYLOAD
        if not self.outputs_valid:
            return E.NO_OUTPUT
        (start,) = struct.unpack("<H", payload)
        if start > LAYERS:
            return E.OUT_OF_RANGE
        return (6 + 8 * (LAYERS - start),)  # total, start, count, then one u64 per layer

    def _reset(self, payload: bytes):
        if payload:
            return E.BAD_PAYLOAD
        self._forget_written()
        self.outputs_valid = False
        return b""

    def _stack(self, payload: bytes):
        return E.BAD_PAYLOAD if payload else (8,)  # reserved:u32 used:u32 (used: not predictable)

    def _bootloader(self, payload: bytes):
        # BOOTLOADER and CONFIRM: an app loaded with -kernel has no bootloader to go back to
        return E.BAD_PAYLOAD if payload else E.NO_BOOTLOADER

    def _forget_written(self) -> None:
        for written in self.written:
            written[:] = False
