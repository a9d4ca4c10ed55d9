/* The stored image: a 140-byte signed header alone in its slot's first flash sector, the body
 * from the slot's second (slots.h: two slots after the slot-state sectors, before the rollback
 * counter's area; image_slot_base says which slot every function below looks at).
 * The header is written last (after the body is programmed and its CRC checked) and its magic
 * word last of all, so a power cut at any point leaves either no valid header, or a valid
 * header over a complete body. sdk/runner/image.py builds the same layout on the host.
 *
 * Header (format 2): magic:u32 format:u32 body_bytes:u32 body_crc:u32 entry:u32 target:char[16]
 *         build_id:char[24] security_counter:u32 key_id:u8[8] header_crc:u32 (CRC-32 of
 *         bytes 4..71) signature:u8[64].
 * Signed: Ed25519 (RFC 8032) over the 64-byte digest SHA-512(header bytes 0..75 with the magic
 * as IMAGE_MAGIC || body): every header field but the signature, and all of the body.
 * key_id is SHA-512(public key)[0..7]; it never decides acceptance, it only names the reason
 * of a refusal (signed by another key, or altered after signing). Format 1 was the same
 * header up to build_id, then header_crc at 60, unsigned: refused as IMAGE_UNSIGNED.
 * security_counter: refused when below the highest counter this board has booted
 * (image_counter.c, in the flash area EDGEDIFF_COUNTER_OFFSET/BYTES past the second slot).
 * Body: records addr:u32 len:u32 data[len] padded to 4 bytes, each copied to addr (the app's
 * load address, its ELF LMA) at boot; then the bootloader jumps to entry. */
#ifndef EDGEDIFF_IMAGE_H
#define EDGEDIFF_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "slot_layout.h"

#define IMAGE_MAGIC 0x49474445u /* "EDGI" */
#define IMAGE_FORMAT 2u
#define IMAGE_FORMAT_UNSIGNED 1u
#define IMAGE_HEADER_BYTES 140u
#define IMAGE_OFF_FORMAT 4u
#define IMAGE_OFF_BODY_BYTES 8u
#define IMAGE_OFF_BODY_CRC 12u
#define IMAGE_OFF_ENTRY 16u
#define IMAGE_OFF_TARGET 20u
#define IMAGE_TARGET_BYTES 16u
#define IMAGE_OFF_BUILD_ID 36u
#define IMAGE_BUILD_ID_BYTES 24u
#define IMAGE_OFF_SECURITY_COUNTER 60u
#define IMAGE_OFF_KEY_ID 64u
#define IMAGE_KEY_ID_BYTES 8u
#define IMAGE_OFF_HEADER_CRC 72u
#define IMAGE_OFF_SIGNATURE 76u /* = the bytes signed (with the body) */
#define IMAGE_SIGNATURE_BYTES 64u

/* Flash offset of the slot being looked at; set by slot_select() (slots.c). */
extern uint32_t image_slot_base;
#define IMAGE_HEADER_OFFSET (image_slot_base)
#define IMAGE_BODY_OFFSET (image_slot_base + (uint32_t)(EDGEDIFF_FLASH_SECTOR))
/* The body fills its slot; the slots end before the security counter's area (slot_layout.h). */
#define IMAGE_BODY_CAPACITY (SLOT_BYTES - (uint32_t)(EDGEDIFF_FLASH_SECTOR))

typedef enum {
    IMAGE_OK = 0,
    IMAGE_NO_HEADER,
    IMAGE_BAD_HEADER,
    IMAGE_WRONG_TARGET,
    IMAGE_TOO_BIG,
    IMAGE_BAD_RECORDS,
    IMAGE_BAD_CRC,
    IMAGE_UNSIGNED,
    IMAGE_OTHER_KEY,
    IMAGE_BAD_SIGNATURE,
    IMAGE_ROLLBACK,
    IMAGE_MISSING_FEATURES, /* image_features.c: built for ISA extensions this core lacks */
} image_status_t;

const char *image_status_text(image_status_t status);

/* Check a header (all 140 bytes; the magic is not looked at) without the body. */
image_status_t image_check_header(const uint8_t *header);

/* Check the header in flash, its magic, the body CRC and every record. */
image_status_t image_check_stored(void);

/* Check the body in flash against a header that passed image_check_header(): records, CRC. */
image_status_t image_check_body(const uint8_t *header);

/* The signature of a header whose body in flash passed its CRC check (image_signature.c):
 * IMAGE_OK, IMAGE_OTHER_KEY or IMAGE_BAD_SIGNATURE. */
image_status_t image_check_signature(const uint8_t *header);

/* The instructions the last image_check_signature() took: hashing header and body, and
 * the Ed25519 verification of the digest (INFO reports them). */
void image_signature_cost(uint32_t *hash_instructions, uint32_t *verify_instructions);

/* The header's security counter against the highest this board has booted (image_counter.c):
 * IMAGE_OK or IMAGE_ROLLBACK. */
image_status_t image_check_counter(const uint8_t *header);

/* The highest security counter this board has booted (0 on a new board). */
uint32_t image_counter_highest(void);

/* Raise the stored highest counter to the header's, once that image is the confirmed app
 * (slots.c); false if the flash failed (the image boots anyway: availability over a counter
 * that could not move; the next boot of the confirmed app tries again). */
bool image_counter_advance(const uint8_t *header);

/* SHA-512(public key)[0..7] of the key this bootloader trusts (INFO reports it). */
void image_signature_key_id(uint8_t out[IMAGE_KEY_ID_BYTES]);

/* CRC-32 of len body bytes from offset (relative to the body start). */
uint32_t image_body_crc(uint32_t offset, uint32_t len);

/* Publish the stored body's length and CRC in the handoff block, copy its records to RAM and
 * jump to its entry; only after image_check_stored(). */
__attribute__((noreturn)) void image_boot(void);

#endif
