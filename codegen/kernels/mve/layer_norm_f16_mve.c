/* FP16 layer norm for Arm MVE (Helium) over [outer][size][inner], the fused activation in the
 * output pass. Statistics in FP32 always: halves are widened (even and odd lanes,
 * VCVTB/VCVTT) and the reference's two passes (mean, then mean of squared deviations) and
 * its rstd = 1 / sqrt(var + eps) run in FP32, in a different summation order (per-lane
 * partial sums). The affine step (x - mean) * (gamma * rstd) + beta and the activation are
 * FP32 too, then one rounding to half. inner == 1 (nn.LayerNorm over the last dim):
 * vectorised along the row of `size` elements, 8 halves per load; scalar tails for the
 * statistics, predicated loads and stores in the output pass. inner > 1 (LayerNorm over the
 * channels of an NCHW image): vectorised over 8 pixels (contiguous), each lane running its
 * own statistics over the `size` channels; the last, partial vector is predicated. */
#pragma GCC optimize("no-schedule-insns")

#include "edgediff/internal/layer_norm_mve.h"

#define EDGEDIFF_CH(p) ((const float16_t *)(const void *)(p))
#define EDGEDIFF_H(p) ((float16_t *)(void *)(p))

/* One row of `size` contiguous halves. */
EDGEDIFF_MVE_INLINE void row(const layer_norm_params_t *p, const edgediff_f16_t *x,
                             const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                             edgediff_f16_t *y, float inv_size) {
    const int32_t size = p->size, full = size - size % 8;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    for (int32_t i = 0; i < full; i += 8) {
        const float16x8_t v = vld1q_f16(EDGEDIFF_CH(x + i));
        acc0 = vaddq_f32(acc0, edgediff_mve_widen_b(v));
        acc1 = vaddq_f32(acc1, edgediff_mve_widen_t(v));
    }
    float sum = edgediff_mve_sum_lanes_f32(vaddq_f32(acc0, acc1));
    for (int32_t i = full; i < size; ++i) {
        sum += (float)x[i];
    }
    const float mean = sum * inv_size;
    acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    for (int32_t i = 0; i < full; i += 8) {
        const float16x8_t v = vld1q_f16(EDGEDIFF_CH(x + i));
        const float32x4_t d0 = vsubq_n_f32(edgediff_mve_widen_b(v), mean);
        const float32x4_t d1 = vsubq_n_f32(edgediff_mve_widen_t(v), mean);
        acc0 = vfmaq_f32(acc0, d0, d0);
        acc1 = vfmaq_f32(acc1, d1, d1);
    }
    float sq = edgediff_mve_sum_lanes_f32(vaddq_f32(acc0, acc1));
    for (int32_t i = full; i < size; ++i) {
        const float d = (float)x[i] - mean;
        sq += d * d;
    }
    const float rstd = 1.0f / __builtin_sqrtf(sq * inv_size + p->eps);
    const float32x4_t one = vdupq_n_f32(rstd), zero = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < size; i += 8) {
        const mve_pred16_t m = vctp16q((uint32_t)(size - i));
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(x + i), m);
        float32x4_t s0 = one, s1 = one, b0 = zero, b1 = zero;
        if (gamma) {
            const float16x8_t g = vldrhq_z_f16(EDGEDIFF_CH(gamma + i), m);
            s0 = vmulq_n_f32(edgediff_mve_widen_b(g), rstd);
            s1 = vmulq_n_f32(edgediff_mve_widen_t(g), rstd);
        }
        if (beta) {
            const float16x8_t b = vldrhq_z_f16(EDGEDIFF_CH(beta + i), m);
            b0 = edgediff_mve_widen_b(b);
            b1 = edgediff_mve_widen_t(b);
        }
        const float32x4_t y0 = vfmaq_f32(b0, vsubq_n_f32(edgediff_mve_widen_b(v), mean), s0);
        const float32x4_t y1 = vfmaq_f32(b1, vsubq_n_f32(edgediff_mve_widen_t(v), mean), s1);
        vstrhq_p_f16(EDGEDIFF_H(y + i), edgediff_mve_narrow(edgediff_mve_act_f32(y0, p->act),
                                                            edgediff_mve_act_f32(y1, p->act)), m);
    }
}

/* Pixels j .. j+7 (n of them) of one image: `size` channels, `inner` apart; even and odd
 * pixels in the two FP32 halves. */
EDGEDIFF_MVE_INLINE void pixels(const layer_norm_params_t *p, const edgediff_f16_t *x,
                                const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                edgediff_f16_t *y, int32_t n, float inv_size) {
    const int32_t size = p->size, inner = p->inner;
    const mve_pred16_t m = vctp16q((uint32_t)n);
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    for (int32_t i = 0; i < size; ++i) {
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(x + i * inner), m);
        acc0 = vaddq_f32(acc0, edgediff_mve_widen_b(v));
        acc1 = vaddq_f32(acc1, edgediff_mve_widen_t(v));
    }
    const float32x4_t mean0 = vmulq_n_f32(acc0, inv_size), mean1 = vmulq_n_f32(acc1, inv_size);
    acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    for (int32_t i = 0; i < size; ++i) {
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(x + i * inner), m);
        const float32x4_t d0 = vsubq_f32(edgediff_mve_widen_b(v), mean0);
        const float32x4_t d1 = vsubq_f32(edgediff_mve_widen_t(v), mean1);
        acc0 = vfmaq_f32(acc0, d0, d0);
        acc1 = vfmaq_f32(acc1, d1, d1);
    }
    const float32x4_t rstd0 = edgediff_ln_rstd(acc0, inv_size, p->eps);
    const float32x4_t rstd1 = edgediff_ln_rstd(acc1, inv_size, p->eps);
    for (int32_t i = 0; i < size; ++i) {
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(x + i * inner), m);
        const float g = gamma ? (float)gamma[i] : 1.0f;
        const float32x4_t b = vdupq_n_f32(beta ? (float)beta[i] : 0.0f);
        const float32x4_t y0 = vfmaq_f32(b, vsubq_f32(edgediff_mve_widen_b(v), mean0),
                                         gamma ? vmulq_n_f32(rstd0, g) : rstd0);
        const float32x4_t y1 = vfmaq_f32(b, vsubq_f32(edgediff_mve_widen_t(v), mean1),
                                         gamma ? vmulq_n_f32(rstd1, g) : rstd1);
        vstrhq_p_f16(EDGEDIFF_H(y + i * inner),
                     edgediff_mve_narrow(edgediff_mve_act_f32(y0, p->act),
                                         edgediff_mve_act_f32(y1, p->act)), m);
    }
}

void edgediff_layer_norm_f16_mve(const layer_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out) {
    const float inv_size = 1.0f / (float)p->size;
    const int32_t plane = p->size * p->inner;
    for (int32_t o = 0; o < p->outer; ++o) {
        const edgediff_f16_t *x = in + o * plane;
        edgediff_f16_t *y = out + o * plane;
        if (p->inner == 1) {
            row(p, x, gamma, beta, y, inv_size);
            continue;
        }
        for (int32_t j = 0; j < p->inner; j += 8) {
            const int32_t n = p->inner - j < 8 ? p->inner - j : 8;
            pixels(p, x + j, gamma, beta, y + j, n, inv_size);
        }
    }
}
