/* Reference elementwise relu; in-place safe (out may equal in). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_relu_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_relu(in[i]);
    }
}
