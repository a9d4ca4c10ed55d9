/* Flash driver for the QEMU virt board's second pflash (CFI, Intel command set), where the
 * bootloader keeps the app: clear status, command, data, poll status until ready (bit 7),
 * back to read-array mode so the flash reads as memory again. Writes reach the pflash image
 * file on the host, so killing QEMU mid-flash is a real power cut. */
#include <stdint.h>

#include "bytes_le.h"
#include "loader_hal.h"

#define CFI_WRITE_BUFFER 0xE8u
#define CFI_BLOCK_ERASE 0x20u
#define CFI_CONFIRM 0xD0u
#define CFI_CLEAR_STATUS 0x50u
#define CFI_READ_ARRAY 0xFFu
#define STATUS_READY 0x80u
#define STATUS_ERRORS 0x3Au /* erase, program, VPP and lock errors */
/* The device's write buffer (CFI query byte 0x2A: 2^11 bytes on QEMU virt's pflash). */
#define WRITE_BLOCK_BYTES 2048u

static volatile uint32_t *flash_word(uint32_t offset)
{
    return (volatile uint32_t *)(uintptr_t)(EDGEDIFF_FLASH_BASE + offset);
}

static bool wait_ready(volatile uint32_t *at)
{
    uint32_t status;
    do {
        status = *at;
    } while (!(status & STATUS_READY));
    return !(status & STATUS_ERRORS);
}

bool flash_erase_sector(uint32_t offset)
{
    volatile uint32_t *at = flash_word(offset);
    *at = CFI_CLEAR_STATUS;
    *at = CFI_BLOCK_ERASE;
    *at = CFI_CONFIRM;
    bool ok = wait_ready(at);
    *at = CFI_READ_ARRAY;
    return ok;
}

/* Write-to-buffer programming (0xE8, word count - 1, the words, confirm 0xD0), never across an
 * aligned write block: one command and one status poll per block rather than per word, and
 * QEMU writes each block to the image file once. Returns to read-array mode once at the end:
 * every switch between the modes remaps the device in QEMU, which costs more than a word. */
bool flash_program(uint32_t offset, const uint8_t *data, uint32_t len)
{
    bool ok = true;
    volatile uint32_t *block = flash_word(offset);
    uint32_t i = 0;
    while (i < len && ok) {
        uint32_t at = offset + i;
        uint32_t room = WRITE_BLOCK_BYTES - at % WRITE_BLOCK_BYTES;
        uint32_t n = len - i < room ? len - i : room;
        block = flash_word(at);
        *block = CFI_CLEAR_STATUS;
        *block = CFI_WRITE_BUFFER;
        ok = wait_ready(block);
        *block = n / 4u - 1u;
        for (uint32_t w = 0; w < n; w += 4u) {
            *flash_word(at + w) = get_u32_le(&data[i + w]);
        }
        *block = CFI_CONFIRM;
        ok = ok && wait_ready(block);
        i += n;
    }
    *block = CFI_READ_ARRAY;
    return ok;
}
