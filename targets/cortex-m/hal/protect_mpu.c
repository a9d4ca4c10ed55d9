/* The bootloader's protection and core description on the Arm boards (bootloader only).
 *
 * hal_protect_bootloader: MPU region 0 covers the bootloader's own memory (bootloader.ld:
 * __bootloader_code_start..__bootloader_code_end, code, data and stack; on the emulated boards
 * RAM that QEMU's -kernel loader fills) as read-only for every privilege level, execute
 * allowed; the handoff block in its last 256 bytes stays writable (the app asks for the
 * bootloader there), everything else keeps the default memory map (PRIVDEFENA). The regions
 * are programmed here, at every entry, with the MPU off (the bootloader writes its own data
 * and stack); hal_boot_jump switches it on as its last store before the jump. A store from
 * the app into the region then faults, and Fault_Handler below resets the core into the
 * bootloader (an unconfirmed trial is reverted there). The Cortex-M MPU has no lock bit:
 * privileged code, which the app is, can switch it off again (Reset_Handler does, on the way
 * back into the bootloader); it stops a stray store, not a determined privileged attacker.
 * Armv7-M (M4, M7): MPU_RBAR/MPU_RASR, power-of-two regions, the higher number wins where
 * they overlap; Armv8-M (M33, M55): MPU_RBAR/MPU_RLAR with attributes from MPU_MAIR0, no
 * overlap allowed, so region 0 simply ends below the handoff block.
 *
 * hal_core_features: the core's ID registers (CPUID part number for the architecture, MVFR0-2
 * for the FPU, FP16 arithmetic and MVE, ID_ISAR3 for the DSP extension on Armv8-M) as the
 * ARM_FEATURE_* bits sdk/compile/bootloader.py maps each target's isa_features to. */
#include <stdint.h>

#include "image_features.h"
#include "loader_hal.h"

extern const uint8_t __bootloader_code_start[], __bootloader_code_end[];

#define REG(address) (*(volatile uint32_t *)(address))
#define SCB_CPUID REG(0xE000ED00u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define ID_ISAR3 REG(0xE000ED6Cu)
#define MPU_CTRL REG(0xE000ED94u)
#define MPU_RNR REG(0xE000ED98u)
#define MPU_RBAR REG(0xE000ED9Cu)
#define MPU_RASR REG(0xE000EDA0u) /* MPU_RLAR on Armv8-M */
#define MPU_MAIR0 REG(0xE000EDC0u)
#define MVFR0 REG(0xE000EF40u)
#define MVFR1 REG(0xE000EF44u)
#define MVFR2 REG(0xE000EF48u)

#define HANDOFF_BYTES 256u

/* The bits of sdk/compile/bootloader.py ARM_FEATURE_BITS. */
#define ARM_FEATURE_ARMV7EM (1u << 0)
#define ARM_FEATURE_ARMV8M_MAIN (1u << 1)
#define ARM_FEATURE_ARMV8_1M (1u << 2)
#define ARM_FEATURE_DSP (1u << 3)
#define ARM_FEATURE_FPU (1u << 4)
#define ARM_FEATURE_FPV5 (1u << 5)
#define ARM_FEATURE_FP_DOUBLE (1u << 6)
#define ARM_FEATURE_FP16 (1u << 7)
#define ARM_FEATURE_MVE (1u << 8)
#define ARM_FEATURE_MVE_F (1u << 9)

#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)

#define MAIR_NORMAL_NONCACHEABLE 0x44u
#define RBAR_AP_RO_ANY (3u << 1)
#define RLAR_ENABLE 1u

void hal_protect_bootloader(void)
{
    uint32_t start = (uint32_t)(uintptr_t)__bootloader_code_start;
    uint32_t end = (uint32_t)(uintptr_t)__bootloader_code_end - HANDOFF_BYTES; /* exclusive */
    MPU_CTRL = 0;
    __asm__ volatile("dsb\n isb" ::: "memory");
    MPU_MAIR0 = MAIR_NORMAL_NONCACHEABLE; /* attribute index 0 */
    MPU_RNR = 0;
    MPU_RBAR = (start & ~0x1Fu) | RBAR_AP_RO_ANY; /* non-shareable, executable */
    MPU_RASR = ((end - 1u) & ~0x1Fu) | RLAR_ENABLE; /* MPU_RLAR: limit, AttrIndx 0 */
}

