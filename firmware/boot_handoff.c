/* The handoff block; see boot_handoff.h. RAM is zero at power-on, so the magic words below
 * are never there by accident on a board started without the bootloader. */
#include "boot_handoff.h"

#define HANDOFF_PRESENT 0xB0071DADu
#define HANDOFF_STAY 0x57A11B00u
#define HANDOFF_IMAGE 0x1A6ECC0Du
#define HANDOFF_CONFIRM 0xC0F1A4EDu
#define HANDOFF_TRIAL 0x7E57B007u

typedef struct {
    uint32_t present;
    uint32_t entry;
    uint32_t request;
    uint32_t check; /* ~entry: a stale or random block is not mistaken for a bootloader */
    uint32_t image_bytes; /* the body the bootloader checked before starting this image */
    uint32_t image_crc;
    uint32_t image_check; /* image_bytes ^ image_crc ^ HANDOFF_IMAGE once an image is published */
    uint32_t trial; /* HANDOFF_TRIAL when the image was started in test mode */
} boot_handoff_t;

#ifdef EDGEDIFF_BOOT_HANDOFF
#define HANDOFF ((volatile boot_handoff_t *)(EDGEDIFF_BOOT_HANDOFF))

boot_handoff_request_t boot_handoff_take_request(void)
{
    uint32_t request = HANDOFF->request;
    HANDOFF->request = 0;
    return request == HANDOFF_STAY ? BOOT_HANDOFF_STAY
         : request == HANDOFF_CONFIRM ? BOOT_HANDOFF_CONFIRM
                                      : BOOT_HANDOFF_NONE;
}

void boot_handoff_publish_trial(bool trial)
{
    HANDOFF->trial = trial ? HANDOFF_TRIAL : 0;
}

void boot_handoff_publish(uintptr_t bootloader_entry)
{
    HANDOFF->image_check = 0;
    HANDOFF->trial = 0;
    HANDOFF->image_bytes = 0;
    HANDOFF->image_crc = 0;
    HANDOFF->entry = (uint32_t)bootloader_entry;
    HANDOFF->check = ~(uint32_t)bootloader_entry;
    HANDOFF->present = HANDOFF_PRESENT;
}

void boot_handoff_publish_image(uint32_t body_bytes, uint32_t body_crc)
{
    HANDOFF->image_bytes = body_bytes;
    HANDOFF->image_crc = body_crc;
    HANDOFF->image_check = body_bytes ^ body_crc ^ HANDOFF_IMAGE;
}

bool boot_handoff_bootloader_present(void)
{
    return HANDOFF->present == HANDOFF_PRESENT && HANDOFF->check == ~HANDOFF->entry;
}

bool boot_handoff_image(uint32_t *body_bytes, uint32_t *body_crc)
{
    uint32_t bytes = HANDOFF->image_bytes;
    uint32_t crc = HANDOFF->image_crc;
    bool published = boot_handoff_bootloader_present() && HANDOFF->image_check == (bytes ^ crc ^ HANDOFF_IMAGE);
    *body_bytes = published ? bytes : 0;
    *body_crc = published ? crc : 0;
    return published;
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

bool boot_handoff_on_trial(void)
{
    return boot_handoff_bootloader_present() && HANDOFF->trial == HANDOFF_TRIAL;
}

void boot_handoff_confirm(void)
{
    if (!boot_handoff_on_trial()) {
        return;
    }
    HANDOFF->request = HANDOFF_CONFIRM;
    void (*entry)(void) = (void (*)(void))(uintptr_t)HANDOFF->entry;
    entry();
}

#else /* a target without a bootloader */

boot_handoff_request_t boot_handoff_take_request(void)
{
    return BOOT_HANDOFF_NONE;
}

void boot_handoff_publish_trial(bool trial)
{
    (void)trial;
}

void boot_handoff_publish(uintptr_t bootloader_entry)
{
    (void)bootloader_entry;
}

void boot_handoff_publish_image(uint32_t body_bytes, uint32_t body_crc)
{
    (void)body_bytes;
    (void)body_crc;
}

bool boot_handoff_bootloader_present(void)
{
    return false;
}

bool boot_handoff_image(uint32_t *body_bytes, uint32_t *body_crc)
{
    *body_bytes = 0;
    *body_crc = 0;
    return false;
}

void boot_handoff_enter_bootloader(void)
{
}

bool boot_handoff_on_trial(void)
{
    return false;
}

void boot_handoff_confirm(void)
{
}

#endif
