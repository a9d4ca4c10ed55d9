/* Vector table and reset entry for Armv7-M / Armv8-M boards loaded by QEMU -kernel.
 * The core reads the initial SP and PC from the vector table; SP is set again here because the
 * bootloader and the app also enter each other's Reset_Handler by a jump. Before any C code runs, the
 * reset handler grants full access to CP10/CP11 in CPACR (the FPU, and on Armv8.1-M also
 * MVE, are off at reset and the compiler may use them anywhere, even in a prologue), points
 * VTOR at this table, copies .data from its load address and zeroes .bss. */
#include <stdint.h>

#include "systick.h"

extern uint32_t __stack_top;
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);
/* The bootloader replaces it (protect_mpu.c: a reset); in an app a fault parks the core. */
void Fault_Handler(void) __attribute__((weak, alias("Default_Handler")));

__attribute__((naked, noreturn)) void Reset_Handler(void)
{
    __asm__ volatile(
        "ldr r0, =__stack_top\n" /* as after reset, also when jumped to (bootloader <-> app) */
        "mov sp, r0\n"
        "ldr r0, =0xE000ED94\n" /* MPU_CTRL off: the bootloader's RAM is read-only while an app */
        "movs r1, #0\n"         /* runs (protect_mpu.c); apps leave the MPU alone */
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
        "ldr r0, =0xE000ED88\n" /* CPACR: CP10 and CP11 full access */
        "ldr r1, [r0]\n"
        "orr r1, r1, #(0xF << 20)\n"
        "str r1, [r0]\n"
        "ldr r0, =0xE000ED08\n" /* VTOR */
        "ldr r1, =__vectors\n"
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
        "ldr r0, =__data_start\n"
        "ldr r1, =__data_end\n"
        "ldr r2, =__data_load\n"
        "1: cmp r0, r1\n"
        "bhs 2f\n"
        "ldr r3, [r2], #4\n"
        "str r3, [r0], #4\n"
        "b 1b\n"
        "2: ldr r0, =__bss_start\n"
        "ldr r1, =__bss_end\n"
        "movs r2, #0\n"
        "3: cmp r0, r1\n"
        "bhs 4f\n"
        "str r2, [r0], #4\n"
        "b 3b\n"
        "4: bl main\n"
        "5: b 5b\n"
        ".ltorg\n");
}

/* Faults and unexpected interrupts park the core; the host sees the board stop answering. */
void Default_Handler(void)
{
    for (;;) {
    }
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16] = {
    (vector_t)(uintptr_t)&__stack_top,
    Reset_Handler,
    Default_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    Default_Handler, /* SecureFault on Armv8-M; reserved (never taken) on Armv7-M */
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
};
