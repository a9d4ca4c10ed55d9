/* RVV FP32 -> FP16 cast: vfncvt.f.f.w, round to nearest even (frm), overflow to +-inf,
 * subnormal halves kept; 8 elements per instruction. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_cast_f32_to_f16_rvv(const float *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse16_v_f16m1(out + i, vfncvt_f_f_w_f16m1(vle32_v_f32m2(in + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
