/* Scalars of Ed25519: integers modulo the group order L = 2^252 + 27742317777372353535851937790883648493,
 * as 32 little-endian bytes. Only what verification needs: reducing SHA-512's 64-byte output
 * mod L, and refusing a signature's S that is not below L (RFC 8032 5.1.7: no malleability). */
#ifndef EDGEDIFF_SC25519_H
#define EDGEDIFF_SC25519_H

#include <stdbool.h>
#include <stdint.h>

/* in (512-bit little-endian) mod L. */
void sc25519_reduce(uint8_t out[32], const uint8_t in[64]);

/* s < L. */
bool sc25519_is_canonical(const uint8_t s[32]);

#endif
