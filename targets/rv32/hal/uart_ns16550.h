/* Polled ns16550 UART (the QEMU virt console). */
#ifndef EDGEDIFF_UART_NS16550_H
#define EDGEDIFF_UART_NS16550_H

/* 8N1 with FIFOs on; QEMU ignores the baud rate. */
void uart_ns16550_init(void);

#endif
