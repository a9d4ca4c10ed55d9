/* Internal to group_norm_f16_rvv.c and group_norm_f32_rvv.c; not part of the API.
 * The parts of the RVV group norm both element types share, written once over the element
 * type: the squared-deviation pass, the normalize-and-activate pass and the loop over
 * groups. Statistics and output are computed in FP32 at 8 lanes (LMUL 2) whatever the
 * storage type. A small template: the including file defines EDGEDIFF_RVV_INTERNAL,
 * includes <math.h> and edgediff/kernels.h, then defines
 *   elem_t                    the storage type;
 *   EDGEDIFF_VSETVL_W(n)               vsetvl for n elements, at most 8 (one FP32 LMUL 2 vector);
 *   EDGEDIFF_VLOAD_W(x, vl)            vl elements at x as FP32 (vfloat32m2_t);
 *   EDGEDIFF_VSTORE_W(y, v, vl)        v stored as vl elements at y (one rounding);
 *   EDGEDIFF_VDEVIATION_W(x, m, vl)    x - m in FP32, for elem_t m (exact for FP16);
 * includes this header, and defines the two statistics this header declares:
 *   group_sum(x, count)                     the sum of count elements;
 *   group_variance(x, count, mean, inv)     the variance, given the mean and 1 / count.
 * group_norm() is then the kernel. */
#ifndef EDGEDIFF_RVV_GROUP_NORM_RVV_H
#define EDGEDIFF_RVV_GROUP_NORM_RVV_H

static float group_sum(const elem_t *x, int32_t count);
static float group_variance(const elem_t *x, int32_t count, float mean, float inv_count);

/* Sum of squared deviations (from m) of count elements: FP32 partial sums, one reduction
 * at the end. */
static inline float squared_deviation(const elem_t *x, int32_t count, elem_t m) {
    const size_t vlmax = vsetvlmax_e32m2();
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vlmax);
    int32_t i = 0;
    for (; i + (int32_t)vlmax <= count; i += (int32_t)vlmax) {
        const vfloat32m2_t d = EDGEDIFF_VDEVIATION_W(x + i, m, vlmax);
        acc = vfadd_vv_f32m2(acc, vfmul_vv_f32m2(d, d, vlmax), vlmax); /* no vsetvli toggle */
    }
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    total = vfredusum_vs_f32m2_f32m1(total, acc, total, vlmax);
    if (i < count) {
        const size_t vl = EDGEDIFF_VSETVL_W((size_t)(count - i));
        const vfloat32m2_t d = EDGEDIFF_VDEVIATION_W(x + i, m, vl);
        total = vfredusum_vs_f32m2_f32m1(total, vfmul_vv_f32m2(d, d, vl), total, vl);
    }
    return vfmv_f_s_f32m1_f32(total);
}

/* y = act(x * scale + shift) over count elements, in FP32; one loop per activation. */
static inline void normalize(const elem_t *x, elem_t *y, int32_t count, float scale,
                             float shift, int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        for (int32_t i = 0; i < count;) {
            const size_t vl = EDGEDIFF_VSETVL_W((size_t)(count - i));
            const vfloat32m2_t v =
                vfadd_vf_f32m2(vfmul_vf_f32m2(EDGEDIFF_VLOAD_W(x + i, vl), scale, vl), shift, vl);
            EDGEDIFF_VSTORE_W(y + i, EDGEDIFF_RVV_SILU(v, vl), vl);
            i += (int32_t)vl;
        }
    } else {
        for (int32_t i = 0; i < count;) {
            const size_t vl = EDGEDIFF_VSETVL_W((size_t)(count - i));
            vfloat32m2_t v =
                vfadd_vf_f32m2(vfmul_vf_f32m2(EDGEDIFF_VLOAD_W(x + i, vl), scale, vl), shift, vl);
            if (act == EDGEDIFF_ACT_RELU) {
                v = vfmax_vf_f32m2(v, 0.0f, vl);
            }
            EDGEDIFF_VSTORE_W(y + i, v, vl);
            i += (int32_t)vl;
        }
    }
}

/* Two passes over each group (contiguous: the channels of a group are adjacent planes) for
 * the statistics, then one per channel with scale = gamma * rstd and shift = beta -
 * mean * scale formed in FP32. */
static inline void group_norm(const group_norm_params_t *p, const elem_t *in,
                              const elem_t *gamma, const elem_t *beta, elem_t *out) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t spatial = p->spatial;
    const int32_t group_size = channels_per_group * spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    const int32_t act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * spatial;
            const float mean = group_sum(in + base, group_size) * inv_group_size;
            const float var = group_variance(in + base, group_size, mean, inv_group_size);
            const float rstd = 1.0f / sqrtf(var + p->eps);
            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? (float)gamma[ch] * rstd : rstd;
                const float shift = (beta ? (float)beta[ch] : 0.0f) - mean * scale;
                normalize(in + base + c * spatial, out + base + c * spatial, spatial, scale,
                          shift, act);
            }
        }
    }
}

#endif /* EDGEDIFF_RVV_GROUP_NORM_RVV_H */
