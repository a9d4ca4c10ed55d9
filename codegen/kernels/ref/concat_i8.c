/* Reference int8 concat: a byte copy (the shared loop of kernel_util.h). The int8 lowering
 * requantizes every input to the output's scale and zero point first, so the bytes need no
 * arithmetic here (codegen/passes/quantize_int8.py). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static inline void edgediff_move_i8(void *dst, int32_t dst_index, const void *src, int32_t src_index) {
    ((int8_t *)dst)[dst_index] = ((const int8_t *)src)[src_index];
}

void edgediff_concat_i8(const concat_params_t *p, const int8_t *const *inputs, int8_t *out) {
    const void *slabs[EDGEDIFF_MAX_CONCAT];
    for (int32_t k = 0; k < p->count; ++k) {
        slabs[k] = inputs[k];
    }
    edgediff_concat(p, slabs, out, edgediff_move_i8);
}
