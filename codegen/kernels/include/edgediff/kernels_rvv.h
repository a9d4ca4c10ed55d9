/* RVV overrides: same signatures as the reference kernels in kernels.h, suffix _rvv.
 * Declared for every target (plain C types), defined only in codegen/kernels/rvv/.
 *
 * The sources target RVV 1.0 with VLEN=128 through clang 14's v0.10 intrinsics (no
 * __riscv_ prefix) and use LMUL <= 2, so one vector instruction covers at most 8 floats or
 * 16 halves (comparable to one MVE instruction). Each file states its accumulation
 * precision. The helpers at the end of this header are private to those sources: they are
 * compiled only when a source defines EDGEDIFF_RVV_INTERNAL and the V extension is on. */
#ifndef EDGEDIFF_KERNELS_RVV_H
#define EDGEDIFF_KERNELS_RVV_H

#include "edgediff/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 3x3 stride 1 pad 1 and 1x1 stride 1 pad 0, dilation 1, groups 1 (see overrides/rvv.py). */
void conv2d_f32_rvv(const conv2d_params_t *p, const float *in, const float *weight,
                    const float *bias, float *out);
void conv2d_f16_rvv(const conv2d_params_t *p, const edgediff_f16_t *in,
                    const edgediff_f16_t *weight, const edgediff_f16_t *bias, edgediff_f16_t *out);

void linear_f32_rvv(const linear_params_t *p, const float *in, const float *weight,
                    const float *bias, float *out);
void linear_f16_rvv(const linear_params_t *p, const edgediff_f16_t *in,
                    const edgediff_f16_t *weight, const edgediff_f16_t *bias, edgediff_f16_t *out);

void group_norm_f32_rvv(const group_norm_params_t *p, const float *in, const float *gamma,
                        const float *beta, float *out);
void group_norm_f16_rvv(const group_norm_params_t *p, const edgediff_f16_t *in,
                        const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                        edgediff_f16_t *out);

void silu_f32_rvv(const float *in, float *out, int32_t count);
void silu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void relu_f32_rvv(const float *in, float *out, int32_t count);
void relu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* Same-shape operands, or [.., C, H, W] op [.., C, 1, 1] (either side broadcast per channel). */
void add_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void sub_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void mul_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void add_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                 edgediff_f16_t *out);
void sub_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                 edgediff_f16_t *out);
void mul_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                 edgediff_f16_t *out);

void concat_f32_rvv(const concat_params_t *p, const float *const *inputs, float *out);
void concat_f16_rvv(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                    edgediff_f16_t *out);

/* Integer factors only (h_out = k * h_in, w_out = m * w_in). */
void upsample_nearest2d_f32_rvv(const upsample_nearest2d_params_t *p, const float *in,
                                float *out);
void upsample_nearest2d_f16_rvv(const upsample_nearest2d_params_t *p, const edgediff_f16_t *in,
                                edgediff_f16_t *out);

void cast_f32_to_f16_rvv(const float *in, edgediff_f16_t *out, int32_t count);
void cast_f16_to_f32_rvv(const edgediff_f16_t *in, float *out, int32_t count);

#ifdef __cplusplus
}
#endif

/* ---- Private helpers of the RVV sources ---------------------------------------------- */
#if defined(EDGEDIFF_RVV_INTERNAL) && defined(__riscv_vector)
#include <riscv_vector.h>

#define EDGEDIFF_RVV_INLINE static inline __attribute__((always_inline))

/* e^t for a vector of floats, t clamped to [-87, 88] (so 2^n stays a normal float; the
 * callers below only need e^t to saturate, not to reach 0 or inf).
 * Range reduction t = n*ln2 + r with n = round(t/ln2) and ln2 split in a high part with 8
 * significant bits (n*ln2_hi is exact for |n| <= 127) and a low part, so |r| <= ln2/2 with
 * an error of about 2^-32. e^r: degree-6 polynomial 1 + r + c2 r^2 + ... + c6 r^6 whose
 * coefficients were fitted here (iteratively reweighted least squares on relative error
 * over [-ln2/2, ln2/2], 0.07 ulp of approximation error); Horner in float adds about one
 * ulp. 2^n is built in the exponent field. The constant vectors are splatted with VLMAX so
 * a loop that inlines this hoists them. */
