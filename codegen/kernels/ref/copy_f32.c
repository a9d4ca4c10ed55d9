/* Reference copy; a loop rather than memcpy so freestanding builds need no libc symbol. */
#include "edgediff/kernels.h"

void edgediff_copy_f32(const float *in, float *out, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        out[i] = in[i];
    }
}
