/* hal_uart_getc/putc for an ns16550 at EDGEDIFF_UART_BASE (from target.toml), by polling:
 * QEMU's chardev holds bytes back while the RX FIFO is full, so no interrupts are needed. */
#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "uart_ns16550.h"

#define UART_REG(offset) (((volatile uint8_t *)(EDGEDIFF_UART_BASE))[offset])
#define UART_RBR_THR 0
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

void uart_ns16550_init(void)
{
    UART_REG(UART_LCR) = 0x03; /* 8 data bits, no parity, 1 stop bit */
    /* enable the FIFOs and clear the transmit one only: bytes that arrived before this (a
     * host's request sent while the core was held in reset or paused, for the bootloader's
     * recovery window) stay to be read; the framing skips any garbage */
    UART_REG(UART_FCR) = 0x05;
}

uint8_t hal_uart_getc(void)
{
    while (!(UART_REG(UART_LSR) & LSR_DATA_READY)) {
    }
    return UART_REG(UART_RBR_THR);
}

bool hal_uart_rx_ready(void)
{
    return (UART_REG(UART_LSR) & LSR_DATA_READY) != 0;
}

void hal_uart_putc(uint8_t byte)
{
    while (!(UART_REG(UART_LSR) & LSR_THR_EMPTY)) {
    }
    UART_REG(UART_RBR_THR) = byte;
}
