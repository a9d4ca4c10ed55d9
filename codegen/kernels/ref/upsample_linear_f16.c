/* Reference FP16 linear / bilinear resize with torch's float index and weight arithmetic
 * (internal/shape_util.h): loads widen to float, one rounding on store. */
#include "edgediff/internal/shape_util.h"
#include "edgediff/kernels.h"

void edgediff_upsample_linear_f16(const upsample_linear_params_t *p, const edgediff_f16_t *in,
                                  edgediff_f16_t *out) {
    edgediff_upsample_linear(p, in, out, edgediff_load_f16, edgediff_store_f16);
}
