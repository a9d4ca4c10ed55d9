/* Checking and starting the stored image; see image.h for the layout. A record may only land
 * in the app's memory (EDGEDIFF_APP_REGIONS, from the target's memory map) and never on the
 * bootloader's own code, RAM or handoff block (linker symbols), so even a well-formed image
 * built for the wrong memory map cannot overwrite the bootloader that would recover from it. */
#include "image.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "boot_handoff.h"
#include "bytes_le.h"
#include "crc32.h"
#include "hal.h"
#include "loader_hal.h"

extern const uint8_t __bootloader_code_start[], __bootloader_code_end[];
extern const uint8_t __bootloader_ram_start[], __bootloader_ram_end[];

typedef struct {
    uint32_t origin;
    uint32_t length;
} region_t;

static const region_t app_regions[] = {EDGEDIFF_APP_REGIONS};

#define RECORD_HEADER_BYTES 8u
#define CHUNK 256u

const char *image_status_text(image_status_t status)
{
    switch (status) {
    case IMAGE_OK:
        return "valid image";
    case IMAGE_NO_HEADER:
        return "no image header";
    case IMAGE_BAD_HEADER:
        return "image header corrupt";
    case IMAGE_WRONG_TARGET:
        return "image built for another target";
    case IMAGE_TOO_BIG:
        return "image larger than the flash";
    case IMAGE_BAD_RECORDS:
        return "image records outside the app's memory";
    case IMAGE_BAD_CRC:
        return "image body CRC mismatch";
    case IMAGE_UNSIGNED:
        return "image unsigned (format 1): this bootloader boots signed images only";
    case IMAGE_OTHER_KEY:
        return "image signature invalid: signed by another key than the bootloader's";
    case IMAGE_BAD_SIGNATURE:
        return "image signature invalid: header or body altered after signing";
    case IMAGE_ROLLBACK:
        return "image security counter lower than the highest this board has booted";
    case IMAGE_MISSING_FEATURES:
        return "image needs ISA extensions this core lacks";
    }
    return "unknown";
}

static void read_flash(uint32_t offset, uint8_t *out, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        out[i] = FLASH_AT(offset)[i];
    }
}

uint32_t image_body_crc(uint32_t offset, uint32_t len)
{
    uint8_t buf[CHUNK];
    uint32_t crc = 0;
    while (len > 0) {
        uint32_t n = len < CHUNK ? len : CHUNK;
        read_flash(IMAGE_BODY_OFFSET + offset, buf, n);
        crc = crc32_update(crc, buf, n);
        offset += n;
        len -= n;
    }
    return crc;
}

static bool overlaps(uint32_t a, uint32_t a_len, uintptr_t b, uintptr_t b_end)
{
    return a < b_end && b < (uintptr_t)a + a_len;
}

static bool record_allowed(uint32_t addr, uint32_t len)
{
    if (len == 0 || addr + len < addr) {
        return false;
    }
    if (overlaps(addr, len, (uintptr_t)__bootloader_code_start, (uintptr_t)__bootloader_code_end) ||
        overlaps(addr, len, (uintptr_t)__bootloader_ram_start, (uintptr_t)__bootloader_ram_end) ||
        overlaps(addr, len, EDGEDIFF_FLASH_BASE, (uintptr_t)EDGEDIFF_FLASH_BASE + EDGEDIFF_FLASH_BYTES)) {
        return false;
    }
    for (size_t i = 0; i < sizeof app_regions / sizeof app_regions[0]; i++) {
        const region_t *r = &app_regions[i];
        if (addr >= r->origin && len <= r->length && addr - r->origin <= r->length - len) {
            return true;
        }
    }
    return false;
}

