/* The handoff block; see boot_handoff.h. RAM is zero at power-on, so the magic words below
 * are never there by accident on a board started without the bootloader. */
#include "boot_handoff.h"

#define HANDOFF_PRESENT 0xB0071DADu
#define HANDOFF_STAY 0x57A11B00u

typedef struct {
    uint32_t present;
    uint32_t entry;
    uint32_t request;
    uint32_t check; /* ~entry: a stale or random block is not mistaken for a bootloader */
} boot_handoff_t;

#ifdef EDGEDIFF_BOOT_HANDOFF
#define HANDOFF ((volatile boot_handoff_t *)(EDGEDIFF_BOOT_HANDOFF))

bool boot_handoff_take_stay_request(void)
{
    bool stay = HANDOFF->request == HANDOFF_STAY;
    HANDOFF->request = 0;
    return stay;
}

void boot_handoff_publish(uintptr_t bootloader_entry)
{
    HANDOFF->entry = (uint32_t)bootloader_entry;
    HANDOFF->check = ~(uint32_t)bootloader_entry;
    HANDOFF->present = HANDOFF_PRESENT;
}

bool boot_handoff_bootloader_present(void)
{
    return HANDOFF->present == HANDOFF_PRESENT && HANDOFF->check == ~HANDOFF->entry;
}

void boot_handoff_enter_bootloader(void)
{
    if (!boot_handoff_bootloader_present()) {
        return;
    }
    HANDOFF->request = HANDOFF_STAY;
    void (*entry)(void) = (void (*)(void))(uintptr_t)HANDOFF->entry;
    entry();
}

#else /* a target without a bootloader */

bool boot_handoff_take_stay_request(void)
{
    return false;
}

void boot_handoff_publish(uintptr_t bootloader_entry)
{
    (void)bootloader_entry;
}

bool boot_handoff_bootloader_present(void)
{
    return false;
}

void boot_handoff_enter_bootloader(void)
{
}

#endif
