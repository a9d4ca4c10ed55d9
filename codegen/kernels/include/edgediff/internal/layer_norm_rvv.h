/* The RVV layer norms (layer_norm_f32_rvv.c, _f16_rvv.c) over [outer][size][inner], written
 * once over the element type; internal to codegen/kernels. The includer defines
 * EDGEDIFF_LN_F16 for halves (else floats) and EDGEDIFF_LN_NAME.
 *
 * Statistics in FP32 always (halves widened, exactly), e32 LMUL 2 (8 lanes): the reference's
 * two passes (mean, then mean of squared deviations) and rstd = 1 / sqrt(var + eps)
 * (vfsqrt and vfrdiv are correctly rounded, as sqrtf and the divide), in a different
 * summation order; the affine step (x - mean) * (gamma * rstd) + beta and the activation in
 * FP32, then one rounding to the element type. inner == 1 (nn.LayerNorm over the last dim):
 * vectorised along the row of `size` elements, partial sums in one vector reduced once per
 * pass. inner > 1 (LayerNorm over the channels of an NCHW image): vectorised over up to 8
 * pixels (contiguous), each lane with its own statistics over the `size` channels. */
#ifndef EDGEDIFF_LN_NAME
#error "define EDGEDIFF_LN_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

#ifdef EDGEDIFF_LN_F16
#define EDGEDIFF_LN_ELEM edgediff_f16_t
#define EDGEDIFF_LN_LOAD(p, vl) vfwcvt_f_f_v_f32m2(vle16_v_f16m1((p), (vl)), (vl))
#define EDGEDIFF_LN_STORE(p, v, vl) vse16_v_f16m1((p), vfncvt_f_f_w_f16m1((v), (vl)), (vl))
#else
#define EDGEDIFF_LN_ELEM float
#define EDGEDIFF_LN_LOAD(p, vl) vle32_v_f32m2((p), (vl))
#define EDGEDIFF_LN_STORE(p, v, vl) vse32_v_f32m2((p), (v), (vl))
#endif

/* The fused activation of vl FP32 outputs, rounded once and stored. */
EDGEDIFF_RVV_INLINE void edgediff_ln_store(EDGEDIFF_LN_ELEM *y, vfloat32m2_t v, int32_t act,
                                           size_t vl) {
    if (act == EDGEDIFF_ACT_RELU) {
        v = vfmax_vf_f32m2(v, 0.0f, vl);
    } else if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        v = EDGEDIFF_RVV_SILU(v, vl);
    }
    EDGEDIFF_LN_STORE(y, v, vl);
}

/* Sum of count elements (m = 0), or of their squared deviations from m: FP32 partial sums
 * in one vector, one reduction at the end (and one for the partial last strip). */
EDGEDIFF_RVV_INLINE float edgediff_ln_row_sum(const EDGEDIFF_LN_ELEM *x, int32_t count, float m,
                                              const int32_t squares) {
    const size_t vlmax = vsetvlmax_e32m2();
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vlmax);
    int32_t i = 0;
    for (; i + (int32_t)vlmax <= count; i += (int32_t)vlmax) {
        vfloat32m2_t v = EDGEDIFF_LN_LOAD(x + i, vlmax);
        if (squares) {
            v = vfsub_vf_f32m2(v, m, vlmax);
            v = vfmul_vv_f32m2(v, v, vlmax);
        }
        acc = vfadd_vv_f32m2(acc, v, vlmax);
    }
    vfloat32m1_t total = vfmv_v_f_f32m1(0.0f, 1);
    total = vfredusum_vs_f32m2_f32m1(total, acc, total, vlmax);
    if (i < count) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vfloat32m2_t v = EDGEDIFF_LN_LOAD(x + i, vl);
        if (squares) {
            v = vfsub_vf_f32m2(v, m, vl);
            v = vfmul_vv_f32m2(v, v, vl);
        }
        total = vfredusum_vs_f32m2_f32m1(total, v, total, vl);
    }
    return vfmv_f_s_f32m1_f32(total);
}

