/* RVV FP32 elementwise GELU, tanh form (torch's approximate='tanh'), 8 floats per instruction:
 * x sigmoid(2z) with a vector e^-|2z| (internal/vector_gelu_rvv.h; error bound in
 * tests/helpers/elementwise_bounds.py). In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/vector_gelu_rvv.h"

void edgediff_gelu_tanh_f32_rvv(const float *in, float *out, int32_t count) {
    EDGEDIFF_RVV_VG_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(out + i, EDGEDIFF_RVV_VG(edgediff_rvv_gelu_tanh_f32m2,
                                               vle32_v_f32m2(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
