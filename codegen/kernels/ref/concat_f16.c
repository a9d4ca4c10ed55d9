/* Reference FP16 concat: the shared loop in kernel_util.h, copying halves bit for bit. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_concat_f16(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                         edgediff_f16_t *out) {
    /* The shared loop takes untyped input pointers; a pointer array cannot be reinterpreted
     * portably, so convert each pointer. */
    const void *slabs[EDGEDIFF_MAX_CONCAT];
    for (int32_t k = 0; k < p->count; ++k) {
        slabs[k] = inputs[k];
    }
    edgediff_concat(p, slabs, out, edgediff_move_f16);
}
