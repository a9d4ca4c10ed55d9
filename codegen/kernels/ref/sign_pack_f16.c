/* Reference sign packing (f16 input): the shared loop in binary_util.h. */
#include "edgediff/internal/binary_util.h"

void edgediff_sign_pack_f16(const sign_pack_params_t *p, const edgediff_f16_t *in,
                            const edgediff_f16_t *threshold, uint32_t *out) {
    edgediff_sign_pack(p, in, threshold, out, edgediff_load_f16);
}
