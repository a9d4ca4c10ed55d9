/* The stored image: a 64-byte header alone in its slot's first flash sector, the body from the
 * slot's second (slots.h: two slots after the slot-state sectors; image_slot_base says which
 * slot every function below looks at).
 * The header is written last (after the body is programmed and its CRC checked) and its magic
 * word last of all, so a power cut at any point leaves either no valid header, or a valid
 * header over a complete body. sdk/runner/image.py builds the same layout on the host.
 *
 * Header: magic:u32 format:u32 body_bytes:u32 body_crc:u32 entry:u32 target:char[16]
 *         build_id:char[24] header_crc:u32 (CRC-32 of bytes 4..59).
 * Body: records addr:u32 len:u32 data[len] padded to 4 bytes, each copied to addr (the app's
 * load address, its ELF LMA) at boot; then the bootloader jumps to entry. */
#ifndef EDGEDIFF_IMAGE_H
#define EDGEDIFF_IMAGE_H

#include <stdint.h>

#include "slot_layout.h"

#define IMAGE_MAGIC 0x49474445u /* "EDGI" */
#define IMAGE_FORMAT 1u
#define IMAGE_HEADER_BYTES 64u
#define IMAGE_OFF_FORMAT 4u
#define IMAGE_OFF_BODY_BYTES 8u
#define IMAGE_OFF_BODY_CRC 12u
#define IMAGE_OFF_ENTRY 16u
#define IMAGE_OFF_TARGET 20u
#define IMAGE_TARGET_BYTES 16u
#define IMAGE_OFF_BUILD_ID 36u
#define IMAGE_BUILD_ID_BYTES 24u
#define IMAGE_OFF_HEADER_CRC 60u

/* Flash offset of the slot being looked at; set by slot_select() (slots.c). */
extern uint32_t image_slot_base;
#define IMAGE_HEADER_OFFSET (image_slot_base)
#define IMAGE_BODY_OFFSET (image_slot_base + (uint32_t)(EDGEDIFF_FLASH_SECTOR))
#define IMAGE_BODY_CAPACITY (SLOT_BYTES - (uint32_t)(EDGEDIFF_FLASH_SECTOR))

typedef enum {
    IMAGE_OK = 0,
    IMAGE_NO_HEADER,
    IMAGE_BAD_HEADER,
    IMAGE_WRONG_TARGET,
    IMAGE_TOO_BIG,
    IMAGE_BAD_RECORDS,
    IMAGE_BAD_CRC,
    IMAGE_MISSING_FEATURES, /* image_features.c: built for ISA extensions this core lacks */
} image_status_t;

const char *image_status_text(image_status_t status);

/* Check a header (all 64 bytes; the magic is not looked at) without the body. */
image_status_t image_check_header(const uint8_t *header);

/* Check the header in flash, its magic, the body CRC and every record. */
image_status_t image_check_stored(void);

/* Check the body in flash against a header that passed image_check_header(): records, CRC. */
image_status_t image_check_body(const uint8_t *header);

/* CRC-32 of len body bytes from offset (relative to the body start). */
uint32_t image_body_crc(uint32_t offset, uint32_t len);

/* Publish the stored body's length and CRC in the handoff block, copy its records to RAM and
 * jump to its entry; only after image_check_stored(). */
__attribute__((noreturn)) void image_boot(void);

#endif
