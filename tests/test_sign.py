"""The host side of signed images (sdk/sign/, sdk/runner/image.py): the pure-Python Ed25519 on
RFC 8032's vectors and against the `cryptography` package (OpenSSL) on 1,000 random keys with
two random messages each, byte for byte (Ed25519 signatures are deterministic); verification refusing tampered
messages, signatures and keys; key files (0600, never overwritten, PEM that OpenSSL reads);
and the image header as firmware/bootloader/image.h lays it out."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sdk.errors import UserError
from sdk.runner import image as image_module
from sdk.sign import ed25519, keys
from tests.helpers.cli import sdk
from tests.helpers.tools import require_tools
from tests.rfc8032_vectors import vectors

pytestmark = [pytest.mark.unit]

RANDOM_KEYS = 1000  # two messages each
IMAGE_H = Path(__file__).resolve().parents[1] / "firmware" / "bootloader" / "image.h"

# Runs where `cryptography` is installed: this interpreter, or else a system python3 that has it.
REFERENCE = r"""
import json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
out = []
for seed, message, pem in json.load(sys.stdin):
    key = (serialization.load_pem_private_key(pem.encode(), None) if pem
           else Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)))
    out.append([key.public_key().public_bytes(*raw).hex(), key.sign(bytes.fromhex(message)).hex()])
