/* Reference PReLU (f32), one slope per channel; float arithmetic, one rounding on store. */
#include "edgediff/kernel_util.h"
#include "edgediff/kernels.h"

void prelu_f32(const prelu_params_t *p, const float *in, const float *slope, float *out) {
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t c = 0; c < p->channels; ++c) {
            const float s = edgediff_load_f32(slope, c);
            const int32_t base = (n * p->channels + c) * p->spatial;
            for (int32_t i = 0; i < p->spatial; ++i) {
                const float v = edgediff_load_f32(in, base + i);
                edgediff_store_f32(out, base + i, v > 0.0f ? v : s * v);
            }
        }
    }
}
