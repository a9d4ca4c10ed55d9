/* Reference elementwise gelu_tanh: GELU, torch's tanh approximation (approximate='tanh'); in-
 * place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_gelu_tanh_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = edgediff_gelu_tanh(in[i]);
    }
}
