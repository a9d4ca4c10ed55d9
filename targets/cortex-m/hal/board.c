/* Board bring-up and identity for the Cortex-M boards (QEMU mps3-an547, mps2-an386,
 * mps2-an500, mps2-an505).
 * EDGEDIFF_CPU_HZ comes from the board's target.toml. */
#include "hal.h"
#include "systick.h"
#include "uart_cmsdk.h"

#define BOARD_UART_BAUD 115200u

void hal_init(void)
{
    uart_cmsdk_init(EDGEDIFF_CPU_HZ / BOARD_UART_BAUD);
    systick_start();
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
