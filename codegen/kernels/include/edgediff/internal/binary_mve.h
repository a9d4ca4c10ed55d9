/* The loop of the MVE broadcasting add / sub / mul kernels ({add,sub,mul}_{f16,f32}_mve.c),
 * internal to codegen/kernels/mve/: include mve_elem.h (element type) first. Each operand is
 * either dense in the two innermost dims or constant over them (a [1,C,1,1] per-channel
 * operand, a scalar), with any strides on the two outer dims; rows of shape[2]*shape[3]
 * elements are processed LANES at a time, a constant operand as a vector-by-scalar op, the
 * fused activation on the result vector. out may alias a dense operand (each vector is read
 * before it is written). The op is a constant of the calling kernel, so once the loop is
 * inlined only its own intrinsics remain. */
#ifndef EDGEDIFF_BINARY_MVE_H
#define EDGEDIFF_BINARY_MVE_H

#include "edgediff/internal/mve_elem.h"

enum { MVE_BINARY_ADD, MVE_BINARY_SUB, MVE_BINARY_MUL };

/* x op y, both vectors. */
EDGEDIFF_MVE_INLINE vec_t binary_vv(vec_t x, vec_t y, int op) {
    return op == MVE_BINARY_ADD   ? EDGEDIFF_MVE_ADD(x, y)
           : op == MVE_BINARY_SUB ? EDGEDIFF_MVE_SUB(x, y)
                                  : EDGEDIFF_MVE_MUL(x, y);
}

/* v op s, a vector and a constant second operand. */
EDGEDIFF_MVE_INLINE vec_t binary_vs(vec_t v, scalar_t s, int op) {
    return op == MVE_BINARY_ADD   ? EDGEDIFF_MVE_ADD_N(v, s)
           : op == MVE_BINARY_SUB ? EDGEDIFF_MVE_SUB_N(v, s)
                                  : EDGEDIFF_MVE_MUL_N(v, s);
}

/* s op v, a constant first operand: commutes, except s - v (MVE has v - s only). */
EDGEDIFF_MVE_INLINE vec_t binary_sv(scalar_t s, vec_t v, int op) {
    return op == MVE_BINARY_SUB ? EDGEDIFF_MVE_SUB(EDGEDIFF_MVE_DUP(s), v) : binary_vs(v, s, op);
}

EDGEDIFF_MVE_INLINE void binary_mve(const binary_params_t *p, const elem_t *a, const elem_t *b,
                                    elem_t *out, int op) {
    const int32_t *shape = p->out_shape, *as = p->a_strides, *bs = p->b_strides;
    const int32_t inner = shape[2] * shape[3], act = p->act;
    /* dense: inner elements contiguous; otherwise constant over the inner dims */
    const int32_t a_dense = (shape[3] == 1 || as[3] != 0) && (shape[2] == 1 || as[2] != 0);
    const int32_t b_dense = (shape[3] == 1 || bs[3] != 0) && (shape[2] == 1 || bs[2] != 0);
    const int32_t full = inner - inner % EDGEDIFF_LANES;
    elem_t *o = out;
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1, o += inner) {
            const elem_t *ar = a + i0 * as[0] + i1 * as[1];
            const elem_t *br = b + i0 * bs[0] + i1 * bs[1];
            const scalar_t a0 = ar[0], b0 = br[0];
            for (int32_t i = 0; i < inner; i += EDGEDIFF_LANES) {
                const mve_pred16_t m = EDGEDIFF_MVE_VCTP((uint32_t)(inner - i));
                vec_t y;
                if (i < full) {
                    if (a_dense && b_dense) {
                        y = binary_vv(EDGEDIFF_MVE_LD(ar + i), EDGEDIFF_MVE_LD(br + i), op);
                    } else if (a_dense) {
                        y = binary_vs(EDGEDIFF_MVE_LD(ar + i), b0, op);
                    } else if (b_dense) {
                        y = binary_sv(a0, EDGEDIFF_MVE_LD(br + i), op);
                    } else {
                        y = binary_vs(EDGEDIFF_MVE_DUP(a0), b0, op);
                    }
                    EDGEDIFF_MVE_ST(o + i, EDGEDIFF_MVE_ACT(y, act));
                } else {
                    const vec_t va = a_dense ? EDGEDIFF_MVE_LD_Z(ar + i, m) : EDGEDIFF_MVE_DUP(a0);
                    const vec_t vb = b_dense ? EDGEDIFF_MVE_LD_Z(br + i, m) : EDGEDIFF_MVE_DUP(b0);
                    EDGEDIFF_MVE_ST_P(o + i, EDGEDIFF_MVE_ACT(binary_vv(va, vb, op), act), m);
                }
            }
        }
    }
}

#endif /* EDGEDIFF_BINARY_MVE_H */
