/* int8 -> float with no floating-point arithmetic, for cores without an FPU (ISA feature
 * `nofpu`): the reference's bits (scale * (q - zero point), one float32 product rounded to
 * nearest even), built from the scale's bits and an integer product. The planner picks it
 * for a normal, positive scale and an int8 zero point (overrides/nofpu.py), so q - zero point
 * is within +-255 and the product is normal or overflows to infinity. */
#include <string.h>

#include "edgediff/kernels.h"

#define IMPLICIT_ONE (1u << 23)

static uint32_t bit_length(uint32_t v)
{
    uint32_t n = 0;
    while (v != 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

void edgediff_dequantize_s8_to_f32_nofpu(const quantize_s8_params_t *p, const int8_t *in, float *out)
{
    uint32_t scale;
    memcpy(&scale, &p->scale, sizeof scale);
    const uint32_t ms = (scale & (IMPLICIT_ONE - 1u)) | IMPLICIT_ONE;
    const uint32_t field = scale >> 23;
    for (int32_t i = 0; i < p->count; ++i) {
        const int32_t v = (int32_t)in[i] - p->zero_point;
        uint32_t bits = 0u; /* scale * 0 = +0 */
        if (v != 0) {
            const uint32_t product = ms * (uint32_t)(v < 0 ? -v : v); /* < 2^32: exact */
            uint32_t shift = bit_length(product) - 24u;
            uint32_t s = product >> shift;
            if (shift > 0u) {
                const uint32_t guard = product & ((1u << shift) - 1u);
                const uint32_t half = 1u << (shift - 1u);
                if (guard > half || (guard == half && (s & 1u))) {
                    s++;
                    if (s == (1u << 24)) {
                        s >>= 1;
                        shift++;
                    }
                }
            }
            const uint32_t exponent = field + shift;
            bits = exponent >= 255u ? 0x7F800000u : (exponent << 23) | (s & (IMPLICIT_ONE - 1u));
            bits |= v < 0 ? 0x80000000u : 0u;
        }
        memcpy(&out[i], &bits, sizeof bits);
    }
}
