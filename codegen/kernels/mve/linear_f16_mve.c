/* FP16 fully connected layer for Arm MVE (Helium) with FP32 accumulation: per input row, 4
 * outputs at a time; 8 halves of the input and of each weight row are loaded per step,
 * widened (even / odd lanes, VCVTB/VCVTT) and multiply-added into FP32 vectors, so the
 * arithmetic is the reference's (FP32 accumulation, one rounding to half per output) in a
 * different summation order. The layer is tiny (UNet: 32x32 time embedding), so accuracy
 * wins over the 2x of FP16 accumulation. Tail of in_features: zeroing predicated loads. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_ELEM_F16
#include "edgediff/internal/mve_elem.h"

EDGEDIFF_MVE_INLINE float32x4_t dot8(float32x4_t acc, float32x4_t xb, float32x4_t xt,
                                     float16x8_t w) {
    acc = vfmaq_f32(acc, xb, edgediff_mve_widen_b(w));
    return vfmaq_f32(acc, xt, edgediff_mve_widen_t(w));
}

/* 8 halves of the input and of each weight row, widened (even / odd lanes). */
EDGEDIFF_MVE_INLINE void linear_step(const edgediff_f16_t *x, const edgediff_f16_t *w0,
                                     const edgediff_f16_t *w1, const edgediff_f16_t *w2,
                                     const edgediff_f16_t *w3, mve_pred16_t m,
                                     float32x4_t acc[4]) {
    const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(x), m);
    const float32x4_t xb = edgediff_mve_widen_b(v), xt = edgediff_mve_widen_t(v);
    acc[0] = dot8(acc[0], xb, xt, vldrhq_z_f16(EDGEDIFF_CH(w0), m));
    acc[1] = dot8(acc[1], xb, xt, vldrhq_z_f16(EDGEDIFF_CH(w1), m));
    acc[2] = dot8(acc[2], xb, xt, vldrhq_z_f16(EDGEDIFF_CH(w2), m));
    acc[3] = dot8(acc[3], xb, xt, vldrhq_z_f16(EDGEDIFF_CH(w3), m));
}

/* Per output: FP32 bias and activation, then the one rounding to half. */
EDGEDIFF_MVE_INLINE void linear_store(edgediff_f16_t *y, int32_t o, int32_t n_o,
                                      const float sums[4], const edgediff_f16_t *bias,
                                      int32_t act) {
    for (int32_t k = 0; k < n_o; ++k) {
        const float acc = sums[k] + (bias ? (float)bias[o + k] : 0.0f);
        float32x4_t v = edgediff_mve_act_f32(vdupq_n_f32(acc), act);
        y[o + k] = (edgediff_f16_t)vgetq_lane_f32(v, 0);
    }
}

#include "edgediff/internal/linear_mve.h"

void edgediff_linear_f16_mve(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out) {
    linear_mve(p, in, weight, bias, out);
}
