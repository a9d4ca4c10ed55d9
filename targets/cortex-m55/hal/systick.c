/* hal_instruction_count from SysTick. The DWT cycle counter reads 0 under QEMU, but SysTick
 * runs from the virtual clock, which under -icount shift=N advances 2^N ns per instruction.
 * The ticks-per-instruction ratio is not an integer (target.toml passes it as
 * EDGEDIFF_TICKS_TO_INSN_MUL / 2^EDGEDIFF_TICKS_TO_INSN_SHIFT), so converting a free-running
 * tick count would make a span's count depend on the tick phase at its start, i.e. on how
 * long the firmware happened to poll the UART before it: +-1 from run to run. Instead every
 * call stops SysTick (QEMU keeps the whole ticks and drops the partial one), converts the
 * ticks since the previous call and restarts it, so each span is measured from phase zero
 * and a span of the same instructions always reads the same. The few instructions between
 * stop and restart are not counted (a constant per call). The 24-bit counter wraps in
 * SysTick_Handler. Call from thread mode only (it waits for a pending wrap to be taken). */
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

static volatile uint32_t wraps;
static uint32_t last_wraps;
static uint32_t last_value;
static uint64_t instructions;

void SysTick_Handler(void)
{
    wraps = wraps + 1u;
}

void systick_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = RELOAD;
    SYST_CVR = 0; /* any write clears it: the first tick loads RELOAD */
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT | CSR_ENABLE;
    /* Take the baseline from the running counter, whatever the first reload did. */
    last_value = SYST_CVR;
    last_wraps = wraps;
    (void)hal_instruction_count();
    instructions = 0;
}

uint64_t hal_instruction_count(void)
{
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT; /* stop */
    while (SCB_ICSR & ICSR_PENDSTSET) {
        /* a wrap happened just before the stop: let SysTick_Handler count it */
    }
    uint32_t value = SYST_CVR;
    uint32_t now_wraps = wraps;
    SYST_CSR = CSR_CLKSOURCE | CSR_TICKINT | CSR_ENABLE; /* restart: phase zero from here */

    /* Down-counter: ticks = full periods since the last call plus the drop in value. */
    uint64_t ticks = (uint64_t)(now_wraps - last_wraps) * (RELOAD + 1u) + last_value - value;
    last_wraps = now_wraps;
    last_value = value;
    instructions += (ticks * EDGEDIFF_TICKS_TO_INSN_MUL + (1u << (EDGEDIFF_TICKS_TO_INSN_SHIFT - 1))) >>
                    EDGEDIFF_TICKS_TO_INSN_SHIFT;
    return instructions;
}
