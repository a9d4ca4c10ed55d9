/* Reference FP16 elementwise leaky_relu: the FP32 kernel's float math on the widened half,
 * rounded once on store; in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_leaky_relu_f16(const leaky_relu_params_t *p, const edgediff_f16_t *in,
                             edgediff_f16_t *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = edgediff_load_f16(in, i);
        edgediff_store_f16(out, i, edgediff_leaky_relu(v, p->negative_slope));
    }
}
