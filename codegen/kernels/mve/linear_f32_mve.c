/* FP32 fully connected layer for Arm MVE (Helium): per input row, 4 outputs at a time, each
 * a dot product vectorized along in_features (4 lanes, fused multiply-add, the input vector
 * loaded once for the 4 weight rows); the tail of in_features uses zeroing predicated
 * loads. FP32 accumulation (per-lane partial sums added at the end: a different order than
 * the reference, the same precision). Bias and the fused activation are scalar / vector
 * epilogue work. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

static float sum_lanes(float32x4_t v) {
    return (vgetq_lane_f32(v, 0) + vgetq_lane_f32(v, 1)) +
           (vgetq_lane_f32(v, 2) + vgetq_lane_f32(v, 3));
}

void linear_f32_mve(const linear_params_t *p, const float *in, const float *weight,
                    const float *bias, float *out) {
    const int32_t n_in = p->in_features, n_out = p->out_features;
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *x = in + r * n_in;
        float *y = out + r * n_out;
        for (int32_t o = 0; o < n_out; o += 4) {
            const int32_t n_o = n_out - o < 4 ? n_out - o : 4;
            const float *w0 = weight + o * n_in;
            const float *w1 = n_o > 1 ? w0 + n_in : w0;
            const float *w2 = n_o > 2 ? w1 + n_in : w1;
            const float *w3 = n_o > 3 ? w2 + n_in : w2;
            float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
            for (int32_t i = 0; i < n_in; i += 4) {
                const mve_pred16_t m = vctp32q((uint32_t)(n_in - i));
                const float32x4_t v = vldrwq_z_f32(x + i, m);
                a0 = vfmaq_f32(a0, v, vldrwq_z_f32(w0 + i, m));
                a1 = vfmaq_f32(a1, v, vldrwq_z_f32(w1 + i, m));
                a2 = vfmaq_f32(a2, v, vldrwq_z_f32(w2 + i, m));
                a3 = vfmaq_f32(a3, v, vldrwq_z_f32(w3 + i, m));
            }
            float32x4_t s = vdupq_n_f32(0.0f);
            s = vsetq_lane_f32(sum_lanes(a0), s, 0);
            s = vsetq_lane_f32(sum_lanes(a1), s, 1);
            s = vsetq_lane_f32(sum_lanes(a2), s, 2);
            s = vsetq_lane_f32(sum_lanes(a3), s, 3);
            const mve_pred16_t mo = vctp32q((uint32_t)n_o);
            if (bias) {
                s = vaddq_f32(s, vldrwq_z_f32(bias + o, mo));
            }
            vstrwq_p_f32(y + o, edgediff_mve_act_f32(s, p->act), mo);
        }
    }
}
