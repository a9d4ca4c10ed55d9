/* Points of the Ed25519 curve -x^2 + y^2 = 1 + d x^2 y^2 over fe25519, in extended
 * coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, x y = T/Z (Hisil, Wong, Carter, Dawson
 * 2008). Verification needs decoding a public key, one double-scalar multiplication and
 * encoding the result: nothing here is constant-time (public data only). */
#ifndef EDGEDIFF_GE25519_H
#define EDGEDIFF_GE25519_H

#include <stdbool.h>
#include <stdint.h>

#include "fe25519.h"

typedef struct {
    fe25519 x, y, z, t;
} ge25519;

/* RFC 8032 5.1.3: false for a y not below p, for no x on the curve, or for x = 0 with the sign bit set. */
bool ge25519_decode(ge25519 *out, const uint8_t in[32]);

/* RFC 8032 5.1.2: y, with x's low bit in bit 255. */
void ge25519_encode(uint8_t out[32], const ge25519 *p);

void ge25519_add(ge25519 *out, const ge25519 *p, const ge25519 *q);

void ge25519_double(ge25519 *out, const ge25519 *p);

void ge25519_negate(ge25519 *out, const ge25519 *p);

/* a B + b P, B the base point, a and b 256-bit little-endian scalars (one doubling chain). */
void ge25519_double_scalarmult(ge25519 *out, const uint8_t a[32], const uint8_t b[32], const ge25519 *p);

#endif
