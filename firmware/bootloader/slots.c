/* Slot choice, trial and confirm; see slots.h. The state (boot_state.c) records slot numbers
 * only: each slot's own header (written last, magic last) says whether it holds an image. */
#include "slots.h"

#include "boot_handoff.h"
#include "boot_state.h"
#include "image_features.h"
#include "loader_hal.h"
#include "slot_layout.h"

uint32_t image_slot_base; /* bss: every path selects a slot before image.c looks */

void slot_select(uint32_t slot)
{
    image_slot_base = SLOT_OFFSET(slot);
}

image_status_t slot_check(uint32_t slot)
{
    slot_select(slot);
    image_status_t status = image_features_check_stored();
    return status != IMAGE_OK ? status : image_check_stored();
}

uint32_t slots_active(void)
{
    uint32_t active = boot_state_load().active;
    return active < SLOT_COUNT ? active : 0u;
}

uint32_t slots_staging(void)
{
    return 1u - slots_active();
}

/* Raise the security counter to a confirmed slot's (checked, so its header is valid). Only a
 * confirmed image moves it: a trial that is reverted leaves the previous app bootable. */
static void raise_counter(uint32_t slot)
{
    uint8_t header[IMAGE_HEADER_BYTES];
    slot_select(slot);
    for (uint32_t i = 0; i < IMAGE_HEADER_BYTES; i++) {
        header[i] = FLASH_AT(IMAGE_HEADER_OFFSET)[i];
    }
    (void)image_counter_advance(header);
}

bool slots_settle(bool confirm_requested)
{
    boot_state_t state = boot_state_load();
    if (state.trial >= SLOT_COUNT || !state.tried) {
        return false;
    }
    bool confirm = confirm_requested && slot_check(state.trial) == IMAGE_OK;
    if (confirm) {
        state.active = state.trial;
    }
    state.trial = SLOT_NONE;
    state.tried = 0;
    /* The state first: a power cut before the counter moves leaves the new app confirmed and
     * its next boot (slots_boot) raises the counter; the other order could revert to an app
     * the counter already refuses. */
    if (boot_state_save(state) && confirm) { /* if it fails, the next entry settles again */
        raise_counter(state.active);
    }
    return !confirm;
}

uint32_t slots_pending_trial(void)
{
    boot_state_t state = boot_state_load();
    bool pending = state.trial < SLOT_COUNT && !state.tried && slot_check(state.trial) == IMAGE_OK;
    return pending ? state.trial : SLOT_NONE;
}

bool slots_mark_trial(void)
{
    boot_state_t state = boot_state_load();
    state.active = (uint8_t)slots_active();
    state.trial = (uint8_t)slots_staging();
    state.tried = 0;
    return boot_state_save(state);
}

uint32_t slots_for_boot(image_status_t *status, bool *trial)
{
    boot_state_t state = boot_state_load();
    *trial = false;
    if (state.trial < SLOT_COUNT && !state.tried && slot_check(state.trial) == IMAGE_OK) {
        state.tried = 1;
        if (boot_state_save(state)) { /* started only once it is recorded as started */
            *trial = true;
            *status = IMAGE_OK;
            return state.trial;
        }
    }
    uint32_t active = slots_active();
    *status = slot_check(active);
    return *status == IMAGE_OK ? active : SLOT_NONE;
}

void slots_boot(uint32_t slot, bool trial)
{
    if (!trial) {
        raise_counter(slot); /* a no-op unless a confirm's raise was cut short */
    }
    slot_select(slot);
    boot_handoff_publish_trial(trial);
    image_boot();
}
