/* Reference elementwise rsqrt: 1 / sqrt(x), torch's two roundings: inf at +0, -inf at -0, NaN
 * below 0; in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_rsqrt_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = 1.0f / sqrtf(in[i]);
    }
}
