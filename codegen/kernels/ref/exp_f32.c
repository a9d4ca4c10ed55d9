/* Reference elementwise exp: e^x with libm expf (inf above ~88.72, 0 below ~-103.97); in-place
 * safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_exp_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = expf(in[i]);
    }
}
