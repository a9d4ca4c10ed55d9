/* Reference sign packing (f32 input): the shared loop in binary_util.h. */
#include "edgediff/internal/binary_util.h"

void edgediff_sign_pack_f32(const sign_pack_params_t *p, const float *in, const float *threshold,
                            uint32_t *out) {
    edgediff_sign_pack(p, in, threshold, out, edgediff_load_f32);
}
