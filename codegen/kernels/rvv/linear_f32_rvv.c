/* RVV FP32 fully connected layer, vectorized over output features (8 per instruction):
 * for each input feature i, the column weight[o..o+7][i] (one strided load) times the
 * scalar in[r][i] is added to the accumulators (vfmacc.vf). ACCUMULATION: FP32, bias
 * first, then i in order (the reference's order). Fused activation (SiLU: vector expf,
 * kernels_rvv.h). */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_linear_f32_rvv(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out) {
    const int32_t n_in = p->in_features, n_out = p->out_features;
    const ptrdiff_t column_stride = (ptrdiff_t)n_in * (ptrdiff_t)sizeof(float);
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *x = in + r * n_in;
        for (int32_t o = 0; o < n_out;) {
            const size_t vl = vsetvl_e32m2((size_t)(n_out - o));
            vfloat32m2_t acc = bias ? vle32_v_f32m2(bias + o, vl) : vfmv_v_f_f32m2(0.0f, vl);
            const float *wcol = weight + o * n_in;
            for (int32_t i = 0; i < n_in; ++i) {
                acc = vfmacc_vf_f32m2(acc, x[i], vlse32_v_f32m2(wcol + i, column_stride, vl), vl);
            }
            if (p->act == EDGEDIFF_ACT_SILU) {
                acc = EDGEDIFF_RVV_SILU(acc, vl);
            } else if (p->act == EDGEDIFF_ACT_RELU) {
                acc = vfmax_vf_f32m2(acc, 0.0f, vl);
            }
            vse32_v_f32m2(out + r * n_out + o, acc, vl);
            o += (int32_t)vl;
        }
    }
}
