/* Scalar-FPU elementwise SiLU, FP16 storage: each half widened once, x / (1 + e^-x) in
 * float with the polynomial e^x of fpu_math.h (within 3 units of 2^-24), one rounding to
 * half per output. In-place safe. */
#define EDGEDIFF_FPU_F16
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/fpu_math.h"

void edgediff_silu_f16_fpu(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    EDGEDIFF_FPU_SILU_SETUP();
    for (const edgediff_f16_t *end = in + count; in != end; ++in, ++out) {
        EDGEDIFF_FPU_STORE(out, EDGEDIFF_FPU_SILU(EDGEDIFF_FPU_LOAD(in)));
    }
}
