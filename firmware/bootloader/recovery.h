/* The recovery window: before booting an image at power-up, the bootloader listens on its UART
 * for EDGEDIFF_RECOVERY_WINDOW_MS (the target's [bootloader] recovery_window_ms; the HAL's
 * counter runs EDGEDIFF_RECOVERY_COUNTS_PER_MS per ms). A BOOTLOADER request in that time is
 * answered OK and keeps the board in the bootloader, so `sdk flash` can always take over from
 * an app that hangs, crashes or no longer answers: reset the board and the flasher's requests
 * land here before any app code runs. Other bytes are ignored (an app-bound HELLO sent early is
 * simply not answered until the app is up). */
#ifndef EDGEDIFF_RECOVERY_H
#define EDGEDIFF_RECOVERY_H

#include <stdbool.h>

/* True if the host asked to stay within the window (its BOOTLOADER request is answered). */
bool recovery_window_listen(void);

#endif
