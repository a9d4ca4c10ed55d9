/* Ed25519 verification; see ed25519.h. With S the signature's scalar, R its point and A the
 * public key, accept when S < L and the encoding of [S]B - [k]A equals R's bytes, where
 * k = SHA-512(R || A || message) mod L (the cofactorless check of RFC 8032 5.1.7, as its
 * reference code does). A and R that are not canonical encodings are refused. */
#include "ed25519.h"

#include <string.h>

#include "ge25519.h"
#include "sc25519.h"
#include "sha512.h"

bool ed25519_verify(const uint8_t signature[ED25519_SIGNATURE_BYTES], const uint8_t *message,
                    size_t message_len, const uint8_t public_key[ED25519_PUBLIC_KEY_BYTES])
{
    const uint8_t *r_bytes = signature;
    const uint8_t *s_bytes = &signature[32];
    ge25519 a, minus_a, check;
    if (!sc25519_is_canonical(s_bytes) || !ge25519_decode(&a, public_key)) {
        return false;
    }
    sha512_t hash;
    uint8_t digest[SHA512_DIGEST_BYTES], k[32], encoded[32];
    sha512_init(&hash);
    sha512_update(&hash, r_bytes, 32);
    sha512_update(&hash, public_key, ED25519_PUBLIC_KEY_BYTES);
    sha512_update(&hash, message, message_len);
    sha512_final(&hash, digest);
    sc25519_reduce(k, digest);
    ge25519_negate(&minus_a, &a);
    ge25519_double_scalarmult(&check, s_bytes, k, &minus_a);
    ge25519_encode(encoded, &check);
    return memcmp(encoded, r_bytes, 32) == 0;
}
