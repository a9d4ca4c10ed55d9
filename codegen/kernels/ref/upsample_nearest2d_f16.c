/* Reference FP16 nearest-neighbour resize: the shared loop in kernel_util.h (torch's float
 * scale, see there), copying halves bit for bit. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f16(const upsample_nearest2d_params_t *p, const edgediff_f16_t *in,
                                     edgediff_f16_t *out) {
    edgediff_upsample_nearest2d(p, in, out, edgediff_move_f16);
}
