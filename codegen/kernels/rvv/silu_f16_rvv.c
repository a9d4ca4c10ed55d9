/* RVV FP16 elementwise SiLU: halves widened to FP32 (exact), x / (1 + e^-x) with the vector
 * expf of kernels_rvv.h, rounded once to half (as the reference). 8 lanes per instruction
 * in the FP32 part. In-place safe. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_silu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        vse16_v_f16m1(out + i, EDGEDIFF_RVV_SILU_F16M1(vle16_v_f16m1(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
