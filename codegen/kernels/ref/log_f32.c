/* Reference elementwise log: natural log with libm logf: -inf at +-0, NaN below 0 (as torch);
 * in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_log_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = logf(in[i]);
    }
}
