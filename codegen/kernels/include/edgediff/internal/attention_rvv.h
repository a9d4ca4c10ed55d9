/* The row loop of attention_f16_rvv.c and attention_f32_rvv.c, internal to
 * codegen/kernels/rvv/; not part of the API. Per batch slice and query row, as the
 * reference (internal/attention_ref.h) but 8 lanes per instruction (FP32 at LMUL 2), all
 * arithmetic in FP32:
 *   1. scores of 8 keys at a time: for each element c of the head dim, one strided load
 *      gathers k[j..j+7][c] and a multiply-add by the scalar q[c] accumulates it (the
 *      reference's dot product, same order); scale, store, running max by vfredmax;
 *   2. softmax numerators e^(s - max), 8 per step (edgediff_rvv_exp_nonpositive below),
 *      stored back over the scores, their sum by vfredusum;
 *   3. 8 output features at a time: for each key, its V row slice times its numerator
 *      added to FP32 accumulators; times 1 / sum, one store (one rounding).
 * The row of scores (lk floats) is the kernel's scratch.
 *
 * The including file defines EDGEDIFF_RVV_INTERNAL, includes edgediff/kernels.h, then
 *   elem_t                          the storage type;
 *   EDGEDIFF_ATT_KEY_FMA(acc, q, k, stride, vl)  acc + q * k[0], k[stride], ... (vl keys,
 *                                   stride in bytes) in FP32;
 *   EDGEDIFF_ATT_LOAD_W(x, vl)      vl elements at x as FP32 (vfloat32m2_t);
 *   EDGEDIFF_ATT_STORE_W(y, v, vl)  v stored as vl elements at y (one rounding);
 * and includes this header. */
#ifndef EDGEDIFF_ATTENTION_RVV_H
#define EDGEDIFF_ATTENTION_RVV_H

/* e^x for x <= 0 in FP32 (x below -87 gives e^-87 ~ 1.6e-38 instead of a smaller value):
 * the range reduction and degree-6 polynomial of the SiLU in kernels_rvv.h
 * (EDGEDIFF_RVV_EXP_*, within 2 ulp), its constant vectors c2..c5 and one set up once per
 * row. */
EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_exp_nonpositive(vfloat32m2_t x, size_t vl,
                                                              vfloat32m2_t c2, vfloat32m2_t c3,
                                                              vfloat32m2_t c4, vfloat32m2_t c5,
                                                              vfloat32m2_t one) {
    x = vfmax_vf_f32m2(x, -87.0f, vl);
    const vint32m2_t n = vfcvt_x_f_v_i32m2(vfmul_vf_f32m2(x, EDGEDIFF_RVV_LOG2E, vl), vl);
    const vfloat32m2_t nf = vfcvt_f_x_v_f32m2(n, vl);
    vfloat32m2_t r = vfnmsac_vf_f32m2(x, EDGEDIFF_RVV_LN2_HI, nf, vl);
    r = vfnmsac_vf_f32m2(r, EDGEDIFF_RVV_LN2_LO, nf, vl);
    vfloat32m2_t q = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C6, vl);
    q = vfmadd_vv_f32m2(q, r, c5, vl);
    q = vfmadd_vv_f32m2(q, r, c4, vl);
    q = vfmadd_vv_f32m2(q, r, c3, vl);
    q = vfmadd_vv_f32m2(q, r, c2, vl);
    q = vfmadd_vv_f32m2(q, r, one, vl);
    q = vfmadd_vv_f32m2(q, r, one, vl);
    const vint32m2_t bits = vsll_vx_i32m2(vadd_vx_i32m2(n, 127, vl), 23, vl);
    return vfmul_vv_f32m2(q, vreinterpret_v_i32m2_f32m2(bits), vl);
}

