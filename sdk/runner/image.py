"""The image `sdk flash` writes, built on the host exactly as firmware/bootloader/image.h lays
it out: a body of records (each loadable ELF segment's load address, length and bytes, padded
to 4) and a 140-byte signed header the bootloader writes last. Records use the segments'
physical (load) addresses, so the app keeps the link map `sdk build` gave it and the bootloader
only copies bytes to where QEMU -kernel would have put them.

Header (format 2, little-endian):
    0 magic "EDGI"      4 format = 2        8 body_bytes       12 body_crc (CRC-32)
   16 entry            20 target[16]       36 build_id[24]     60 security_counter:u32
   64 key_id[8] (SHA-512(public key)[:8])  72 header_crc (CRC-32 of bytes 4..71)
   76 signature[64]
What is signed: digest = SHA-512(header bytes 0..75, with the magic as "EDGI", followed by the
body), and the signature is Ed25519 (RFC 8032, pure) over that 64-byte digest as its message.
So every header field but the signature, and every body byte, is covered; the key id only
lets the bootloader name the reason of a refusal ("another key" vs "altered")."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from sdk.sign.keys import KEY_ID_BYTES, SigningKey, development_key

MAGIC = 0x49474445  # "EDGI"
FORMAT = 2  # 1: unsigned, 64-byte header (refused by format-2 bootloaders)
HEADER_BYTES = 140
SIGNED_HEADER_BYTES = 76  # everything before the signature
SIGNATURE_BYTES = 64
TARGET_BYTES = 16
BUILD_ID_BYTES = 24
MAX_SECURITY_COUNTER = 2**32 - 1
# format body_bytes body_crc entry target build_id security_counter key_id (the magic before, the header CRC after)
_FIELDS = struct.Struct(f"<IIII{TARGET_BYTES}s{BUILD_ID_BYTES}sI{KEY_ID_BYTES}s")
HEADER_CRC_OFFSET = 4 + _FIELDS.size  # 72
_RECORD = struct.Struct("<II")
PT_LOAD = 1


class ImageError(ValueError):
    """The ELF cannot become a flash image (not ELF32 little-endian, nothing to load, too big)."""


@dataclass(frozen=True)
class Segment:
    address: int
    data: bytes


def elf_segments(elf: Path) -> tuple[int, list[Segment]]:
    """(entry, loadable segments with file bytes) of a 32-bit little-endian ELF."""
    raw = Path(elf).read_bytes()
    if raw[:4] != b"\x7fELF" or raw[4] != 1 or raw[5] != 1:
        raise ImageError(f"{elf} is not a 32-bit little-endian ELF")
    entry, phoff = struct.unpack_from("<II", raw, 24)
    phentsize, phnum = struct.unpack_from("<HH", raw, 42)
    segments = []
    for i in range(phnum):
        p_type, offset, _vaddr, paddr, filesz, _memsz = struct.unpack_from("<IIIIII", raw, phoff + i * phentsize)
        if p_type == PT_LOAD and filesz > 0:
            segments.append(Segment(paddr, raw[offset:offset + filesz]))
    if not segments:
        raise ImageError(f"{elf} has no loadable bytes")
    return entry, sorted(segments, key=lambda s: s.address)


@dataclass(frozen=True)
class FlashImage:
    body: bytes
    header: bytes  # all 140 bytes, magic included
    entry: int
    target: str
    build_id: str
    security_counter: int = 0
    public_key: bytes = b""  # of the key that signed it
    development_key: bool = False  # signed with a project's development key (sdk/sign/keys.py)

    @property
    def body_crc(self) -> int:
        return zlib.crc32(self.body)


def signed_digest(signed_header: bytes, body: bytes) -> bytes:
    """What Ed25519 signs: SHA-512 of the header's first 76 bytes (magic "EDGI" included, signature
    excluded) and then the body, as firmware/bootloader/image_signature.c computes it."""
    return hashlib.sha512(struct.pack("<I", MAGIC) + signed_header[4:SIGNED_HEADER_BYTES] + body).digest()


def pack_header(body: bytes, entry: int, target: str, build_id: str, key: SigningKey | None = None,
                security_counter: int = 0) -> bytes:
    """The signed header of body; key None: the current directory's development key."""
    if not 0 <= security_counter <= MAX_SECURITY_COUNTER:
        raise ImageError(f"security counter {security_counter} is not a 32-bit unsigned number")
    key = key if key is not None else development_key()
    fields = _FIELDS.pack(FORMAT, len(body), zlib.crc32(body), entry, target.encode("ascii"),
                          build_id.encode("ascii"), security_counter, key.key_id)
    signed = struct.pack("<I", MAGIC) + fields + struct.pack("<I", zlib.crc32(fields))
    return signed + key.sign(signed_digest(signed, body))


def make_image(elf: Path, target: str, build_id: str, key: SigningKey | None = None,
               security_counter: int = 0) -> FlashImage:
    """The signed image of an ELF; key None: the current directory's development key."""
    if len(target) > TARGET_BYTES or len(build_id) > BUILD_ID_BYTES:
        raise ImageError(f"target name or build id too long for the image header: {target!r} {build_id!r}")
    key = key if key is not None else development_key()
    entry, segments = elf_segments(elf)
    body = bytearray()
    for seg in segments:
        body += _RECORD.pack(seg.address, len(seg.data)) + seg.data + bytes(-len(seg.data) % 4)
    body = bytes(body)
    header = pack_header(body, entry, target, build_id, key, security_counter)
    return FlashImage(body, header, entry, target, build_id, security_counter, key.public, key.development)


def save_image(image: FlashImage, path: Path) -> None:
    """The signed image as `sdk build` leaves it for `sdk flash` (build/<target>/firmware.img):
    header then body, so flashing needs no private key."""
    Path(path).write_bytes(image.header + image.body)


def load_image(path: Path, public_key: bytes, development_key: bool) -> FlashImage:
    """An image save_image wrote; the key facts come from the build's manifest."""
    raw = Path(path).read_bytes()
    header, body = raw[:HEADER_BYTES], raw[HEADER_BYTES:]
    magic, fmt = struct.unpack_from("<II", header)
    if len(header) != HEADER_BYTES or magic != MAGIC or fmt != FORMAT:
        raise ImageError(f"{path} is not a format-{FORMAT} signed image: build again")
    (_, body_bytes, _, entry, target, build_id, counter, _) = _FIELDS.unpack_from(header, 4)
    if body_bytes != len(body):
        raise ImageError(f"{path} is truncated: its header says {body_bytes} body bytes, it holds {len(body)}")
    return FlashImage(body, header, entry, target.rstrip(b"\0").decode("ascii"),
                      build_id.rstrip(b"\0").decode("ascii"), counter, public_key, development_key)
