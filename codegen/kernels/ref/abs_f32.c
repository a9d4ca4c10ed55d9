/* Reference elementwise abs: |x| (exact: clears the sign bit, so abs(-0) = +0 as torch); in-
 * place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_abs_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_abs(in[i]);
    }
}
