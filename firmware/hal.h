/* The only door from the portable firmware to a board: each target's HAL implements it. */
#ifndef EDGEDIFF_HAL_H
#define EDGEDIFF_HAL_H

#include <stdint.h>

/* Bring up what the firmware needs (UART); called once from main. */
void hal_init(void);

/* Block until the UART has received a byte. */
uint8_t hal_uart_getc(void);

/* Block until the UART accepts the byte. */
void hal_uart_putc(uint8_t byte);

/* Instructions (or cycles, where the target has no instruction counter) since reset. */
uint64_t hal_instruction_count(void);

/* Target name as in targets/<name>/target.toml. */
const char *hal_target_name(void);

#endif
