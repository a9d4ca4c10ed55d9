/* Reference elementwise elu: x where x > 0, else alpha * (e^x - 1); in-place safe (out may
 * equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_elu_f32(const elu_params_t *p, const float *in, float *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = in[i];
        out[i] = edgediff_elu(v, p->alpha);
    }
}
