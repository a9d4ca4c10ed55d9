/* FP32 -> FP16 cast for Arm MVE (Helium): 8 floats per step are loaded deinterleaved (even
 * and odd elements, VLD20/VLD21) and rounded to nearest even into the even and odd lanes of
 * one half vector (VCVTB/VCVTT, overflow to +-inf, subnormal halves kept, as the reference);
 * the tail is scalar (the same conversion). */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_cast_f32_to_f16_mve(const float *in, edgediff_f16_t *out, int32_t count) {
    const int32_t full = count - count % 8;
    for (int32_t i = 0; i < full; i += 8) {
        const float32x4x2_t v = vld2q_f32(in + i);
        vst1q_f16((float16_t *)(void *)(out + i), edgediff_mve_narrow(v.val[0], v.val[1]));
    }
    for (int32_t i = full; i < count; ++i) {
        out[i] = (edgediff_f16_t)in[i];
    }
}
