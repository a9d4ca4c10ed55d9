/* Board bring-up and identity for the cortex-m4 target (QEMU mps2-an386). */
#include "board.h"
#include "hal.h"
#include "systick.h"
#include "uart_cmsdk.h"

void hal_init(void)
{
    uart_cmsdk_init(BOARD_CPU_HZ / BOARD_UART_BAUD);
    systick_start();
}

const char *hal_target_name(void)
{
    return EDGEDIFF_TARGET_NAME;
}
