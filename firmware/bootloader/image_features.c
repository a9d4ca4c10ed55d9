/* See image_features.h. */
#include "image_features.h"

#include <stddef.h>
#include <string.h>

#include "loader_hal.h"

typedef struct {
    const char *target;
    uint32_t features;
} target_features_t;

/* Without a table (an ISA whose features the SDK does not map yet) one empty row matches no
 * image's target. */
#ifndef EDGEDIFF_IMAGE_TARGET_FEATURES
#define EDGEDIFF_IMAGE_TARGET_FEATURES {"", 0u}
#endif
static const target_features_t known[] = {EDGEDIFF_IMAGE_TARGET_FEATURES};

image_status_t image_features_check(const uint8_t *header)
{
    uint32_t core = hal_core_features();
    if (core == HAL_FEATURES_UNKNOWN) {
        return IMAGE_OK;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t n = strlen(known[i].target);
        if (n > 0 && n <= IMAGE_TARGET_BYTES && memcmp(&header[IMAGE_OFF_TARGET], known[i].target, n) == 0 &&
            (n == IMAGE_TARGET_BYTES || header[IMAGE_OFF_TARGET + n] == 0)) {
            return (known[i].features & ~core) != 0 ? IMAGE_MISSING_FEATURES : IMAGE_OK;
        }
    }
    return IMAGE_OK;
}

image_status_t image_features_check_stored(void)
{
    uint8_t header[IMAGE_HEADER_BYTES];
    for (uint32_t i = 0; i < IMAGE_HEADER_BYTES; i++) {
        header[i] = FLASH_AT(IMAGE_HEADER_OFFSET)[i];
    }
    return image_features_check(header);
}
