/* The FE310's core clock from the 16 MHz crystal (HFXOSC), with the PLL bypassed: a known rate
 * for the UART divisor whatever the boot code left running (the HiFive1 Rev B's SiFive boot
 * code, or the reset default, the ~13.8 MHz internal ring oscillator). PRCI registers (FE310-G002
 * manual, ch. 15): hfxosccfg enable bit 30, ready bit 31; pllcfg pllsel bit 16 (core clock
 * from the PLL block), pllrefsel bit 17 (its reference: HFXOSC), pllbypass bit 18 (reference
 * straight through). QEMU's sifive_e models these registers (ready and lock read as set). */
#include <stdint.h>

#include "clock.h"

#define PRCI_BASE 0x10008000u
#define PRCI_REG(offset) (*(volatile uint32_t *)(uintptr_t)(PRCI_BASE + (offset)))
#define PRCI_HFXOSCCFG 0x04u
#define PRCI_PLLCFG 0x08u
#define HFXOSC_ENABLE (1u << 30)
#define HFXOSC_READY (1u << 31)
#define PLL_SEL (1u << 16)
#define PLL_REFSEL (1u << 17)
#define PLL_BYPASS (1u << 18)

void clock_use_crystal(void)
{
    PRCI_REG(PRCI_HFXOSCCFG) |= HFXOSC_ENABLE;
    while (!(PRCI_REG(PRCI_HFXOSCCFG) & HFXOSC_READY)) {
    }
    /* reference and bypass first, then switch the core over to it */
    PRCI_REG(PRCI_PLLCFG) |= PLL_REFSEL | PLL_BYPASS;
    PRCI_REG(PRCI_PLLCFG) |= PLL_SEL;
}
