/* RVV FP16 fully connected layer, vectorized over output features (8 per instruction): for
 * each input feature i, the column weight[o..o+7][i] (one strided load of halves) times the
 * half in[r][i] is added to FP32 accumulators with a widening multiply-add (vfwmacc.vf: the
 * product of two halves is exact in FP32). ACCUMULATION: FP32, bias first, then i in order,
 * as the reference; activation in FP32 (SiLU: vector expf, kernels_rvv.h); one rounding to
 * half. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_linear_f16_rvv(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out) {
    const int32_t n_in = p->in_features, n_out = p->out_features;
    const ptrdiff_t column_stride = (ptrdiff_t)n_in * (ptrdiff_t)sizeof(edgediff_f16_t);
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t r = 0; r < p->rows; ++r) {
        const edgediff_f16_t *x = in + r * n_in;
        for (int32_t o = 0; o < n_out;) {
            const size_t vl = vsetvl_e16m1((size_t)(n_out - o));
            vfloat32m2_t acc = bias ? vfwcvt_f_f_v_f32m2(vle16_v_f16m1(bias + o, vl), vl)
                                    : vfmv_v_f_f32m2(0.0f, vl);
            const edgediff_f16_t *wcol = weight + o * n_in;
            for (int32_t i = 0; i < n_in; ++i) {
                acc = vfwmacc_vf_f32m2(acc, x[i], vlse16_v_f16m1(wcol + i, column_stride, vl), vl);
            }
            if (p->act == EDGEDIFF_ACT_SILU) {
                acc = EDGEDIFF_RVV_SILU(acc, vl);
            } else if (p->act == EDGEDIFF_ACT_RELU) {
                acc = vfmax_vf_f32m2(acc, 0.0f, vl);
            }
            vse16_v_f16m1(out + r * n_out + o, vfncvt_f_f_w_f16m1(acc, vl), vl);
            o += (int32_t)vl;
        }
    }
}
