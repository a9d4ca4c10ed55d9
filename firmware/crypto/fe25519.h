/* Arithmetic modulo p = 2^255 - 19 for Ed25519 verification (ed25519.c).
 *
 * An element is 16 signed limbs of 16 bits (value = sum v[i] * 2^(16 i)), not necessarily
 * reduced: add and sub leave limbs within a few bits of 16, mul carries its result back to
 * 16-bit limbs. Products of two limbs fit in 32 x 32 -> 64-bit multiplies (one instruction on
 * Cortex-M4 `smlal`, two on RV32M), which is why the radix is 2^16 and not 2^25.5 or 2^51.
 * Nothing here is constant-time: a verifier handles only public data. */
#ifndef EDGEDIFF_FE25519_H
#define EDGEDIFF_FE25519_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int32_t v[16];
} fe25519;

void fe25519_set(fe25519 *out, int32_t small);
void fe25519_add(fe25519 *out, const fe25519 *a, const fe25519 *b);
void fe25519_sub(fe25519 *out, const fe25519 *a, const fe25519 *b);
void fe25519_mul(fe25519 *out, const fe25519 *a, const fe25519 *b);
void fe25519_square(fe25519 *out, const fe25519 *a);
/* 1/a = a^(p - 2), by Fermat. */
void fe25519_invert(fe25519 *out, const fe25519 *a);
/* a^((p - 5) / 8), the exponent of a square root of u / v (ge25519_decode). */
void fe25519_pow_p58(fe25519 *out, const fe25519 *a);

/* The canonical 32 little-endian bytes of a (fully reduced, below p). */
void fe25519_to_bytes(uint8_t out[32], const fe25519 *a);
/* The low 255 bits of in (bit 255 is the caller's: a sign). False if they are p or more:
 * RFC 8032 5.1.3 refuses non-canonical encodings. */
bool fe25519_from_bytes(fe25519 *out, const uint8_t in[32]);

bool fe25519_equal(const fe25519 *a, const fe25519 *b);
bool fe25519_is_zero(const fe25519 *a);
/* The low bit of the reduced value: the "sign" of an x coordinate. */
int fe25519_parity(const fe25519 *a);

#endif
