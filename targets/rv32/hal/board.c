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
