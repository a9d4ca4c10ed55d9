/* Reference group norm, two passes (see kernel_util.h, where the loop is shared with
 * group_norm_f16). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_group_norm_f32(const group_norm_params_t *p, const float *in, const float *gamma,
                             const float *beta, float *out) {
    edgediff_group_norm(p, in, gamma, beta, out, edgediff_load_f32, edgediff_store_f32);
}
