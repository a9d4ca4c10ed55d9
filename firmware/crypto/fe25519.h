/* Arithmetic modulo p = 2^255 - 19 for Ed25519 verification (ed25519.c).
 *
 * An element is 10 signed limbs in radix 2^25.5 (26 and 25 bits alternately: value =
 * sum v[i] 2^ceil(25.5 i)), not necessarily reduced below p but carried after every
 * operation, so each limb is within a few units of its width. Products of two limbs are
 * 32 x 32 -> 64-bit multiplies (one `smlal` on Cortex-M4, `mul` + `mulh` on RV32M): 100 per
 * field multiplication.
 * Nothing here is constant-time: a verifier handles only public data. */
#ifndef EDGEDIFF_FE25519_H
#define EDGEDIFF_FE25519_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int32_t v[10];
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
