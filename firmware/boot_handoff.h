/* The handoff block: a few words at a fixed RAM address (EDGEDIFF_BOOT_HANDOFF, from the
 * target's [bootloader] table) that lies outside every image, through which bootloader and app
 * speak across a jump. The bootloader says it is there and where it starts; the app asks it to
 * stay in the bootloader instead of booting the stored image again. Without a bootloader (an
 * ELF loaded by QEMU -kernel, the host target) the block is absent and the app says so. */
#ifndef EDGEDIFF_BOOT_HANDOFF_H
#define EDGEDIFF_BOOT_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

/* Bootloader side: true when the app asked to stay in the bootloader (the request is consumed). */
bool boot_handoff_take_stay_request(void);

/* Bootloader side: announce the bootloader and the address the app jumps to in order to reach it. */
void boot_handoff_publish(uintptr_t bootloader_entry);

/* App side: a bootloader started this image and can be re-entered. */
bool boot_handoff_bootloader_present(void);

/* App side: ask the bootloader to stay, then jump to it; returns only without a bootloader. */
void boot_handoff_enter_bootloader(void);

#endif
