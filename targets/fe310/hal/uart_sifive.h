/* Polled SiFive UART (the FE310's UART0, wired to the HiFive1's USB serial bridge). */
#ifndef EDGEDIFF_UART_SIFIVE_H
#define EDGEDIFF_UART_SIFIVE_H

/* 115200 8N1 from EDGEDIFF_UART_CLOCK_HZ (clock.h), transmitter and receiver on; QEMU ignores the rate. */
void uart_sifive_init(void);

#endif