#define EDGEDIFF_RVV_LOG2E 1.44269504089f
#define EDGEDIFF_RVV_LN2_HI 0.693359375f            /* 355/512, 8 significant bits */
#define EDGEDIFF_RVV_LN2_LO (-2.12194440054690583e-4f) /* ln2 - LN2_HI */
#define EDGEDIFF_RVV_EXP_C2 0.4999999403953552f
#define EDGEDIFF_RVV_EXP_C3 0.1666652113199234f
#define EDGEDIFF_RVV_EXP_C4 0.04166838899254799f
#define EDGEDIFF_RVV_EXP_C5 0.008368710987269878f
#define EDGEDIFF_RVV_EXP_C6 0.0013814629055559635f

EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_exp_f32m2(vfloat32m2_t t, size_t vl) {
    const size_t vlmax = vsetvlmax_e32m2();
    const vfloat32m2_t c5 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C5, vlmax);
    const vfloat32m2_t c4 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C4, vlmax);
    const vfloat32m2_t c3 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C3, vlmax);
    const vfloat32m2_t c2 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C2, vlmax);
    const vfloat32m2_t one = vfmv_v_f_f32m2(1.0f, vlmax);
    t = vfmin_vf_f32m2(t, 88.0f, vl);
    t = vfmax_vf_f32m2(t, -87.0f, vl);
    const vint32m2_t n = vfcvt_x_f_v_i32m2(vfmul_vf_f32m2(t, EDGEDIFF_RVV_LOG2E, vl), vl);
    const vfloat32m2_t nf = vfcvt_f_x_v_f32m2(n, vl);
    vfloat32m2_t r = vfnmsac_vf_f32m2(t, EDGEDIFF_RVV_LN2_HI, nf, vl);
    r = vfnmsac_vf_f32m2(r, EDGEDIFF_RVV_LN2_LO, nf, vl);
    vfloat32m2_t q = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C6, vl);
    q = vfmadd_vv_f32m2(q, r, c5, vl); /* q = q * r + c5 */
    q = vfmadd_vv_f32m2(q, r, c4, vl);
    q = vfmadd_vv_f32m2(q, r, c3, vl);
    q = vfmadd_vv_f32m2(q, r, c2, vl);
    q = vfmadd_vv_f32m2(q, r, one, vl); /* c1 = 1 */
    q = vfmadd_vv_f32m2(q, r, one, vl); /* c0 = 1 */
    const vint32m2_t bits = vsll_vx_i32m2(vadd_vx_i32m2(n, 127, vl), 23, vl);
    return vfmul_vv_f32m2(q, vreinterpret_v_i32m2_f32m2(bits), vl);
}

/* silu(x) = x / (1 + e^-x), as the reference writes it. For x < -87 the clamped e^-x
 * (about 1e38) gives a result below 1e-36 where the reference gives -0; for x > 87 it
 * gives x. */
EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_silu_f32m2(vfloat32m2_t x, size_t vl) {
    const vfloat32m2_t e = edgediff_rvv_exp_f32m2(vfneg_v_f32m2(x, vl), vl);
    return vfdiv_vv_f32m2(x, vfadd_vf_f32m2(e, 1.0f, vl), vl);
}

/* SiLU of up to 16 halves: each half of the register group widened to float (exact),
 * computed as above, rounded once to half. */
EDGEDIFF_RVV_INLINE vfloat16m2_t edgediff_rvv_silu_f16m2(vfloat16m2_t x, size_t vl) {
    const size_t half = vsetvlmax_e16m1();
    const size_t vl0 = vl < half ? vl : half;
    const size_t vl1 = vl - vl0;
    vfloat16m2_t y = x;
    y = vset_v_f16m1_f16m2(y, 0, vfncvt_f_f_w_f16m1(edgediff_rvv_silu_f32m2(
            vfwcvt_f_f_v_f32m2(vget_v_f16m2_f16m1(x, 0), vl0), vl0), vl0));
    if (vl1 > 0) {
        y = vset_v_f16m1_f16m2(y, 1, vfncvt_f_f_w_f16m1(edgediff_rvv_silu_f32m2(
                vfwcvt_f_f_v_f32m2(vget_v_f16m2_f16m1(x, 1), vl1), vl1), vl1));
    }
    return y;
}

#endif /* EDGEDIFF_RVV_INTERNAL && __riscv_vector */

#endif /* EDGEDIFF_KERNELS_RVV_H */
