/* Reference FP16 elementwise silu: float silu of the widened half, rounded once; in-place
 * safe (out may equal in). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_silu_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        edgediff_store_f16(out, i, edgediff_silu(edgediff_load_f16(in, i)));
    }
}
