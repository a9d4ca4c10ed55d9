/* Reference sign (f16): +1 for in >= 0 (zero included), else -1. */
#include "edgediff/kernels.h"

void edgediff_sign_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = in[i] >= (edgediff_f16_t)0 ? (edgediff_f16_t)1 : (edgediff_f16_t)-1;
    }
}
