/* Start an image the bootloader copied to RAM: stop the bootloader's SysTick (and drop a
 * pending tick) so no interrupt reaches the image before it sets VTOR to its own table, then
 * barriers and a jump to its Reset_Handler, which sets SP, VTOR, .data and .bss itself. */
#include <stdint.h>

#include "loader_hal.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTCLR (1u << 25)

void hal_boot_jump(uintptr_t entry)
{
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    __asm__ volatile("dsb\n isb" ::: "memory");
    ((void (*)(void))(entry | 1u))();
    __builtin_unreachable();
}
