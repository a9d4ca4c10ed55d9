/* SHA-512 (FIPS 180-4), streaming, for the bootloader's image check: the digest of an image's
 * header and body that Ed25519 signs, and Ed25519's own hash of R || A || M (ed25519.c).
 * No tables beyond the 80 round constants; 64-bit words, which a 32-bit core does in pairs. */
#ifndef EDGEDIFF_SHA512_H
#define EDGEDIFF_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_DIGEST_BYTES 64u
#define SHA512_BLOCK_BYTES 128u

typedef struct {
    uint64_t state[8];
    uint64_t total_bytes; /* messages here are far below 2^61 bytes: the high length word is 0 */
    uint8_t block[SHA512_BLOCK_BYTES];
    uint32_t filled; /* bytes waiting in block */
} sha512_t;

void sha512_init(sha512_t *ctx);
void sha512_update(sha512_t *ctx, const uint8_t *data, size_t len);
void sha512_final(sha512_t *ctx, uint8_t digest[SHA512_DIGEST_BYTES]);

#endif
