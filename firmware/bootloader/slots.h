/* Two image slots with test-boot, confirm and revert (MCUboot's scheme, by copy-free slot
 * choice): a new image is written to the slot that does not hold the confirmed app (the
 * staging slot), committed as a trial, started once by BOOT in test mode, and becomes the
 * confirmed app only when the app confirms (CONFIRM, through the handoff block). A trial that
 * comes back to the bootloader unconfirmed (reset, power cut, watchdog, BOOTLOADER request)
 * is dropped and the confirmed app boots again. The confirmed slot is never written while a
 * new image goes in, so a power cut at any point leaves the previous app bootable. */
#ifndef EDGEDIFF_SLOTS_H
#define EDGEDIFF_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"

/* Make image.c's functions look at this slot. */
void slot_select(uint32_t slot);

/* Check the image in a slot (left selected): its target's ISA features, then image.c's checks. */
image_status_t slot_check(uint32_t slot);

/* The slot ERASE, PROGRAM, VERIFY and COMMIT work on: the one not holding the confirmed app. */
uint32_t slots_staging(void);

/* The slot that boots without a trial (the confirmed app's): INFO describes it. */
uint32_t slots_active(void);

/* At every entry to the bootloader: settle a started trial (confirm it if the app asked, and
 * raise the security counter to its own; drop it otherwise, the counter unmoved). Returns true
 * if a trial was dropped (reverted). */
bool slots_settle(bool confirm_requested);

/* The slot of a trial committed but not yet started (its image checked, left selected), or
 * SLOT_NONE: INFO reports it, so a host whose COMMIT reply was lost sees the commit. */
uint32_t slots_pending_trial(void);

/* After COMMIT wrote the staging slot's header: it becomes the trial (not yet started). */
bool slots_mark_trial(void);

/* The slot BOOT starts: a trial not yet started (marked started first, test mode), else the
 * confirmed app. Its status in *status; SLOT_NONE when nothing boots. */
uint32_t slots_for_boot(image_status_t *status, bool *trial);

/* Copy the slot's image and jump to it (after a successful slot_check); the confirmed app
 * (not a trial) first raises the security counter to its own, if a confirm left it lower. */
__attribute__((noreturn)) void slots_boot(uint32_t slot, bool trial);

#endif
