/* Reference FP16 copy, bit for bit; a loop rather than memcpy so freestanding builds need
 * no libc symbol. */
#include "edgediff/kernels.h"

void edgediff_copy_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = in[i];
    }
}
