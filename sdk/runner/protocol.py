"""The EdgeDiff serial protocol, Python side: codes, COBS, CRC, frames, payload layouts.

Numbers here mirror firmware/protocol.h (tests/test_protocol.py checks they agree).

Frame on the wire: COBS(type:u8 seq:u8 len:u16 payload crc32:u32) 0x00, little-endian,
crc32 (zlib) over type..payload. A reply carries its request's seq and type OK or ERR.

Payloads (requests -> OK replies):
  HELLO    ()                                   -> version:u8 max_payload:u16 arena_bytes:u32
                                                   num_layers:u16 num_inputs:u8 num_outputs:u8
                                                   target:str8 build_id:str8 model_hash:str8
                                                   booted:u8 image_bytes:u32 image_crc:u32
           booted 1: the bootloader started this program after checking its image, whose body
           is image_bytes long with CRC-32 image_crc (firmware/boot_handoff.h), so the host
           can compare what the board runs with the build's image, not only the build id;
           booted 0 (and zeros): no bootloader started it (QEMU -kernel, the host target,
           the bootloader's own HELLO). Firmware older than these fields sends none: read as 0.
  TENSOR   kind:u8 (0 input, 1 output) index:u8 -> name:str8 dtype:u8 rank:u8 dims:u32[rank]
           dtype 1: float32; 2: int32 (an integer model input, a timestep). Both are 4 bytes
           an element, so WRITE and READ lay them out alike.
  WRITE    index:u8 rank:u8 dims:u32[rank] offset:u32 data  -> ()
  RUN      steps:u16 seed:u32 (reserved)        -> instructions:u64  (one model call)
  SAMPLE   noise:u8 seed:u32                    -> instructions:u64  (the whole on-device
           sampler; noise 0: input 0 as written, 1: the board's generator seeded with seed,
           twin in sdk/diffusion/device_noise.py; the sample is output 0; ERR NO_SAMPLER
           when the image has none)
  READ     index:u8 offset:u32 length:u16       -> data
  RUN_UNTIL last_layer:u16                      -> instructions:u64  (layers 0..last_layer
           only, for reading intermediate tensors; the inputs stay written, so a sample is
           written once and run up to each layer in turn; ERR BAD_INDEX past the last layer)
  READ_ARENA offset:u32 length:u16              -> data  (bytes of the model's arena as the
           last RUN or RUN_UNTIL left them; the build's plan.json says which tensor is where;
           ERR OUT_OF_RANGE beyond the arena or the max payload)
  COUNTERS start:u16                            -> total:u16 start:u16 count:u16 u64[count]
  STACK    ()                                   -> reserved:u32 used:u32 (protocol version 2)
           the stack high-water mark since boot or the last RESET: reserved bytes of the
           stack region in the linker script, used the deepest the stack went (the firmware
           paints the region and scans for the first overwritten word,
           firmware/stack_watermark.c); reserved 0: the target has no stack of its own to
           measure (the host target). Firmware of version 1 answers ERR UNKNOWN_TYPE; the
           host checks HELLO's version first and says to rebuild (DeviceClient.stack).
  RESET    ()                                   -> ()
  BOOTLOADER ()                                 -> () then the app jumps to its bootloader
                                                   (ERR NO_BOOTLOADER if none started it)
  CONFIRM  ()                                   -> was_trial:u8; when 1 the app then jumps to
                                                   its bootloader, which makes the trial image
                                                   permanent (and raises the security counter)
  Bootloader only (layouts in firmware/bootloader/loader_commands.c; offsets in the staging
  slot's body): INFO -> capacity:u32 sector:u32 state:u8 body_bytes:u32 body_crc:u32
  build_id:str8 state_text:str8 (the confirmed app), then highest_counter:u32 key_id[8]
  hash_instructions:u32 verify_instructions:u32 header_crc:u32 (signed images), then trial:u8
  body_bytes:u32 body_crc:u32 build_id:str8 (a committed trial not yet started; zeros without
  one) -- sdk/runner/flasher.py parse_info; ERASE offset:u32 length:u32, PROGRAM offset:u32
  data, VERIFY offset:u32 length:u32 -> crc32:u32 (whole 4 KiB blocks only), COMMIT
  header[140] (signed, sdk/runner/image.py), BOOT; its HELLO has model hash "bootloader".
  ERR reply: code:u8 text (ASCII)
  NAK (device -> host, not a reply): seq 0, status:u8; the bytes up to a 0x00 were no valid
      frame, so the host re-sends its request now instead of after the timeout.
str8 = length:u8 + bytes. Offsets are in bytes; WRITE offsets/lengths are whole float32s.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum

PROTO_VERSION = 2  # 2: STACK, RUN_UNTIL, READ_ARENA
STACK_VERSION = 2  # the first protocol version with STACK
PROTO_MAX_PAYLOAD = 1024
HEADER = struct.Struct("<BBH")
CRC = struct.Struct("<I")
DELIMITER = b"\x00"


class MsgType(IntEnum):
    HELLO = 0x01
    WRITE = 0x02
    RUN = 0x03
    READ = 0x04
    COUNTERS = 0x05
    RESET = 0x06
    TENSOR = 0x07
    SAMPLE = 0x08
    RUN_UNTIL = 0x09
    READ_ARENA = 0x0A
    STACK = 0x0B
    INFO = 0x10
    ERASE = 0x11
    PROGRAM = 0x12
    VERIFY = 0x13
    COMMIT = 0x14
    BOOT = 0x15
    BOOTLOADER = 0x16
    CONFIRM = 0x17
    OK = 0x80
    ERR = 0x81
    NAK = 0x82  # link level: the device got a damaged frame; seq 0, payload frame status


def type_name(msg_type: int) -> str:
    return MsgType(msg_type).name if msg_type in MsgType._value2member_map_ else f"0x{msg_type:02x}"


class ErrorCode(IntEnum):
    UNKNOWN_TYPE = 0x01
    BAD_PAYLOAD = 0x02
    BAD_INDEX = 0x03
    SHAPE_MISMATCH = 0x04
    OUT_OF_RANGE = 0x05
    INPUT_INCOMPLETE = 0x06
    NO_OUTPUT = 0x07
    INTERNAL = 0x08
    NOT_FINITE = 0x09
    NO_SAMPLER = 0x0A
    FLASH = 0x10
    VERIFY = 0x11
    NO_IMAGE = 0x12
    NO_BOOTLOADER = 0x13


class DType(IntEnum):
    F32 = 1  # MODEL_DTYPE_F32 in the generated model.h
    I32 = 2  # MODEL_DTYPE_I32: an integer input, int32 on the wire and on the device


NUMPY_DTYPES = {DType.F32: "<f4", DType.I32: "<i4"}  # little-endian, 4 bytes each


class ProtocolError(Exception):
    """Base of everything that can go wrong on the serial link."""


class FrameError(ProtocolError):
    """Bytes between two delimiters are not a valid frame (COBS, length or CRC)."""


class DeviceError(ProtocolError):
    """The device answered ERR: the request was understood and refused."""

    def __init__(self, code: int, text: str):
        self.code = ErrorCode(code) if code in ErrorCode._value2member_map_ else code
        self.text = text
        name = self.code.name if isinstance(self.code, ErrorCode) else f"0x{code:02x}"
        super().__init__(f"device error {name}: {text}")


@dataclass(frozen=True)
class Frame:
    type: int
    seq: int
    payload: bytes


def cobs_encode(data: bytes) -> bytes:
    """Same algorithm as firmware/cobs.c, so both sides produce identical bytes."""
    out = bytearray(b"\x00")
    code_at, code = 0, 1
    for byte in data:
        if byte == 0:
            out[code_at] = code
            code_at, code = len(out), 1
            out.append(0)
            continue
        out.append(byte)
        code += 1
        if code == 0xFF:
            out[code_at] = code
            code_at, code = len(out), 1
            out.append(0)
    out[code_at] = code
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        code = data[i]
        i += 1
        block = data[i:i + code - 1]
        if code == 0 or len(block) != code - 1 or 0 in block:
            raise FrameError("malformed COBS block")
        out += block
        i += code - 1
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def encode_frame(msg_type: int, seq: int, payload: bytes = b"") -> bytes:
    """Wire bytes of one frame, delimiter included."""
    if len(payload) > PROTO_MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {PROTO_MAX_PAYLOAD}")
    body = HEADER.pack(msg_type, seq & 0xFF, len(payload)) + payload
    return cobs_encode(body + CRC.pack(zlib.crc32(body))) + DELIMITER


def decode_frame(wire: bytes) -> Frame:
    """Parse the bytes between two delimiters (delimiter excluded)."""
    raw = cobs_decode(wire)
    if len(raw) < HEADER.size + CRC.size:
        raise FrameError(f"frame of {len(raw)} bytes is too short")
    msg_type, seq, length = HEADER.unpack_from(raw)
    if len(raw) != HEADER.size + length + CRC.size:
        raise FrameError(f"length field {length} disagrees with frame size {len(raw)}")
    body = raw[:HEADER.size + length]
    (crc,) = CRC.unpack_from(raw, len(body))
    if crc != zlib.crc32(body):
        raise FrameError("CRC mismatch")
    return Frame(msg_type, seq, body[HEADER.size:])


# Request payloads -----------------------------------------------------------------------

def write_payload(index: int, shape: tuple[int, ...], offset: int, data: bytes) -> bytes:
    return struct.pack(f"<BB{len(shape)}II", index, len(shape), *shape, offset) + data


def write_header_bytes(rank: int) -> int:
    return 2 + 4 * rank + 4


def run_payload(steps: int, seed: int) -> bytes:
    return struct.pack("<HI", steps, seed)


def sample_payload(device_noise: bool, seed: int) -> bytes:
    return struct.pack("<BI", int(device_noise), seed)


def read_payload(index: int, offset: int, length: int) -> bytes:
    return struct.pack("<BIH", index, offset, length)


def run_until_payload(last_layer: int) -> bytes:
    return struct.pack("<H", last_layer)


def read_arena_payload(offset: int, length: int) -> bytes:
    return struct.pack("<IH", offset, length)


def counters_payload(start: int) -> bytes:
    return struct.pack("<H", start)


# Reply payloads -------------------------------------------------------------------------

@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: int
    shape: tuple[int, ...]

    @property
    def numpy_dtype(self) -> str:
        """The wire's element type ("<f4" or "<i4"); an unknown code is refused."""
        if self.dtype not in NUMPY_DTYPES:
            raise ProtocolError(f"tensor {self.name} has dtype code {self.dtype}, which this sdk "
                                f"does not know (1 float32, 2 int32): update the sdk")
        return NUMPY_DTYPES[self.dtype]

    @property
    def nbytes(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return 4 * count


@dataclass(frozen=True)
class DeviceInfo:
    protocol_version: int
    max_payload: int
    target: str
    build_id: str
    model_hash: str
    arena_bytes: int
    num_layers: int
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    booted_image: BootedImage | None = None  # None: no bootloader started this program


@dataclass(frozen=True)
class BootedImage:
    """The image body the bootloader checked before starting the running program."""

    body_bytes: int
    body_crc: int

    def __str__(self) -> str:
        return f"CRC {self.body_crc:#010x} over {self.body_bytes:,} bytes"


class _Reader:
    """Sequential little-endian reads with a clear error when the payload is short."""

    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str):
        size = struct.calcsize("<" + fmt)
        if self.at + size > len(self.data):
            raise ProtocolError("reply payload shorter than its layout")
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += size
        return values

    def str8(self) -> str:
        (length,) = self.take("B")
        (raw,) = self.take(f"{length}s")
        return raw.decode("ascii", errors="replace")

    def tensor(self) -> TensorSpec:
        name = self.str8()
        dtype, rank = self.take("BB")
        return TensorSpec(name, dtype, tuple(self.take(f"{rank}I")))


