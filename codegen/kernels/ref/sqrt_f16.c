/* Reference FP16 elementwise sqrt: the FP32 kernel's float math on the widened half, rounded
 * once on store; in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_sqrt_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        const float v = edgediff_load_f16(in, i);
        edgediff_store_f16(out, i, sqrtf(v));
    }
}
