"""Ed25519 (RFC 8032) in pure Python, for signing images on the host: key pairs from a 32-byte
seed, deterministic signatures, and verification (so the SDK can check an image before a board
does). SHA-512 is hashlib's. Written for clarity and for a few thousand signatures a second, not
for secrecy against an attacker timing this process: nothing here is constant-time, which is
fine for a build machine signing its own images, and points out why the private key must not
sign on shared hardware in public (see docs/RELIABILITY.md).

The device's verifier is firmware/crypto/ (C); tests hold both to the RFC's vectors and this
module to the `cryptography` package on thousands of random keys and messages."""

from __future__ import annotations

import functools
import hashlib

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
D = -121665 * pow(121666, P - 2, P) % P
D2 = 2 * D % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
SEED_BYTES = 32
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64

# Points in extended coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z.
IDENTITY = (0, 1, 1, 0)


def _add(p, q):
    """The complete a = -1 twisted Edwards addition (also doubles)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = D2 * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _recover_x(y: int, sign: int) -> int | None:
    """x with x's low bit = sign on the curve at y, or None (RFC 8032 5.1.3)."""
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        return None
    return P - x if x & 1 != sign else x


_BY = 4 * pow(5, P - 2, P) % P
_BX = _recover_x(_BY, 0)
BASE = (_BX, _BY, 1, _BX * _BY % P)


def _multiply(k: int, point) -> tuple:
    result = IDENTITY
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


@functools.cache
def _base_table() -> list[list[tuple]]:
    """256^i * j * B for i < 32, j < 256: [k]B is then 32 additions, one per byte of k (the
    table takes ~0.1 s, once, at the first signature)."""
    table, step = [], BASE
    for _ in range(32):
        row, acc = [IDENTITY], IDENTITY
        for _ in range(255):
            acc = _add(acc, step)
            row.append(acc)
        table.append(row)
        step = _add(acc, step)  # 256 * step
    return table


def _multiply_base(k: int) -> tuple:
    table, result = _base_table(), IDENTITY
    for i in range(32):
        result = _add(result, table[i][(k >> (8 * i)) & 255])
    return result


def encode_point(point) -> bytes:
    x, y, z, _ = point
    z_inv = pow(z, P - 2, P)
    x, y = x * z_inv % P, y * z_inv % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def decode_point(data: bytes):
    """The point encoded by 32 bytes, or None when they encode none (RFC 8032 5.1.3)."""
    n = int.from_bytes(data, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


def _hash_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little")


def _expand(seed: bytes) -> tuple[int, bytes]:
    """The secret scalar (clamped low half of SHA-512(seed)) and the nonce prefix (high half)."""
    if len(seed) != SEED_BYTES:
        raise ValueError(f"an Ed25519 seed is {SEED_BYTES} bytes, not {len(seed)}")
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a = (a & ~7 & ((1 << 254) - 1)) | (1 << 254)
    return a, h[32:]


@functools.lru_cache(maxsize=64)
def _key_pair(seed: bytes) -> tuple[int, bytes, bytes]:
    """(secret scalar, nonce prefix, public key) of a seed; cached: an image is signed, its key
    shown, several images signed by one key."""
    a, prefix = _expand(seed)
    return a, prefix, encode_point(_multiply_base(a))


def public_key(seed: bytes) -> bytes:
    return _key_pair(bytes(seed))[2]


def sign(seed: bytes, message: bytes) -> bytes:
    """RFC 8032 5.1.6: R || S."""
    a, prefix, public = _key_pair(bytes(seed))
    r = _hash_int(prefix, message) % L
    r_bytes = encode_point(_multiply_base(r))
    k = _hash_int(r_bytes, public, message) % L
    return r_bytes + ((r + k * a) % L).to_bytes(32, "little")


def verify(public: bytes, signature: bytes, message: bytes) -> bool:
    """RFC 8032 5.1.7 (cofactorless, like the device): S < L, A and R canonical points, and
    [S]B = R + [k]A."""
    if len(public) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    s = int.from_bytes(signature[32:], "little")
    a_point = decode_point(public)
    if s >= L or a_point is None or decode_point(signature[:32]) is None:
        return False
    k = _hash_int(signature[:32], public, message) % L
    x, y, z, t = _multiply(k, a_point)
    check = _add(_multiply_base(s), ((-x) % P, y, z, (-t) % P))
    return encode_point(check) == signature[:32]
