/* FP16 group norm for Arm MVE (Helium) with the activation fused into the output pass.
 *
 * Statistics in FP32 always: halves are widened (even and odd lanes, VCVTB/VCVTT) and the
 * two passes of the reference (mean, then mean of squared deviations) run on FP32 vectors;
 * per-lane partial sums are added at the end of a pass (a different order, the same
 * precision). The affine step (x - mean) * (gamma * rstd) + beta is FP32 too, then rounded
 * once to half. A fused SiLU then runs in FP16 arithmetic, 8 lanes per instruction
 * (edgediff_mve_silu_f16_fast: a few FP16 ulp relative, and silu(x) flushes to -0 below
 * x ~ -10 where its magnitude is < 4.4e-4), the trade that keeps the fused norm+SiLU at
 * about half the instructions of the FP32 kernel; ReLU is exact. Tails: scalar statistics,
 * predicated loads and stores in the output pass. */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define EDGEDIFF_LANES 8
#define EDGEDIFF_CH(p) ((const float16_t *)(const void *)(p))
#define EDGEDIFF_H(p) ((float16_t *)(void *)(p))

EDGEDIFF_MVE_INLINE float16x8_t relu(float16x8_t v) {
    return vmaxnmq_f16(v, vdupq_n_f16((_Float16)0.0f));
}

EDGEDIFF_MVE_INLINE float16x8_t identity(float16x8_t v) {
    return v;
}

void edgediff_group_norm_f16_mve(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out) {
    const int32_t cpg = p->channels / p->groups, spatial = p->spatial, act = p->act;
    const int32_t size = cpg * spatial, full = size - size % EDGEDIFF_LANES;
    const float inv_size = 1.0f / (float)size;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * cpg;
            const int32_t base = (n * p->channels + c_first) * spatial;
            const edgediff_f16_t *x = in + base;

            float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
            for (int32_t i = 0; i < full; i += EDGEDIFF_LANES) {
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
            for (int32_t i = 0; i < full; i += EDGEDIFF_LANES) {
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

            for (int32_t c = 0; c < cpg; ++c) {
                const int32_t ch = c_first + c;
                const float32x4_t scale = vdupq_n_f32(gamma ? (float)gamma[ch] * rstd : rstd);
                const float shift = beta ? (float)beta[ch] : 0.0f;
                const edgediff_f16_t *xc = x + c * spatial;
                edgediff_f16_t *oc = out + base + c * spatial;
#define EDGEDIFF_GN_OUTPUT_LOOP(ACT)                                                \
    for (int32_t s = 0; s < spatial; s += EDGEDIFF_LANES) {                         \
        const mve_pred16_t m = vctp16q((uint32_t)(spatial - s));                    \
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(xc + s), m);                 \
        const float32x4_t y0 =                                                      \
            vfmasq_n_f32(vsubq_n_f32(edgediff_mve_widen_b(v), mean), scale, shift); \
        const float32x4_t y1 =                                                      \
            vfmasq_n_f32(vsubq_n_f32(edgediff_mve_widen_t(v), mean), scale, shift); \
        vstrhq_p_f16(EDGEDIFF_H(oc + s), ACT(edgediff_mve_narrow(y0, y1)), m);      \
    }
                /* one loop per activation, so the SiLU loop keeps its constants */
                if (act == EDGEDIFF_ACT_SILU) {
                    EDGEDIFF_GN_OUTPUT_LOOP(edgediff_mve_silu_f16_fast)
                } else if (act == EDGEDIFF_ACT_RELU) {
                    EDGEDIFF_GN_OUTPUT_LOOP(relu)
                } else {
                    EDGEDIFF_GN_OUTPUT_LOOP(identity)
                }
#undef EDGEDIFF_GN_OUTPUT_LOOP
            }
        }
    }
}
