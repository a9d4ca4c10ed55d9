/* RVV FP16 -> FP32 cast: vfwcvt.f.f.v, exact; 8 elements per instruction. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_cast_f16_to_f32_rvv(const edgediff_f16_t *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        vse32_v_f32m2(out + i, vfwcvt_f_f_v_f32m2(vle16_v_f16m1(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
