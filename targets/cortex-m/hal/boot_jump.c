/* Start an image the bootloader copied to RAM: stop the bootloader's SysTick (and drop a
 * pending tick) so no interrupt reaches the image before it sets VTOR to its own table, then
 * switch on the MPU hal_protect_bootloader programmed (protect_mpu.c: from here on the
 * bootloader's own RAM, its stack included, is read-only, so nothing is stored after it) and
 * jump to the image's Reset_Handler, which sets SP, VTOR, .data and .bss itself. */
#include <stdint.h>

#include "loader_hal.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTCLR (1u << 25)
#define MPU_CTRL 0xE000ED94u
#define MPU_CTRL_ENABLE_PRIVDEFENA 0x5u /* ENABLE, default memory map as background */

void hal_boot_jump(uintptr_t entry)
{
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    __asm__ volatile("dsb\n isb" ::: "memory");
    __asm__ volatile("str %1, [%0]\n"
                     "dsb\n"
                     "isb\n"
                     "bx %2\n"
                     :
                     : "r"(MPU_CTRL), "r"(MPU_CTRL_ENABLE_PRIVDEFENA), "r"(entry | 1u)
                     : "memory");
    __builtin_unreachable();
}
