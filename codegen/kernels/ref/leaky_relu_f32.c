/* Reference elementwise leaky_relu: x where x > 0, else negative_slope * x; in-place safe (out
 * may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_leaky_relu_f32(const leaky_relu_params_t *p, const float *in, float *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = in[i];
        out[i] = edgediff_leaky_relu(v, p->negative_slope);
    }
}
