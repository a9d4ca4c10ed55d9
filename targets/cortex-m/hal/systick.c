/* hal_instruction_count from SysTick. The DWT cycle counter reads 0 under QEMU, but SysTick
 * runs from the virtual clock, which under -icount shift=N advances 2^N ns per instruction.
 * The ticks-per-instruction ratio is not an integer (target.toml passes it as
 * EDGEDIFF_TICKS_TO_INSN_MUL / 2^EDGEDIFF_TICKS_TO_INSN_SHIFT), so a free-running counter
 * would make a span's count depend on the tick phase at its start, i.e. on how long the
 * firmware happened to poll the UART before it, and its 24-bit wrap interrupt (whose handler
 * is counted too) would land at a different place in every run. So every call stops SysTick
 * (QEMU keeps the whole ticks and drops the partial one), converts the ticks since the
 * previous call to instructions (rounded), and restarts it cleared: each span between two
 * calls is measured from phase zero, wraps in SysTick_Handler at fixed offsets into it, and
 * the same instructions always read the same count. The few instructions between the stop
 * and the restart are not counted (a constant per call). Call from thread mode only: it
 * waits for a pending wrap to be taken. */
#include <stdint.h>

#include "hal.h"
#include "systick.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define CSR_ENABLE 0x1u
#define CSR_TICKINT 0x2u
#define CSR_CLKSOURCE 0x4u /* processor clock */
#define ICSR_PENDSTSET (1u << 26)
#define RELOAD 0x00FFFFFFu

static volatile uint32_t wraps; /* since the last restart */
static uint64_t instructions;

void SysTick_Handler(void)
{
    wraps = wraps + 1u;
}

/* Stop, take the ticks since the last restart, restart cleared. */
static uint64_t take_ticks(void)
{
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT; /* stop */
    while (SCB_ICSR & ICSR_PENDSTSET) {
        /* it reached zero just before the stop: let SysTick_Handler count it */
    }
    uint32_t value = SYST_CVR;
    uint32_t periods = wraps;
    wraps = 0;
    SYST_CVR = 0; /* clears it; the first tick after the restart loads RELOAD */
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT | CSR_ENABLE;
    /* After a restart: 0, then RELOAD, RELOAD-1, ..., 0 (a wrap, counted), RELOAD, ... */
    uint32_t partial = value != 0 ? RELOAD + 1u - value : 0;
    return (uint64_t)periods * (RELOAD + 1u) + partial;
}

void systick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = RELOAD;
    (void)take_ticks();
    instructions = 0;
}

uint64_t hal_instruction_count(void)
{
    uint64_t ticks = take_ticks();
    instructions += (ticks * EDGEDIFF_TICKS_TO_INSN_MUL + (1u << (EDGEDIFF_TICKS_TO_INSN_SHIFT - 1))) >>
                    EDGEDIFF_TICKS_TO_INSN_SHIFT;
    return instructions;
}
