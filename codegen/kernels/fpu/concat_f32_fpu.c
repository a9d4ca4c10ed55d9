/* Scalar-FPU concat: each input's contiguous slab per outer index copied bit for bit in
 * 16-byte blocks (internal/copy_fpu.h). */
#include "edgediff/internal/copy_fpu.h"
#include "edgediff/kernels.h"

void edgediff_concat_f32_fpu(const concat_params_t *p, const float *const *inputs, float *out) {
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            edgediff_fpu_copy(out, inputs[k] + o * size, size * (int32_t)sizeof(float));
            out += size;
        }
    }
}