def parse_hello(payload: bytes) -> tuple[DeviceInfo, int, int]:
    """The device info without tensor specs, and how many inputs and outputs to ask for."""
    r = _Reader(payload)
    version, max_payload, arena, layers, n_in, n_out = r.take("BHIHBB")
    target, build_id, model_hash = r.str8(), r.str8(), r.str8()
    booted_image = None
    if r.at < len(payload):
        booted, image_bytes, image_crc = r.take("BII")
        booted_image = BootedImage(image_bytes, image_crc) if booted else None
    info = DeviceInfo(version, max_payload, target, build_id, model_hash, arena, layers, [], [], booted_image)
    return info, n_in, n_out


def tensor_payload(output: bool, index: int) -> bytes:
    return struct.pack("<BB", int(output), index)


def parse_tensor(payload: bytes) -> TensorSpec:
    return _Reader(payload).tensor()


def parse_run(payload: bytes) -> int:
    return _Reader(payload).take("Q")[0]


def parse_counters(payload: bytes) -> tuple[int, int, list[int]]:
    """(total layers, start, counts)."""
    r = _Reader(payload)
    total, start, count = r.take("HHH")
    return total, start, list(r.take(f"{count}Q"))


@dataclass(frozen=True)
class StackUsage:
    """The STACK reply: the stack region's size and the deepest the stack went, in bytes."""

    reserved_bytes: int
    used_bytes: int

    @property
    def measured(self) -> bool:
        return self.reserved_bytes > 0


def parse_stack(payload: bytes) -> StackUsage:
    r = _Reader(payload)
    reserved, used = r.take("II")
    if r.at != len(payload):
        raise ProtocolError(f"STACK reply of {len(payload)} bytes, its layout has {r.at}")
    return StackUsage(reserved, used)


def parse_error(payload: bytes) -> DeviceError:
    if not payload:
        return DeviceError(0, "ERR reply without a code")
    return DeviceError(payload[0], payload[1:].decode("ascii", errors="replace"))
