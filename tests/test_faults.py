"""Fault tests: the real firmware (tiny fixture model, out = 2*x + t, exact) on the emulated
rv32 board, through QEMU's real pty, with the link damaged on purpose.

- a link that corrupts, drops and duplicates bytes in both directions: every result exact;
- replies lost on purpose: a re-sent WRITE or RUN is answered from the saved reply, never
  executed twice (a second RUN would answer INPUT_INCOMPLETE, so any ERR is a failure);
- 10,000 random and mutated frames in bulk, valid requests among them (WRITEs past the tensor
  and past the frame maximum, whole samples): every answer is the one a model of the firmware
  (tests/fixture_firmware_model.py) gives for that frame, then HELLO and exact results;
- wrong shapes, NaN/Inf inputs, oversize WRITEs: error replies naming what is wrong.
Each test is bounded in count and time (docs/RELIABILITY.md lists the rates measured here)."""

from __future__ import annotations

import collections
import struct
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
import serial

from sdk.compile.firmware import build_firmware
from sdk.runner import DeviceClient, DeviceError, DeviceUnresponsive, Emulator, ErrorCode, MsgType
from sdk.runner import protocol as p
from sdk.runner.faulty import FaultRates, FaultyPort
from sdk.runner.transport import open_port
from tests.fixture_firmware_model import FixtureFirmware
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
X_SHAPE = (1, 1, 16, 16)
FUZZ_FRAMES = 10_000


@pytest.fixture(scope="module")
def target():
    return require_target("rv32")


@pytest.fixture(scope="module")
def image(target, tmp_path_factory):
    return build_firmware(target, [FIXTURE / "model.c"], [FIXTURE], tmp_path_factory.mktemp("fw"))


@pytest.fixture(scope="module")
def emulator(target, image):
    with Emulator(target, image.elf) as emu:
        yield emu


@pytest.fixture
def board(emulator):
    """A clean client on the pty, the device reset."""
    with DeviceClient(emulator.port, timeout=1.0, retries=3, board="rv32-emulated") as client:
        client.wait_until_ready(deadline_s=15)
        client.reset()
        yield client


