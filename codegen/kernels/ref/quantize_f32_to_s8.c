/* Reference float -> int8, TFLite's QUANTIZE (AffineQuantize): round(x / scale) with the
 * quotient in float and ties away from zero, plus the zero point, clamped to int8. The
 * division (not a multiply by 1/scale) is what TFLite does, so the bytes match. */
#include "edgediff/kernels.h"

void edgediff_quantize_f32_to_s8(const quantize_s8_params_t *p, const float *in, int8_t *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        float q = in[i] / p->scale;
        /* past +-256 steps the clamp below decides whatever the zero point; this also keeps
         * the float -> int conversion in range */
        q = q < -256.0f ? -256.0f : (q > 256.0f ? 256.0f : q);
        int32_t r = (int32_t)q; /* toward zero; q - r is exact */
        const float frac = q - (float)r;
        r += frac >= 0.5f ? 1 : (frac <= -0.5f ? -1 : 0);
        r += p->zero_point;
        out[i] = (int8_t)(r < -128 ? -128 : (r > 127 ? 127 : r));
    }
}
