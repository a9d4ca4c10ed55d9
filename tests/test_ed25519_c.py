"""The bootloader's Ed25519 verifier and SHA-512 (firmware/crypto/), built for the build machine
with the system cc and called through ctypes: RFC 8032's vectors, 300 signatures of random
messages by random keys (made by sdk/sign/ed25519.py, itself checked against `cryptography` in
test_sign.py) accepted and each with one flipped bit refused, S not below L and non-canonical
keys refused, and SHA-512 equal to hashlib's on lengths across the block boundaries. The same
C runs on the boards: tests/test_signed_flash.py verifies through the bootloader itself."""

from __future__ import annotations

import ctypes
import hashlib
import random
from pathlib import Path

import pytest

from sdk.sign import ed25519
from tests.host_build import build_shared_library
from tests.rfc8032_vectors import vectors

pytestmark = [pytest.mark.kernel]

CRYPTO_DIR = Path(__file__).resolve().parents[1] / "firmware" / "crypto"
SHA512_CTX_BYTES = 512  # more than sizeof(sha512_t): the test does not depend on its layout


@pytest.fixture(scope="module")
def crypto(tmp_path_factory):
    lib = ctypes.CDLL(str(build_shared_library(sorted(CRYPTO_DIR.glob("*.c")), [CRYPTO_DIR],
                                               tmp_path_factory.mktemp("crypto") / "libcrypto25519.so")))
    lib.ed25519_verify.restype = ctypes.c_bool
    lib.ed25519_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    return lib


def verify(lib, public: bytes, signature: bytes, message: bytes) -> bool:
    return lib.ed25519_verify(signature, message, len(message), public)


def sha512(lib, data: bytes, pieces: list[int]) -> bytes:
    ctx = ctypes.create_string_buffer(SHA512_CTX_BYTES)
    digest = ctypes.create_string_buffer(64)
    lib.sha512_init(ctx)
    at = 0
    for n in pieces + [len(data)]:
        n = min(n, len(data) - at)
        lib.sha512_update(ctx, data[at:at + n], ctypes.c_size_t(n))
        at += n
    lib.sha512_final(ctx, digest)
    return digest.raw


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("seed, public, message, signature", vectors(), ids=["1", "2", "3", "SHA(abc)"])
def test_rfc8032_vectors(crypto, seed, public, message, signature):
    assert verify(crypto, public, signature, message)
    assert not verify(crypto, public, signature, message + b"x")
    assert not verify(crypto, flip(public, 3), signature, message)
    for bit in (0, 255, 256, 511):  # in R, and in S
        assert not verify(crypto, public, flip(signature, bit), message)


def test_random_signatures_verify_and_flipped_bits_do_not(crypto):
    rng = random.Random(8032)
    for _ in range(300):
        seed, message = rng.randbytes(32), rng.randbytes(rng.choice([0, 64, rng.randrange(1, 200)]))
        public, signature = ed25519.public_key(seed), ed25519.sign(seed, message)
        assert verify(crypto, public, signature, message)
        where = rng.randrange(3)
        if where == 0:
            assert not verify(crypto, public, flip(signature, rng.randrange(512)), message)
        elif where == 1 and message:
            assert not verify(crypto, public, signature, flip(message, rng.randrange(8 * len(message))))
        else:
            assert not verify(crypto, flip(public, rng.randrange(255)), signature, message)


def test_non_canonical_inputs_are_refused(crypto):
    _, public, message, signature = vectors()[1]
    s = int.from_bytes(signature[32:], "little")
    assert not verify(crypto, public, signature[:32] + (s + ed25519.L).to_bytes(32, "little"), message)
    for y in (ed25519.P, ed25519.P + 1, 2**255 - 1):  # y not below p
        assert not verify(crypto, y.to_bytes(32, "little"), signature, message)
    assert not verify(crypto, (1 << 255 | 1).to_bytes(32, "little"), signature, message)  # x = 0 with sign bit


def test_sha512_matches_hashlib(crypto):
    rng = random.Random(512)
    for n in [0, 1, 111, 112, 127, 128, 129, 239, 240, 255, 256, 257, 1000, 4096 + 17]:
        data = rng.randbytes(n)
        assert sha512(crypto, data, [rng.randrange(1, 200) for _ in range(5)]) == hashlib.sha512(data).digest(), n
