/* RVV FP16 broadcasting add for the shapes overrides/rvv.py lets through: both operands
 * dense in out_shape (one flat loop), or one dense and the other constant over the last two
 * dims ([N, C, H, W] + [N, C, 1, 1]: one scalar per plane).
 * Without activation or with ReLU: FP16 arithmetic, 16 halves per instruction; IEEE
 * add of two halves rounded to half is the correctly rounded result, the same bits as the
 * reference's float add rounded once. With SiLU: widened to FP32, add, SiLU (vector expf,
 * kernels_rvv.h), one rounding, as the reference (a rounding before the SiLU would be
 * amplified by its conditioning for large negative inputs). out may alias a dense operand. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

/* Dense: every dim longer than 1 has the row-major stride of out_shape. */
static int dense(const int32_t *shape, const int32_t *strides) {
    int32_t expect = 1;
    for (int k = EDGEDIFF_MAX_RANK - 1; k >= 0; --k) {
        if (shape[k] > 1 && strides[k] != expect) {
            return 0;
        }
        expect *= shape[k];
    }
    return 1;
}

/* count elements: out = act(x OP y) with y a vector or, if ys is NULL, the scalar s;
 * reversed: s OP x. */
static void run(const edgediff_f16_t *xs, const edgediff_f16_t *ys, edgediff_f16_t s,
                int reversed, edgediff_f16_t *out, int32_t count, int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        const float sf = (float)s;
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e16m1((size_t)(count - i));
            const vfloat32m2_t x = vfwcvt_f_f_v_f32m2(vle16_v_f16m1(xs + i, vl), vl);
            vfloat32m2_t r;
            if (ys) {
                r = vfadd_vv_f32m2(x, vfwcvt_f_f_v_f32m2(vle16_v_f16m1(ys + i, vl), vl), vl);
            } else {
                const vfloat32m2_t v = x;
                r = reversed ? vfadd_vf_f32m2(v, sf, vl) : vfadd_vf_f32m2(x, sf, vl);
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
            r = vfadd_vv_f16m2(v, vle16_v_f16m2(ys + i, vl), vl);
        } else {
            r = reversed ? vfadd_vf_f16m2(v, s, vl) : vfadd_vf_f16m2(v, s, vl);
        }
        if (act == EDGEDIFF_ACT_RELU) {
            r = vfmax_vf_f16m2(r, (edgediff_f16_t)0.0f, vl);
        }
        vse16_v_f16m2(out + i, r, vl);
        i += (int32_t)vl;
    }
}

void add_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                 edgediff_f16_t *out) {
    const int32_t *shape = p->out_shape;
    if (dense(shape, p->a_strides) && dense(shape, p->b_strides)) {
        run(a, b, (edgediff_f16_t)0.0f, 0, out, shape[0] * shape[1] * shape[2] * shape[3], p->act);
        return;
    }
    /* One operand dense, the other one scalar per (i0, i1). */
    const int b_scalar = dense(shape, p->a_strides);
    const edgediff_f16_t *vec = b_scalar ? a : b;
    const edgediff_f16_t *sca = b_scalar ? b : a;
    const int32_t *ss = b_scalar ? p->b_strides : p->a_strides;
    const int32_t inner = shape[2] * shape[3];
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            const int32_t base = (i0 * shape[1] + i1) * inner;
            run(vec + base, (const edgediff_f16_t *)0, sca[i0 * ss[0] + i1 * ss[1]], !b_scalar,
                out + base, inner, p->act);
        }
    }
}
