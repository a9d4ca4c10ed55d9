/* FP16 sigmoid for Arm MVE (Helium): 8 halves per step, widened to two FP32 vectors
 * (VCVTB/VCVTT), 1/(1 + e) or e/(1 + e), e = e^-|x| by a vector exp
 * (internal/vector_gelu_mve.h), rounded once to half like the reference. In-place safe. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"
#include "edgediff/internal/vector_gelu_mve.h"

#define EDGEDIFF_CH(p) ((const float16_t *)(const void *)(p))
#define EDGEDIFF_H(p) ((float16_t *)(void *)(p))

void edgediff_sigmoid_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    const int32_t full = count - count % 8;
    for (int32_t i = 0; i < full; i += 8) {
        vst1q_f16(EDGEDIFF_H(out + i),
                  EDGEDIFF_MVE_VG_F16(edgediff_mve_sigmoid_f32, vld1q_f16(EDGEDIFF_CH(in + i))));
    }
    if (full < count) {
        const mve_pred16_t m = vctp16q((uint32_t)(count - full));
        vstrhq_p_f16(EDGEDIFF_H(out + full),
                     EDGEDIFF_MVE_VG_F16(edgediff_mve_sigmoid_f32,
                                         vldrhq_z_f16(EDGEDIFF_CH(in + full), m)), m);
    }
}
