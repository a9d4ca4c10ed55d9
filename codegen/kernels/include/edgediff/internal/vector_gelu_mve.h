/*
 * The MVE vector GELU (erf and tanh forms) and sigmoid of mve/gelu_*_mve.c,
 * gelu_tanh_*_mve.c and sigmoid_*_mve.c, on float32x4_t; the method and constants are in
 * vector_gelu_consts.h (the same float computation as the RVV kernels, except the divides:
 * MVE has none, so quotients are a reciprocal by Newton's method). Not part of the public
 * API; include after kernels_mve.h with EDGEDIFF_MVE_IMPL defined.
 */
#ifndef EDGEDIFF_VECTOR_GELU_MVE_H
#define EDGEDIFF_VECTOR_GELU_MVE_H

#include "edgediff/internal/vector_gelu_consts.h"

#define EDGEDIFF_VG_INLINE static inline __attribute__((always_inline))

/* e^t 2^64 for t in [-190 ln2, 0] (t_lo a correction added to the reduced argument). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_vg_exp64(float32x4_t t, float32x4_t t_lo) {
    const float32x4_t nf = vrndnq_f32(vmulq_n_f32(t, EDGEDIFF_VG_LOG2E));
    float32x4_t r = vfmaq_n_f32(t, nf, -EDGEDIFF_VG_LN2_HI);
    r = vfmaq_n_f32(r, nf, -EDGEDIFF_VG_LN2_LO);
    r = vaddq_f32(r, t_lo);
    float32x4_t p = vdupq_n_f32(EDGEDIFF_VG_EXP_C6);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C5);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C4);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C3);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C2);
    p = vfmasq_n_f32(p, r, 1.0f);
    p = vfmasq_n_f32(p, r, 1.0f);
    const int32x4_t bits = vshlq_n_s32(vaddq_n_s32(vcvtq_s32_f32(nf), EDGEDIFF_VG_EXP_BIAS), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

/* e^t 2^64 without a correction term (gelu_tanh, sigmoid). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_vg_exp64_1(float32x4_t t) {
    const float32x4_t nf = vrndnq_f32(vmulq_n_f32(t, EDGEDIFF_VG_LOG2E));
    float32x4_t r = vfmaq_n_f32(t, nf, -EDGEDIFF_VG_LN2_HI);
    r = vfmaq_n_f32(r, nf, -EDGEDIFF_VG_LN2_LO);
    float32x4_t p = vdupq_n_f32(EDGEDIFF_VG_EXP_C6);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C5);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C4);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C3);
    p = vfmasq_n_f32(p, r, EDGEDIFF_VG_EXP_C2);
    p = vfmasq_n_f32(p, r, 1.0f);
    p = vfmasq_n_f32(p, r, 1.0f);
    const int32x4_t bits = vshlq_n_s32(vaddq_n_s32(vcvtq_s32_f32(nf), EDGEDIFF_VG_EXP_BIAS), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

/* 1/d for d in [1, 2]: the linear minimax start 24/17 - 8/17 d (relative error 1/17) and
 * three Newton steps (error 1/17 -> 3.5e-3 -> 1.2e-5 -> 1.5e-10, plus ~2 u of rounding). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_vg_recip12(float32x4_t d) {
    const float32x4_t nd = vnegq_f32(d);
    float32x4_t r = vaddq_n_f32(vmulq_n_f32(d, -8.0f / 17.0f), 24.0f / 17.0f);
    r = vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f)); /* r (2 - d r) */
    r = vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f));
    return vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f));
}

/* num / d for positive normal d: 2^(2 log2 of the bits) estimate (0x7EF311C3 - bits(d),
 * relative error < 1/8), three Newton steps (< 6e-8 + rounding), then the quotient with one
 * residual correction (num - q d by FMA), within about 1.5 u. */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_vg_div(float32x4_t num, float32x4_t d) {
    const float32x4_t nd = vnegq_f32(d);
    float32x4_t r = vreinterpretq_f32_s32(
        vsubq_s32(vdupq_n_s32(0x7EF311C3), vreinterpretq_s32_f32(d)));
    r = vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f)); /* r (2 - d r) */
    r = vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f));
    r = vmulq_f32(r, vfmasq_n_f32(nd, r, 2.0f));
    const float32x4_t q = vmulq_f32(num, r);
    return vfmaq_f32(q, vfmaq_f32(num, nd, q), r);
}

