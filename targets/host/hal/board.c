/* Board bring-up and identity for the host target: the "board" is this process. */
#include "hal.h"
#include "uart_pty.h"

void hal_init(void)
{
    uart_pty_init();
}

const char *hal_target_name(void)
{
    return EDGEDIFF_TARGET_NAME;
}
