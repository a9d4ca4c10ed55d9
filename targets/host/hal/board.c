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

/* A process's stack is the OS's (and grows on demand): nothing of ours to paint or measure. */
bool hal_stack_region(uintptr_t *bottom, uintptr_t *top)
{
    *bottom = 0;
    *top = 0;
    return false;
}
