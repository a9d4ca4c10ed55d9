/* RVV FP32 elementwise SiLU, 8 floats per instruction: x / (1 + e^-x) with the vector expf
 * of kernels_rvv.h (range reduction + degree-6 polynomial, a few ulp). In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_silu_f32_rvv(const float *in, float *out, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(out + i, EDGEDIFF_RVV_SILU(vle32_v_f32m2(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
