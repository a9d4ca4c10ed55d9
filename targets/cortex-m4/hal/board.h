/* Board constants for the cortex-m4 target (QEMU mps2-an386). */
#ifndef EDGEDIFF_BOARD_H
#define EDGEDIFF_BOARD_H

#define BOARD_CPU_HZ 25000000u /* SYSCLK, also SysTick's processor clock */
#define BOARD_UART_BAUD 115200u

#endif
