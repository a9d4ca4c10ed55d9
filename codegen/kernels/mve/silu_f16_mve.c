/* FP16 SiLU for Arm MVE (Helium): 8 halves per step, widened to two FP32 vectors
 * (VCVTB/VCVTT), the FP32 silu of kernels_mve.h (~3 FP32 ulp), rounded once to half like
 * the reference. Standalone SiLU keeps this accurate path; group norm's fused SiLU uses the
 * FP16-arithmetic variant. In-place safe. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define EDGEDIFF_CH(p) ((const float16_t *)(const void *)(p))
#define EDGEDIFF_H(p) ((float16_t *)(void *)(p))

void edgediff_silu_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    const int32_t full = count - count % 8;
    for (int32_t i = 0; i < full; i += 8) {
        vst1q_f16(EDGEDIFF_H(out + i),
                  edgediff_mve_silu_f16_accurate(vld1q_f16(EDGEDIFF_CH(in + i))));
    }
    if (full < count) {
        const mve_pred16_t m = vctp16q((uint32_t)(count - full));
        vstrhq_p_f16(EDGEDIFF_H(out + full),
                     edgediff_mve_silu_f16_accurate(vldrhq_z_f16(EDGEDIFF_CH(in + full), m)), m);
    }
}
