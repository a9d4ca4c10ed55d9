/* Where things live in the app flash (EDGEDIFF_FLASH_*, from the target's [bootloader.flash]):
 * the slot-state log in its first EDGEDIFF_SLOT_STATE_SECTORS sectors (boot_state.c, from the
 * [bootloader] key slot_state_sectors), then two equal slots of whole sectors, each an image
 * (a header sector, then the body), then the rollback counter's area from
 * EDGEDIFF_COUNTER_OFFSET to the flash's end (image_counter.c, [bootloader] rollback_counter).
 * sdk/target.py BootloaderSpec computes the same layout and refuses one that overlaps. */
#ifndef EDGEDIFF_SLOT_LAYOUT_H
#define EDGEDIFF_SLOT_LAYOUT_H

#include <stdint.h>

#ifndef EDGEDIFF_SLOT_STATE_SECTORS
#define EDGEDIFF_SLOT_STATE_SECTORS 2u
#endif

#define SLOT_COUNT 2u
#define SLOT_NONE 0xFFu
#define SLOT_STATE_BYTES ((uint32_t)(EDGEDIFF_SLOT_STATE_SECTORS) * (uint32_t)(EDGEDIFF_FLASH_SECTOR))
#define SLOT_BYTES                                                                                     \
    (((uint32_t)(EDGEDIFF_COUNTER_OFFSET) - SLOT_STATE_BYTES) / SLOT_COUNT / (uint32_t)(EDGEDIFF_FLASH_SECTOR) * \
     (uint32_t)(EDGEDIFF_FLASH_SECTOR))
#define SLOT_OFFSET(slot) (SLOT_STATE_BYTES + (uint32_t)(slot) * SLOT_BYTES)

#endif
