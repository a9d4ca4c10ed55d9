/* FP16 broadcasting multiplication for Arm MVE (Helium), for the UNet's shapes: each operand
 * is either dense in the two innermost dims or constant over them (a [1,C,1,1] per-channel
 * operand, a scalar), with any strides on the two outer dims (the predicate in
 * overrides/mve.py checks this). Rows of shape[2]*shape[3] elements are processed 8 lanes at a
 * time; a constant operand is a vector-by-scalar op. The FP16 operation is correctly rounded,
 * so it equals the reference's FP32 operation rounded once to half. A fused ReLU / SiLU acts
 * on the result vector (SiLU through FP32). out may alias a dense operand (each vector is read
 * before it is written). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define CH(p) ((const float16_t *)(const void *)(p))
#define H(p) ((float16_t *)(void *)(p))

void mul_f16_mve(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
               edgediff_f16_t *out) {
    const int32_t *shape = p->out_shape, *as = p->a_strides, *bs = p->b_strides;
    const int32_t inner = shape[2] * shape[3], act = p->act;
    /* dense: inner elements contiguous; otherwise constant over the inner dims */
    const int32_t a_dense = (shape[3] == 1 || as[3] != 0) && (shape[2] == 1 || as[2] != 0);
    const int32_t b_dense = (shape[3] == 1 || bs[3] != 0) && (shape[2] == 1 || bs[2] != 0);
    const int32_t full = inner - inner % 8;
    edgediff_f16_t *o = out;
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1, o += inner) {
            const edgediff_f16_t *ar = a + i0 * as[0] + i1 * as[1];
            const edgediff_f16_t *br = b + i0 * bs[0] + i1 * bs[1];
            const _Float16 a0 = ar[0], b0 = br[0];
            for (int32_t i = 0; i < inner; i += 8) {
                const mve_pred16_t m = vctp16q((uint32_t)(inner - i));
                float16x8_t y;
                if (i < full) {
                    if (a_dense && b_dense) {
                        y = vmulq_f16(vld1q_f16(CH(ar + i)), vld1q_f16(CH(br + i)));
                    } else if (a_dense) {
                        y = vmulq_n_f16(vld1q_f16(CH(ar + i)), b0);
                    } else if (b_dense) {
                        y = vmulq_n_f16(vld1q_f16(CH(br + i)), a0);
                    } else {
                        y = vmulq_n_f16(vdupq_n_f16(a0), b0);
                    }
                    vst1q_f16(H(o + i), edgediff_mve_act_f16(y, act));
                } else {
                    const float16x8_t va =
                        a_dense ? vldrhq_z_f16(CH(ar + i), m) : vdupq_n_f16(a0);
                    const float16x8_t vb =
                        b_dense ? vldrhq_z_f16(CH(br + i), m) : vdupq_n_f16(b0);
                    vstrhq_p_f16(H(o + i), edgediff_mve_act_f16(vmulq_f16(va, vb), act), m);
                }
            }
        }
    }
}
