/* Ed25519 signature verification (RFC 8032 5.1.7), the bootloader's only use of public-key
 * cryptography: does signature (R || S, 64 bytes) sign message under public_key? Signing
 * happens on the host (sdk/sign/); the device holds no private key. */
#ifndef EDGEDIFF_ED25519_H
#define EDGEDIFF_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ED25519_PUBLIC_KEY_BYTES 32u
#define ED25519_SIGNATURE_BYTES 64u

bool ed25519_verify(const uint8_t signature[ED25519_SIGNATURE_BYTES], const uint8_t *message,
                    size_t message_len, const uint8_t public_key[ED25519_PUBLIC_KEY_BYTES]);

#endif
