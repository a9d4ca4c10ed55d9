/* Reset entry for the FE310 (QEMU sifive_e revb and the HiFive1 Rev B): linked first at
 * 0x20010000, where the mask ROM (QEMU) or SiFive's boot code (the board) jumps. The code runs
 * in place from flash, so .data is copied from its load address in flash to the DTIM and .bss
 * is zeroed before main. There is no FPU to switch on: this core is RV32IMAC. */

__attribute__((naked, noreturn, section(".text.start"))) void _start(void)
{
    __asm__ volatile(
        ".option push\n"
        ".option norelax\n"
        "la gp, __global_pointer$\n"
        ".option pop\n"
        "la sp, __stack_top\n"
        "la t0, 4f\n"
        "csrw mtvec, t0\n"
        "la t0, __data_load\n"
        "la t1, __data_start\n"
        "la t2, __data_end\n"
        "1: bgeu t1, t2, 2f\n"
        "lw t3, 0(t0)\n"
        "sw t3, 0(t1)\n"
        "addi t0, t0, 4\n"
        "addi t1, t1, 4\n"
        "j 1b\n"
        "2: la t0, __bss_start\n"
        "la t1, __bss_end\n"
        "3: bgeu t0, t1, 5f\n"
        "sw zero, 0(t0)\n"
        "addi t0, t0, 4\n"
        "j 3b\n"
        "5: call main\n"
        /* main never returns; a trap (bad access, illegal instruction) parks the hart here. */
        ".balign 4\n"
        "4: wfi\n"
        "j 4b\n");
}
