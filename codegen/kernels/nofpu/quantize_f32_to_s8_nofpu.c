/* float -> int8 with no floating-point arithmetic, for cores without an FPU (ISA feature
 * `nofpu`): the reference's bytes (TFLite's QUANTIZE: the quotient x / scale rounded to
 * float32, to nearest even, then to an integer with ties away from zero, plus the zero
 * point, clamped to int8), computed on the IEEE-754 bits with one integer division. The
 * planner picks it for a normal, positive scale and an int8 zero point (overrides/nofpu.py);
 * inputs are finite (the firmware refuses NaN and infinities on the wire). */
#include <stdbool.h>
#include <string.h>

#include "edgediff/kernels.h"

#define SIGNIFICAND_BITS 24
#define IMPLICIT_ONE (1u << 23)
#define SATURATED 256 /* past +-256 the int8 clamp decides, whatever the zero point */

static uint32_t float_bits(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static uint32_t bit_length(uint64_t v)
{
    uint32_t n = 0;
    while (v != 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

/* round_half_away(fl(|x| / scale)), at most SATURATED; x's magnitude bits, scale = ms * 2^es. */
static int32_t quotient_magnitude(uint32_t x, uint32_t ms, int32_t es)
{
    uint32_t field = x >> 23;
    uint32_t mx = x & (IMPLICIT_ONE - 1u);
    int32_t ex;
    if (field == 0u) { /* zero or subnormal: mx * 2^-149, normalised below */
        if (mx == 0u) {
            return 0;
        }
        ex = -149;
        while (mx < IMPLICIT_ONE) {
            mx <<= 1;
            ex--;
        }
    } else if (field == 255u) {
        return SATURATED;
    } else {
        mx |= IMPLICIT_ONE;
        ex = (int32_t)field - 150;
    }
    /* |x| / scale = (mx / ms) * 2^d with mx / ms in (1/2, 2) */
    const int32_t d = ex - es;
    if (d >= 9) {
        return SATURATED; /* the quotient is over 256 */
    }
    if (d < -25) {
        return 0; /* under 2^-24: rounds to 0 */
    }
    /* the quotient's float32 significand: 26 fraction bits of mx / ms, then nearest even */
    const uint64_t numerator = (uint64_t)mx << 26;
    uint64_t t = numerator / ms;
    const bool sticky = numerator - t * ms != 0u;
    uint32_t shift = bit_length(t) - SIGNIFICAND_BITS; /* 2 or 3 */
    const uint64_t guard = t & ((1u << shift) - 1u);
    const uint64_t half = 1u << (shift - 1u);
    t >>= shift;
    if (guard > half || (guard == half && (sticky || (t & 1u)))) {
        t++;
        if (t == (1u << SIGNIFICAND_BITS)) {
            t >>= 1;
            shift++;
        }
    }
    /* fl(quotient) = t * 2^-k with k >= 15; to an integer, ties away from zero */
    const int32_t k = 26 - (int32_t)shift - d;
    if (k > SIGNIFICAND_BITS + 1) {
        return 0;
    }
    uint64_t whole = t >> k;
    if ((t & ((1ull << k) - 1u)) >= (1ull << (k - 1))) {
        whole++;
    }
    return whole > SATURATED ? SATURATED : (int32_t)whole;
}

void edgediff_quantize_f32_to_s8_nofpu(const quantize_s8_params_t *p, const float *in, int8_t *out)
{
    const uint32_t scale = float_bits(p->scale);
    const uint32_t ms = (scale & (IMPLICIT_ONE - 1u)) | IMPLICIT_ONE;
    const int32_t es = (int32_t)(scale >> 23) - 150;
    for (int32_t i = 0; i < p->count; ++i) {
        const uint32_t x = float_bits(in[i]);
        int32_t r = quotient_magnitude(x & 0x7FFFFFFFu, ms, es);
        r = (x >> 31) ? -r : r;
        r += p->zero_point;
        out[i] = (int8_t)(r < -128 ? -128 : (r > 127 ? 127 : r));
    }
}
