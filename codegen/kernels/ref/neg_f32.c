/* Reference elementwise neg: -x (exact: flips the sign bit, also of 0 and NaN); in-place safe
 * (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_neg_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = -in[i];
    }
}
