/* Reference FP16 pad (constant, reflect, replicate): shared loop in internal/shape_util.h;
 * elements move bit for bit, the constant is rounded once to the element type. */
#include "edgediff/internal/shape_util.h"
#include "edgediff/kernels.h"

void edgediff_pad_f16(const pad_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out) {
    edgediff_pad(p, in, out, edgediff_move_f16, edgediff_store_f16);
}
