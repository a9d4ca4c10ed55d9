/* Reference concat: for each outer index, append each input's contiguous slab in turn. The
 * loop lives in kernel_util.h, shared with concat_f16. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_concat_f32(const concat_params_t *p, const float *const *inputs, float *out) {
    /* The shared loop takes untyped input pointers; a pointer array cannot be reinterpreted
     * portably, so convert each pointer. */
    const void *slabs[EDGEDIFF_MAX_CONCAT];
    for (int32_t k = 0; k < p->count; ++k) {
        slabs[k] = inputs[k];
    }
    edgediff_concat(p, slabs, out, edgediff_move_f32);
}