/* scores[j] = scale * q . k[j] for j < keys; returns their maximum. */
static inline float attention_scores(const elem_t *q, const elem_t *k, int32_t keys, int32_t d,
                                     float scale, float *scores) {
    const ptrdiff_t stride = (ptrdiff_t)d * (ptrdiff_t)sizeof(elem_t);
    vfloat32m1_t max = vfmv_v_f_f32m1(-INFINITY, 1);
    for (int32_t j = 0; j < keys;) {
        const size_t vl = vsetvl_e32m2((size_t)(keys - j));
        const elem_t *column = k + j * d;
        vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vl);
        for (int32_t c = 0; c < d; ++c) {
            acc = EDGEDIFF_ATT_KEY_FMA(acc, q[c], column + c, stride, vl);
        }
        acc = vfmul_vf_f32m2(acc, scale, vl);
        vse32_v_f32m2(scores + j, acc, vl);
        max = vfredmax_vs_f32m2_f32m1(max, acc, max, vl);
        j += (int32_t)vl;
    }
    return vfmv_f_s_f32m1_f32(max);
}

/* scores[j] = e^(scores[j] - max) for j < keys; returns their sum. */
static inline float attention_numerators(float *scores, int32_t keys, float max) {
    const size_t vlmax = vsetvlmax_e32m2();
    const vfloat32m2_t c2 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C2, vlmax);
    const vfloat32m2_t c3 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C3, vlmax);
    const vfloat32m2_t c4 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C4, vlmax);
    const vfloat32m2_t c5 = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C5, vlmax);
    const vfloat32m2_t one = vfmv_v_f_f32m2(1.0f, vlmax);
    vfloat32m1_t sum = vfmv_v_f_f32m1(0.0f, 1);
    for (int32_t j = 0; j < keys;) {
        const size_t vl = vsetvl_e32m2((size_t)(keys - j));
        const vfloat32m2_t x = vfsub_vf_f32m2(vle32_v_f32m2(scores + j, vl), max, vl);
        const vfloat32m2_t e = edgediff_rvv_exp_nonpositive(x, vl, c2, c3, c4, c5, one);
        vse32_v_f32m2(scores + j, e, vl);
        sum = vfredusum_vs_f32m2_f32m1(sum, e, sum, vl);
        j += (int32_t)vl;
    }
    return vfmv_f_s_f32m1_f32(sum);
}

/* y[c] = inv * sum_j scores[j] v[j][c] for c < dv. */
static inline void attention_weighted(const elem_t *v, int32_t keys, int32_t dv,
                                      const float *scores, float inv, elem_t *y) {
    for (int32_t c = 0; c < dv;) {
        const size_t vl = vsetvl_e32m2((size_t)(dv - c));
        vfloat32m2_t acc = vfmv_v_f_f32m2(0.0f, vl);
        const elem_t *row = v + c;
        for (int32_t j = 0; j < keys; ++j, row += dv) {
            acc = vfmacc_vf_f32m2(acc, scores[j], EDGEDIFF_ATT_LOAD_W(row, vl), vl);
        }
        EDGEDIFF_ATT_STORE_W(y + c, vfmul_vf_f32m2(acc, inv, vl), vl);
        c += (int32_t)vl;
    }
}

static inline void attention_rvv(const attention_params_t *p, const elem_t *q, const elem_t *k,
                                 const elem_t *v, elem_t *out, float *scores) {
    const int32_t lq = p->lq, lk = p->lk, d = p->d, dv = p->dv;
    for (int32_t b = 0; b < p->batch; ++b) {
        const elem_t *k_slice = k + b * lk * d;
        const elem_t *v_slice = v + b * lk * dv;
        for (int32_t i = 0; i < lq; ++i) {
            const int32_t keys = p->causal && i + 1 < lk ? i + 1 : lk;
            const float max =
                attention_scores(q + (b * lq + i) * d, k_slice, keys, d, p->scale, scores);
            const float sum = attention_numerators(scores, keys, max);
            attention_weighted(v_slice, keys, dv, scores, 1.0f / sum, out + (b * lq + i) * dv);
        }
    }
}

#endif /* EDGEDIFF_ATTENTION_RVV_H */
