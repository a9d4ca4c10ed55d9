/* RVV FP32 nearest-neighbour resize by exactly 2 in both directions (the predicate in
 * overrides/rvv.py; torch's float scale 0.5 picks source index dst / 2 exactly). Each input
 * row is loaded once (8 floats) and written to the two output rows with four strided
 * stores (even and odd columns); bit-exact. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f32_rvv(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out) {
    const int32_t planes = p->n * p->channels;
    const int32_t w_in = p->w_in, w_out = p->w_out;
    const int32_t rows = planes * p->h_in;
    const ptrdiff_t stride = 2 * (ptrdiff_t)sizeof(float);
    for (int32_t r = 0; r < rows; ++r) {
        const float *src = in + r * w_in;
        float *dst = out + 2 * r * w_out;
        for (int32_t x = 0; x < w_in;) {
            const size_t vl = vsetvl_e32m2((size_t)(w_in - x));
            const vfloat32m2_t v = vle32_v_f32m2(src + x, vl);
            vsse32_v_f32m2(dst + 2 * x, stride, v, vl);
            vsse32_v_f32m2(dst + 2 * x + 1, stride, v, vl);
            vsse32_v_f32m2(dst + w_out + 2 * x, stride, v, vl);
            vsse32_v_f32m2(dst + w_out + 2 * x + 1, stride, v, vl);
            x += (int32_t)vl;
        }
    }
}
