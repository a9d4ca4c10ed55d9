/* Internal to the add/sub/mul _fpu kernels; not part of the API.
 *
 * The broadcasting binary loop on a scalar FPU, written once: the including file defines
 * elem_t, EDGEDIFF_FPU_LOAD(p), EDGEDIFF_FPU_STORE(p, v) and EDGEDIFF_FPU_OP(a, b) (one
 * IEEE operation in float, so the FP32 result is the reference's bit for bit and the FP16
 * one is rounded once), then includes this header. The predicate (overrides/fpu.py)
 * admits shapes whose innermost dim steps each operand by 1 or 0 (dense, or broadcast along
 * it: same shape, the UNet's [N,C,H,W] op [1,C,1,1], a batch norm's [N,C] op [C]). Rows of
 * the innermost dim, or whole planes of the two inner dims where both operands continue
 * across rows, are run by one of four loops (each operand a vector or a scalar kept in a
 * register), each element loaded once. out may alias an operand that is not broadcast.
 * Halves on Arm (fpu_elem.h EDGEDIFF_FPU_PAIRED): the two dense-operand loops take two
 * elements per pair load and store when their pointers share an alignment, after peeling
 * an unaligned first element; the plain loops finish the row. */
#ifndef EDGEDIFF_BINARY_FPU_H
#define EDGEDIFF_BINARY_FPU_H

#include "edgediff/internal/fpu_math.h"

/* count elements of act(a op b), a_step and b_step in {0, 1}; ACT(v) the activation.
 * UNROLL: EDGEDIFF_FPU_UNROLL for the plain op (the pointer steps and branch paid once per
 * four elements), nothing for a fused activation (which would quadruple its code). */
#define EDGEDIFF_FPU_BINARY_ROW(ACT, UNROLL)                                                \
    do {                                                                                    \
        elem_t *const end = out + count;                                                    \
        if (a_step && b_step) {                                                             \
            if (EDGEDIFF_FPU_PAIRED && EDGEDIFF_FPU_ALIGNED(a) == EDGEDIFF_FPU_ALIGNED(out) \
                && EDGEDIFF_FPU_ALIGNED(b) == EDGEDIFF_FPU_ALIGNED(out)) {                  \
                if (out != end && !EDGEDIFF_FPU_ALIGNED(out)) {                             \
                    const float v = EDGEDIFF_FPU_OP(EDGEDIFF_FPU_LOAD(a), EDGEDIFF_FPU_LOAD(b)); \
                    EDGEDIFF_FPU_STORE(out, ACT(v));                                        \
                    ++a, ++b, ++out;                                                        \
                }                                                                           \
                /* a pointer compare ends the loop (not end - out >= 2) */                  \
                elem_t *const pairs_end = out + ((end - out) & ~1);                         \
                for (; out != pairs_end; a += 2, b += 2, out += 2) {                        \
                    float a0, a1, b0, b1;                                                   \
                    EDGEDIFF_FPU_LOAD2(a, a0, a1);                                          \
                    EDGEDIFF_FPU_LOAD2(b, b0, b1);                                          \
                    const float v0 = EDGEDIFF_FPU_OP(a0, b0), v1 = EDGEDIFF_FPU_OP(a1, b1); \
                    EDGEDIFF_FPU_STORE2(out, ACT(v0), ACT(v1));                             \
                }                                                                           \
            }                                                                               \
            UNROLL                                                                          \
            for (; out != end; ++a, ++b, ++out) {                                           \
                const float v = EDGEDIFF_FPU_OP(EDGEDIFF_FPU_LOAD(a), EDGEDIFF_FPU_LOAD(b)); \
                EDGEDIFF_FPU_STORE(out, ACT(v));                                            \
            }                                                                               \
        } else if (a_step) {                                                                \
            const float s = EDGEDIFF_FPU_LOAD(b);                                           \
            if (EDGEDIFF_FPU_PAIRED && EDGEDIFF_FPU_ALIGNED(a) == EDGEDIFF_FPU_ALIGNED(out)) { \
                if (out != end && !EDGEDIFF_FPU_ALIGNED(out)) {                             \
                    const float v = EDGEDIFF_FPU_OP(EDGEDIFF_FPU_LOAD(a), s);               \
                    EDGEDIFF_FPU_STORE(out, ACT(v));                                        \
                    ++a, ++out;                                                             \
                }                                                                           \
                elem_t *const pairs_end = out + ((end - out) & ~1);                         \
                UNROLL /* pays here, not in the two-vector loop above */                   \
                for (; out != pairs_end; a += 2, out += 2) {                                \
                    float a0, a1;                                                           \
                    EDGEDIFF_FPU_LOAD2(a, a0, a1);                                          \
                    const float v0 = EDGEDIFF_FPU_OP(a0, s), v1 = EDGEDIFF_FPU_OP(a1, s);   \
                    EDGEDIFF_FPU_STORE2(out, ACT(v0), ACT(v1));                             \
                }                                                                           \
            }                                                                               \
            UNROLL                                                                          \
            for (; out != end; ++a, ++out) {                                                \
                const float v = EDGEDIFF_FPU_OP(EDGEDIFF_FPU_LOAD(a), s);                   \
                EDGEDIFF_FPU_STORE(out, ACT(v));                                            \
            }                                                                               \
        } else if (b_step) {                                                                \
            const float s = EDGEDIFF_FPU_LOAD(a);                                           \
            UNROLL                                                                          \
            for (; out != end; ++b, ++out) {                                                \
                const float v = EDGEDIFF_FPU_OP(s, EDGEDIFF_FPU_LOAD(b));                   \
                EDGEDIFF_FPU_STORE(out, ACT(v));                                            \
            }                                                                               \
        } else {                                                                            \
            const float v = EDGEDIFF_FPU_OP(EDGEDIFF_FPU_LOAD(a), EDGEDIFF_FPU_LOAD(b));     \
            for (; out != end; ++out) {                                                     \
                EDGEDIFF_FPU_STORE(out, ACT(v));                                            \
            }                                                                               \
        }                                                                                   \
    } while (0)

