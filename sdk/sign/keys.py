"""Signing keys on the host: Ed25519 key pairs in PEM files (PKCS#8 private key, SubjectPublicKeyInfo
public key: the formats OpenSSL, an HSM's tools or `cryptography` read and write, so a key made
elsewhere works here and the other way round), `sdk keys generate`, and the per-project
development key a build signs with when no --signing-key is given.

The private key file is created with mode 0600 and refused when others can read it (as ssh does):
it never goes into a build directory, a manifest or a board; the bootloader carries the public
key only (sdk/compile/bootloader.py)."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from sdk.errors import UserError
from sdk.sign import ed25519

# DER before the 32 key bytes: PKCS#8 OneAsymmetricKey / SPKI with the Ed25519 OID 1.3.101.112 (RFC 8410).
_PRIVATE_DER_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
_PUBLIC_DER_PREFIX = bytes.fromhex("302a300506032b6570032100")
PRIVATE_KEY_FILE = "signing-key.pem"
PUBLIC_KEY_FILE = "signing-key.pub.pem"
DEVELOPMENT_KEY = Path(".edgediff") / "dev-signing-key.pem"  # under the project directory
DEVELOPMENT_KEY_ENV = "EDGEDIFF_DEV_KEY"  # names another file for it (the tests keep theirs out of the checkout)
KEY_ID_BYTES = 8


def key_id(public: bytes) -> bytes:
    """The first 8 bytes of SHA-512 of a public key: written in each image header so a
    bootloader can tell "signed by another key" from "altered after signing"."""
    return hashlib.sha512(public).digest()[:KEY_ID_BYTES]


@dataclass(frozen=True)
class SigningKey:
    seed: bytes
    path: Path
    development: bool = False

    @property
    def public(self) -> bytes:
        return ed25519.public_key(self.seed)

    @property
    def key_id(self) -> bytes:
        return key_id(self.public)

    def sign(self, message: bytes) -> bytes:
        return ed25519.sign(self.seed, message)

    def describe(self) -> str:
        if self.development:
            return f"the development key {self.path} (made for this project; not for boards in the field)"
        return f"key {self.path}"


def _pem(label: str, der: bytes) -> str:
    text = base64.b64encode(der).decode("ascii")
    return f"-----BEGIN {label}-----\n{text}\n-----END {label}-----\n"


def _der(path: Path, label: str, prefix: bytes) -> bytes:
    try:
        text = path.read_text()
    except OSError as error:
        raise UserError(f"cannot read the key file {path}: {error.strerror}") from None
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if begin not in text or end not in text:
        raise UserError(f"{path} is not a PEM {label.lower()} (expected a '{begin}' block)")
    body = text.split(begin, 1)[1].split(end, 1)[0]
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        raise UserError(f"{path}: the PEM block is not valid base64") from None
    if len(der) != len(prefix) + 32 or not der.startswith(prefix):
        raise UserError(f"{path} does not hold an Ed25519 {label.lower()} (make one with `sdk keys generate`)")
    return der[len(prefix):]


def public_pem(public: bytes) -> str:
    return _pem("PUBLIC KEY", _PUBLIC_DER_PREFIX + public)


def _write_private(path: Path, seed: bytes) -> None:
    """Created 0600 from the start (never readable by others, not even for a moment), complete
    before it appears under its name (a hard link, which fails rather than replace a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(_pem("PRIVATE KEY", _PRIVATE_DER_PREFIX + seed))
        os.link(staging, path)
    finally:
        staging.unlink()


def generate(directory: Path) -> SigningKey:
    """A new key pair in directory: signing-key.pem (private, 0600) and signing-key.pub.pem.
    Refuses to replace an existing key: a lost private key cannot sign for boards already
    holding its public key."""
    directory = Path(directory)
    private, public = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    for path in (private, public):
        if path.exists():
            raise UserError(f"{path} exists: a new key would not replace it (boards trust the old one); "
                            "choose another --output directory")
    seed = secrets.token_bytes(ed25519.SEED_BYTES)
    _write_private(private, seed)
    public.write_text(public_pem(ed25519.public_key(seed)))
    return SigningKey(seed, private)


def load_private(path: Path, development: bool = False) -> SigningKey:
    path = Path(path)
    if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise UserError(f"{path} can be read by other users (mode {stat.S_IMODE(path.stat().st_mode):o}): "
                        f"`chmod 600 {path}` first, and see docs/RELIABILITY.md on keeping a signing key")
    return SigningKey(_der(path, "PRIVATE KEY", _PRIVATE_DER_PREFIX), path, development)


def load_public(path: Path) -> bytes:
    return _der(Path(path), "PUBLIC KEY", _PUBLIC_DER_PREFIX)


def development_key(project: Path | None = None) -> SigningKey:
    """The project's development key (.edgediff/dev-signing-key.pem under project, default the
    current directory), made on first use. Every image it signs says so in the build and flash
    output: it sits unprotected beside the sources, fine for a desk, not for a product.
    $EDGEDIFF_DEV_KEY, when set and no project is given, names the file instead."""
    if project is None and os.environ.get(DEVELOPMENT_KEY_ENV):
        path = Path(os.environ[DEVELOPMENT_KEY_ENV])
    else:
        path = Path(project if project is not None else Path.cwd()) / DEVELOPMENT_KEY
    if not path.exists():
        try:
            _write_private(path, secrets.token_bytes(ed25519.SEED_BYTES))
        except FileExistsError:
            pass  # made by a concurrent build a moment ago
    return load_private(path, development=True)
