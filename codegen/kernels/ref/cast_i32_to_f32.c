/* Reference int32 -> FP32 cast: an integer model input (a timestep) where the model converts it
 * to float. Exact for |x| < 2^24; beyond, the compiler's conversion rounds to nearest even. */
#include "edgediff/kernels.h"

void edgediff_cast_i32_to_f32(const int32_t *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = (float)in[i];
    }
}
