/* Reset entry for rv32v on QEMU virt: as targets/rv32/hal/startup.c, and the vector unit is
 * switched on too. Both the FPU (mstatus.FS) and the vector unit (mstatus.VS) are off at
 * reset, and any float or vector instruction traps until they are on, including those the
 * compiler may put in main's prologue or in memset/memcpy. */

__attribute__((naked, noreturn, section(".text.start"))) void _start(void)
{
    __asm__ volatile(
        ".option push\n"
        ".option norelax\n"
        "la gp, __global_pointer$\n"
        ".option pop\n"
        "la sp, __stack_top\n"
        "la t0, 3f\n"
        "csrw mtvec, t0\n"
        "li t0, 0x2200\n" /* mstatus.FS = Initial (bits 14:13), mstatus.VS = Initial (10:9) */
        "csrs mstatus, t0\n"
        "fscsr zero\n"
        "la t0, __bss_start\n"
        "la t1, __bss_end\n"
        "1: bgeu t0, t1, 2f\n"
        "sw zero, 0(t0)\n"
        "addi t0, t0, 4\n"
        "j 1b\n"
        "2: call main\n"
        /* main never returns; a trap (bad access, illegal instruction) parks the hart here. */
        ".balign 4\n"
        "3: wfi\n"
        "j 3b\n");
}
