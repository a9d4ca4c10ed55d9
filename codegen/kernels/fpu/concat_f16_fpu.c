/* Scalar-FPU concat: each input's contiguous slab per outer index copied bit for bit in
 * 16-byte blocks (internal/copy_fpu.h), halves as halves, never through float. */
#include "edgediff/internal/copy_fpu.h"
#include "edgediff/kernels.h"

void edgediff_concat_f16_fpu(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                             edgediff_f16_t *out) {
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            edgediff_fpu_copy(out, inputs[k] + o * size, size * (int32_t)sizeof(edgediff_f16_t));
            out += size;
        }
    }
}
