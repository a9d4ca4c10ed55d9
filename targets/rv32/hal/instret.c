/* hal_instruction_count from the instret CSR; under QEMU -icount shift=0 it counts retired
 * instructions deterministically. On RV32 the 64-bit counter is two CSRs, so re-read the high
 * half until it is stable to avoid a torn value when the low half wraps. */
#include <stdint.h>

#include "hal.h"

uint64_t hal_instruction_count(void)
{
    uint32_t high;
    uint32_t low;
    uint32_t high_again;
    do {
        __asm__ volatile("csrr %0, instreth" : "=r"(high));
        __asm__ volatile("csrr %0, instret" : "=r"(low));
        __asm__ volatile("csrr %0, instreth" : "=r"(high_again));
    } while (high != high_again);
    return ((uint64_t)high << 32) | low;
}
