/* Reference elementwise cos via libm cosf (float, never double); in-place safe. */
#include <math.h>

#include "edgediff/kernels.h"

void edgediff_cos_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = cosf(in[i]);
    }
}
