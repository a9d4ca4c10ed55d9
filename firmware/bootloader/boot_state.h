/* The bootloader's persistent slot state: which slot holds the confirmed app, which one holds
 * an image on trial, and whether that trial has been started. Kept as an append-only log of
 * 16-byte records in two flash sectors (ping-pong), so a power cut during any write leaves the
 * previous state readable: a torn record fails its CRC and is ignored; when a sector is full
 * the other one is erased and written, and the full one still holds the latest record until
 * the new one is complete. */
#ifndef EDGEDIFF_BOOT_STATE_H
#define EDGEDIFF_BOOT_STATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint8_t active; /* slot of the confirmed app; 0 on a board that never wrote a state */
    uint8_t trial; /* slot committed but not yet confirmed, or SLOT_NONE */
    uint8_t tried; /* 1 once the trial image has been started (it gets exactly one start) */
} boot_state_t;

/* The latest complete record, or {0, SLOT_NONE, 0} on a board that has none. */
boot_state_t boot_state_load(void);

/* Append a record; false if the flash failed (the previous state then still stands). */
bool boot_state_save(boot_state_t state);

#endif