#else /* Armv7-M */

#define RASR_ENABLE 1u
#define RASR_SIZE(log2_bytes) (((log2_bytes) - 1u) << 1)
#define RASR_NORMAL_WT (1u << 17) /* TEX 0, C 1, B 0: normal memory, write-through */
#define RASR_AP_RO (6u << 24)
#define RASR_AP_RW (3u << 24)
#define RASR_XN (1u << 28)
#define RBAR_VALID (1u << 4)

void hal_protect_bootloader(void)
{
    uint32_t start = (uint32_t)(uintptr_t)__bootloader_code_start;
    uint32_t size = (uint32_t)(uintptr_t)__bootloader_code_end - start; /* a power of two, aligned */
    uint32_t handoff = start + size - HANDOFF_BYTES;
    MPU_CTRL = 0;
    __asm__ volatile("dsb\n isb" ::: "memory");
    MPU_RBAR = start | RBAR_VALID | 0u;
    MPU_RASR = RASR_AP_RO | RASR_NORMAL_WT | RASR_SIZE(31u - (uint32_t)__builtin_clz(size)) | RASR_ENABLE;
    MPU_RBAR = handoff | RBAR_VALID | 1u; /* region 1 wins over region 0 */
    MPU_RASR = RASR_XN | RASR_AP_RW | RASR_NORMAL_WT | RASR_SIZE(8u) | RASR_ENABLE;
}

#endif

/* HardFault, MemManage, BusFault, UsageFault in the bootloader's vector table (startup.c), which
 * is also the one in force while a hand-written image runs that never set its own: a system
 * reset, so a store into the protected region brings the board back to its bootloader. */
void Fault_Handler(void)
{
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = (0x05FAu << 16) | (1u << 2); /* VECTKEY, SYSRESETREQ */
    __asm__ volatile("dsb" ::: "memory");
    for (;;) {
    }
}

static uint32_t architecture(uint32_t part)
{
    switch (part) {
    case 0xC24u: /* Cortex-M4 */
    case 0xC27u: /* Cortex-M7 */
        return ARM_FEATURE_ARMV7EM | ARM_FEATURE_DSP;
    case 0xD21u: /* Cortex-M33 */
    case 0xD31u: /* Cortex-M35P */
        return ARM_FEATURE_ARMV7EM | ARM_FEATURE_ARMV8M_MAIN;
    case 0xD22u: /* Cortex-M55 */
    case 0xD23u: /* Cortex-M85 */
        return ARM_FEATURE_ARMV7EM | ARM_FEATURE_ARMV8M_MAIN | ARM_FEATURE_ARMV8_1M;
    default:
        return 0;
    }
}

uint32_t hal_core_features(void)
{
    uint32_t features = architecture((SCB_CPUID >> 4) & 0xFFFu);
    if (features == 0) {
        return HAL_FEATURES_UNKNOWN; /* a core not mapped here: only the target name is checked */
    }
    if ((features & ARM_FEATURE_ARMV8M_MAIN) && ((ID_ISAR3 >> 4) & 0xFu) == 3u) {
        features |= ARM_FEATURE_DSP; /* optional on Armv8-M: the DSP SIMD instructions */
    }
    uint32_t mvfr0 = MVFR0, mvfr1 = MVFR1, mvfr2 = MVFR2;
    features |= ((mvfr0 >> 4) & 0xFu) != 0 ? ARM_FEATURE_FPU : 0;        /* single precision */
    features |= ((mvfr0 >> 8) & 0xFu) != 0 ? ARM_FEATURE_FP_DOUBLE : 0;  /* double precision */
    features |= ((mvfr2 >> 4) & 0xFu) >= 4u ? ARM_FEATURE_FPV5 : 0;      /* VRINT, VSEL, VMAXNM */
    features |= ((mvfr1 >> 20) & 0xFu) != 0 ? ARM_FEATURE_FP16 : 0;      /* FP16 arithmetic */
    features |= ((mvfr1 >> 8) & 0xFu) >= 1u ? ARM_FEATURE_MVE : 0;       /* MVE integer */
    features |= ((mvfr1 >> 8) & 0xFu) >= 2u ? ARM_FEATURE_MVE_F : 0;     /* MVE float */
    return features;
}
