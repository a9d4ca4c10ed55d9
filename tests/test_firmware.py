"""Host-in-the-loop: the firmware with the tiny fixture model (out = 2*x + t) on every
emulated board, driven over the emulator's real pty exactly as a board on /dev/ttyUSB0
would be."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from sdk.compile.firmware import build_firmware
from sdk.runner import DeviceClient, DeviceError, Emulator, ErrorCode, MsgType
from sdk.runner import protocol as p
from sdk.target import UnknownTarget, isa_targets, load_target
from sdk.compile.toolchain import ToolMissing
from tests.helpers.tools import require_target

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny_model"
X_SHAPE = (1, 1, 16, 16)

@pytest.fixture(scope="module", params=isa_targets())
def target(request):
    return require_target(request.param)


@pytest.fixture(scope="module")
def image(target, tmp_path_factory):
    return build_firmware(target, [FIXTURE / "model.c"], [FIXTURE], tmp_path_factory.mktemp("fw"))


@pytest.fixture(scope="module")
def emulator(target, image):
    with Emulator(target, image.elf) as emu:
        yield emu
    assert emu.process is None


@pytest.fixture(scope="module")
def board(emulator):
    with DeviceClient(emulator.port, timeout=1.0, retries=2) as client:
        client.wait_until_ready(deadline_s=15)
        yield client


@pytest.fixture(autouse=True)
def fresh_state(request):
    if "board" in request.fixturenames:
        request.getfixturevalue("board").reset()


def inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(X_SHAPE).astype(np.float32), rng.standard_normal(1).astype(np.float32)


def write_both(board, x, t):
    board.write_input(0, x)
    board.write_input(1, t)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_hello_describes_build_and_model(board, image, target):
    info = board.hello()
    assert (info.protocol_version, info.max_payload) == (p.PROTO_VERSION, p.PROTO_MAX_PAYLOAD)
    assert info.target == target.name
    assert info.build_id == image.build_id
    assert info.model_hash == "0000000000f1c7e5"
    assert (info.arena_bytes, info.num_layers) == (1024, 2)
    assert info.inputs == [p.TensorSpec("x", p.DType.F32, X_SHAPE), p.TensorSpec("t", p.DType.F32, (1,))]
    assert info.outputs == [p.TensorSpec("out", p.DType.F32, X_SHAPE)]


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_write_run_read_is_exact(board):
    x, t = inputs(1)
    write_both(board, x, t)
    assert board.run(steps=4, seed=123) > 0
    np.testing.assert_array_equal(board.read_output(0), 2 * x + t)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_counters_cover_both_layers(board):
    write_both(board, *inputs())
    total = board.run()
    counts = board.counters()
    assert len(counts) == 2 and all(c > 0 for c in counts)
    assert sum(counts) <= total


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_instruction_count_is_deterministic(board, target):
    runs = []
    for seed in (2, 3):
        write_both(board, *inputs(seed))
        runs.append((board.run(), board.counters()))
    if target.counter_deterministic:
        assert runs[0] == runs[1]
    else:  # a clock (host: ns): same shape, every layer measured, layers within the total
        assert [len(counts) for _, counts in runs] == [2, 2]
        assert all(c > 0 for _, counts in runs for c in counts)
        assert all(sum(counts) <= total for total, counts in runs)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_run_until_a_layer_then_read_its_tensor_from_the_arena(board):
    """RUN_UNTIL 0 stops after the scale layer: the arena holds 2x, the output is untouched;
    the inputs stay written, so RUN_UNTIL 1 runs again on them and finishes the output."""
    before, t_before = inputs(3)
    write_both(board, before, t_before)
    board.run()
    x, t = inputs(4)
    write_both(board, x, t)
    assert board.run_until(0) > 0
    arena = np.frombuffer(board.read_arena(0, 1024), "<f4")
    np.testing.assert_array_equal(arena, 2 * x.ravel())
    np.testing.assert_array_equal(board.read_output(0), 2 * before + t_before)  # layer 1 did not run
    board.run_until(1)
    np.testing.assert_array_equal(board.read_output(0), 2 * x + t)
    np.testing.assert_array_equal(np.frombuffer(board.read_arena(1000, 24), "<f4"), 2 * x.ravel()[250:])


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_run_until_and_read_arena_refuse_what_is_out_of_range(board):
    with pytest.raises(DeviceError) as error:
        board.read_arena(0, 4)
    assert error.value.code == ErrorCode.NO_OUTPUT
    with pytest.raises(DeviceError) as error:
        board.run_until(0)  # nothing written
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE
    write_both(board, *inputs())
    with pytest.raises(DeviceError) as error:
        board.run_until(2)
    assert error.value.code == ErrorCode.BAD_INDEX and "2" in error.value.text
    board.run_until(1)
    for offset, length in ((1024, 1), (1020, 8), (0xFFFFFFFF, 2), (0, p.PROTO_MAX_PAYLOAD + 1)):
        with pytest.raises(DeviceError) as error:
            board.request(MsgType.READ_ARENA, p.read_arena_payload(offset, length))
        assert error.value.code == ErrorCode.OUT_OF_RANGE and "1024" in error.value.text
    with pytest.raises(DeviceError) as error:
        board.request(MsgType.RUN_UNTIL, b"\x00")
    assert error.value.code == ErrorCode.BAD_PAYLOAD
    assert board.request(MsgType.READ_ARENA, p.read_arena_payload(1024, 0)) == b""


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_wrong_shape_is_refused_and_board_keeps_answering(board, target):
    x, _ = inputs()
    with pytest.raises(DeviceError) as error:
        board.write_input(0, x.reshape(1, 16, 16))
    assert error.value.code == ErrorCode.SHAPE_MISMATCH
    assert "[1,1,16,16]" in error.value.text
    assert board.hello().target == target.name


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_write_beyond_tensor_and_bad_index_are_refused(board):
    beyond = p.write_payload(1, (1,), 4, bytes(4))
    with pytest.raises(DeviceError) as error:
        board.request(MsgType.WRITE, beyond)
    assert error.value.code == ErrorCode.OUT_OF_RANGE
    with pytest.raises(DeviceError) as error:
        board.write_input(7, np.zeros(1, np.float32))
    assert error.value.code == ErrorCode.BAD_INDEX


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_read_before_run_and_run_before_full_write_are_refused(board):
    with pytest.raises(DeviceError) as error:
        board.read_output(0)
    assert error.value.code == ErrorCode.NO_OUTPUT
    x, t = inputs()
    board.request(MsgType.WRITE, p.write_payload(0, X_SHAPE, 0, x.tobytes()[:512]))
    board.write_input(1, t)
    with pytest.raises(DeviceError) as error:
        board.run()
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE and "x" in error.value.text
    board.write_input(0, x)
    board.run()
    with pytest.raises(DeviceError) as error:
        board.run()  # inputs are consumed by a RUN
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_garbage_and_overlong_junk_then_valid_request(board, target):
    rng = np.random.default_rng(7)
    board.link.send(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    board.link.send(rng.integers(1, 256, 5000, dtype=np.uint8).tobytes())
    body = p.HEADER.pack(MsgType.HELLO, 9, p.PROTO_MAX_PAYLOAD + 1) + bytes(p.PROTO_MAX_PAYLOAD + 1)
    board.link.send(p.cobs_encode(body + p.CRC.pack(0)))  # oversize frame, no delimiter yet
    saved = board.retries
    board.retries = 0  # the first attempt must succeed: resync, not retries
    try:
        # A generous deadline: the board chews through 8 KB of junk first, slower on a busy host.
        assert board.hello(timeout=15.0).target == target.name
    finally:
        board.retries = saved


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_max_size_frames_arrive_intact(board):
    x, _ = inputs(5)
    data = x.tobytes()
    chunk = (p.PROTO_MAX_PAYLOAD - p.write_header_bytes(4)) // 4 * 4
    first = p.write_payload(0, X_SHAPE, 0, data[:chunk])
    assert len(first) >= p.PROTO_MAX_PAYLOAD - 3
    board.request(MsgType.WRITE, first)
    board.request(MsgType.WRITE, p.write_payload(0, X_SHAPE, chunk, data[chunk:]))
    board.write_input(1, np.zeros(1, np.float32))
    board.run()
    out = board.request(MsgType.READ, p.read_payload(0, 0, p.PROTO_MAX_PAYLOAD))
    np.testing.assert_array_equal(np.frombuffer(out, "<f4").reshape(X_SHAPE), 2 * x)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_repeated_seq_is_answered_from_saved_reply_without_running_again(board):
    write_both(board, *inputs())
    # A seq the client's own next request cannot have (it starts at a random seq): had board.run()
    # below drawn the same seq, the board would rightly answer it as a retry of this frame.
    seq = (board._seq + 0x80) & 0xFF
    run_frame = p.encode_frame(MsgType.RUN, seq, p.run_payload(1, 0))
    replies = []
    for _ in range(2):
        board.link.send(p.DELIMITER + run_frame)
        replies.append(board.link.receive(time.monotonic() + 2.0))
    first, again = (p.decode_frame(r) for r in replies)
    assert first.type == MsgType.OK and first.seq == seq
    assert again == first
    # Had the retry executed, it would have failed: the first RUN consumed the inputs.
    with pytest.raises(DeviceError) as error:
        board.run()
    assert error.value.code == ErrorCode.INPUT_INCOMPLETE


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_missing_emulator_names_the_apt_command(target, image):
    missing = dataclasses.replace(target, emulator_command=["qemu-system-edgediff-absent", "{elf}"])
    apt = f"apt-get update && apt-get install -y {' '.join(target.emulator_packages)}"
    with pytest.raises(ToolMissing, match=re.escape(apt)):
        Emulator(missing, image.elf).start()


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_emulator_is_reaped_even_on_exception(target, image):
    with pytest.raises(RuntimeError, match="boom"):
        with Emulator(target, image.elf) as emu:
            pid = emu.process.pid
            raise RuntimeError("boom")
    assert emu.process is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.unit
def test_unknown_target_lists_known_ones():
    with pytest.raises(UnknownTarget, match="rv32"):
        load_target("no-such-board")


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_build_is_reproducible_and_reports_sizes(target, image, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.copytree(FIXTURE, moved)
    again = build_firmware(target, [moved / "model.c"], [moved], tmp_path / "out")
    assert again.build_id == image.build_id
    assert again.elf.read_bytes() == image.elf.read_bytes()
    assert image.text_bytes > 0 and image.bss_bytes >= 4 * 513
    assert image.flash_bytes == image.text_bytes + image.rodata_bytes + image.data_bytes
    assert struct.unpack("<I", image.bin.read_bytes()[:4])[0] != 0
