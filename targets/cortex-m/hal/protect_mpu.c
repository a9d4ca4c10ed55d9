/* The bootloader's protection and core description on the Arm boards (bootloader only).
 * hal_protect_bootloader: not done here. On these emulated boards the bootloader runs from
 * RAM that QEMU's -kernel loader fills (bootloader.ld) and its app "flash" is RAM too, so a
 * stray app store cannot outlive the emulator: every power-up loads the bootloader afresh.
 * On a real Cortex-M board an MPU region over the bootloader's flash (read-only, privileged
 * and unprivileged) would go here; see docs/HARDWARE.md.
 * hal_core_features: not read (the ID registers are not mapped to target names yet), so only
 * the image's target name is checked on these boards. */
#include <stdint.h>

#include "image_features.h"
#include "loader_hal.h"

void hal_protect_bootloader(void)
{
}

uint32_t hal_core_features(void)
{
    return HAL_FEATURES_UNKNOWN;
}
