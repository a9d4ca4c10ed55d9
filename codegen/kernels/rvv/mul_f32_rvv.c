/* RVV FP32 broadcasting mul, 8 floats per instruction, for the shapes overrides/rvv.py
 * lets through: both operands dense in out_shape (one flat loop), or one dense and the other
 * constant over the last two dims ([N, C, H, W] * [N, C, 1, 1]: one scalar per plane).
 * One FP32 rounding as the reference; fused activation (SiLU: vector expf of
 * kernels_rvv.h). out may alias a dense operand (each vector is read before it is written). */
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

static vfloat32m2_t activate(vfloat32m2_t v, size_t vl, int32_t act) {
    if (act == EDGEDIFF_ACT_RELU) {
        v = vfmax_vf_f32m2(v, 0.0f, vl);
    } else if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        v = EDGEDIFF_RVV_SILU(v, vl);
    }
    return v;
}

void mul_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out) {
    const int32_t *shape = p->out_shape;
    const int32_t act = p->act;
    if (dense(shape, p->a_strides) && dense(shape, p->b_strides)) {
        const int32_t count = shape[0] * shape[1] * shape[2] * shape[3];
        for (int32_t i = 0; i < count;) {
            const size_t vl = vsetvl_e32m2((size_t)(count - i));
            const vfloat32m2_t v = vfmul_vv_f32m2(vle32_v_f32m2(a + i, vl), vle32_v_f32m2(b + i, vl), vl);
            vse32_v_f32m2(out + i, activate(v, vl, act), vl);
            i += (int32_t)vl;
        }
        return;
    }
    /* One operand dense, the other one scalar per (i0, i1). */
    const int b_scalar = dense(shape, p->a_strides);
    const float *vec = b_scalar ? a : b;
    const float *sca = b_scalar ? b : a;
    const int32_t *ss = b_scalar ? p->b_strides : p->a_strides;
    const int32_t inner = shape[2] * shape[3];
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            const float s = sca[i0 * ss[0] + i1 * ss[1]];
            const int32_t base = (i0 * shape[1] + i1) * inner;
            for (int32_t i = 0; i < inner;) {
                const size_t vl = vsetvl_e32m2((size_t)(inner - i));
                const vfloat32m2_t v = vle32_v_f32m2(vec + base + i, vl);
                const vfloat32m2_t r = b_scalar ? vfmul_vf_f32m2(v, s, vl) : vfmul_vf_f32m2(v, s, vl);
                vse32_v_f32m2(out + base + i, activate(r, vl, act), vl);
                i += (int32_t)vl;
            }
        }
    }
}
