/* RVV FP16 elementwise ReLU, 16 halves per instruction (exact; max(x, 0), NaN gives 0 as
 * the reference's x > 0 test). In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_relu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m2((size_t)(count - i));
        vse16_v_f16m2(out + i, vfmax_vf_f16m2(vle16_v_f16m2(in + i, vl), (edgediff_f16_t)0.0f, vl),
                      vl);
        i += (int32_t)vl;
    }
}
