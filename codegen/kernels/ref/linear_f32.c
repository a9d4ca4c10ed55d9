/* Reference fully connected layer: one dot product per output. */
#include "edgediff/kernel_util.h"
#include "edgediff/kernels.h"

void linear_f32(const linear_params_t *p, const float *in, const float *weight,
                const float *bias, float *out) {
    for (int32_t r = 0; r < p->rows; ++r) {
        const float *in_row = in + r * p->in_features;
        for (int32_t o = 0; o < p->out_features; ++o) {
            const float *w_row = weight + o * p->in_features;
            float acc = bias ? bias[o] : 0.0f;
            for (int32_t i = 0; i < p->in_features; ++i) {
                acc += in_row[i] * w_row[i];
            }
            out[r * p->out_features + o] = edgediff_apply_act(acc, p->act);
        }
    }
}
