/* The image's target against the core it is about to run on: an image whose header names a
 * target that needs ISA extensions this core lacks (an rv32v image, vector code, on a core
 * without V) is refused with its own status, before the target name is compared, so the
 * refusal says why. The table of targets and their extensions comes from the SDK
 * (EDGEDIFF_IMAGE_TARGET_FEATURES, from every target.toml of the same ISA family); the core's
 * extensions from hal_core_features() (misa on RISC-V, the ID registers on Cortex-M). Where the HAL cannot tell (returns
 * HAL_FEATURES_UNKNOWN) only the target name is checked. */
#ifndef EDGEDIFF_IMAGE_FEATURES_H
#define EDGEDIFF_IMAGE_FEATURES_H

#include <stdint.h>

#include "image.h"

#define HAL_FEATURES_UNKNOWN 0xFFFFFFFFu

/* The core's ISA extensions as a bit mask (RISC-V: misa bit 'X' - 'A' for extension X;
 * Cortex-M: the ARM_FEATURE_* bits of targets/cortex-m/hal/protect_mpu.c). */
uint32_t hal_core_features(void);

/* IMAGE_MISSING_FEATURES if the selected slot's header names a known target whose extensions
 * the core lacks, IMAGE_OK otherwise (image_check_stored() judges the rest). */
image_status_t image_features_check_stored(void);

/* The same for a header in RAM (COMMIT). */
image_status_t image_features_check(const uint8_t *header);

#endif
