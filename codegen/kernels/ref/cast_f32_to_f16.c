/* Reference FP32 -> FP16 cast: round to nearest even, overflow to +-inf, subnormal halves
 * kept. The compiler's conversion does it (an instruction with Zfh, vcvtb on Arm, a libgcc
 * helper on hosts without F16C); NaN stays NaN (its payload is the hardware's). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_cast_f32_to_f16(const float *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        edgediff_store_f16(out, i, in[i]);
    }
}
