/* RVV FP32 group norm with the activation fused (8 floats per instruction, LMUL 2).
 *
 * Statistics in FP32 as the reference, two passes over each group (contiguous: channels
 * of a group are adjacent planes): the sum (vector partial sums, one reduction at the
 * end), then the sum of squared deviations from the mean (so no E[x^2] - E[x]^2
 * cancellation). The output step is x * scale + shift with scale = gamma * rstd and
 * shift = beta - mean * scale formed per channel in FP32 (a multiply and an add: the
 * multiply-add intrinsic would cost two vsetvli with clang 14), then the activation (SiLU:
 * vector expf, kernels_rvv.h). */
#define EDGEDIFF_RVV_INTERNAL
#include <math.h>

#include "edgediff/kernels.h"

/* Sum and sum of squared deviations (from `mean`) of count floats. */
static float sum_f32(const float *x, int32_t count) {
    const size_t vlmax = vsetvlmax_e32m2();
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vlmax);
    int32_t i = 0;
    for (; i + (int32_t)vlmax <= count; i += (int32_t)vlmax) {
        acc = vfadd_vv_f32m2(acc, vle32_v_f32m2(x + i, vlmax), vlmax);
    }
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    total = vfredusum_vs_f32m2_f32m1(total, acc, total, vlmax);
    if (i < count) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        total = vfredusum_vs_f32m2_f32m1(total, vle32_v_f32m2(x + i, vl), total, vl);
    }
    return vfmv_f_s_f32m1_f32(total);
}

static float squared_deviation_f32(const float *x, int32_t count, float mean) {
    const size_t vlmax = vsetvlmax_e32m2();
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vlmax);
    int32_t i = 0;
    for (; i + (int32_t)vlmax <= count; i += (int32_t)vlmax) {
        const vfloat32m2_t d = vfsub_vf_f32m2(vle32_v_f32m2(x + i, vlmax), mean, vlmax);
        acc = vfadd_vv_f32m2(acc, vfmul_vv_f32m2(d, d, vlmax), vlmax); /* no vsetvli toggle */
    }
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    total = vfredusum_vs_f32m2_f32m1(total, acc, total, vlmax);
    if (i < count) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        const vfloat32m2_t d = vfsub_vf_f32m2(vle32_v_f32m2(x + i, vl), mean, vl);
        total = vfredusum_vs_f32m2_f32m1(total, vfmul_vv_f32m2(d, d, vl), total, vl);
    }
    return vfmv_f_s_f32m1_f32(total);
}

/* y = act(x * scale + shift) over count floats; one loop per activation. */
static void normalize_f32(const float *x, float *y, int32_t count, float scale, float shift,
                          int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e32m2((size_t)(count - i));
            const vfloat32m2_t v =
                vfadd_vf_f32m2(vfmul_vf_f32m2(vle32_v_f32m2(x + i, vl), scale, vl), shift, vl);
            vse32_v_f32m2(y + i, EDGEDIFF_RVV_SILU(v, vl), vl);
            i += (int32_t)vl;
        }
    } else {
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e32m2((size_t)(count - i));
            vfloat32m2_t v =
                vfadd_vf_f32m2(vfmul_vf_f32m2(vle32_v_f32m2(x + i, vl), scale, vl), shift, vl);
            if (act == EDGEDIFF_ACT_RELU) {
                v = vfmax_vf_f32m2(v, 0.0f, vl);
            }
            vse32_v_f32m2(y + i, v, vl);
            i += (int32_t)vl;
        }
    }
}

void group_norm_f32_rvv(const group_norm_params_t *p, const float *in, const float *gamma,
                        const float *beta, float *out) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t spatial = p->spatial;
    const int32_t group_size = channels_per_group * spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    const int32_t act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * spatial;
            const float mean = sum_f32(in + base, group_size) * inv_group_size;
            const float var = squared_deviation_f32(in + base, group_size, mean) * inv_group_size;
            const float rstd = 1.0f / sqrtf(var + p->eps);
            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? gamma[ch] * rstd : rstd;
                const float shift = (beta ? beta[ch] : 0.0f) - mean * scale;
                normalize_f32(in + base + c * spatial, out + base + c * spatial, spatial, scale,
                              shift, act);
            }
        }
    }
}
