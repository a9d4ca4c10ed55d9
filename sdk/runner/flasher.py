"""Flashing an app through the serial bootloader: reach the bootloader, write only what the
board does not already hold, verify, commit the header, boot the new image in test mode, check
the app answers with the expected build id, and confirm it (CONFIRM) so it stays.

The bootloader writes into the slot that does not hold the confirmed app (two slots,
firmware/bootloader/slots.h), so the previous app stays bootable through any failure of this
flash, and an image that is booted but never confirmed is reverted at the next reset.

Resume is built in rather than bolted on: before touching a sector the flasher asks the board
for the CRC of what is there (VERIFY). A sector that already matches is skipped; in one that
does not, each 4 KiB block is checked, and the sector is erased only if a block holds something
that is neither the new data nor erased flash. VERIFY answers only for whole 4 KiB blocks (a
CRC over so many bytes cannot be inverted to read the image back), so the image is compared
padded with erased bytes (0xFF) to whole blocks. A transfer broken by a cable, a timeout or a
power cut continues where it stopped, and re-flashing the same image writes nothing.

A board whose app hangs or no longer answers is taken over in its bootloader's recovery window:
reset it, and recover() sends BOOTLOADER requests until the bootloader, listening before it
boots anything, answers.

A lost reply does not fail a flash whose work is done: a COMMIT re-sent after a lost reply is
answered from the bootloader's saved reply, and if no reply gets through, INFO shows whether the
image waits as the trial; BOOT is sent once (a re-send would reach the app it started), and the app's
HELLO proves the boot: its build id and the image its bootloader checked (length and CRC of the
body) must be the flashed image's.

Signed images (sdk/runner/image.py): before writing, the flasher compares the image's signing
key and security counter with what INFO says the bootloader trusts and has booted, and refuses
an image the board would refuse, before erasing anything; the bootloader checks both again at
COMMIT and at every boot, and its refusal is raised as a FlashError naming the reason. The
board's counter moves only when a trial is confirmed: a reverted trial never locks out the
previous app."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from sdk.runner import protocol as p
from sdk.runner.client import DeviceClient, DeviceUnresponsive
from sdk.runner.image import FlashImage
from sdk.sign.keys import key_id

BOOTLOADER_MODEL_HASH = "bootloader"  # what the bootloader's HELLO says in place of a model hash
BOOT_DEADLINE_S = 15.0
ERASE_TIMEOUT_S = 10.0
BOOT_SENDS = 3  # BOOT frames sent while the board still answers from its bootloader
VERIFY_BLOCK = 4096  # the bootloader's VERIFY answers only whole blocks of this (loader_commands.c)
ERASED = b"\xff"
RECOVER_POLL_S = 0.05  # BOOTLOADER requests this often while catching the recovery window


def padded(data: bytes) -> bytes:
    """data followed by erased bytes up to a whole number of VERIFY blocks."""
    return data + ERASED * (-len(data) % VERIFY_BLOCK)


class FlashError(p.ProtocolError):
    """Flashing cannot go on: no bootloader, the image does not fit, or what was written does
    not read back (VERIFY mismatch)."""


@dataclass(frozen=True)
class BootloaderInfo:
    capacity: int
    sector: int
    state: int  # 0: a valid image is stored
    body_bytes: int
    body_crc: int
    build_id: str
    state_text: str
    highest_counter: int = 0  # the highest security counter the board has booted
    key_id: bytes = b""  # SHA-512(public key)[:8] of the key the bootloader trusts
    hash_instructions: int = 0  # the signature check of this INFO's image check: SHA-512 of header and body
    verify_instructions: int = 0  # ... and Ed25519 of the digest
    header_crc: int = 0  # CRC-32 of the whole stored header (signature, counter included)
    # A committed trial not yet started (firmware/bootloader/slots.h): body length, CRC, build id.
    trial: tuple[int, int, str] | None = None

    @property
    def has_image(self) -> bool:
        return self.state == 0

    def trial_holds(self, image: FlashImage) -> bool:
        """A COMMIT of image went through: it waits as the trial for BOOT."""
        return self.trial == (len(image.body), image.body_crc, image.build_id)

    def holds(self, image: FlashImage) -> bool:
        """The bootloader checked a stored image whose header names this build over this very
        body (its length and CRC), not only this build id, and the very header (the same body
        signed again with another counter or key is another image)."""
        return (self.has_image and self.build_id == image.build_id and self.body_crc == image.body_crc
                and self.body_bytes == len(image.body) and self.header_crc == zlib.crc32(image.header))


def parse_info(payload: bytes) -> BootloaderInfo:
    capacity, sector, state, body_bytes, body_crc = struct.unpack_from("<IIBII", payload)
    at = 17
    texts = []
    for _ in range(2):
        n = payload[at]
        texts.append(payload[at + 1:at + 1 + n].decode("ascii", errors="replace").rstrip("\0"))
        at += 1 + n
    if len(payload) < at + 24:
        raise FlashError("the board's bootloader does not check signed images (its INFO has no key): "
                         "put the current bootloader on it first (docs/HARDWARE.md)")
    counter, = struct.unpack_from("<I", payload, at)
    hashed, verified, header_crc = struct.unpack_from("<III", payload, at + 12)
    key = payload[at + 4:at + 12]
    at += 24
    trial = None
    if len(payload) > at and payload[at]:  # after the signature fields: the two-slot bootloader's
        trial_bytes, trial_crc = struct.unpack_from("<II", payload, at + 1)
        n = payload[at + 9]
        trial = (trial_bytes, trial_crc, payload[at + 10:at + 10 + n].decode("ascii", errors="replace").rstrip("\0"))
    return BootloaderInfo(capacity, sector, state, body_bytes, body_crc, *texts, counter, key, hashed, verified,
                          header_crc, trial=trial)


def refusal(image: FlashImage, info: BootloaderInfo) -> str | None:
    """Why the board's bootloader would refuse image, or None: its key, its counter."""
    if key_id(image.public_key) != info.key_id:
        return (f"the image is signed by key id {key_id(image.public_key).hex()}, the board's bootloader "
                f"trusts key id {info.key_id.hex()}: sign with the key the board trusts (sdk build "
                "--signing-key FILE), or put a bootloader trusting this key on the board (docs/HARDWARE.md)")
    if image.security_counter < info.highest_counter:
        return (f"the image's security counter {image.security_counter} is lower than {info.highest_counter}, "
                "the highest this board has booted (rollback protection): build it with "
                f"--security-counter {info.highest_counter} or more")
    return None


