/* Reference FP16 -> FP32 cast: exact widening (every half is a float). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_cast_f16_to_f32(const edgediff_f16_t *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_load_f16(in, i);
    }
}
