/* hal_uart_getc/putc for a CMSDK APB UART at EDGEDIFF_UART_BASE (from target.toml), by
 * polling STATE. The UART has a one-byte RX buffer; QEMU's chardev holds further bytes back
 * while it is full, so no interrupts are needed and nothing is lost. */
#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "uart_cmsdk.h"

#define UART_REG(offset) (*(volatile uint32_t *)((EDGEDIFF_UART_BASE) + (offset)))
#define UART_DATA 0x00u
#define UART_STATE 0x04u
#define UART_CTRL 0x08u
#define UART_BAUDDIV 0x10u
#define STATE_TX_FULL 0x01u
#define STATE_RX_FULL 0x02u
#define CTRL_TX_EN 0x01u
#define CTRL_RX_EN 0x02u

void uart_cmsdk_init(uint32_t bauddiv)
{
    UART_REG(UART_CTRL) = 0;
    UART_REG(UART_BAUDDIV) = bauddiv;
    UART_REG(UART_CTRL) = CTRL_TX_EN | CTRL_RX_EN;
}

uint8_t hal_uart_getc(void)
{
    while (!(UART_REG(UART_STATE) & STATE_RX_FULL)) {
    }
    return (uint8_t)UART_REG(UART_DATA);
}

bool hal_uart_rx_ready(void)
{
    return (UART_REG(UART_STATE) & STATE_RX_FULL) != 0;
}

void hal_uart_putc(uint8_t byte)
{
    while (UART_REG(UART_STATE) & STATE_TX_FULL) {
    }
    UART_REG(UART_DATA) = byte;
}