@dataclass
class FlashReport:
    image_bytes: int  # body + header
    programmed_bytes: int  # sent in PROGRAM requests this time
    skipped_bytes: int  # already on the board (resume, or the same image)
    erased_sectors: int
    seconds: float
    build_id: str
    already_current: bool = False

    @property
    def bytes_per_second(self) -> float:
        return self.programmed_bytes / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[int, int], None]  # (bytes done, bytes total)


class Flasher:
    def __init__(self, client: DeviceClient, progress: Progress | None = None):
        self.client = client
        self.progress = progress or (lambda done, total: None)

    # -- the board's side of things --------------------------------------------------------

    def in_bootloader(self) -> bool:
        return self.client.hello().model_hash == BOOTLOADER_MODEL_HASH

    def recover(self, deadline_s: float = BOOT_DEADLINE_S, resume: Callable[[], None] | None = None) -> BootloaderInfo:
        """Catch the bootloader's recovery window right after a reset or power-up: BOOTLOADER
        requests, often and unanswered ones not re-sent, until one is answered; then the board
        is in its bootloader, whatever its app would have done."""
        if resume is not None:
            # an emulated board started paused: the first request waits in its UART before the
            # bootloader's first instruction, so the window is caught however busy the host is
            self.client.send_ahead(p.MsgType.BOOTLOADER)
            resume()
        end = time.monotonic() + deadline_s
        retries, self.client.retries = self.client.retries, 0
        try:
            while True:
                try:
                    self.client.request(p.MsgType.BOOTLOADER, timeout=RECOVER_POLL_S)
                    break
                except DeviceUnresponsive:
                    if time.monotonic() >= end:
                        raise FlashError(f"{self.client.port_name}: no answer to BOOTLOADER within {deadline_s:.0f} s "
                                         "of the reset: is the bootloader's recovery window enabled?") from None
        finally:
            self.client.retries = retries
        info = self.client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
        if info.model_hash != BOOTLOADER_MODEL_HASH:
            raise FlashError(f"{self.client.port_name}: asked to enter the bootloader, the board still runs "
                             f"build {info.build_id}")
        return self.info()

    def enter_bootloader(self) -> BootloaderInfo:
        """Ask a running app to return to the bootloader (no power cycle), then describe it."""
        try:
            in_bootloader = self.in_bootloader()
        except DeviceUnresponsive as error:
            raise FlashError(f"{self.client.port_name}: the board does not answer; reset it and flash within its "
                             "bootloader's recovery window (`sdk flash` on an emulated board powers it up and "
                             "does this)") from error
        if not in_bootloader:
            try:
                self.client.request(p.MsgType.BOOTLOADER)
            except p.DeviceError as error:
                raise FlashError(f"{self.client.port_name}: the board runs an app that cannot return to a "
                                 f"bootloader ({error.text}); put the bootloader on it first") from error
            info = self.client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
            if info.model_hash != BOOTLOADER_MODEL_HASH:
                raise FlashError(f"{self.client.port_name}: asked to enter the bootloader, the board "
                                 f"still runs build {info.build_id}")
        return self.info()

    def info(self) -> BootloaderInfo:
        return parse_info(self.client.request(p.MsgType.INFO))

    def verify(self, offset: int, length: int) -> int:
        return struct.unpack("<I", self.client.request(p.MsgType.VERIFY, struct.pack("<II", offset, length)))[0]

    def erase(self, offset: int, length: int) -> None:
        self.client.request(p.MsgType.ERASE, struct.pack("<II", offset, length), timeout=ERASE_TIMEOUT_S)

    def program(self, offset: int, data: bytes) -> None:
        self.client.request(p.MsgType.PROGRAM, struct.pack("<I", offset) + data)

    def commit(self, header: bytes) -> None:
        """COMMIT; the bootloader's refusal (signature, counter, format, size...) as a FlashError
        naming its reason."""
        try:
            self.client.request(p.MsgType.COMMIT, header, timeout=ERASE_TIMEOUT_S)
        except p.DeviceError as error:
            if error.code == p.ErrorCode.BAD_PAYLOAD:
                raise FlashError(f"{self.client.port_name}: the bootloader refused the image: {error.text}; "
                                 "the board stays in its bootloader") from error
            raise

    def _commit(self, image: FlashImage) -> None:
        """COMMIT; if no reply to it (nor to its re-sends) got through, INFO tells whether the
        header was written."""
        try:
            self.commit(image.header)
        except DeviceUnresponsive:
            if not self.info().trial_holds(image):
                raise

    def _send_boot(self) -> None:
        """One BOOT frame, never re-sent: once the bootloader has answered, it starts the app,
        which would answer a re-send ERR UNKNOWN_TYPE. A lost reply is left for HELLO to settle."""
        retries, self.client.retries = self.client.retries, 0
        try:
            self.client.request(p.MsgType.BOOT)
        except DeviceUnresponsive:
            pass
        finally:
            self.client.retries = retries

    def confirm(self, image: FlashImage) -> bool:
        """CONFIRM to the app that runs image: a trial image becomes permanent (its bootloader
        records it and boots it again, which must answer HELLO as the same build). True if it
        was on trial."""
        was_trial = self.client.request(p.MsgType.CONFIRM)[:1] == b"\x01"
        if was_trial:
            info = self.client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
            if info.build_id != image.build_id:
                raise FlashError(f"{self.client.port_name}: after CONFIRM the board runs build {info.build_id} "
                                 f"({info.model_hash}), expected {image.build_id}")
        return was_trial

    def boot(self, image: FlashImage, confirm: bool = True) -> p.DeviceInfo:
        """BOOT, then wait for the app's HELLO and check it is the image we flashed: its build
        id, and the body (length, CRC) its bootloader checked before starting it; then, unless
        told not to, confirm it (an unconfirmed image reverts at the next reset)."""
        for _ in range(BOOT_SENDS):
            self._send_boot()
            info = self.client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
            if info.model_hash != BOOTLOADER_MODEL_HASH:
                break
            # Still the bootloader: the BOOT frame itself was lost on the way (a refusal would
            # have raised NO_IMAGE), so send it again.
        if info.build_id != image.build_id:
            raise FlashError(f"{self.client.port_name}: after BOOT the board runs build {info.build_id} "
                             f"({info.model_hash}), expected {image.build_id}")
        flashed = p.BootedImage(len(image.body), image.body_crc)
        if info.booted_image is not None and info.booted_image != flashed:
            raise FlashError(f"{self.client.port_name}: after BOOT the board runs build {info.build_id} "
                             f"from an image with {info.booted_image}, but the flashed image has {flashed}")
        if confirm:
            self.confirm(image)
        return info

    # -- the whole job ---------------------------------------------------------------------

    def flash(self, image: FlashImage, boot: bool = True, confirm: bool = True,
              recover: bool = False, precheck: bool = True) -> FlashReport:
        """Write image and, with boot, start and (with confirm) confirm it. recover: the board
        was just reset or powered up; take it over in its recovery window. precheck False: send
        an image the board will refuse anyway (tests of the bootloader's own refusals)."""
        start = time.monotonic()
        info = self.recover() if recover else self.enter_bootloader()
        reason = refusal(image, info) if precheck else None
        if reason is not None:
            raise FlashError(f"{self.client.port_name}: not flashing: {reason}")
        body = image.body
        if len(body) > info.capacity:
            raise FlashError(f"image body of {len(body):,} bytes exceeds the board's flash of {info.capacity:,} bytes")
        report = FlashReport(len(body) + len(image.header), 0, 0, 0, 0.0, image.build_id)
        total = len(body)
        if info.holds(image):
            report.already_current = True
            report.skipped_bytes = total
            self.progress(total, total)
        else:
            self._write_body(body, info.sector, report)
            whole = padded(body)
            crc = self.verify(0, len(whole))
            if crc != zlib.crc32(whole):
                raise FlashError(f"VERIFY mismatch: the board's flash holds CRC {crc:#010x} over "
                                 f"{len(whole):,} bytes, the image (padded) has {zlib.crc32(whole):#010x}")
            self._commit(image)
        report.seconds = time.monotonic() - start
        if boot:
            self.boot(image, confirm)
        return report

    @staticmethod
    def _chunk_bytes() -> int:
        """The largest PROGRAM data that fits a frame beside its 4-byte address."""
        return (p.PROTO_MAX_PAYLOAD - 4) // 4 * 4

    def _write_body(self, body: bytes, sector: int, report: FlashReport) -> None:
        chunk = self._chunk_bytes()
        done = 0
        for start in range(0, len(body), sector):
            part = body[start:start + sector]
            if self.verify(start, len(padded(part))) == zlib.crc32(padded(part)):
                todo = []
            else:
                todo = self._sector_plan(body, start, len(part), chunk, report)
            skipped = len(part) - sum(len(data) for _, data in todo)
            report.skipped_bytes += skipped
            done += skipped
            self.progress(done, len(body))
            for offset, data in todo:
                self.program(offset, data)
                report.programmed_bytes += len(data)
                done += len(data)
                self.progress(done, len(body))

    def _sector_plan(self, body: bytes, start: int, length: int, chunk: int,
                     report: FlashReport) -> list[tuple[int, bytes]]:
        """The chunks of one sector still to program; erases the sector when a 4 KiB block holds
        something that is neither the new data nor erased flash."""
        end = start + length
        todo = []
        for block in range(start, end, VERIFY_BLOCK):
            data = body[block:min(block + VERIFY_BLOCK, end)]
            crc = self.verify(block, VERIFY_BLOCK)
            if crc == zlib.crc32(padded(data)):
                continue
            if crc != zlib.crc32(ERASED * VERIFY_BLOCK):
                self.erase(start, length)
                report.erased_sectors += 1
                todo = [(block, body[block:min(block + VERIFY_BLOCK, end)]) for block in range(start, end, VERIFY_BLOCK)]
                break
            todo.append((block, data))
        return [(offset + at, data[at:at + chunk]) for offset, data in todo for at in range(0, len(data), chunk)]