json.dump(out, sys.stdout)
"""


def _reference_python() -> list[str]:
    candidates = [sys.executable] + [p for p in (shutil.which("python3"), "/usr/bin/python3") if p]
    for python in dict.fromkeys(candidates):
        if subprocess.run([python, "-c", "import cryptography"], capture_output=True).returncode == 0:
            return [python, "-c", REFERENCE]
    require_tools("the Ed25519 cross-check", ["the `cryptography` package"], "pip install cryptography")
    return []


def reference(cases: list[tuple[str, str, str]]) -> list[tuple[bytes, bytes]]:
    """(public key, signature) from `cryptography` for each (seed hex, message hex, PEM or "")."""
    result = subprocess.run(_reference_python(), input=json.dumps(cases), capture_output=True, text=True, check=True)
    return [(bytes.fromhex(p), bytes.fromhex(s)) for p, s in json.loads(result.stdout)]


@pytest.mark.parametrize("seed, public, message, signature", vectors(), ids=["1", "2", "3", "SHA(abc)"])
def test_rfc8032_vectors(seed, public, message, signature):
    assert ed25519.public_key(seed) == public
    assert ed25519.sign(seed, message) == signature
    assert ed25519.verify(public, signature, message)


def test_matches_cryptography_on_random_keys_and_messages():
    rng = random.Random(17)
    seeds = [rng.randbytes(32) for _ in range(RANDOM_KEYS)]
    cases = [(seed, rng.randbytes(rng.choice([0, 1, 32, 64, 65, rng.randrange(300)])))
             for seed in seeds for _ in range(2)]
    expected = reference([(seed.hex(), message.hex(), "") for seed, message in cases])
    for (seed, message), (public, signature) in zip(cases, expected):
        assert ed25519.public_key(seed) == public, seed.hex()
        assert ed25519.sign(seed, message) == signature, (seed.hex(), message.hex())
    for (seed, message), (public, signature) in list(zip(cases, expected))[:30]:
        assert ed25519.verify(public, signature, message)
        bad = bytearray(signature)
        bad[rng.randrange(64)] ^= 1 << rng.randrange(8)
        assert not ed25519.verify(public, bytes(bad), message)
        assert not ed25519.verify(public, signature, message + b"\0")


def test_verify_refuses_non_canonical_s_and_points():
    seed, public, message, signature = vectors()[1]
    s = int.from_bytes(signature[32:], "little")
    assert not ed25519.verify(public, signature[:32] + (s + ed25519.L).to_bytes(32, "little"), message)
    not_a_point = (ed25519.P + 1).to_bytes(32, "little")  # y = p + 1: not canonical
    assert ed25519.decode_point(not_a_point) is None
    assert not ed25519.verify(not_a_point, signature, message)


def test_key_files(tmp_path):
    key = keys.generate(tmp_path / "k")
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert keys.load_private(key.path).public == key.public == keys.load_public(tmp_path / "k" / keys.PUBLIC_KEY_FILE)
    with pytest.raises(UserError, match="exists"):
        keys.generate(tmp_path / "k")
    # OpenSSL (through `cryptography`) reads our PEM as the same key
    (public, signature), = reference([("", b"m".hex(), key.path.read_text())])
    assert public == key.public and signature == key.sign(b"m")
    os.chmod(key.path, 0o640)
    with pytest.raises(UserError, match="chmod 600"):
        keys.load_private(key.path)
    (tmp_path / "bad.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    os.chmod(tmp_path / "bad.pem", 0o600)
    with pytest.raises(UserError, match="does not hold an Ed25519"):
        keys.load_private(tmp_path / "bad.pem")


def test_development_key_is_made_once_per_project(tmp_path):
    first = keys.development_key(tmp_path)
    assert first.development and first.path == tmp_path / keys.DEVELOPMENT_KEY
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    assert keys.development_key(tmp_path).seed == first.seed
    assert keys.development_key(tmp_path / "other").seed != first.seed


def _image_h_constants() -> dict[str, int]:
    text = IMAGE_H.read_text()
    return {name: int(value, 0) for name, value in re.findall(r"#define (IMAGE_\w+) (0x[0-9a-fA-F]+|\d+)u", text)}


def test_header_layout_matches_image_h_and_signature_covers_header_and_body(tmp_path):
    c = _image_h_constants()
    assert c["IMAGE_FORMAT"] == image_module.FORMAT and c["IMAGE_HEADER_BYTES"] == image_module.HEADER_BYTES
    assert c["IMAGE_OFF_HEADER_CRC"] == image_module.HEADER_CRC_OFFSET
    assert c["IMAGE_OFF_SIGNATURE"] == image_module.SIGNED_HEADER_BYTES
    assert c["IMAGE_OFF_SIGNATURE"] + c["IMAGE_SIGNATURE_BYTES"] == c["IMAGE_HEADER_BYTES"]
    key = keys.SigningKey(bytes(32), tmp_path / "k")
    body = bytes(range(256)) * 3
    header = image_module.pack_header(body, 0x80000000, "rv32", "b" * 24, key, security_counter=7)
    assert len(header) == c["IMAGE_HEADER_BYTES"]
    assert int.from_bytes(header[c["IMAGE_OFF_SECURITY_COUNTER"]:][:4], "little") == 7
    assert header[c["IMAGE_OFF_KEY_ID"]:][:c["IMAGE_KEY_ID_BYTES"]] == key.key_id
    signature = header[c["IMAGE_OFF_SIGNATURE"]:]
    digest = image_module.signed_digest(header, body)
    assert ed25519.verify(key.public, signature, digest)
    for changed_header, changed_body in [(header[:60] + b"\x08" + header[61:], body), (header, body[:-1] + b"\x00")]:
        assert not ed25519.verify(key.public, signature, image_module.signed_digest(changed_header, changed_body))
    with pytest.raises(image_module.ImageError, match="32-bit"):
        image_module.pack_header(body, 0, "rv32", "b", key, security_counter=2**32)


def test_cli_keys_generate_and_build_key_errors(capsys, tmp_path, wide_console):
    code, out = sdk(capsys, "keys", "generate", "--output", tmp_path / "keys")
    assert code == 0 and "key id" in out and (tmp_path / "keys" / keys.PRIVATE_KEY_FILE).is_file()
    code, out = sdk(capsys, "keys", "generate", "--output", tmp_path / "keys")
    assert code == 2 and "exists" in out
    build = ("--build-dir", tmp_path / "b", "build", "--target", "rv32", "--model", "dncnn")
    code, out = sdk(capsys, *build, "--security-counter", "-1")  # refused before any build work
    assert code == 2 and "--security-counter -1: a number from 0 to 4294967295" in out
    code, out = sdk(capsys, *build, "--signing-key", tmp_path / "missing.pem")
    assert code == 2 and "cannot read the key file" in out
    os.chmod(tmp_path / "keys" / keys.PRIVATE_KEY_FILE, 0o644)
    code, out = sdk(capsys, *build, "--signing-key", tmp_path / "keys" / keys.PRIVATE_KEY_FILE)
    assert code == 2 and "chmod 600" in out
    assert not (tmp_path / "b").exists()