/* One row of `size` contiguous elements. */
EDGEDIFF_RVV_INLINE void edgediff_ln_row(const layer_norm_params_t *p, const EDGEDIFF_LN_ELEM *x,
                                         const EDGEDIFF_LN_ELEM *gamma,
                                         const EDGEDIFF_LN_ELEM *beta, EDGEDIFF_LN_ELEM *y,
                                         float inv_size) {
    const int32_t size = p->size;
    const float mean = edgediff_ln_row_sum(x, size, 0.0f, 0) * inv_size;
    const float var = edgediff_ln_row_sum(x, size, mean, 1) * inv_size;
    const float rstd = 1.0f / __builtin_sqrtf(var + p->eps);
    for (int32_t i = 0; i < size;) {
        const size_t vl = vsetvl_e32m2((size_t)(size - i));
        vfloat32m2_t v = vfsub_vf_f32m2(EDGEDIFF_LN_LOAD(x + i, vl), mean, vl);
        v = gamma ? vfmul_vv_f32m2(v, vfmul_vf_f32m2(EDGEDIFF_LN_LOAD(gamma + i, vl), rstd, vl), vl)
                  : vfmul_vf_f32m2(v, rstd, vl);
        if (beta) {
            v = vfadd_vv_f32m2(v, EDGEDIFF_LN_LOAD(beta + i, vl), vl);
        }
        edgediff_ln_store(y + i, v, p->act, vl);
        i += (int32_t)vl;
    }
}

/* vl pixels of one image: `size` channels, `inner` apart. */
EDGEDIFF_RVV_INLINE void edgediff_ln_pixels(const layer_norm_params_t *p,
                                            const EDGEDIFF_LN_ELEM *x,
                                            const EDGEDIFF_LN_ELEM *gamma,
                                            const EDGEDIFF_LN_ELEM *beta, EDGEDIFF_LN_ELEM *y,
                                            size_t vl, float inv_size) {
    const int32_t size = p->size, inner = p->inner;
    vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vl);
    for (int32_t i = 0; i < size; ++i) {
        acc = vfadd_vv_f32m2(acc, EDGEDIFF_LN_LOAD(x + i * inner, vl), vl);
    }
    const vfloat32m2_t mean = vfmul_vf_f32m2(acc, inv_size, vl);
    acc = vfmv_v_f_f32m2(0.0f, vl);
    for (int32_t i = 0; i < size; ++i) {
        const vfloat32m2_t d = vfsub_vv_f32m2(EDGEDIFF_LN_LOAD(x + i * inner, vl), mean, vl);
        acc = vfadd_vv_f32m2(acc, vfmul_vv_f32m2(d, d, vl), vl);
    }
    const vfloat32m2_t var = vfadd_vf_f32m2(vfmul_vf_f32m2(acc, inv_size, vl), p->eps, vl);
    const vfloat32m2_t rstd = vfrdiv_vf_f32m2(vfsqrt_v_f32m2(var, vl), 1.0f, vl);
    for (int32_t i = 0; i < size; ++i) {
        vfloat32m2_t v = vfsub_vv_f32m2(EDGEDIFF_LN_LOAD(x + i * inner, vl), mean, vl);
        v = vfmul_vv_f32m2(v, gamma ? vfmul_vf_f32m2(rstd, (float)gamma[i], vl) : rstd, vl);
        if (beta) {
            v = vfadd_vf_f32m2(v, (float)beta[i], vl);
        }
        edgediff_ln_store(y + i * inner, v, p->act, vl);
    }
}

void EDGEDIFF_LN_NAME(const layer_norm_params_t *p, const EDGEDIFF_LN_ELEM *in,
                      const EDGEDIFF_LN_ELEM *gamma, const EDGEDIFF_LN_ELEM *beta,
                      EDGEDIFF_LN_ELEM *out) {
    const float inv_size = 1.0f / (float)p->size;
    const int32_t plane = p->size * p->inner;
    for (int32_t o = 0; o < p->outer; ++o) {
        const EDGEDIFF_LN_ELEM *x = in + o * plane;
        EDGEDIFF_LN_ELEM *y = out + o * plane;
        if (p->inner == 1) {
            edgediff_ln_row(p, x, gamma, beta, y, inv_size);
            continue;
        }
        for (int32_t j = 0; j < p->inner;) {
            const size_t vl = vsetvl_e32m2((size_t)(p->inner - j));
            edgediff_ln_pixels(p, x + j, gamma, beta, y + j, vl, inv_size);
            j += (int32_t)vl;
        }
    }
}
