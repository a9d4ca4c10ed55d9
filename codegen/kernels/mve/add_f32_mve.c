/* FP32 broadcasting addition for Arm MVE (Helium), for the UNet's shapes: each operand is
 * either dense in the two innermost dims or constant over them (a [1,C,1,1] per-channel
 * operand, a scalar), with any strides on the two outer dims (the predicate in
 * overrides/mve.py checks this). Rows of shape[2]*shape[3] elements are processed 4 lanes at a
 * time; a constant operand is a vector-by-scalar op. Same FP32 arithmetic as the reference. A
 * fused ReLU / SiLU acts on the result vector (SiLU ~3 ulp). out may alias a dense operand
 * (each vector is read before it is written). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"


void add_f32_mve(const binary_params_t *p, const float *a, const float *b, float *out) {
    const int32_t *shape = p->out_shape, *as = p->a_strides, *bs = p->b_strides;
    const int32_t inner = shape[2] * shape[3], act = p->act;
    /* dense: inner elements contiguous; otherwise constant over the inner dims */
    const int32_t a_dense = (shape[3] == 1 || as[3] != 0) && (shape[2] == 1 || as[2] != 0);
    const int32_t b_dense = (shape[3] == 1 || bs[3] != 0) && (shape[2] == 1 || bs[2] != 0);
    const int32_t full = inner - inner % 4;
    float *o = out;
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1, o += inner) {
            const float *ar = a + i0 * as[0] + i1 * as[1];
            const float *br = b + i0 * bs[0] + i1 * bs[1];
            const float a0 = ar[0], b0 = br[0];
            for (int32_t i = 0; i < inner; i += 4) {
                const mve_pred16_t m = vctp32q((uint32_t)(inner - i));
                float32x4_t y;
                if (i < full) {
                    if (a_dense && b_dense) {
                        y = vaddq_f32(vld1q_f32(ar + i), vld1q_f32(br + i));
                    } else if (a_dense) {
                        y = vaddq_n_f32(vld1q_f32(ar + i), b0);
                    } else if (b_dense) {
                        y = vaddq_n_f32(vld1q_f32(br + i), a0);
                    } else {
                        y = vaddq_n_f32(vdupq_n_f32(a0), b0);
                    }
                    vst1q_f32(o + i, edgediff_mve_act_f32(y, act));
                } else {
                    const float32x4_t va = a_dense ? vldrwq_z_f32(ar + i, m) : vdupq_n_f32(a0);
                    const float32x4_t vb = b_dense ? vldrwq_z_f32(br + i, m) : vdupq_n_f32(b0);
                    vstrwq_p_f32(o + i, edgediff_mve_act_f32(vaddq_f32(va, vb), act), m);
                }
            }
        }
    }
}
