/* Reference sign (f32): +1 for in >= 0 (zero included), else -1. */
#include "edgediff/kernels.h"

void edgediff_sign_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = in[i] >= (float)0 ? (float)1 : (float)-1;
    }
}
