/* RVV FP16 elementwise GELU, erf form (x Phi(x)): halves widened to FP32 (exact), a rational
 * fit of the normal tail times e^(-x^2/2) (internal/vector_gelu_rvv.h), rounded once to half as
 * the reference. 8 lanes per instruction in the FP32 part. In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/vector_gelu_rvv.h"

void edgediff_gelu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    EDGEDIFF_RVV_VG_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        const vfloat32m2_t x = vfwcvt_f_f_v_f32m2(vle16_v_f16m1(in + i, vl), vl);
        vse16_v_f16m1(out + i, vfncvt_f_f_w_f16m1(
                                   EDGEDIFF_RVV_VG(edgediff_rvv_gelu_f32m2, x, vl), vl), vl);
        i += (int32_t)vl;
    }
}
