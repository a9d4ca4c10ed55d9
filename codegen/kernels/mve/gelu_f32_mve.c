/* FP32 GELU, erf form (x Phi(x)) for Arm MVE (Helium), 4 lanes: a rational fit of the normal
 * tail times e^(-x^2/2) (internal/vector_gelu_mve.h; error bound in
 * tests/helpers/elementwise_bounds.py). Full vectors unpredicated, the tail with tail-
 * predicated loads and stores. In-place safe. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"
#include "edgediff/internal/vector_gelu_mve.h"

void edgediff_gelu_f32_mve(const float *in, float *out, int32_t count) {
    const int32_t full = count - count % 4;
    for (int32_t i = 0; i < full; i += 4) {
        vst1q_f32(out + i, edgediff_mve_gelu_f32(vld1q_f32(in + i)));
    }
    if (full < count) {
        const mve_pred16_t m = vctp32q((uint32_t)(count - full));
        vstrwq_p_f32(out + full, edgediff_mve_gelu_f32(vldrwq_z_f32(in + full, m)), m);
    }
}
