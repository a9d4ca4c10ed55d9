/* Scalar-FPU group norm fused with its activation (internal/group_norm_fpu.h), FP16
 * storage: halves widened once per pass, FP32 statistics and arithmetic, one rounding per
 * output. One statistics pass where its extra error stays within a quarter of the half's
 * own rounding (|mean| up to about the spread at 1,024 elements per group), those groups
 * normalised in one fused multiply-add (the mean folded into the shift); else two passes
 * and the mean subtracted first, as derived there. SiLU from the polynomial e^x of
 * fpu_math.h. In-place safe. */
#define EDGEDIFF_FPU_F16
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/group_norm_fpu.h"

void edgediff_group_norm_f16_fpu(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out) {
    group_norm_fpu(p, in, gamma, beta, out);
}
