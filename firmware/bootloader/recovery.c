/* See recovery.h. */
#include "recovery.h"

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "hal.h"
#include "loader_hal.h"

#ifndef EDGEDIFF_RECOVERY_WINDOW_MS
#define EDGEDIFF_RECOVERY_WINDOW_MS 0u
#endif
#ifndef EDGEDIFF_RECOVERY_COUNTS_PER_MS
#define EDGEDIFF_RECOVERY_COUNTS_PER_MS 1000000u
#endif

/* Instructions spent between two looks at the UART. Reading the UART (and the counter) is slow
 * in an emulator that counts instructions as time (QEMU -icount): a tight poll would stretch a
 * window of virtual milliseconds to tens of real seconds. The UART holds a whole BOOTLOADER
 * frame (16-byte FIFO; QEMU holds further bytes back), so looking every few microseconds loses
 * nothing. */
#define POLL_SPACING 4096u

/* Frames here are tiny (an empty BOOTLOADER request): a short buffer, longer frames ignored. */
#define WINDOW_WIRE 32u

bool recovery_window_listen(void)
{
    const uint64_t span = (uint64_t)EDGEDIFF_RECOVERY_WINDOW_MS * EDGEDIFF_RECOVERY_COUNTS_PER_MS;
    const uint64_t start = hal_instruction_count();
    uint8_t wire[WINDOW_WIRE];
    uint8_t raw[WINDOW_WIRE];
    size_t len = 0;
    while (hal_instruction_count() - start < span) {
        if (!hal_uart_rx_ready()) {
            for (uint32_t i = 0; i < POLL_SPACING; i++) {
                __asm__ volatile("");
            }
            continue;
        }
        uint8_t byte = hal_uart_getc();
        if (byte != 0) {
            if (len < sizeof wire) {
                wire[len] = byte;
            }
            len++;
            continue;
        }
        frame_t request;
        if (len > 0 && len <= sizeof wire && frame_decode(wire, len, raw, &request) == FRAME_OK &&
            request.type == MSG_BOOTLOADER && request.len == 0) {
            uint8_t reply[FRAME_MAX_WIRE < 64u ? FRAME_MAX_WIRE : 64u];
            size_t n = frame_encode(MSG_OK, request.seq, NULL, 0, reply);
            for (size_t i = 0; i < n; i++) {
                hal_uart_putc(reply[i]);
            }
            return true;
        }
        len = 0;
    }
    return false;
}
