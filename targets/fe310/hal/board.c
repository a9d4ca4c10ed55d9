/* Board bring-up and identity for the FE310 targets (QEMU sifive_e, HiFive1 Rev B). */
#include "clock.h"
#include "hal.h"
#include "uart_sifive.h"

void hal_init(void)
{
    clock_use_crystal();
    uart_sifive_init();
}

const char *hal_target_name(void)
{
    return EDGEDIFF_TARGET_NAME;
}

/* Both ends come from the linker script (.stack). */
extern uint32_t __stack_bottom;
extern uint32_t __stack_top;

bool hal_stack_region(uintptr_t *bottom, uintptr_t *top)
{
    *bottom = (uintptr_t)&__stack_bottom;
    *top = (uintptr_t)&__stack_top;
    return true;
}
