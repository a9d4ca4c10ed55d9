/* Rollback protection: the highest security counter this board has booted, kept in its own
 * flash area (target.toml [bootloader] rollback_counter: EDGEDIFF_COUNTER_OFFSET and
 * EDGEDIFF_COUNTER_BYTES, whole sectors past the second image slot). An image whose counter is
 * lower is refused (image_check_counter); confirming a trial with a higher one raises it
 * (image_counter_advance, called from slots.c), booting it as a trial does not.
 *
 * The area is an append-only log of 8-byte records value:u32 ~value:u32; the counter is the
 * highest valid record (0 when there is none: a new board). Raising it programs one more
 * record into erased flash: a power cut leaves either the old log or a record that is not
 * valid (its complement not yet written), so the counter never goes down. Only when the log
 * is full is the area erased and the counter written again as its first record: a power cut
 * in that one window resets it to 0, once every EDGEDIFF_COUNTER_BYTES / 8 raises. */
#include <stdbool.h>
#include <stdint.h>

#include "bytes_le.h"
#include "image.h"
#include "loader_hal.h"

#define RECORD_BYTES 8u
#define RECORDS ((uint32_t)(EDGEDIFF_COUNTER_BYTES) / RECORD_BYTES)

static uint32_t word_at(uint32_t offset)
{
    return get_u32_le((const uint8_t *)FLASH_AT(offset));
}

/* The highest valid record and the index of the first erased one (RECORDS when full). */
static uint32_t scan(uint32_t *first_free)
{
    uint32_t highest = 0;
    *first_free = RECORDS;
    for (uint32_t i = 0; i < RECORDS; i++) {
        uint32_t value = word_at(EDGEDIFF_COUNTER_OFFSET + i * RECORD_BYTES);
        uint32_t check = word_at(EDGEDIFF_COUNTER_OFFSET + i * RECORD_BYTES + 4u);
        if (value == 0xFFFFFFFFu && check == 0xFFFFFFFFu) {
            *first_free = i;
            break;
        }
        if (check == ~value && value > highest) {
            highest = value;
        }
    }
    return highest;
}

uint32_t image_counter_highest(void)
{
    uint32_t first_free;
    return scan(&first_free);
}

image_status_t image_check_counter(const uint8_t *header)
{
    return get_u32_le(&header[IMAGE_OFF_SECURITY_COUNTER]) < image_counter_highest() ? IMAGE_ROLLBACK : IMAGE_OK;
}

bool image_counter_advance(const uint8_t *header)
{
    uint32_t value = get_u32_le(&header[IMAGE_OFF_SECURITY_COUNTER]);
    uint32_t first_free;
    if (value <= scan(&first_free)) {
        return true;
    }
    if (first_free == RECORDS) {
        for (uint32_t at = 0; at < (uint32_t)(EDGEDIFF_COUNTER_BYTES); at += EDGEDIFF_FLASH_SECTOR) {
            if (!flash_erase_sector(EDGEDIFF_COUNTER_OFFSET + at)) {
                return false;
            }
        }
        first_free = 0;
    }
    uint8_t record[RECORD_BYTES];
    put_u32_le(record, value);
    put_u32_le(&record[4], ~value);
    return flash_program(EDGEDIFF_COUNTER_OFFSET + first_free * RECORD_BYTES, record, RECORD_BYTES);
}
