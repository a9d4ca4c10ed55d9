/* Reference FP16 elementwise relu (exact); in-place safe (out may equal in). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_relu_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        edgediff_store_f16(out, i, edgediff_relu(edgediff_load_f16(in, i)));
    }
}
