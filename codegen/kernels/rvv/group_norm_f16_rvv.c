/* RVV FP16 group norm with the activation fused.
 *
 * Statistics in FP32 always, two passes over each group (contiguous: the channels of a
 * group are adjacent planes). Sum: 16 halves per widening reduction (vfwredusum, FP32
 * accumulator). Squared deviations: from the mean rounded to half, m16, widened exactly
 * (vfwsub.vf: half - half in FP32), squared and summed in FP32, then corrected exactly for
 * the rounding of the mean: sum (x - m)^2 / M = sum (x - m16)^2 / M - (m - m16)^2.
 * Output: each half widened to FP32, x * scale + shift (scale = gamma * rstd, shift =
 * beta - mean * scale, FP32 per channel), the activation in FP32 (SiLU: vector expf,
 * kernels_rvv.h), one rounding to half. So the output step runs at 8 lanes; only the
 * statistics pass profits from 16-bit storage. */
#define EDGEDIFF_RVV_INTERNAL
#include <math.h>

#include "edgediff/kernels.h"

static float sum_f16(const edgediff_f16_t *x, int32_t count) {
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m2((size_t)(count - i));
        total = vfwredusum_vs_f16m2_f32m1(total, vle16_v_f16m2(x + i, vl), total, vl);
        i += (int32_t)vl;
    }
    return vfmv_f_s_f32m1_f32(total);
}

static float squared_deviation_f16(const edgediff_f16_t *x, int32_t count, edgediff_f16_t m16) {
    const size_t vlmax = vsetvlmax_e32m2();
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vlmax);
    int32_t i = 0;
    for (; i + (int32_t)vlmax <= count; i += (int32_t)vlmax) {
        const vfloat32m2_t d = vfwsub_vf_f32m2(vle16_v_f16m1(x + i, vlmax), m16, vlmax);
        acc = vfadd_vv_f32m2(acc, vfmul_vv_f32m2(d, d, vlmax), vlmax);
    }
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    total = vfredusum_vs_f32m2_f32m1(total, acc, total, vlmax);
    if (i < count) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        const vfloat32m2_t d = vfwsub_vf_f32m2(vle16_v_f16m1(x + i, vl), m16, vl);
        total = vfredusum_vs_f32m2_f32m1(total, vfmul_vv_f32m2(d, d, vl), total, vl);
    }
    return vfmv_f_s_f32m1_f32(total);
}

/* y = act(x * scale + shift) over count halves, in FP32; one loop per activation. */
static void normalize_f16(const edgediff_f16_t *x, edgediff_f16_t *y, int32_t count,
                          float scale, float shift, int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e16m1((size_t)(count - i));
            const vfloat32m2_t w = vfwcvt_f_f_v_f32m2(vle16_v_f16m1(x + i, vl), vl);
            const vfloat32m2_t v = vfadd_vf_f32m2(vfmul_vf_f32m2(w, scale, vl), shift, vl);
            vse16_v_f16m1(y + i, vfncvt_f_f_w_f16m1(EDGEDIFF_RVV_SILU(v, vl), vl), vl);
            i += (int32_t)vl;
        }
    } else {
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e16m1((size_t)(count - i));
            const vfloat32m2_t w = vfwcvt_f_f_v_f32m2(vle16_v_f16m1(x + i, vl), vl);
            vfloat32m2_t v = vfadd_vf_f32m2(vfmul_vf_f32m2(w, scale, vl), shift, vl);
            if (act == EDGEDIFF_ACT_RELU) {
                v = vfmax_vf_f32m2(v, 0.0f, vl);
            }
            vse16_v_f16m1(y + i, vfncvt_f_f_w_f16m1(v, vl), vl);
            i += (int32_t)vl;
        }
    }
}

void group_norm_f16_rvv(const group_norm_params_t *p, const edgediff_f16_t *in,
                        const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                        edgediff_f16_t *out) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t spatial = p->spatial;
    const int32_t group_size = channels_per_group * spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    const int32_t act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * spatial;
            const float mean = sum_f16(in + base, group_size) * inv_group_size;
            const edgediff_f16_t m16 = (edgediff_f16_t)mean;
            const float dm = mean - (float)m16;
            float var = squared_deviation_f16(in + base, group_size, m16) * inv_group_size - dm * dm;
            var = var > 0.0f ? var : 0.0f;
            const float rstd = 1.0f / sqrtf(var + p->eps);
            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? (float)gamma[ch] * rstd : rstd;
                const float shift = (beta ? (float)beta[ch] : 0.0f) - mean * scale;
                normalize_f16(in + base + c * spatial, out + base + c * spatial, spatial, scale,
                              shift, act);
            }
        }
    }
}
