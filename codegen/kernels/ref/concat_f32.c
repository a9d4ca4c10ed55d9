/* Reference concat: for each outer index, append each input's contiguous slab in turn. */
#include "edgediff/kernels.h"

void concat_f32(const concat_params_t *p, const float *const *inputs, float *out) {
    float *dst = out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            const float *src = inputs[k] + o * size;
            for (int32_t i = 0; i < size; ++i) {
                dst[i] = src[i];
            }
            dst += size;
        }
    }
}
