/* Reference FP16 group norm: the FP32 reference loop (kernel_util.h) on halves widened to
 * float; mean, variance and the affine step are float, one rounding to half per output. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_group_norm_f16(const group_norm_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                             edgediff_f16_t *out) {
    edgediff_group_norm(p, in, gamma, beta, out, edgediff_load_f16, edgediff_store_f16);
}
