/* Reference elementwise clamp: min(max(x, min), max) as torch (NaN stays NaN); in-place safe
 * (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_clamp_f32(const clamp_params_t *p, const float *in, float *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = in[i];
        out[i] = edgediff_clamp(v, p->min, p->max);
    }
}
