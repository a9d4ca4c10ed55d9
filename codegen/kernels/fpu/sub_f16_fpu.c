/* Scalar-FPU broadcasting sub (internal/binary_fpu.h): one float sub per element, so the
 * result is the reference's; each operand element loaded once, a broadcast one kept in a
 * register. */
#define EDGEDIFF_FPU_F16
#include "edgediff/internal/fpu_elem.h"
#define EDGEDIFF_FPU_OP(a, b) ((a) - (b))
#include "edgediff/internal/binary_fpu.h"

void edgediff_sub_f16_fpu(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out) {
    binary_fpu(p, a, b, out);
}
