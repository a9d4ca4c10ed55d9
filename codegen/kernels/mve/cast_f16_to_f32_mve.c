/* FP16 -> FP32 cast for Arm MVE (Helium), exact: 8 halves per step widened from the even
 * and odd lanes (VCVTB/VCVTT) and stored interleaved (VST20/VST21); the tail is scalar. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_cast_f16_to_f32_mve(const edgediff_f16_t *in, float *out, int32_t count) {
    const int32_t full = count - count % 8;
    for (int32_t i = 0; i < full; i += 8) {
        const float16x8_t v = vld1q_f16((const float16_t *)(const void *)(in + i));
        float32x4x2_t w;
        w.val[0] = edgediff_mve_widen_b(v);
        w.val[1] = edgediff_mve_widen_t(v);
        vst2q_f32(out + i, w);
    }
    for (int32_t i = full; i < count; ++i) {
        out[i] = (float)in[i];
    }
}
