/* Arm CMSDK APB UART (the UARTs of the MPS2/MPS3 FPGA images). */
#ifndef EDGEDIFF_UART_CMSDK_H
#define EDGEDIFF_UART_CMSDK_H

#include <stdint.h>

/* Enable TX and RX; bauddiv = UART clock / baud rate (QEMU ignores it, hardware does not). */
void uart_cmsdk_init(uint32_t bauddiv);

#endif
