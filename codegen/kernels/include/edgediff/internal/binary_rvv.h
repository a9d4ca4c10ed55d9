/* Internal to the RVV binary kernels ({add,sub,mul}_{f16,f32}_rvv.c); not part of the API.
 * The broadcasting loops those six files share, written once over the operation: each file
 * defines EDGEDIFF_RVV_INTERNAL, includes this header and calls edgediff_rvv_binary_f16/_f32
 * with a constant EDGEDIFF_RVV_{ADD,SUB,MUL}. Everything is inlined into the one kernel
 * function of the file, so the op is folded and each kernel compiles to the loop it had when
 * it was written out by hand (one vfadd/vfsub/vfmul per vector, no dispatch).
 *
 * Shapes (what overrides/rvv.py lets through): both operands dense in out_shape (one flat
 * loop), or one dense and the other constant over the last two dims ([N, C, H, W] op
 * [N, C, 1, 1]: one scalar per plane). out may alias a dense operand (each vector is read
 * before it is written). */
#ifndef EDGEDIFF_RVV_BINARY_RVV_H
#define EDGEDIFF_RVV_BINARY_RVV_H

#include "edgediff/kernels.h"

enum { EDGEDIFF_RVV_ADD, EDGEDIFF_RVV_SUB, EDGEDIFF_RVV_MUL };

/* Dense: every dim longer than 1 has the row-major stride of out_shape. */
static inline int edgediff_rvv_dense(const int32_t *shape, const int32_t *strides) {
    int32_t expect = 1;
    for (int k = EDGEDIFF_MAX_RANK - 1; k >= 0; --k) {
        if (shape[k] > 1 && strides[k] != expect) {
            return 0;
        }
        expect *= shape[k];
    }
    return 1;
}

/* x OP y, vector by vector. */
EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_op_vv_f32m2(int op, vfloat32m2_t x, vfloat32m2_t y,
                                                         size_t vl) {
    return op == EDGEDIFF_RVV_ADD   ? vfadd_vv_f32m2(x, y, vl)
           : op == EDGEDIFF_RVV_SUB ? vfsub_vv_f32m2(x, y, vl)
                                    : vfmul_vv_f32m2(x, y, vl);
}

EDGEDIFF_RVV_INLINE vfloat16m2_t edgediff_rvv_op_vv_f16m2(int op, vfloat16m2_t x, vfloat16m2_t y,
                                                         size_t vl) {
    return op == EDGEDIFF_RVV_ADD   ? vfadd_vv_f16m2(x, y, vl)
           : op == EDGEDIFF_RVV_SUB ? vfsub_vv_f16m2(x, y, vl)
                                    : vfmul_vv_f16m2(x, y, vl);
}

/* x OP s, or if reversed s OP x (only sub is not symmetric: vfrsub). */
EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_op_vf_f32m2(int op, vfloat32m2_t x, float s,
                                                         int reversed, size_t vl) {
    if (op == EDGEDIFF_RVV_SUB) {
        return reversed ? vfrsub_vf_f32m2(x, s, vl) : vfsub_vf_f32m2(x, s, vl);
    }
    return op == EDGEDIFF_RVV_ADD ? vfadd_vf_f32m2(x, s, vl) : vfmul_vf_f32m2(x, s, vl);
}

EDGEDIFF_RVV_INLINE vfloat16m2_t edgediff_rvv_op_vf_f16m2(int op, vfloat16m2_t x, edgediff_f16_t s,
                                                         int reversed, size_t vl) {
    if (op == EDGEDIFF_RVV_SUB) {
        return reversed ? vfrsub_vf_f16m2(x, s, vl) : vfsub_vf_f16m2(x, s, vl);
    }
    return op == EDGEDIFF_RVV_ADD ? vfadd_vf_f16m2(x, s, vl) : vfmul_vf_f16m2(x, s, vl);
}

/* ---- FP32: 8 floats per instruction, one FP32 rounding as the reference; fused activation
 * (SiLU: vector expf of kernels_rvv.h). */

static inline vfloat32m2_t edgediff_rvv_binary_act_f32m2(vfloat32m2_t v, size_t vl, int32_t act) {
    if (act == EDGEDIFF_ACT_RELU) {
        v = vfmax_vf_f32m2(v, 0.0f, vl);
    } else if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        v = EDGEDIFF_RVV_SILU(v, vl);
    }
    return v;
}

