/* Start an image the bootloader copied to RAM: fence.i makes the stores visible to
 * instruction fetch (RISC-V does not guarantee it otherwise), then jump; the image's _start
 * sets up gp, sp, mtvec and mstatus for itself. */
#include <stdint.h>

#include "loader_hal.h"

void hal_boot_jump(uintptr_t entry)
{
    __asm__ volatile("fence.i" ::: "memory");
    ((void (*)(void))entry)();
    __builtin_unreachable();
}
