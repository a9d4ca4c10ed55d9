"""The serial protocol on its own: COBS and frames round-trip, corruption is caught, and the
C firmware code and the Python runner agree byte for byte and code for code."""

from __future__ import annotations

import ctypes
import re
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk.runner import protocol as p

FIRMWARE = Path(__file__).resolve().parent.parent / "firmware"
MAX_WIRE = p.PROTO_MAX_PAYLOAD + 8 + (p.PROTO_MAX_PAYLOAD + 8) // 254 + 2

payloads = st.binary(max_size=p.PROTO_MAX_PAYLOAD)
frames = st.tuples(st.integers(0, 255), st.integers(0, 255), payloads)


@pytest.mark.unit
@given(st.binary(max_size=3000))
def test_cobs_round_trip_and_no_zero_bytes(data):
    encoded = p.cobs_encode(data)
    assert 0 not in encoded
    assert p.cobs_decode(encoded) == data


@pytest.mark.unit
@given(frames)
def test_frame_round_trip(frame):
    msg_type, seq, payload = frame
    wire = p.encode_frame(msg_type, seq, payload)
    assert wire.endswith(b"\x00") and 0 not in wire[:-1]
    assert p.decode_frame(wire[:-1]) == p.Frame(msg_type, seq, payload)


@pytest.mark.unit
@given(frames, st.data())
def test_corrupted_frame_is_detected(frame, data):
    wire = bytearray(p.encode_frame(*frame)[:-1])
    at = data.draw(st.integers(0, len(wire) - 1))
    wire[at] ^= data.draw(st.integers(1, 255))
    with pytest.raises(p.FrameError):
        p.decode_frame(bytes(wire))


@pytest.mark.unit
@given(frames, st.data())
def test_truncated_frame_is_detected(frame, data):
    wire = p.encode_frame(*frame)[:-1]
    cut = data.draw(st.integers(0, len(wire) - 1))
    with pytest.raises(p.FrameError):
        p.decode_frame(wire[:cut])


@pytest.mark.unit
def test_oversized_payload_is_refused():
    with pytest.raises(ValueError):
        p.encode_frame(p.MsgType.WRITE, 0, bytes(p.PROTO_MAX_PAYLOAD + 1))


class CFrame(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint8), ("seq", ctypes.c_uint8), ("len", ctypes.c_uint16),
                ("payload", ctypes.POINTER(ctypes.c_uint8)), ("crc", ctypes.c_uint32)]


@pytest.fixture(scope="module")
def c_frame_lib(tmp_path_factory):
    """firmware/cobs.c, crc32.c and frame.c built for the host, exactly as the target uses them."""
    lib = tmp_path_factory.mktemp("frame_lib") / "libframe.so"
    sources = [FIRMWARE / name for name in ("cobs.c", "crc32.c", "frame.c")]
    subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                    f"-I{FIRMWARE}", *map(str, sources), "-o", str(lib)], check=True)
    so = ctypes.CDLL(str(lib))
    so.frame_encode.restype = ctypes.c_size_t
    so.frame_encode.argtypes = [ctypes.c_uint8, ctypes.c_uint8, ctypes.c_char_p, ctypes.c_uint16, ctypes.c_char_p]
    so.frame_decode.restype = ctypes.c_int
    so.frame_decode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(CFrame)]
    so.crc32_update.restype = ctypes.c_uint32
    so.crc32_update.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
    return so


def c_encode(lib, msg_type, seq, payload) -> bytes:
    wire = ctypes.create_string_buffer(MAX_WIRE)
    size = lib.frame_encode(msg_type, seq, payload, len(payload), wire)
    return wire.raw[:size]


def c_decode(lib, wire: bytes) -> tuple[int, p.Frame | None]:
    scratch = ctypes.create_string_buffer(p.PROTO_MAX_PAYLOAD + 8)
    frame = CFrame()
    status = lib.frame_decode(wire, len(wire), scratch, ctypes.byref(frame))
    if status != 0:
        return status, None
    return 0, p.Frame(frame.type, frame.seq, ctypes.string_at(frame.payload, frame.len))


@pytest.mark.kernel
@settings(max_examples=200)
@given(frames)
def test_c_and_python_frames_are_identical(c_frame_lib, frame):
    wire = p.encode_frame(*frame)
    assert c_encode(c_frame_lib, *frame) == wire
    assert c_decode(c_frame_lib, wire[:-1]) == (0, p.Frame(*frame))


@pytest.mark.kernel
@given(frames, st.data())
def test_c_detects_corruption(c_frame_lib, frame, data):
    wire = bytearray(p.encode_frame(*frame)[:-1])
    at = data.draw(st.integers(0, len(wire) - 1))
    wire[at] ^= data.draw(st.integers(1, 255))
    status, _ = c_decode(c_frame_lib, bytes(wire))
    assert status != 0


@pytest.mark.kernel
def test_c_refuses_oversized_frames(c_frame_lib):
    assert c_encode(c_frame_lib, 1, 0, bytes(p.PROTO_MAX_PAYLOAD + 1)) == b""
    body = p.HEADER.pack(1, 0, p.PROTO_MAX_PAYLOAD + 1) + bytes(p.PROTO_MAX_PAYLOAD + 1)
    wire = p.cobs_encode(body + p.CRC.pack(zlib.crc32(body)))
    status, _ = c_decode(c_frame_lib, wire)
    assert status != 0


@pytest.mark.kernel
@given(st.binary(max_size=2000))
def test_c_crc32_matches_zlib(c_frame_lib, data):
    assert c_frame_lib.crc32_update(0, data, len(data)) == zlib.crc32(data)


def header_defines(prefix: str) -> dict[str, int]:
    text = (FIRMWARE / "protocol.h").read_text()
    return {name: int(value, 0) for name, value in
            re.findall(rf"^#define {prefix}_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\s*$", text, re.MULTILINE)}


@pytest.mark.unit
def test_codes_in_protocol_h_match_protocol_py():
    assert header_defines("MSG") == {m.name: m.value for m in p.MsgType}
    assert header_defines("ERR") == {e.name: e.value for e in p.ErrorCode}
    assert header_defines("PROTO") == {"VERSION": p.PROTO_VERSION, "MAX_PAYLOAD": p.PROTO_MAX_PAYLOAD}
