/* "Flash" for the Arm boards, which have none in QEMU: a RAM region the bootloader owns
 * (EDGEDIFF_FLASH_BASE/_BYTES from target.toml). Erase and program behave like NOR as far as
 * the bootloader can tell (erased = 0xFF, it only programs erased words), but nothing persists
 * across an emulator restart. */
#include <string.h>

#include "loader_hal.h"

bool flash_erase_sector(uint32_t offset)
{
    memset((void *)(uintptr_t)(EDGEDIFF_FLASH_BASE + offset), 0xFF, EDGEDIFF_FLASH_SECTOR);
    return true;
}

bool flash_program(uint32_t offset, const uint8_t *data, uint32_t len)
{
    memcpy((void *)(uintptr_t)(EDGEDIFF_FLASH_BASE + offset), data, len);
    return true;
}
