/* RVV F16 concat: each input's contiguous slab per outer index copied as bytes, 32
 * bytes per vector load/store (e8, LMUL 2); bit-exact. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "concat_rvv.h"

void concat_f16_rvv(const concat_params_t *p, const edgediff_f16_t *const *inputs, edgediff_f16_t *out) {
    /* The shared loop takes untyped input pointers; a pointer array cannot be reinterpreted
     * portably, so convert each pointer (as the reference kernels do). */
    const void *slabs[EDGEDIFF_MAX_CONCAT];
    for (int32_t k = 0; k < p->count; ++k) {
        slabs[k] = inputs[k];
    }
    edgediff_rvv_concat_bytes(p, slabs, out, (int32_t)sizeof(edgediff_f16_t));
}
