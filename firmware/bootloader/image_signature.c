/* The image's Ed25519 signature (see image.h for what is signed), checked against the one
 * public key this bootloader was built with: sdk/compile/bootloader.py passes it as
 * EDGEDIFF_SIGNING_PUBLIC_KEY (32 comma-separated bytes). The private key never reaches a
 * board. The body is hashed straight from flash in small chunks, so the image need not fit RAM. */
#include <stdint.h>
#include <string.h>

#include "bytes_le.h"
#include "ed25519.h"
#include "hal.h"
#include "image.h"
#include "loader_hal.h"
#include "sha512.h"

#ifndef EDGEDIFF_SIGNING_PUBLIC_KEY
#error "EDGEDIFF_SIGNING_PUBLIC_KEY: the bootloader is built with the public key of the key that signs its apps"
#endif

static const uint8_t public_key[ED25519_PUBLIC_KEY_BYTES] = {EDGEDIFF_SIGNING_PUBLIC_KEY};

#define CHUNK 256u

static uint32_t last_hash_instructions;
static uint32_t last_verify_instructions;

void image_signature_key_id(uint8_t out[IMAGE_KEY_ID_BYTES])
{
    sha512_t hash;
    uint8_t digest[SHA512_DIGEST_BYTES];
    sha512_init(&hash);
    sha512_update(&hash, public_key, sizeof public_key);
    sha512_final(&hash, digest);
    memcpy(out, digest, IMAGE_KEY_ID_BYTES);
}

/* SHA-512 of the header's signed bytes (the magic as IMAGE_MAGIC, whatever the caller holds
 * there: COMMIT's header has none yet) and of the body in flash. */
static void signed_digest(const uint8_t *header, uint8_t digest[SHA512_DIGEST_BYTES])
{
    sha512_t hash;
    uint8_t chunk[CHUNK];
    put_u32_le(chunk, IMAGE_MAGIC);
    sha512_init(&hash);
    sha512_update(&hash, chunk, 4u);
    sha512_update(&hash, &header[4], IMAGE_OFF_SIGNATURE - 4u);
    uint32_t left = get_u32_le(&header[IMAGE_OFF_BODY_BYTES]);
    uint32_t at = IMAGE_BODY_OFFSET;
    while (left > 0) {
        uint32_t n = left < CHUNK ? left : CHUNK;
        for (uint32_t i = 0; i < n; i++) {
            chunk[i] = FLASH_AT(at)[i];
        }
        sha512_update(&hash, chunk, n);
        at += n;
        left -= n;
    }
    sha512_final(&hash, digest);
}

image_status_t image_check_signature(const uint8_t *header)
{
    uint8_t digest[SHA512_DIGEST_BYTES];
    uint64_t start = hal_instruction_count();
    signed_digest(header, digest);
    uint64_t hashed = hal_instruction_count();
    bool valid = ed25519_verify(&header[IMAGE_OFF_SIGNATURE], digest, sizeof digest, public_key);
    uint64_t verified = hal_instruction_count();
    last_hash_instructions = (uint32_t)(hashed - start);
    last_verify_instructions = (uint32_t)(verified - hashed);
    if (valid) {
        return IMAGE_OK;
    }
    /* Refused either way; the key id (signed too, never trusted) only names the reason. */
    uint8_t ours[IMAGE_KEY_ID_BYTES];
    image_signature_key_id(ours);
    return memcmp(ours, &header[IMAGE_OFF_KEY_ID], IMAGE_KEY_ID_BYTES) == 0 ? IMAGE_BAD_SIGNATURE : IMAGE_OTHER_KEY;
}

void image_signature_cost(uint32_t *hash_instructions, uint32_t *verify_instructions)
{
    *hash_instructions = last_hash_instructions;
    *verify_instructions = last_verify_instructions;
}
