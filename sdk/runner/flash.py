"""`sdk flash` as a library: the app image of a build, the serial link to the board (paced to
a baud rate on an emulator, whose pty has none), and one flashing run that resumes once by
itself if the link breaks mid-way (the flasher skips what already reached the board)."""

from __future__ import annotations

from pathlib import Path

from sdk.compile.manifest import BuildManifest
from sdk.runner import protocol as p
from sdk.runner.client import DeviceClient, LinkLost
from sdk.runner.flasher import FlashError, Flasher, FlashReport, Progress
from sdk.runner.image import FlashImage, load_image, make_image
from sdk.runner.pacing import PacedPort
from sdk.runner.transport import BAUDRATE, open_port
from sdk.sign.keys import key_id

FLASH_TIMEOUT_S = 5.0
ATTEMPTS = 2  # the second one resumes where the first broke off


def app_image(manifest: BuildManifest) -> FlashImage:
    """The signed image `sdk build` wrote (no private key needed to flash it); a build from an
    sdk before signed images is signed here with the development key."""
    if manifest.image:
        return load_image(Path(manifest.image), bytes.fromhex(manifest.signing_public_key), manifest.development_key)
    return make_image(Path(manifest.elf), manifest.target, manifest.build_id)


def trusted_key(manifest: BuildManifest) -> bytes | None:
    """The public key an emulated board's bootloader is built with for this build (None: the
    development key)."""
    return bytes.fromhex(manifest.signing_public_key) if manifest.signing_public_key else None


def signed_with(image: FlashImage) -> str:
    """The line every build and flash report carries about the image's signature."""
    who = "the development key (this project's own: not for boards in the field)" if image.development_key \
        else f"key id {key_id(image.public_key).hex()}"
    return f"signed with {who}, security counter {image.security_counter}"


def open_link(port: str, baud: int | None, emulated: bool):
    """A real port runs at baud (its UART paces it); an emulator's pty is paced in software
    when a baud is asked for, and runs as fast as QEMU takes bytes otherwise."""
    link = open_port(port, FLASH_TIMEOUT_S, baud or BAUDRATE)
    return PacedPort(link, baud) if emulated and baud else link


def flash_app(client: DeviceClient, image: FlashImage, progress: Progress | None = None,
              on_resume=None) -> FlashReport:
    """Flash and boot image; a transfer broken by the link (not a refusal, not a port that is
    gone) is resumed once."""
    for attempt in range(ATTEMPTS):
        try:
            return Flasher(client, progress).flash(image)
        except FlashError:
            raise
        except p.ProtocolError as error:
            if attempt + 1 == ATTEMPTS or isinstance(error, (p.DeviceError, LinkLost)):
                raise
            if on_resume:
                on_resume(error)
    raise AssertionError("unreachable")