#define EDGEDIFF_FPU_UNROLL _Pragma("GCC unroll 4")
#define EDGEDIFF_FPU_NO_ACT(v) (v)
#define EDGEDIFF_FPU_RELU(v) ((v) > 0.0f ? (v) : 0.0f)

/* One loop per activation, so the activation is decided once per row, not per element. */
static void binary_row(const elem_t *a, int32_t a_step, const elem_t *b, int32_t b_step,
                       elem_t *out, int32_t count, int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_FPU_SILU_SETUP();
        EDGEDIFF_FPU_BINARY_ROW(EDGEDIFF_FPU_SILU, );
    } else if (act == EDGEDIFF_ACT_RELU) {
        EDGEDIFF_FPU_BINARY_ROW(EDGEDIFF_FPU_RELU, );
    } else {
        EDGEDIFF_FPU_BINARY_ROW(EDGEDIFF_FPU_NO_ACT, EDGEDIFF_FPU_UNROLL);
    }
}

/* One call of the row loop per row of the innermost dim that is not 1 (dim 3, or dim 2 of
 * an [N, C, H, 1] shape), or per plane of the two inner dims when each operand's stride over
 * dim 2 continues its row (dense) or is 0 with it (constant). */
static inline void binary_fpu(const binary_params_t *p, const elem_t *a, const elem_t *b,
                              elem_t *out) {
    const int32_t *shape = p->out_shape, *as = p->a_strides, *bs = p->b_strides;
    const int32_t inner = shape[3] == 1 ? 2 : 3;
    const int32_t a_step = shape[inner] == 1 ? 0 : as[inner];
    const int32_t b_step = shape[inner] == 1 ? 0 : bs[inner];
    int32_t rows = inner == 3 ? shape[2] : 1, count = shape[inner];
    if (rows > 1 && as[2] == count * a_step && bs[2] == count * b_step) {
        count *= rows;
        rows = 1;
    }
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            const elem_t *ar = a + i0 * as[0] + i1 * as[1];
            const elem_t *br = b + i0 * bs[0] + i1 * bs[1];
            for (int32_t i2 = 0; i2 < rows; ++i2, ar += as[2], br += bs[2], out += count) {
                binary_row(ar, a_step, br, b_step, out, count, p->act);
            }
        }
    }
}

#undef EDGEDIFF_FPU_BINARY_ROW
#undef EDGEDIFF_FPU_NO_ACT
#undef EDGEDIFF_FPU_UNROLL
#undef EDGEDIFF_FPU_RELU

#endif /* EDGEDIFF_BINARY_FPU_H */
