/* int8 -> int8 rescaling for Arm MVE (Helium), ref/requantize_s8.c: q + input_offset,
 * TFLite's MultiplyByQuantizedMultiplier (internal/requantize_s8_mve.h, its lane-by-lane
 * twin: the left shift, VQRDMULH, the negative-tie fixup, VRSHL), plus the output zero
 * point, clamped to int8. The result depends on the input byte alone, so a long tensor
 * first rescales the 256 possible bytes into a table on the stack (4 lanes per step, the
 * arithmetic above), then looks every byte up 16 at a time (VEOR 0x80 makes the byte its
 * unsigned index, one VLDRB gather): the same bytes, about 0.3 instructions per element
 * where the lanes take 5. A short one (under EDGEDIFF_MVE_RQ_TABLE_MIN bytes) takes the
 * lanes. out may alias in (each vector is read before it is written). */
#include <arm_mve.h>

#include "edgediff/internal/lut_s8_mve.h"
#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

#define EDGEDIFF_MVE_RQ_TABLE_MIN 512

/* count bytes at in (4 lanes per step) rescaled into out */
static void rescale(const int8_t *in, int8_t *out, int32_t count, int32_t mul, int32_t zi,
                    int32_t zo, int32_t left, int32_t right) {
    const int32x4_t lo = vdupq_n_s32(-128), hi = vdupq_n_s32(127);
    for (int32_t i = 0; i < count; i += 4) {
        const mve_pred16_t m = vctp32q((uint32_t)(count - i));
        const int32x4_t x = vaddq_n_s32(vldrbq_z_s32(in + i, m), zi);
        const int32x4_t v = edgediff_mve_requantize_n(x, mul, left, right);
        vstrbq_p_s32(out + i, vminq_s32(vmaxq_s32(vaddq_n_s32(v, zo), lo), hi), m);
    }
}

void edgediff_requantize_s8_mve(const requantize_s8_params_t *p, const int8_t *in,
                                int8_t *out) {
    /* the parameters in locals: an int8 store may alias anything, *p included */
    const int32_t count = p->count, mul = p->multiplier, zi = p->input_offset;
    const int32_t zo = p->output_offset;
    const int32_t left = p->shift > 0 ? p->shift : 0, right = p->shift > 0 ? 0 : p->shift;
    if (count < EDGEDIFF_MVE_RQ_TABLE_MIN) {
        rescale(in, out, count, mul, zi, zo, left, right);
        return;
    }
    /* bytes[i] = i - 128, rescaled in place: table[i] is the result for input byte i - 128 */
    int8_t table[256] __attribute__((aligned(16)));
    for (int32_t i = 0; i < 256; i += 16) {
        vstrbq_s8(table + i, vreinterpretq_s8_u8(vidupq_n_u8((uint32_t)(i + 128) & 0xff, 1)));
    }
    rescale(table, table, 256, mul, zi, zo, left, right);
    edgediff_lut_s8_mve_apply(table, in, out, count);
}
