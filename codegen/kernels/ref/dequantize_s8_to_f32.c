/* Reference int8 -> float, TFLite's DEQUANTIZE: scale * (q - zero point). TFLite multiplies
 * in double and rounds to float; a float32 times an integer of at most 9 bits is exact in
 * double, so one float multiply (one rounding) gives the same value without double math. */
#include "edgediff/kernels.h"

void edgediff_dequantize_s8_to_f32(const quantize_s8_params_t *p, const int8_t *in, float *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        out[i] = p->scale * (float)((int32_t)in[i] - p->zero_point);
    }
}
