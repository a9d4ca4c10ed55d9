/* Reference elementwise pow: x^exponent with libm powf (torch's NaN for x < 0 and a non-
 * integer exponent); in-place safe (out may equal in). */
#include "edgediff/internal/elementwise_math.h"
#include "edgediff/kernels.h"

void edgediff_pow_f32(const pow_params_t *p, const float *in, float *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const float v = in[i];
        out[i] = powf(v, p->exponent);
    }
}