/* Walk the records: each allowed, together exactly body_bytes, entry inside one of them. */
static bool records_ok(uint32_t body_bytes, uint32_t entry)
{
    uint32_t at = 0;
    bool entry_found = false;
    while (at < body_bytes) {
        uint8_t head[RECORD_HEADER_BYTES];
        if (body_bytes - at < RECORD_HEADER_BYTES) {
            return false;
        }
        read_flash(IMAGE_BODY_OFFSET + at, head, RECORD_HEADER_BYTES);
        uint32_t addr = get_u32_le(head);
        uint32_t len = get_u32_le(&head[4]);
        uint32_t padded = (len + 3u) & ~3u;
        if (!record_allowed(addr, len) || padded < len || padded > body_bytes - at - RECORD_HEADER_BYTES) {
            return false;
        }
        /* Thumb entry addresses carry bit 0. */
        if ((entry & ~1u) >= addr && (entry & ~1u) - addr < len) {
            entry_found = true;
        }
        at += RECORD_HEADER_BYTES + padded;
    }
    return entry_found;
}

image_status_t image_check_header(const uint8_t *header)
{
    if (get_u32_le(&header[IMAGE_OFF_FORMAT]) == IMAGE_FORMAT_UNSIGNED) {
        return IMAGE_UNSIGNED;
    }
    if (get_u32_le(&header[IMAGE_OFF_HEADER_CRC]) !=
            crc32_update(0, &header[IMAGE_OFF_FORMAT], IMAGE_OFF_HEADER_CRC - IMAGE_OFF_FORMAT) ||
        get_u32_le(&header[IMAGE_OFF_FORMAT]) != IMAGE_FORMAT) {
        return IMAGE_BAD_HEADER;
    }
    char target[IMAGE_TARGET_BYTES + 1];
    memcpy(target, &header[IMAGE_OFF_TARGET], IMAGE_TARGET_BYTES);
    target[IMAGE_TARGET_BYTES] = 0;
    if (strcmp(target, hal_target_name()) != 0) {
        return IMAGE_WRONG_TARGET;
    }
    if (get_u32_le(&header[IMAGE_OFF_BODY_BYTES]) > IMAGE_BODY_CAPACITY) {
        return IMAGE_TOO_BIG;
    }
    return IMAGE_OK;
}

image_status_t image_check_stored(void)
{
    uint8_t header[IMAGE_HEADER_BYTES];
    read_flash(IMAGE_HEADER_OFFSET, header, IMAGE_HEADER_BYTES);
    if (get_u32_le(header) != IMAGE_MAGIC) {
        return IMAGE_NO_HEADER;
    }
    image_status_t status = image_check_header(header);
    if (status != IMAGE_OK) {
        return status;
    }
    return image_check_body(header);
}

image_status_t image_check_body(const uint8_t *header)
{
    uint32_t body_bytes = get_u32_le(&header[IMAGE_OFF_BODY_BYTES]);
    if (!records_ok(body_bytes, get_u32_le(&header[IMAGE_OFF_ENTRY]))) {
        return IMAGE_BAD_RECORDS;
    }
    if (image_body_crc(0, body_bytes) != get_u32_le(&header[IMAGE_OFF_BODY_CRC])) {
        return IMAGE_BAD_CRC;
    }
    image_status_t status = image_check_signature(header);
    return status == IMAGE_OK ? image_check_counter(header) : status;
}

void image_boot(void)
{
    uint8_t header[IMAGE_HEADER_BYTES];
    read_flash(IMAGE_HEADER_OFFSET, header, IMAGE_HEADER_BYTES);
    uint32_t body_bytes = get_u32_le(&header[IMAGE_OFF_BODY_BYTES]);
    /* The caller checked this body against the header (signature and counter included): tell
     * the app what it is started from. The security counter moves at confirm (slots.c), so a
     * trial that is reverted never locks out the previous app. */
    boot_handoff_publish_image(body_bytes, get_u32_le(&header[IMAGE_OFF_BODY_CRC]));
    uint32_t at = 0;
    while (at < body_bytes) {
        uint8_t head[RECORD_HEADER_BYTES];
        read_flash(IMAGE_BODY_OFFSET + at, head, RECORD_HEADER_BYTES);
        uint32_t addr = get_u32_le(head);
        uint32_t len = get_u32_le(&head[4]);
        read_flash(IMAGE_BODY_OFFSET + at + RECORD_HEADER_BYTES, (uint8_t *)(uintptr_t)addr, len);
        at += RECORD_HEADER_BYTES + ((len + 3u) & ~3u);
    }
    hal_boot_jump(get_u32_le(&header[IMAGE_OFF_ENTRY]));
}
