"""The image `sdk flash` writes, built on the host exactly as firmware/bootloader/image.h lays
it out: a body of records (each loadable ELF segment's load address, length and bytes, padded
to 4) and a 64-byte header the bootloader writes last. Records use the segments' physical
(load) addresses, so the app keeps the link map `sdk build` gave it and the bootloader only
copies bytes to where QEMU -kernel would have put them."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

MAGIC = 0x49474445  # "EDGI"
FORMAT = 1
HEADER_BYTES = 64
TARGET_BYTES = 16
BUILD_ID_BYTES = 24
# format body_bytes body_crc entry target build_id (the magic before, the header CRC after)
_FIELDS = struct.Struct(f"<IIII{TARGET_BYTES}s{BUILD_ID_BYTES}s")
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
    header: bytes  # all 64 bytes, magic included
    entry: int
    target: str
    build_id: str

    @property
    def body_crc(self) -> int:
        return zlib.crc32(self.body)


def pack_header(body: bytes, entry: int, target: str, build_id: str) -> bytes:
    fields = _FIELDS.pack(FORMAT, len(body), zlib.crc32(body), entry,
                          target.encode("ascii"), build_id.encode("ascii"))
    return struct.pack("<I", MAGIC) + fields + struct.pack("<I", zlib.crc32(fields))


def make_image(elf: Path, target: str, build_id: str) -> FlashImage:
    if len(target) > TARGET_BYTES or len(build_id) > BUILD_ID_BYTES:
        raise ImageError(f"target name or build id too long for the image header: {target!r} {build_id!r}")
    entry, segments = elf_segments(elf)
    body = bytearray()
    for seg in segments:
        body += _RECORD.pack(seg.address, len(seg.data)) + seg.data + bytes(-len(seg.data) % 4)
    body = bytes(body)
    return FlashImage(body, pack_header(body, entry, target, build_id), entry, target, build_id)
