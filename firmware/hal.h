/* The only door from the portable firmware to a board: each target's HAL implements it. */
#ifndef EDGEDIFF_HAL_H
#define EDGEDIFF_HAL_H

#include <stdbool.h>
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

/* The stack's region from the linker script: bottom is its lowest address, top one past its
 * highest (the stack grows down from top). False where the program has no stack region of its
 * own to measure (the host target: a process). Read by firmware/stack_watermark.c. */
bool hal_stack_region(uintptr_t *bottom, uintptr_t *top);

#endif
