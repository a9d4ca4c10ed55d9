/* Reference FP32 pad (constant, reflect, replicate): shared loop in internal/shape_util.h;
 * elements move bit for bit, the constant is rounded once to the element type. */
#include "edgediff/internal/shape_util.h"
#include "edgediff/kernels.h"

void edgediff_pad_f32(const pad_params_t *p, const float *in, float *out) {
    edgediff_pad(p, in, out, edgediff_move_f32, edgediff_store_f32);
}
