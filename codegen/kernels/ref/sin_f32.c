/* Reference elementwise sin via libm sinf (float, never double); in-place safe. */
#include <math.h>

#include "edgediff/kernels.h"

void edgediff_sin_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = sinf(in[i]);
    }
}
