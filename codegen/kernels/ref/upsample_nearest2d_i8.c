/* Reference int8 nearest-neighbour resize: a byte copy with torch's row/column rule (the loop
 * shared with the float kernels, kernel_util.h). The output keeps the input's scale and zero
 * point, so the bytes are the input's. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static inline void edgediff_move_i8(void *dst, int32_t dst_index, const void *src, int32_t src_index) {
    ((int8_t *)dst)[dst_index] = ((const int8_t *)src)[src_index];
}

void edgediff_upsample_nearest2d_i8(const upsample_nearest2d_params_t *p, const int8_t *in,
                                    int8_t *out) {
    edgediff_upsample_nearest2d(p, in, out, edgediff_move_i8);
}
