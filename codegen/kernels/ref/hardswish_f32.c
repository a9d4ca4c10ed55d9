/* Reference elementwise hardswish: x * relu6(x + 3) / 6; in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_hardswish_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_hardswish(in[i]);
    }
}
