/* FP32 layer norm for Arm MVE (Helium) over [outer][size][inner], the fused activation in the
 * output pass. The reference's two passes (mean, then mean of squared deviations) and its
 * rstd = 1 / sqrt(var + eps), all FP32, in a different summation order (per-lane partial
 * sums). inner == 1 (nn.LayerNorm over the last dim): vectorised along the row of `size`
 * elements, 4 per vector; scalar tails for the statistics, predicated loads and stores in the
 * output pass. inner > 1 (LayerNorm over the channels of an NCHW image): vectorised over 4
 * pixels (contiguous), each lane running its own statistics over the `size` channels; the
 * last, partial vector is predicated. */
#pragma GCC optimize("no-schedule-insns")

#include "edgediff/internal/layer_norm_mve.h"

/* One row of `size` contiguous elements. */
EDGEDIFF_MVE_INLINE void row(const layer_norm_params_t *p, const float *x, const float *gamma,
                             const float *beta, float *y, float inv_size) {
    const int32_t size = p->size, full = size - size % 4;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < full; i += 4) {
        acc = vaddq_f32(acc, vld1q_f32(x + i));
    }
    float sum = edgediff_mve_sum_lanes_f32(acc);
    for (int32_t i = full; i < size; ++i) {
        sum += x[i];
    }
    const float mean = sum * inv_size;
    acc = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < full; i += 4) {
        const float32x4_t d = vsubq_n_f32(vld1q_f32(x + i), mean);
        acc = vfmaq_f32(acc, d, d);
    }
    float sq = edgediff_mve_sum_lanes_f32(acc);
    for (int32_t i = full; i < size; ++i) {
        const float d = x[i] - mean;
        sq += d * d;
    }
    const float rstd = 1.0f / __builtin_sqrtf(sq * inv_size + p->eps);
    for (int32_t i = 0; i < size; i += 4) {
        const mve_pred16_t m = vctp32q((uint32_t)(size - i));
        const float32x4_t d = vsubq_n_f32(vldrwq_z_f32(x + i, m), mean);
        const float32x4_t scale = gamma ? vmulq_n_f32(vldrwq_z_f32(gamma + i, m), rstd)
                                        : vdupq_n_f32(rstd);
        const float32x4_t shift = beta ? vldrwq_z_f32(beta + i, m) : vdupq_n_f32(0.0f);
        vstrwq_p_f32(y + i, edgediff_mve_act_f32(vfmaq_f32(shift, d, scale), p->act), m);
    }
}

/* Pixels j .. j+3 (n of them) of one image: `size` channels, `inner` apart. */
EDGEDIFF_MVE_INLINE void pixels(const layer_norm_params_t *p, const float *x, const float *gamma,
                                const float *beta, float *y, int32_t n, float inv_size) {
    const int32_t size = p->size, inner = p->inner;
    const mve_pred16_t m = vctp32q((uint32_t)n);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < size; ++i) {
        acc = vaddq_f32(acc, vldrwq_z_f32(x + i * inner, m));
    }
    const float32x4_t mean = vmulq_n_f32(acc, inv_size);
    acc = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < size; ++i) {
        const float32x4_t d = vsubq_f32(vldrwq_z_f32(x + i * inner, m), mean);
        acc = vfmaq_f32(acc, d, d);
    }
    const float32x4_t rstd = edgediff_ln_rstd(acc, inv_size, p->eps);
    for (int32_t i = 0; i < size; ++i) {
        const float32x4_t d = vsubq_f32(vldrwq_z_f32(x + i * inner, m), mean);
        const float32x4_t scale = gamma ? vmulq_n_f32(rstd, gamma[i]) : rstd;
        const float32x4_t v = vfmaq_f32(vdupq_n_f32(beta ? beta[i] : 0.0f), d, scale);
        vstrwq_p_f32(y + i * inner, edgediff_mve_act_f32(v, p->act), m);
    }
}

void edgediff_layer_norm_f32_mve(const layer_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out) {
    const float inv_size = 1.0f / (float)p->size;
    const int32_t plane = p->size * p->inner;
    for (int32_t o = 0; o < p->outer; ++o) {
        const float *x = in + o * plane;
        float *y = out + o * plane;
        if (p->inner == 1) {
            row(p, x, gamma, beta, y, inv_size);
            continue;
        }
        for (int32_t j = 0; j < p->inner; j += 4) {
            const int32_t n = p->inner - j < 4 ? p->inner - j : 4;
            pixels(p, x + j, gamma, beta, y + j, n, inv_size);
        }
    }
}
