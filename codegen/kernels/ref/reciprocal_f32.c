/* Reference elementwise reciprocal: 1 / x, correctly rounded (+-inf at +-0); in-place safe
 * (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_reciprocal_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = 1.0f / in[i];
    }
}
