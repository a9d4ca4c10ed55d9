/* Scalar-FPU group norm fused with its activation (internal/group_norm_fpu.h), FP32.
 * One statistics pass where the mean is small against the spread, else two, as derived
 * there; SiLU from the polynomial e^x of fpu_math.h. In-place safe. */
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/group_norm_fpu.h"

void edgediff_group_norm_f32_fpu(const group_norm_params_t *p, const float *in,
                                 const float *gamma, const float *beta, float *out) {
    group_norm_fpu(p, in, gamma, beta, out);
}
