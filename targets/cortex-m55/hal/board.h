/* Board constants for the cortex-m55 target (QEMU mps3-an547). */
#ifndef EDGEDIFF_BOARD_H
#define EDGEDIFF_BOARD_H

#define BOARD_CPU_HZ 32000000u /* SYSCLK, also SysTick's processor clock */
#define BOARD_UART_BAUD 115200u

#endif
