/* Reference nearest-neighbour resize with torch's float scale (see kernel_util.h, where the
 * loop is shared with upsample_nearest2d_f16). */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f32(const upsample_nearest2d_params_t *p, const float *in,
                                     float *out) {
    edgediff_upsample_nearest2d(p, in, out, edgediff_move_f32);
}
