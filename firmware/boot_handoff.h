/* The handoff block: a few words at a fixed RAM address (EDGEDIFF_BOOT_HANDOFF, from the
 * target's [bootloader] table) that lies outside every image, through which bootloader and app
 * speak across a jump. The bootloader says it is there and where it starts, and, when it boots
 * the stored image, the length and CRC-32 of the body it has just checked (so the app can tell
 * the host exactly what it was started from, not only its build id) and whether it started it
 * as a trial (a new image in test mode, firmware/bootloader/slots.h); the app asks it to stay
 * in the bootloader instead of booting the stored image again, or to confirm the trial it runs. Without a bootloader (an ELF
 * loaded by QEMU -kernel, the host target) the block is absent and the app says so. */
#ifndef EDGEDIFF_BOOT_HANDOFF_H
#define EDGEDIFF_BOOT_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    BOOT_HANDOFF_NONE = 0, /* power-up, or the app jumped back without asking anything */
    BOOT_HANDOFF_STAY, /* stay in the bootloader (BOOTLOADER request) */
    BOOT_HANDOFF_CONFIRM, /* make the trial image that runs permanent, then boot it again */
} boot_handoff_request_t;

/* Bootloader side: what the app asked before jumping back (the request is consumed). */
boot_handoff_request_t boot_handoff_take_request(void);

/* Bootloader side, just before it starts an image: true if it is a trial (test mode). */
void boot_handoff_publish_trial(bool trial);

/* Bootloader side: announce the bootloader and the address the app jumps to in order to reach it
 * (and forget any image published before). */
void boot_handoff_publish(uintptr_t bootloader_entry);

/* Bootloader side, just before it starts an image: the body it checked (length, CRC-32). */
void boot_handoff_publish_image(uint32_t body_bytes, uint32_t body_crc);

/* App side: a bootloader started this image and can be re-entered. */
bool boot_handoff_bootloader_present(void);

/* App side: true when a bootloader started this image after checking its body, whose length and
 * CRC-32 it stores in body_bytes and body_crc; false (both 0) without a bootloader. */
bool boot_handoff_image(uint32_t *body_bytes, uint32_t *body_crc);

/* App side: ask the bootloader to stay, then jump to it; returns only without a bootloader. */
void boot_handoff_enter_bootloader(void);

/* App side: the bootloader started this image as a trial, which reverts unless confirmed. */
bool boot_handoff_on_trial(void);

/* App side: ask the bootloader to make this trial image permanent; it records that and boots
 * the image again. Returns only without a bootloader or when the image is not on trial. */
void boot_handoff_confirm(void);

#endif
