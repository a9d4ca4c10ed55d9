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

typedef edgediff_f16_t elem_t;
#define EDGEDIFF_VSETVL_W(n) vsetvl_e16m1(n)
#define EDGEDIFF_VLOAD_W(x, vl) vfwcvt_f_f_v_f32m2(vle16_v_f16m1((x), (vl)), (vl))
#define EDGEDIFF_VSTORE_W(y, v, vl) vse16_v_f16m1((y), vfncvt_f_f_w_f16m1((v), (vl)), (vl))
#define EDGEDIFF_VDEVIATION_W(x, m, vl) vfwsub_vf_f32m2(vle16_v_f16m1((x), (vl)), (m), (vl))
#include "edgediff/internal/group_norm_rvv.h"

/* 16 halves per widening reduction (vfwredusum, FP32 accumulator). */
static float group_sum(const elem_t *x, int32_t count) {
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m2((size_t)(count - i));
        total = vfwredusum_vs_f16m2_f32m1(total, vle16_v_f16m2(x + i, vl), total, vl);
        i += (int32_t)vl;
    }
    return vfmv_f_s_f32m1_f32(total);
}

/* Squared deviations from the mean rounded to half, m16 (exact in FP32), corrected exactly
 * for that rounding: sum (x - m)^2 / M = sum (x - m16)^2 / M - (m - m16)^2. */
static float group_variance(const elem_t *x, int32_t count, float mean, float inv_count) {
    const edgediff_f16_t m16 = (edgediff_f16_t)mean;
    const float dm = mean - (float)m16;
    const float var = squared_deviation(x, count, m16) * inv_count - dm * dm;
    return var > 0.0f ? var : 0.0f;
}

void edgediff_group_norm_f16_rvv(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out) {
    group_norm(p, in, gamma, beta, out);
}
