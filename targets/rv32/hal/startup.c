/* Reset entry for the QEMU virt board: linked first at 0x80000000, where QEMU jumps with
 * -bios none. The image is loaded straight into RAM, so .data is already in place and only
 * .bss needs zeroing. The FPU (mstatus.FS) and, on rv32v, the vector unit (mstatus.VS) are
 * off at reset and trap until switched on, which must happen before the first float or
 * vector instruction, including any the compiler puts in main's prologue or in memset. */

/* mstatus bits to set: FS = Initial (bits 14:13); rv32v's target.toml adds VS (10:9). */
#ifndef EDGEDIFF_MSTATUS_ENABLE
#define EDGEDIFF_MSTATUS_ENABLE 0x2000
#endif
#define EDGEDIFF_STR2(x) #x
#define EDGEDIFF_STR(x) EDGEDIFF_STR2(x)

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
        "li t0, " EDGEDIFF_STR(EDGEDIFF_MSTATUS_ENABLE) "\n"
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
