/* Reference group norm. Two passes (mean, then mean of squared deviations) rather than
 * E[x^2] - E[x]^2, which cancels catastrophically in float when |mean| >> std. */
#include <math.h>

#include "edgediff/kernel_util.h"
#include "edgediff/kernels.h"

void group_norm_f32(const group_norm_params_t *p, const float *in, const float *gamma,
                    const float *beta, float *out) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t group_size = channels_per_group * p->spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * p->spatial;
            const float *x = in + base;

            float sum = 0.0f;
            for (int32_t i = 0; i < group_size; ++i) {
                sum += x[i];
            }
            const float mean = sum * inv_group_size;

            float sq_sum = 0.0f;
            for (int32_t i = 0; i < group_size; ++i) {
                const float d = x[i] - mean;
                sq_sum += d * d;
            }
            const float rstd = 1.0f / sqrtf(sq_sum * inv_group_size + p->eps);

            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? gamma[ch] * rstd : rstd;
                const float shift = beta ? beta[ch] : 0.0f;
                const float *xc = x + c * p->spatial;
                float *oc = out + base + c * p->spatial;
                for (int32_t s = 0; s < p->spatial; ++s) {
                    oc[s] = edgediff_apply_act((xc[s] - mean) * scale + shift, p->act);
                }
            }
        }
    }
}