static inline void edgediff_rvv_binary_f32(int op, const binary_params_t *p, const float *a,
                                           const float *b, float *out) {
    const int32_t *shape = p->out_shape;
    const int32_t act = p->act;
    if (edgediff_rvv_dense(shape, p->a_strides) && edgediff_rvv_dense(shape, p->b_strides)) {
        const int32_t count = shape[0] * shape[1] * shape[2] * shape[3];
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e32m2((size_t)(count - i));
            const vfloat32m2_t v = edgediff_rvv_op_vv_f32m2(op, vle32_v_f32m2(a + i, vl),
                                                            vle32_v_f32m2(b + i, vl), vl);
            vse32_v_f32m2(out + i, edgediff_rvv_binary_act_f32m2(v, vl, act), vl);
            i += (int32_t)vl;
        }
        return;
    }
    /* One operand dense, the other one scalar per (i0, i1). */
    const int b_scalar = edgediff_rvv_dense(shape, p->a_strides);
    const float *vec = b_scalar ? a : b;
    const float *sca = b_scalar ? b : a;
    const int32_t *ss = b_scalar ? p->b_strides : p->a_strides;
    const int32_t inner = shape[2] * shape[3];
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            const int32_t base = (i0 * shape[1] + i1) * inner;
            const float s = sca[i0 * ss[0] + i1 * ss[1]];
            for (int32_t i = 0; i < inner;) {
                const size_t vl = vsetvl_e32m2((size_t)(inner - i));
                const vfloat32m2_t v = vle32_v_f32m2(vec + base + i, vl);
                const vfloat32m2_t r = edgediff_rvv_op_vf_f32m2(op, v, s, !b_scalar, vl);
                vse32_v_f32m2(out + base + i, edgediff_rvv_binary_act_f32m2(r, vl, act), vl);
                i += (int32_t)vl;
            }
        }
    }
}

/* ---- FP16. Without activation or with ReLU: FP16 arithmetic, 16 halves per instruction;
 * the IEEE op of two halves rounded to half is the correctly rounded result, the same bits as
 * the reference's float op rounded once. With SiLU: widened to FP32, op, SiLU (vector expf,
 * kernels_rvv.h), one rounding, as the reference (a rounding before the SiLU would be
 * amplified by its conditioning for large negative inputs). */

/* count elements: out = act(x OP y) with y a vector or, if ys is NULL, the scalar s;
 * reversed: s OP x. */
static inline void edgediff_rvv_binary_run_f16(int op, const edgediff_f16_t *xs,
                                               const edgediff_f16_t *ys, edgediff_f16_t s,
                                               int reversed, edgediff_f16_t *out, int32_t count,
                                               int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        const float sf = (float)s;
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e16m1((size_t)(count - i));
            const vfloat32m2_t x = vfwcvt_f_f_v_f32m2(vle16_v_f16m1(xs + i, vl), vl);
            vfloat32m2_t r;
            if (ys) {
                r = edgediff_rvv_op_vv_f32m2(op, x,
                                             vfwcvt_f_f_v_f32m2(vle16_v_f16m1(ys + i, vl), vl), vl);
            } else {
                r = edgediff_rvv_op_vf_f32m2(op, x, sf, reversed, vl);
            }
            vse16_v_f16m1(out + i, vfncvt_f_f_w_f16m1(EDGEDIFF_RVV_SILU(r, vl), vl), vl);
            i += (int32_t)vl;
        }
        return;
    }
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m2((size_t)(count - i));
        const vfloat16m2_t v = vle16_v_f16m2(xs + i, vl);
        vfloat16m2_t r;
        if (ys) {
            r = edgediff_rvv_op_vv_f16m2(op, v, vle16_v_f16m2(ys + i, vl), vl);
        } else {
            r = edgediff_rvv_op_vf_f16m2(op, v, s, reversed, vl);
        }
        if (act == EDGEDIFF_ACT_RELU) {
            r = vfmax_vf_f16m2(r, (edgediff_f16_t)0.0f, vl);
        }
        vse16_v_f16m2(out + i, r, vl);
        i += (int32_t)vl;
    }
}

static inline void edgediff_rvv_binary_f16(int op, const binary_params_t *p,
                                           const edgediff_f16_t *a, const edgediff_f16_t *b,
                                           edgediff_f16_t *out) {
    const int32_t *shape = p->out_shape;
    if (edgediff_rvv_dense(shape, p->a_strides) && edgediff_rvv_dense(shape, p->b_strides)) {
        edgediff_rvv_binary_run_f16(op, a, b, (edgediff_f16_t)0.0f, 0, out,
                                    shape[0] * shape[1] * shape[2] * shape[3], p->act);
        return;
    }
    /* One operand dense, the other one scalar per (i0, i1). */
    const int b_scalar = edgediff_rvv_dense(shape, p->a_strides);
    const edgediff_f16_t *vec = b_scalar ? a : b;
    const edgediff_f16_t *sca = b_scalar ? b : a;
    const int32_t *ss = b_scalar ? p->b_strides : p->a_strides;
    const int32_t inner = shape[2] * shape[3];
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            const int32_t base = (i0 * shape[1] + i1) * inner;
            edgediff_rvv_binary_run_f16(op, vec + base, (const edgediff_f16_t *)0,
                                        sca[i0 * ss[0] + i1 * ss[1]], !b_scalar, out + base, inner,
                                        p->act);
        }
    }
}

#endif /* EDGEDIFF_RVV_BINARY_RVV_H */
