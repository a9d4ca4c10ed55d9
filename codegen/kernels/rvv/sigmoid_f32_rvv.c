/* RVV FP32 elementwise sigmoid, 8 floats per instruction: 1/(1 + e) or e/(1 + e), e = e^-|x| by
 * a vector exp (internal/vector_gelu_rvv.h; error bound in
 * tests/helpers/elementwise_bounds.py). In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/vector_gelu_rvv.h"

void edgediff_sigmoid_f32_rvv(const float *in, float *out, int32_t count) {
    EDGEDIFF_RVV_VG_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(out + i, EDGEDIFF_RVV_VG(edgediff_rvv_sigmoid_f32m2,
                                               vle32_v_f32m2(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