def sample(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(X_SHAPE).astype(np.float32), rng.standard_normal(1).astype(np.float32)


def run_exact(client: DeviceClient, seed: int) -> None:
    x, t = sample(seed)
    client.write_input(0, x)
    client.write_input(1, t)
    client.run()
    np.testing.assert_array_equal(client.read_output(0), 2 * x + t)


# ------------------------------------------------------------------------- a noisy link

NOISY = FaultRates(corrupt=0.01, drop=0.001, duplicate=0.001)
NOISY_SAMPLES = 12


def test_validation_through_a_noisy_link_gives_only_exact_results(emulator):
    """1% corrupted, 0.1% dropped, 0.1% duplicated bytes each way; every output bit-exact."""
    faulty = FaultyPort(open_port(emulator.port, 0.25), to_device=NOISY, seed=2024)
    start = time.monotonic()
    with DeviceClient(faulty, timeout=0.25, retries=25, chunk_bytes=64, board="rv32-noisy") as client:
        client.wait_until_ready(deadline_s=15)
        client.reset()
        for seed in range(NOISY_SAMPLES):
            run_exact(client, seed)  # an ERR here (e.g. a RUN executed twice) fails the test
        stats = dict(client.stats)
    elapsed = time.monotonic() - start
    tx, rx = faulty.counts["tx"], faulty.counts["rx"]
    print(f"\n{NOISY_SAMPLES} samples through {NOISY} in {elapsed:.1f} s: {faulty.summary()}; client {stats}")
    assert tx.corrupted > 20 and rx.corrupted > 20 and tx.dropped + rx.dropped > 0
    assert stats["resends"] > 0


class LoseReplies:
    """A FramedPort stand-in that loses the next reply after chosen request types."""

    def __init__(self, link, lose_after: set[int]):
        self.link, self.lose_after, self.armed, self.lost = link, lose_after, False, 0

    def __getattr__(self, name):
        return getattr(self.link, name)

    def send(self, wire: bytes) -> None:
        frame = p.decode_frame(wire.strip(b"\x00"))
        if frame.type in self.lose_after:
            self.lose_after.discard(frame.type)
            self.armed = True
        self.link.send(wire)

    def receive(self, deadline: float):
        frame = self.link.receive(deadline)
        if frame is not None and self.armed:
            self.armed, self.lost = False, self.lost + 1
            return self.link.receive(deadline)
        return frame


def test_lost_replies_to_write_and_run_are_answered_from_the_saved_reply(board):
    lossy = LoseReplies(board.link, {MsgType.WRITE, MsgType.RUN})
    board.link = lossy
    board.timeout = 1.0  # a loaded CI machine can delay a reply past a shorter wait
    timeouts_before = board.stats["timeouts"]
    x, t = sample(3)
    board.write_input(0, x)
    board.write_input(1, t)
    assert board.run() > 0  # had the re-sent RUN executed again, it would answer INPUT_INCOMPLETE
    # each lost reply costs at least one timeout; a slow reply on a busy machine may add one
    assert lossy.lost == 2 and board.stats["timeouts"] - timeouts_before >= 2
    np.testing.assert_array_equal(board.read_output(0), 2 * x + t)
    with pytest.raises(DeviceError) as error:
        board.run()
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE


def test_unresponsive_board_error_names_board_port_and_last_good_exchange(emulator):
    faulty = FaultyPort(open_port(emulator.port, 0.2), to_device=FaultRates())
    with DeviceClient(faulty, timeout=0.2, retries=2, board="bench-3") as client:
        client.wait_until_ready(deadline_s=15)
        faulty.rates["tx"] = FaultRates(drop=1.0)  # the cable is pulled
        with pytest.raises(DeviceUnresponsive) as error:
            client.reset()
    message = str(error.value)
    assert f"board 'bench-3' on faulty({emulator.port})" in message
    assert "no valid reply to RESET" in message and "after 3 attempts of 0.2 s (3× timeout)" in message
    assert "last good exchange: TENSOR seq=" in message and "-> OK" in message and "s ago" in message


# ----------------------------------------------------------------------------- fuzzing

def frame_bytes(msg_type: int, seq: int, payload: bytes, length: int | None = None,
                crc_delta: int = 0) -> bytes:
    """A COBS frame without its delimiter; length and CRC can be made wrong on purpose."""
    body = p.HEADER.pack(msg_type & 0xFF, seq & 0xFF, len(payload) if length is None else length) + payload
    return p.cobs_encode(body + p.CRC.pack((zlib.crc32(body) + crc_delta) & 0xFFFFFFFF))


def fuzz_stream(rng: np.random.Generator, count: int) -> list[bytes]:
    """count items, each the bytes up to and including one 0x00 (random junk may hold more)."""
    types = [int(t) for t in p.MsgType if t < 0x80]
    kinds = ["junk", "random", "random", "flips", "truncated", "length lies", "wrong crc", "shifted",
             "twice", "oversize", "write", "exact size"]
    items = []
    for _ in range(count):
        kind = kinds[int(rng.integers(len(kinds)))] if rng.random() > 0.003 else "sample"
        payload = rng.bytes(int(rng.integers(0, 24)))
        msg_type = int(rng.choice(types)) if rng.random() < 0.8 else int(rng.integers(256))
        seq = int(rng.integers(256))
        if kind == "junk":  # random bytes, zeros included
            item = rng.bytes(int(rng.integers(1, 40)))
        elif kind == "random":  # a well-formed frame with a random payload: reaches the handlers
            item = frame_bytes(msg_type, seq, payload)
        elif kind == "flips":
            wire = bytearray(frame_bytes(msg_type, seq, payload))
            for at in rng.integers(0, len(wire), int(rng.integers(1, 4))):
                wire[at] ^= 1 << int(rng.integers(8))
            item = bytes(wire).replace(b"\x00", b"\x01")
        elif kind == "truncated":
            wire = frame_bytes(msg_type, seq, payload)
            item = wire[:int(rng.integers(1, len(wire)))]
        elif kind == "length lies":  # CRC right for the lie
            item = frame_bytes(msg_type, seq, payload, length=int(rng.integers(0x10000)))
        elif kind == "wrong crc":
            item = frame_bytes(msg_type, seq, payload, crc_delta=int(rng.integers(1, 1 << 32)))
        elif kind == "shifted":  # plausible requests with shifted fields
            payload = struct.pack("<BB", int(rng.integers(4)), int(rng.integers(6))) + payload
            item = frame_bytes(int(rng.choice(types)), seq, payload)
        elif kind == "twice":  # the same frame twice: a host retry
            item = frame_bytes(msg_type, seq, payload)
            items.append(item + b"\x00")
        elif kind == "oversize":  # now and then far beyond the device's buffer
            size = int(rng.integers(p.PROTO_MAX_PAYLOAD + 1, 3 * p.PROTO_MAX_PAYLOAD)) if rng.random() < 0.03 else 60
            item = frame_bytes(MsgType.WRITE, seq, bytes([1]) * size) if size > 60 else frame_bytes(
                MsgType.WRITE, seq, bytes(8), length=p.PROTO_MAX_PAYLOAD + 1 + int(rng.integers(1000)))
        elif kind == "write":
            item = frame_bytes(MsgType.WRITE, seq, bounded_write(rng))
        elif kind == "exact size":
            item = exact_size_frame(rng, seq)
        else:  # a whole sample, as the runner sends it: every reply is known to the bit
            items += [frame + b"\x00" for frame in sample_frames(rng)]
            continue
        items.append(item + b"\x00")
    return items


def finite_floats(rng: np.random.Generator, count: int) -> bytes:
    return rng.standard_normal(count).astype("<f4").tobytes()


def bounded_write(rng: np.random.Generator) -> bytes:
    """A WRITE with a right header (index and shape), or one that is not quite: no such input,
    a wrong shape, offsets up to 32 bytes past the tensor, now and then unaligned, data up to
    1,120 bytes (past the tensor and, with its header, past the maximum payload), now and then a
    NaN or an infinity."""
    index = int(rng.integers(3))  # 2: no such input
    shape = X_SHAPE if index != 1 else (1,)
    if rng.random() < 0.1:
        shape = (16, 16) if index != 1 else (2,)
    tensor_bytes = 4 * int(np.prod(shape))
    offset = 4 * int(rng.integers(0, tensor_bytes // 4 + 8)) + (int(rng.integers(1, 4)) if rng.random() < 0.1 else 0)
    floats = int(rng.integers(0, 280)) if rng.random() < 0.1 else int(rng.integers(0, 17))
    data = bytearray(finite_floats(rng, floats))
    if floats and rng.random() < 0.05:
        at = 4 * int(rng.integers(floats))
        data[at:at + 4] = np.array([rng.choice([np.nan, np.inf, -np.inf])], "<f4").tobytes()
    return p.write_payload(index, shape, offset, bytes(data))


def exact_size_frame(rng: np.random.Generator, seq: int) -> bytes:
    """A request with its payload's exact size and random fields, so it passes the length check."""
    msg_type, payload = [
        (MsgType.RUN, p.run_payload(int(rng.integers(4)), int(rng.integers(1 << 32)))),
        (MsgType.READ, p.read_payload(int(rng.integers(2)), 4 * int(rng.integers(0, 280)), int(rng.integers(0, 1100)))),
        (MsgType.COUNTERS, p.counters_payload(int(rng.integers(4)))),
        (MsgType.TENSOR, struct.pack("<BB", int(rng.integers(3)), int(rng.integers(3)))),
        (MsgType.SAMPLE, struct.pack("<BI", int(rng.integers(3)), int(rng.integers(1 << 32)))),
        (MsgType.HELLO, b""), (MsgType.RESET, b""), (MsgType.BOOTLOADER, b""), (MsgType.INFO, b""),
    ][int(rng.integers(9))]
    return frame_bytes(msg_type, seq, payload)


def sample_frames(rng: np.random.Generator) -> list[bytes]:
    """x in up to four chunks, t, RUN, the output in random chunks, COUNTERS (what the runner
    sends), then a READ at a random offset and length, mostly past the output."""
    x, frames = finite_floats(rng, 256), []
    cuts = sorted({0, 1024, *(4 * int(c) for c in rng.integers(1, 250, int(rng.integers(0, 4))))})
    for start, end in zip(cuts, cuts[1:]):
        frames.append((MsgType.WRITE, p.write_payload(0, X_SHAPE, start, x[start:end])))
    frames += [(MsgType.WRITE, p.write_payload(1, (1,), 0, finite_floats(rng, 1))), (MsgType.RUN, p.run_payload(1, 0))]
    at = 0
    while at < 1024:
        length = min(int(rng.integers(4, 1025)), 1024 - at)
        frames.append((MsgType.READ, p.read_payload(0, at, length)))
        at += length
    frames.append((MsgType.COUNTERS, p.counters_payload(0)))
    frames.append((MsgType.READ, p.read_payload(0, 4 * int(rng.integers(0, 280)), int(rng.integers(0, 1100)))))
    return [frame_bytes(msg_type, int(rng.integers(256)), payload) for msg_type, payload in frames]


class Drain(threading.Thread):
    """Reads everything the device sends back, so it never blocks on a full pty."""

    def __init__(self, port: serial.SerialBase):
        super().__init__(daemon=True)
        self.port, self.data, self.stop = port, bytearray(), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.data += self.port.read(max(1, self.port.in_waiting))


def outcome(want) -> str:
    """'NAK BAD_CRC', 'WRITE ERR OUT_OF_RANGE', 'READ OK', 'again': what one expected answer is."""
    if want.kind == "nak":
        return f"NAK {['', 'BAD_COBS', 'TOO_SHORT', 'TOO_LONG', 'BAD_LENGTH', 'BAD_CRC'][want.code]}"
    if want.kind == "again":
        return "again"
    request = want.request.split()[0]
    if request not in MsgType.__members__ or MsgType[request] >= MsgType.OK:
        request = "other"
    return f"{request} ERR {ErrorCode(want.code).name}" if want.kind == "err" else f"{request} OK"


def test_ten_thousand_fuzzed_frames_each_get_the_answer_the_firmware_owes(emulator, image, board):
    """Every answer is checked against the model's: NAK and its status for a damaged frame, the
    saved reply for a repeat, the ERR code of the first check a request fails, the exact payload
    of an OK (the output bytes of a READ; only the size of RUN's and COUNTERS' counts)."""
    rng = np.random.default_rng(11)
    # A RESET first, so the model starts where the device is: nothing written, no output.
    stream = b"\x00" + frame_bytes(MsgType.RESET, 0, b"") + b"\x00" + b"".join(fuzz_stream(rng, FUZZ_FRAMES))
    expected = FixtureFirmware(image.build_id).feed(stream)
    port = open_port(emulator.port, 0.05)
    drain = Drain(port)
    drain.start()
    start = time.monotonic()
    try:
        port.write_timeout = 60
        for at in range(0, len(stream), 4096):
            port.write(stream[at:at + 4096])
        port.flush()
        deadline = time.monotonic() + 150
        while drain.data.count(b"\x00") < len(expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        drain.stop.set()
        drain.join(timeout=2)
        port.close()
    elapsed = time.monotonic() - start
    answers = [p.decode_frame(f) for f in bytes(drain.data).split(b"\x00") if f]
    wrong = [f"answer {i} to {want.request}: expected {want}, got {got}"
             for i, (got, want) in enumerate(zip(answers, expected)) if not want.matches(got, answers)]
    seen = collections.Counter(outcome(want) for want in expected)
    print(f"\n{FUZZ_FRAMES} fuzz items, {len(stream):,} bytes, {len(expected)} answers in {elapsed:.1f} s: "
          f"{dict(sorted(seen.items()))}")
    assert len(answers) == len(expected)
    assert not wrong, f"{len(wrong)} answers differ from the firmware model's:\n" + "\n".join(wrong[:5])
    # The mix reached the frame checks, the repeat check, and every bound WRITE and READ have.
    for what in ("NAK BAD_CRC", "NAK TOO_LONG", "NAK BAD_LENGTH", "again", "WRITE OK", "WRITE ERR OUT_OF_RANGE",
                 "WRITE ERR BAD_PAYLOAD", "WRITE ERR SHAPE_MISMATCH", "WRITE ERR NOT_FINITE", "RUN OK",
                 "READ OK", "READ ERR OUT_OF_RANGE", "COUNTERS OK"):
        assert seen[what] >= 5, f"only {seen[what]} × {what}"
    board.link.discard_input()
    assert board.hello(timeout=5.0).target == "rv32"
    board.reset()
    run_exact(board, 99)


# ------------------------------------------------------------------ bad requests, refused

def test_nan_and_inf_inputs_are_refused_with_input_name_and_element(board):
    x, t = sample(5)
    bad = x.copy()
    bad.flat[37] = np.nan
    with pytest.raises(DeviceError) as error:
        board.write_input(0, bad)
    assert error.value.code == ErrorCode.NOT_FINITE and error.value.text == "x: NaN at element 37"
    board.chunk_bytes = 256  # element 200 sits in the fourth chunk: the index is the tensor's
    bad = x.copy()
    bad.flat[200] = -np.inf
    with pytest.raises(DeviceError) as error:
        board.write_input(0, bad)
    assert error.value.text == "x: infinity at element 200"
    with pytest.raises(DeviceError) as error:
        board.write_input(1, np.array([np.inf], np.float32))
    assert error.value.text == "t: infinity at element 0"
    with pytest.raises(DeviceError) as error:
        board.run()  # the refused chunks were not stored
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE
    run_exact(board, 6)


def test_wrong_shape_and_oversize_writes_are_refused_and_board_keeps_serving(board):
    x, _ = sample(7)
    with pytest.raises(DeviceError) as error:
        board.write_input(0, x.reshape(16, 16))
    assert error.value.code == ErrorCode.SHAPE_MISMATCH and "[1,1,16,16]" in error.value.text
    with pytest.raises(DeviceError) as error:  # more data than the tensor holds
        board.request(MsgType.WRITE, p.write_payload(1, (1,), 0, bytes(32)))
    assert error.value.code == ErrorCode.OUT_OF_RANGE
    # A frame longer than the protocol allows: the device cannot hold it, so it NAKs it.
    board.link.send(b"\x00" + frame_bytes(MsgType.WRITE, 1, bytes(p.PROTO_MAX_PAYLOAD + 64)) + b"\x00")
    nak = p.decode_frame(board.link.receive(time.monotonic() + 5))
    assert (nak.type, nak.seq, nak.payload) == (MsgType.NAK, 0, bytes([3]))  # FRAME_TOO_LONG
    assert board.hello().target == "rv32"
    run_exact(board, 8)
