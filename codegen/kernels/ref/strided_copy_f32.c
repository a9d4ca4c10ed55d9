/* Reference FP32 strided copy: the one gather behind every view op (slice, split pieces,
 * expand, repeat, permute, pixel shuffle); shared loop in internal/shape_util.h, moving
 * elements bit for bit. */
#include "edgediff/internal/shape_util.h"
#include "edgediff/kernels.h"

void edgediff_strided_copy_f32(const strided_copy_params_t *p, const float *in, float *out) {
    edgediff_strided_copy(p, in, out, edgediff_move_f32);
}
