/* Scalar-FPU broadcasting mul (internal/binary_fpu.h): one float mul per element, so the
 * result is the reference's; each operand element loaded once, a broadcast one kept in a
 * register. */
#include "edgediff/internal/fpu_elem.h"
#define EDGEDIFF_FPU_OP(a, b) ((a) * (b))
#include "edgediff/internal/binary_fpu.h"

void edgediff_mul_f32_fpu(const binary_params_t *p, const float *a, const float *b, float *out) {
    binary_fpu(p, a, b, out);
}
