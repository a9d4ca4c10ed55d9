/* Reference FP32 linear / bilinear resize with torch's float index and weight arithmetic
 * (internal/shape_util.h): loads widen to float, one rounding on store. */
#include "edgediff/internal/shape_util.h"
#include "edgediff/kernels.h"

void edgediff_upsample_linear_f32(const upsample_linear_params_t *p, const float *in, float *out) {
    edgediff_upsample_linear(p, in, out, edgediff_load_f32, edgediff_store_f32);
}
