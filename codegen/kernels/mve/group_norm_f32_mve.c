/* FP32 group norm for Arm MVE (Helium) with the activation fused into the output pass.
 *
 * Same arithmetic as the reference: two passes for the statistics (mean, then the mean of
 * squared deviations; never E[x^2] - E[x]^2), all in FP32, then per channel
 * out = act((x - mean) * (gamma * rstd) + beta). Vectorized 4 lanes; the per-lane partial
 * sums are added at the end of each pass, so the summation order (not the precision)
 * differs from the reference. A group's tail that does not fill a vector is summed in
 * scalar code; the output pass uses tail-predicated loads and stores. SiLU is the
 * vectorized FP32 silu of kernels_mve.h (~3 ulp). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define EDGEDIFF_LANES 4

void edgediff_group_norm_f32_mve(const group_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out) {
    const int32_t cpg = p->channels / p->groups, spatial = p->spatial, act = p->act;
    const int32_t size = cpg * spatial, full = size - size % EDGEDIFF_LANES;
    const float inv_size = 1.0f / (float)size;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * cpg;
            const int32_t base = (n * p->channels + c_first) * spatial;
            const float *x = in + base;

            float32x4_t acc = vdupq_n_f32(0.0f);
            for (int32_t i = 0; i < full; i += EDGEDIFF_LANES) {
                acc = vaddq_f32(acc, vld1q_f32(x + i));
            }
            float sum = edgediff_mve_sum_lanes_f32(acc);
            for (int32_t i = full; i < size; ++i) {
                sum += x[i];
            }
            const float mean = sum * inv_size;

            acc = vdupq_n_f32(0.0f);
            for (int32_t i = 0; i < full; i += EDGEDIFF_LANES) {
                const float32x4_t d = vsubq_n_f32(vld1q_f32(x + i), mean);
                acc = vfmaq_f32(acc, d, d);
            }
            float sq = edgediff_mve_sum_lanes_f32(acc);
            for (int32_t i = full; i < size; ++i) {
                const float d = x[i] - mean;
                sq += d * d;
            }
            const float rstd = 1.0f / __builtin_sqrtf(sq * inv_size + p->eps);

            for (int32_t c = 0; c < cpg; ++c) {
                const int32_t ch = c_first + c;
                const float32x4_t scale = vdupq_n_f32(gamma ? gamma[ch] * rstd : rstd);
                const float shift = beta ? beta[ch] : 0.0f;
                const float *xc = x + c * spatial;
                float *oc = out + base + c * spatial;
                /* one loop per activation, so the SiLU loop keeps its constants */
                if (act == EDGEDIFF_ACT_SILU) {
                    for (int32_t s = 0; s < spatial; s += EDGEDIFF_LANES) {
                        const mve_pred16_t m = vctp32q((uint32_t)(spatial - s));
                        const float32x4_t d = vsubq_n_f32(vldrwq_z_f32(xc + s, m), mean);
                        const float32x4_t y = vfmasq_n_f32(d, scale, shift);
                        vstrwq_p_f32(oc + s, edgediff_mve_silu_f32(y), m);
                    }
                } else {
                    for (int32_t s = 0; s < spatial; s += EDGEDIFF_LANES) {
                        const mve_pred16_t m = vctp32q((uint32_t)(spatial - s));
                        const float32x4_t d = vsubq_n_f32(vldrwq_z_f32(xc + s, m), mean);
                        const float32x4_t y = vfmasq_n_f32(d, scale, shift);
                        vstrwq_p_f32(oc + s, edgediff_mve_act_f32(y, act), m);
                    }
                }
            }
        }
    }
}
