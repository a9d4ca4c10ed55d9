/* Reference elementwise sqrt: square root, correctly rounded (IEEE): NaN below 0, sqrt(-0) =
 * -0 (as torch); in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_sqrt_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = sqrtf(in[i]);
    }
}