/* x Phi(x): a = min(|x|, 15), R = P4(a) / Q5(a), g = R e^(-a^2/2) 2^64 (a^2 = hh + lo, lo
 * exact by FMA); x < 0: x g 2^-64 (x clamped to -15, so -inf gives -0, the limit), else
 * x (1 - g 2^-64). The polynomials are Horner steps whose coefficient comes from a core
 * register (VFMAS: one instruction per step, no vector constant held in the 8 Q registers);
 * positive terms, one rounding per step (5 and 6 deep: the first step multiplies, then adds). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_gelu_f32(float32x4_t x) {
    const float32x4_t a = vminnmaq_f32(x, vdupq_n_f32(EDGEDIFF_VG_GELU_A_MAX)); /* min |.| */
    const float32x4_t hh = vmulq_f32(a, a);
    float32x4_t rp = vaddq_n_f32(vmulq_n_f32(a, EDGEDIFF_VG_P4), EDGEDIFF_VG_P3);
    rp = vfmasq_n_f32(rp, a, EDGEDIFF_VG_P2);
    rp = vfmasq_n_f32(rp, a, EDGEDIFF_VG_P1);
    rp = vfmasq_n_f32(rp, a, EDGEDIFF_VG_P0);
    float32x4_t rq = vaddq_n_f32(vmulq_n_f32(a, EDGEDIFF_VG_Q5), EDGEDIFF_VG_Q4);
    rq = vfmasq_n_f32(rq, a, EDGEDIFF_VG_Q3);
    rq = vfmasq_n_f32(rq, a, EDGEDIFF_VG_Q2);
    rq = vfmasq_n_f32(rq, a, EDGEDIFF_VG_Q1);
    rq = vfmasq_n_f32(rq, a, EDGEDIFF_VG_Q0);
    const float32x4_t rat = edgediff_mve_vg_div(rp, rq);
    /* t = -hh/2 (exact), t_lo = (hh - a*a)/2 = -lo/2 */
    const float32x4_t t_lo = vmulq_n_f32(vfmsq_f32(hh, a, a), 0.5f);
    const float32x4_t g = vmulq_f32(edgediff_mve_vg_exp64(vmulq_n_f32(hh, -0.5f), t_lo), rat);
    const float32x4_t yn = vmulq_n_f32(
        vmulq_f32(vmaxnmq_f32(x, vdupq_n_f32(-EDGEDIFF_VG_GELU_A_MAX)), g), EDGEDIFF_VG_TWO_M64);
    const float32x4_t yp =
        vmulq_f32(x, vfmaq_n_f32(vdupq_n_f32(1.0f), g, -EDGEDIFF_VG_TWO_M64));
    return vpselq_f32(yn, yp, vcmpltq_n_f32(x, 0.0f));
}

/* num sigmoid(s) for num = x, s = x (K1 + K3 x^2) (gelu_tanh) or num = 1, s = x (sigmoid):
 * p = e^-|s| 2^64, d = 1 + p 2^-64; s >= 0: num / d, else (max(num, -16) p / d) 2^-64. The
 * positive side takes no residual correction (it would turn num = inf into NaN). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_vg_num_sigmoid(float32x4_t num, float32x4_t s,
                                                           float32x4_t x, float s_max) {
    const float32x4_t p =
        edgediff_mve_vg_exp64_1(vmaxnmq_f32(vnegq_f32(vabsq_f32(s)), vdupq_n_f32(-s_max)));
    const float32x4_t rc =
        edgediff_mve_vg_recip12(vfmaq_n_f32(vdupq_n_f32(1.0f), p, EDGEDIFF_VG_TWO_M64));
    const float32x4_t yp = vmulq_f32(num, rc);
    const float32x4_t yn = vmulq_n_f32(
        vmulq_f32(vmulq_f32(vmaxnmq_f32(num, vdupq_n_f32(-EDGEDIFF_VG_X_MAX)), p), rc),
        EDGEDIFF_VG_TWO_M64);
    return vpselq_f32(yn, yp, vcmpltq_n_f32(x, 0.0f));
}

EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_gelu_tanh_f32(float32x4_t x) {
    const float32x4_t w = vfmaq_n_f32(vdupq_n_f32(EDGEDIFF_VG_K1), vmulq_f32(x, x), EDGEDIFF_VG_K3);
    return edgediff_mve_vg_num_sigmoid(x, vmulq_f32(w, x), x, EDGEDIFF_VG_S_MAX);
}

/* sigmoid(x); NaN in gives NaN out (the clamp inside drops it, the select restores it). */
EDGEDIFF_VG_INLINE float32x4_t edgediff_mve_sigmoid_f32(float32x4_t x) {
    const float32x4_t y = edgediff_mve_vg_num_sigmoid(vdupq_n_f32(1.0f), x, x, EDGEDIFF_VG_SIG_MAX);
    return vpselq_f32(y, x, vcmpeqq_f32(x, x));
}

/* An FP16 vector through the FP32 function: widen even and odd lanes, round once to half. */
#define EDGEDIFF_MVE_VG_F16(fn, h) \
    edgediff_mve_narrow(fn(edgediff_mve_widen_b(h)), fn(edgediff_mve_widen_t(h)))

#undef EDGEDIFF_VG_INLINE
#endif /* EDGEDIFF_VECTOR_GELU_MVE_H */
