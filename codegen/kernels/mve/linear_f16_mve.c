/* FP16 fully connected layer for Arm MVE (Helium) with FP32 accumulation: per input row, 4
 * outputs at a time; 8 halves of the input and of each weight row are loaded per step,
 * widened (even / odd lanes, VCVTB/VCVTT) and multiply-added into FP32 vectors, so the
 * arithmetic is the reference's (FP32 accumulation, one rounding to half per output) in a
 * different summation order. The layer is tiny (UNet: 32x32 time embedding), so accuracy
 * wins over the 2x of FP16 accumulation. Tail of in_features: zeroing predicated loads. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define CH(p) ((const float16_t *)(const void *)(p))
#define H(p) ((float16_t *)(void *)(p))

static float sum_lanes(float32x4_t v) {
    return (vgetq_lane_f32(v, 0) + vgetq_lane_f32(v, 1)) +
           (vgetq_lane_f32(v, 2) + vgetq_lane_f32(v, 3));
}

EDGEDIFF_MVE_INLINE float32x4_t dot8(float32x4_t acc, float32x4_t xb, float32x4_t xt,
                                     float16x8_t w) {
    acc = vfmaq_f32(acc, xb, edgediff_mve_widen_b(w));
    return vfmaq_f32(acc, xt, edgediff_mve_widen_t(w));
}

void linear_f16_mve(const linear_params_t *p, const edgediff_f16_t *in,
                    const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                    edgediff_f16_t *out) {
    const int32_t n_in = p->in_features, n_out = p->out_features;
    for (int32_t r = 0; r < p->rows; ++r) {
        const edgediff_f16_t *x = in + r * n_in;
        edgediff_f16_t *y = out + r * n_out;
        for (int32_t o = 0; o < n_out; o += 4) {
            const int32_t n_o = n_out - o < 4 ? n_out - o : 4;
            const edgediff_f16_t *w0 = weight + o * n_in;
            const edgediff_f16_t *w1 = n_o > 1 ? w0 + n_in : w0;
            const edgediff_f16_t *w2 = n_o > 2 ? w1 + n_in : w1;
            const edgediff_f16_t *w3 = n_o > 3 ? w2 + n_in : w2;
            float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
            for (int32_t i = 0; i < n_in; i += 8) {
                const mve_pred16_t m = vctp16q((uint32_t)(n_in - i));
                const float16x8_t v = vldrhq_z_f16(CH(x + i), m);
                const float32x4_t xb = edgediff_mve_widen_b(v), xt = edgediff_mve_widen_t(v);
                a0 = dot8(a0, xb, xt, vldrhq_z_f16(CH(w0 + i), m));
                a1 = dot8(a1, xb, xt, vldrhq_z_f16(CH(w1 + i), m));
                a2 = dot8(a2, xb, xt, vldrhq_z_f16(CH(w2 + i), m));
                a3 = dot8(a3, xb, xt, vldrhq_z_f16(CH(w3 + i), m));
            }
            const float sums[4] = {sum_lanes(a0), sum_lanes(a1), sum_lanes(a2), sum_lanes(a3)};
            for (int32_t k = 0; k < n_o; ++k) {
                const float acc = sums[k] + (bias ? (float)bias[o + k] : 0.0f);
                float32x4_t v = edgediff_mve_act_f32(vdupq_n_f32(acc), p->act);
                y[o + k] = (edgediff_f16_t)vgetq_lane_f32(v, 0);
            }
        }
    }
}
