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

typedef float elem_t;
#define EDGEDIFF_VSETVL_W(n) vsetvl_e32m2(n)
#define EDGEDIFF_VLOAD_W(x, vl) vle32_v_f32m2((x), (vl))
#define EDGEDIFF_VSTORE_W(y, v, vl) vse32_v_f32m2((y), (v), (vl))
#define EDGEDIFF_VDEVIATION_W(x, m, vl) vfsub_vf_f32m2(vle32_v_f32m2((x), (vl)), (m), (vl))
#include "edgediff/internal/group_norm_rvv.h"

/* Vector partial sums, one reduction at the end. */
static float group_sum(const elem_t *x, int32_t count) {
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

/* From the mean, so no E[x^2] - E[x]^2 cancellation. */
static float group_variance(const elem_t *x, int32_t count, float mean, float inv_count) {
    return squared_deviation(x, count, mean) * inv_count;
}

void edgediff_group_norm_f32_rvv(const group_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out) {
    group_norm(p, in, gamma, beta, out);
}
