/* The slot-state log; see boot_state.h. Record: magic:u32 seq:u32 state:u32 crc:u32 (CRC-32
 * of the first 12 bytes). The record with the highest seq wins; seq only grows. Records are
 * appended one after another from the start of a sector, so a scan stops at the first blank
 * one: every request reads a few records, not two whole sectors (reads of a CFI flash that is
 * not in read-array mode are slow, on QEMU too). */
#include "boot_state.h"

#include "bytes_le.h"
#include "crc32.h"
#include "loader_hal.h"
#include "slot_layout.h"

#define RECORD_MAGIC 0x5107B007u
#define RECORD_BYTES 16u
#define RECORDS_PER_SECTOR ((uint32_t)(EDGEDIFF_FLASH_SECTOR) / RECORD_BYTES)

_Static_assert(EDGEDIFF_SLOT_STATE_SECTORS == 2, "the slot-state log ping-pongs between two sectors");

typedef struct {
    bool found;
    uint32_t seq;
    uint32_t sector; /* 0 or 1 */
    uint32_t index; /* within the sector */
    boot_state_t state;
} latest_t;

static uint32_t record_offset(uint32_t sector, uint32_t index)
{
    return sector * (uint32_t)EDGEDIFF_FLASH_SECTOR + index * RECORD_BYTES;
}

static void read_record(uint32_t offset, uint8_t *out)
{
    for (uint32_t i = 0; i < RECORD_BYTES; i++) {
        out[i] = FLASH_AT(offset)[i];
    }
}

static bool blank(uint32_t offset)
{
    for (uint32_t i = 0; i < RECORD_BYTES; i++) {
        if (FLASH_AT(offset)[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

static latest_t find_latest(void)
{
    latest_t latest = {false, 0, 0, 0, {0, SLOT_NONE, 0}};
    for (uint32_t sector = 0; sector < 2u; sector++) {
        for (uint32_t index = 0; index < RECORDS_PER_SECTOR; index++) {
            uint8_t rec[RECORD_BYTES];
            if (blank(record_offset(sector, index))) {
                break; /* nothing was ever written after it */
            }
            read_record(record_offset(sector, index), rec);
            if (get_u32_le(rec) != RECORD_MAGIC || get_u32_le(&rec[12]) != crc32_update(0, rec, 12)) {
                continue;
            }
            uint32_t seq = get_u32_le(&rec[4]);
            if (!latest.found || seq > latest.seq) {
                uint32_t packed = get_u32_le(&rec[8]);
                latest = (latest_t){true, seq, sector, index,
                                    {(uint8_t)packed, (uint8_t)(packed >> 8), (uint8_t)(packed >> 16)}};
            }
        }
    }
    return latest;
}

boot_state_t boot_state_load(void)
{
    return find_latest().state;
}

bool boot_state_save(boot_state_t state)
{
    latest_t latest = find_latest();
    uint32_t sector = latest.found ? latest.sector : 0u;
    uint32_t index = latest.found ? latest.index + 1u : 0u;
    while (index < RECORDS_PER_SECTOR && !blank(record_offset(sector, index))) {
        index++; /* a torn record from a power cut: skip it */
    }
    if (index >= RECORDS_PER_SECTOR || (!latest.found && !blank(record_offset(sector, 0)))) {
        /* Full (or never initialised): start the other sector afresh; this one keeps the latest
         * record until the new one is complete. */
        sector = latest.found ? 1u - sector : 0u;
        index = 0;
        if (!flash_erase_sector(record_offset(sector, 0))) {
            return false;
        }
    }
    uint8_t rec[RECORD_BYTES];
    put_u32_le(rec, RECORD_MAGIC);
    put_u32_le(&rec[4], latest.found ? latest.seq + 1u : 1u);
    put_u32_le(&rec[8], (uint32_t)state.active | (uint32_t)state.trial << 8 | (uint32_t)state.tried << 16);
    put_u32_le(&rec[12], crc32_update(0, rec, 12));
    return flash_program(record_offset(sector, index), rec, RECORD_BYTES) && find_latest().seq == get_u32_le(&rec[4]);
}
