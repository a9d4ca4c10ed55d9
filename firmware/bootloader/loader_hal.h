/* What the bootloader needs from a board beyond hal.h: its flash, and the jump into an image.
 * Each target's driver lives in its HAL (targets/<t>/hal/flash_*.c, boot_jump.c). Geometry
 * comes from the target's [bootloader.flash] table as EDGEDIFF_FLASH_BASE, EDGEDIFF_FLASH_BYTES
 * and EDGEDIFF_FLASH_SECTOR; reads are plain memory reads, and every driver call leaves the
 * device readable again. */
#ifndef EDGEDIFF_LOADER_HAL_H
#define EDGEDIFF_LOADER_HAL_H

#include <stdbool.h>
#include <stdint.h>

#define FLASH_AT(offset) ((const volatile uint8_t *)(uintptr_t)(EDGEDIFF_FLASH_BASE + (offset)))

/* Set the sector starting at offset (sector-aligned) to all 0xFF; false if the device failed. */
bool flash_erase_sector(uint32_t offset);

/* Program len bytes (offset and len multiples of 4) into erased flash; false if the device failed. */
bool flash_program(uint32_t offset, const uint8_t *data, uint32_t len);

/* True when the UART holds a received byte (hal_uart_getc would not block): the recovery window
 * polls with it. */
bool hal_uart_rx_ready(void);

/* Write-protect the bootloader's own code from everything that runs after it, until the next
 * reset (RISC-V: a locked PMP entry; Cortex-M: an MPU region, programmed here and switched on
 * by hal_boot_jump, with no lock: see protect_mpu.c), where the core allows it. */
void hal_protect_bootloader(void);

/* Start an image already copied to its link address: make the copied code visible to
 * instruction fetch, quiet what the bootloader started, jump to entry. */
__attribute__((noreturn)) void hal_boot_jump(uintptr_t entry);

#endif
