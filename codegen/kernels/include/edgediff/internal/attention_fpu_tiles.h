/* Internal to internal/attention_fpu.h, which includes it once per element type of K and V
 * (no include guard): the register tiles of the scores and of the weighted sum of V, and one
 * block of 4 query rows through them. Before including, define ATTN_KV_T (float, or
 * edgediff_f16_t for the FP16 kernel's layers whose K and V it does not widen), ATTN_KV(p)
 * (the float at p) and ATTN_FN(name) (name with a suffix per type). */

/* s[n * 4 + r] = qs_r . k_n for the 4 keys from k (rows d apart); m[r] their running max. */
EDGEDIFF_FPU_INLINE void ATTN_FN(attn_scores4)(const float *qs, const ATTN_KV_T *k, int32_t d, float *s,
                                      float *m) {
    const ATTN_KV_T *k0 = k, *k1 = k0 + d, *k2 = k1 + d, *k3 = k2 + d;
    float a00 = 0.0f, a01 = 0.0f, a02 = 0.0f, a03 = 0.0f, a10 = 0.0f, a11 = 0.0f;
    float a12 = 0.0f, a13 = 0.0f, a20 = 0.0f, a21 = 0.0f, a22 = 0.0f, a23 = 0.0f;
    float a30 = 0.0f, a31 = 0.0f, a32 = 0.0f, a33 = 0.0f;
    EDGEDIFF_ATTN_UNROLL2
    for (int32_t c = 0; c < d; ++c, qs += 4) {
        const float q0 = qs[0], q1 = qs[1], q2 = qs[2], q3 = qs[3];
        const float x0 = ATTN_KV(k0 + c), x1 = ATTN_KV(k1 + c), x2 = ATTN_KV(k2 + c), x3 = ATTN_KV(k3 + c);
        ATTN_FMA_ROWS(0, x0);
        ATTN_FMA_ROWS(1, x1);
        ATTN_FMA_ROWS(2, x2);
        ATTN_FMA_ROWS(3, x3);
    }
    ATTN_PUT_KEY(0);
    ATTN_PUT_KEY(1);
    ATTN_PUT_KEY(2);
    ATTN_PUT_KEY(3);
    m[0] = attn_max(m[0], attn_max(attn_max(a00, a10), attn_max(a20, a30)));
    m[1] = attn_max(m[1], attn_max(attn_max(a01, a11), attn_max(a21, a31)));
    m[2] = attn_max(m[2], attn_max(attn_max(a02, a12), attn_max(a22, a32)));
    m[3] = attn_max(m[3], attn_max(attn_max(a03, a13), attn_max(a23, a33)));
}

/* One key's 4 scores (the keys past the last block of 4). */
EDGEDIFF_FPU_INLINE void ATTN_FN(attn_scores1)(const float *qs, const ATTN_KV_T *k, int32_t d, float *s,
                                      float *m) {
    float a00 = 0.0f, a01 = 0.0f, a02 = 0.0f, a03 = 0.0f;
    for (int32_t c = 0; c < d; ++c, qs += 4) {
        const float q0 = qs[0], q1 = qs[1], q2 = qs[2], q3 = qs[3];
        const float x0 = ATTN_KV(k + c);
        ATTN_FMA_ROWS(0, x0);
    }
    ATTN_PUT_KEY(0);
    m[0] = attn_max(m[0], a00);
    m[1] = attn_max(m[1], a01);
    m[2] = attn_max(m[2], a02);
    m[3] = attn_max(m[3], a03);
}

/* y[r][f] = inv[r] * sum_j e[j * 4 + r] v[j][f], f < 4, for the first `rows` rows (rows
 * dv apart in y). */
EDGEDIFF_FPU_INLINE void ATTN_FN(attn_weighted4)(const float *e, const ATTN_KV_T *v, int32_t nk, int32_t dv,
                                        const float *inv, elem_t *y, int32_t rows) {
    float w00 = 0.0f, w01 = 0.0f, w02 = 0.0f, w03 = 0.0f, w10 = 0.0f, w11 = 0.0f;
    float w12 = 0.0f, w13 = 0.0f, w20 = 0.0f, w21 = 0.0f, w22 = 0.0f, w23 = 0.0f;
    float w30 = 0.0f, w31 = 0.0f, w32 = 0.0f, w33 = 0.0f;
    EDGEDIFF_ATTN_UNROLL2
    for (int32_t j = 0; j < nk; ++j, e += 4, v += dv) {
        const float e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
        const float x0 = ATTN_KV(v), x1 = ATTN_KV(v + 1), x2 = ATTN_KV(v + 2), x3 = ATTN_KV(v + 3);
        ATTN_FMA_FEATURE(0, x0);
        ATTN_FMA_FEATURE(1, x1);
        ATTN_FMA_FEATURE(2, x2);
        ATTN_FMA_FEATURE(3, x3);
    }
    ATTN_PUT_ROW(0);
    if (rows > 1) {
        ATTN_PUT_ROW(1);
    }
    if (rows > 2) {
        ATTN_PUT_ROW(2);
    }
    if (rows > 3) {
        ATTN_PUT_ROW(3);
    }
}

/* One output feature of the 4 rows (the features past the last block of 4). */
EDGEDIFF_FPU_INLINE void ATTN_FN(attn_weighted1)(const float *e, const ATTN_KV_T *v, int32_t nk, int32_t dv,
                                        const float *inv, elem_t *y, int32_t rows) {
    float w00 = 0.0f, w10 = 0.0f, w20 = 0.0f, w30 = 0.0f;
    for (int32_t j = 0; j < nk; ++j, e += 4, v += dv) {
        const float e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
        const float x0 = ATTN_KV(v);
        ATTN_FMA_FEATURE(0, x0);
    }
    EDGEDIFF_FPU_STORE(y, w00 * inv[0]);
    if (rows > 1) {
        EDGEDIFF_FPU_STORE(y + dv, w10 * inv[1]);
    }
    if (rows > 2) {
        EDGEDIFF_FPU_STORE(y + 2 * dv, w20 * inv[2]);
    }
    if (rows > 3) {
        EDGEDIFF_FPU_STORE(y + 3 * dv, w30 * inv[3]);
    }
}

/* One block of 4 query rows (qs: interleaved, scaled; keys[r]: the keys row r sees, keys[3]
 * the most) against a slice's K and V: scores, softmax, weighted sums; the first `rows`
 * rows stored at y (dv apart). s: 4 * keys[3] floats of scratch. */
EDGEDIFF_FPU_INLINE void ATTN_FN(attn_block)(const float *qs, const ATTN_KV_T *ks,
                                             const ATTN_KV_T *vs, const int32_t *keys,
                                             int32_t causal, int32_t d, int32_t dv, float *s,
                                             elem_t *y, int32_t rows) {
    const int32_t nk = keys[3];
    float m[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY}, inv[4];
    int32_t j = 0;
    for (; j + 4 <= nk; j += 4) {
        ATTN_FN(attn_scores4)(qs, ks + j * d, d, s + 4 * j, m);
    }
    for (; j < nk; ++j) {
        ATTN_FN(attn_scores1)(qs, ks + j * d, d, s + 4 * j, m);
    }
    attn_softmax(s, keys, causal, m, inv);
    int32_t c = 0;
    for (; c + 4 <= dv; c += 4) {
        ATTN_FN(attn_weighted4)(s, vs + c, nk, dv, inv, y + c, rows);
    }
    for (; c < dv; ++c) {
        ATTN_FN(attn_weighted1)(s, vs + c, nk, dv, inv, y + c, rows);
    }
}
