/* int8 -> int8 rescaling for Arm MVE (Helium), ref/requantize_s8.c on 4 int32 lanes per
 * step: q + input_offset, TFLite's MultiplyByQuantizedMultiplier
 * (internal/requantize_s8_mve.h, its lane-by-lane twin: the left shift, VQRDMULH, the
 * negative-tie fixup, VRSHL), plus the output zero point, clamped to int8, narrowed on store.
 * Same bytes as the reference. out may alias in (each vector is read before it is
 * written). */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

void edgediff_requantize_s8_mve(const requantize_s8_params_t *p, const int8_t *in,
                                int8_t *out) {
    /* the parameters in locals: an int8 store may alias anything, *p included */
    const int32_t count = p->count, mul = p->multiplier, zi = p->input_offset;
    const int32_t zo = p->output_offset;
    const int32_t left = p->shift > 0 ? p->shift : 0, right = p->shift > 0 ? 0 : p->shift;
    const int32x4_t lo = vdupq_n_s32(-128), hi = vdupq_n_s32(127);
    for (int32_t i = 0; i < count; i += 4) {
        const mve_pred16_t m = vctp32q(count - i);
        const int32x4_t x = vaddq_n_s32(vldrbq_z_s32(in + i, m), zi);
        const int32x4_t v = edgediff_mve_requantize_n(x, mul, left, right);
        vstrbq_p_s32(out + i, vminq_s32(vmaxq_s32(vaddq_n_s32(v, zo), lo), hi), m);
    }
}
