/* Reset entry for the QEMU virt board: linked first at 0x80000000, where QEMU jumps with
 * -bios none. The image is loaded straight into RAM, so .data is already in place and only
 * .bss needs zeroing. The FPU is off at reset (mstatus.FS = 0): it must be switched on before
 * the first float instruction, including any the compiler puts in main's prologue. */

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
        "li t0, 0x2000\n" /* mstatus.FS = Initial */
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
