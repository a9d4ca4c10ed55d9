/* FP32 fully connected layer for Arm MVE (Helium): per input row, 4 outputs at a time, each
 * a dot product vectorized along in_features (4 lanes, fused multiply-add, the input vector
 * loaded once for the 4 weight rows); the tail of in_features uses zeroing predicated
 * loads. FP32 accumulation (per-lane partial sums added at the end: a different order than
 * the reference, the same precision). Bias and the fused activation are scalar / vector
 * epilogue work. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_ELEM_F32
#include "edgediff/internal/mve_elem.h"

EDGEDIFF_MVE_INLINE void linear_step(const float *x, const float *w0, const float *w1,
                                     const float *w2, const float *w3, mve_pred16_t m,
                                     float32x4_t acc[4]) {
    const float32x4_t v = vldrwq_z_f32(x, m);
    acc[0] = vfmaq_f32(acc[0], v, vldrwq_z_f32(w0, m));
    acc[1] = vfmaq_f32(acc[1], v, vldrwq_z_f32(w1, m));
    acc[2] = vfmaq_f32(acc[2], v, vldrwq_z_f32(w2, m));
    acc[3] = vfmaq_f32(acc[3], v, vldrwq_z_f32(w3, m));
}

/* The 4 sums as one vector: bias and activation vectorized, one predicated store. */
EDGEDIFF_MVE_INLINE void linear_store(float *y, int32_t o, int32_t n_o, const float sums[4],
                                      const float *bias, int32_t act) {
    float32x4_t s = vdupq_n_f32(0.0f);
    s = vsetq_lane_f32(sums[0], s, 0);
    s = vsetq_lane_f32(sums[1], s, 1);
    s = vsetq_lane_f32(sums[2], s, 2);
    s = vsetq_lane_f32(sums[3], s, 3);
    const mve_pred16_t mo = vctp32q((uint32_t)n_o);
    if (bias) {
        s = vaddq_f32(s, vldrwq_z_f32(bias + o, mo));
    }
    vstrwq_p_f32(y + o, edgediff_mve_act_f32(s, act), mo);
}

#include "edgediff/internal/linear_mve.h"

void edgediff_linear_f32_mve(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out) {
    linear_mve(p, in, weight, bias, out);
}
