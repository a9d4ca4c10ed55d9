/* Reference elementwise mish: x * tanh(log(1 + e^x)); in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_mish_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_mish(in[i]);
    }
}
