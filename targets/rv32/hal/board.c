/* Board bring-up and identity for the rv32 target (QEMU virt). */
#include "hal.h"
#include "uart_ns16550.h"

void hal_init(void)
{
    uart_ns16550_init();
}

const char *hal_target_name(void)
{
    return EDGEDIFF_TARGET_NAME;
}

/* Both ends come from the linker script (.stack); so does the bootloader's, from its own. */
extern uint32_t __stack_bottom;
extern uint32_t __stack_top;

bool hal_stack_region(uintptr_t *bottom, uintptr_t *top)
{
    *bottom = (uintptr_t)&__stack_bottom;
    *top = (uintptr_t)&__stack_top;
    return true;
}
