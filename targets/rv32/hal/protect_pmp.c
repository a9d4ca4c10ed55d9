/* The bootloader's protection and core description on RISC-V (bootloader only).
 * hal_protect_bootloader: PMP entry 0 covers the bootloader's flash (pflash0, linker symbols)
 * as read and execute only, with the lock bit set, so the rule binds machine mode too and
 * nothing can change it until the next reset: an app's store to that flash (a CFI erase or
 * program command) faults instead of reaching the device, and the next reset still finds the
 * bootloader. Entry 0 has the highest priority, so no entry the app adds can override it.
 * hal_core_features: misa, one bit per single-letter extension. */
#include <stdint.h>

#include "image_features.h"
#include "loader_hal.h"

extern const uint8_t __bootloader_code_start[], __bootloader_code_end[];

#define PMP_R 0x01u
#define PMP_X 0x04u
#define PMP_NAPOT 0x18u
#define PMP_LOCK 0x80u

void hal_protect_bootloader(void)
{
    uint32_t start = (uint32_t)(uintptr_t)__bootloader_code_start;
    uint32_t size = (uint32_t)(uintptr_t)__bootloader_code_end - start; /* a power of two, aligned */
    uint32_t napot = (start >> 2) | ((size >> 3) - 1u);
    uint32_t cfg = PMP_LOCK | PMP_NAPOT | PMP_X | PMP_R;
    /* Once locked the entry ignores writes: re-entering from the app changes nothing. */
    __asm__ volatile("csrw pmpaddr0, %0" ::"r"(napot));
    __asm__ volatile("csrs pmpcfg0, %0" ::"r"(cfg));
}

uint32_t hal_core_features(void)
{
    uint32_t misa;
    __asm__ volatile("csrr %0, misa" : "=r"(misa));
    return misa & 0x03FFFFFFu;
}
