/* hal_uart_getc/putc for the SiFive UART at EDGEDIFF_UART_BASE (from target.toml), by polling.
 * txdata bit 31 reads 1 while the transmit FIFO is full; rxdata bit 31 reads 1 while the
 * receive FIFO is empty, else its low byte is the next byte (the read pops it). QEMU's model
 * holds bytes back in the chardev while its 8-byte receive FIFO is full, so nothing is lost
 * without interrupts. */
#include <stdint.h>

#include "clock.h"
#include "hal.h"
#include "uart_sifive.h"

#define UART_REG(offset) (*(volatile uint32_t *)(uintptr_t)((EDGEDIFF_UART_BASE) + (offset)))
#define UART_TXDATA 0x00u
#define UART_RXDATA 0x04u
#define UART_TXCTRL 0x08u
#define UART_RXCTRL 0x0Cu
#define UART_DIV 0x18u
#define FIFO_FLAG 0x80000000u /* txdata: full; rxdata: empty */
#define CTRL_ENABLE 0x1u

/* baud = tlclk / (div + 1); hal_init runs the core (and tlclk) from the crystal first (clock.c). */
#define UART_BAUD 115200u

void uart_sifive_init(void)
{
    UART_REG(UART_DIV) = (EDGEDIFF_UART_CLOCK_HZ + UART_BAUD / 2u) / UART_BAUD - 1u;
    UART_REG(UART_TXCTRL) = CTRL_ENABLE; /* one stop bit, watermark 0 */
    UART_REG(UART_RXCTRL) = CTRL_ENABLE;
}

uint8_t hal_uart_getc(void)
{
    uint32_t rx;
    do {
        rx = UART_REG(UART_RXDATA);
    } while (rx & FIFO_FLAG);
    return (uint8_t)rx;
}

void hal_uart_putc(uint8_t byte)
{
    while (UART_REG(UART_TXDATA) & FIFO_FLAG) {
    }
    UART_REG(UART_TXDATA) = byte;
}
