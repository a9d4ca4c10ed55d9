/* Stack painting and the high-water scan (stack_watermark.h).
 * Painting runs on the stack it paints, so it stops PAINT_MARGIN_BYTES below its own frame:
 * an interrupt taken meanwhile pushes its frame below the current stack pointer (a Cortex-M
 * exception frame with FP state is 104 bytes, SysTick_Handler's own a few words), and that
 * frame must not be overwritten while it is live. The unpainted margin sits inside the part
 * every request uses anyway (main, the dispatcher, the handler), so the scan, which stops at
 * the first untouched word from below, is not moved by it. Writes go through a volatile
 * pointer so the compiler cannot make the loop a memset call, whose frame would lie in the
 * region being painted. */
#include "stack_watermark.h"

#include "hal.h"

#define STACK_PAINT_WORD 0x57AC5EEDu
#define PAINT_MARGIN_BYTES 256u
#define WORD_BYTES 4u

static uintptr_t align_up(uintptr_t address)
{
    return (address + WORD_BYTES - 1u) & ~(uintptr_t)(WORD_BYTES - 1u);
}

void stack_paint(void)
{
    uintptr_t bottom;
    uintptr_t top;
    if (!hal_stack_region(&bottom, &top)) {
        return;
    }
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (here < bottom + PAINT_MARGIN_BYTES || here > top) {
        return; /* not running on this stack, or already at its end: nothing safe to paint */
    }
    volatile uint32_t *end = (volatile uint32_t *)(here - PAINT_MARGIN_BYTES);
    for (volatile uint32_t *word = (volatile uint32_t *)align_up(bottom); word < end; word++) {
        *word = STACK_PAINT_WORD;
    }
}

bool stack_used(uint32_t *reserved_bytes, uint32_t *used_bytes)
{
    uintptr_t bottom;
    uintptr_t top;
    *reserved_bytes = 0;
    *used_bytes = 0;
    if (!hal_stack_region(&bottom, &top)) {
        return false;
    }
    const volatile uint32_t *word = (const volatile uint32_t *)align_up(bottom);
    while ((uintptr_t)word < top && *word == STACK_PAINT_WORD) {
        word++;
    }
    *reserved_bytes = (uint32_t)(top - bottom);
    *used_bytes = (uint32_t)(top - (uintptr_t)word);
    return true;
}
