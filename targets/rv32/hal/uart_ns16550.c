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
    /* enable the FIFOs; the framing skips any garbage left from before */
    UART_REG(UART_FCR) = 0x05;
    /* Turning the FIFO on clears it anyway (16550; QEMU too) and does not tell QEMU, whose
     * chardev stopped offering bytes while the FIFO-less receiver held one: until QEMU's main
     * loop wakes for some other reason the rest of a request sent ahead stays in the host's
     * socket, and a recovery window can close on it. A read of the empty receiver is harmless
     * and is what makes QEMU offer bytes again. */
    if (!(UART_REG(UART_LSR) & LSR_DATA_READY)) {
        (void)UART_REG(UART_RBR_THR);
    }
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
