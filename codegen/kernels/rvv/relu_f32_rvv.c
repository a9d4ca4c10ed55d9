/* RVV FP32 elementwise ReLU (exact; max(x, 0), NaN gives 0 as the reference's x > 0 test).
 * In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_relu_f32_rvv(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(out + i, vfmax_vf_f32m2(vle32_v_f32m2(in + i, vl), 0.0f, vl), vl);
        i += (int32_t)vl;
    }
}
