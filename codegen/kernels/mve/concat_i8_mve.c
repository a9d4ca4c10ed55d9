/* int8 concat for Arm MVE (Helium): each input's contiguous slab per outer index is copied
 * 16 bytes per vector load/store (plain moves: the reference's bytes), the slab's tail with
 * one predicated load and store. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"

void edgediff_concat_i8_mve(const concat_params_t *p, const int8_t *const *inputs, int8_t *out) {
    int8_t *dst = out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            const int8_t *src = inputs[k] + o * size;
            for (int32_t n = size >> 4; n > 0; --n, src += 16, dst += 16) {
                vstrbq_s8(dst, vldrbq_s8(src));
            }
            if (size & 15) {
                const mve_pred16_t m = vctp8q((uint32_t)(size & 15));
                vstrbq_p_s8(dst, vldrbq_z_s8(src, m), m);
                dst += size & 15;
            }
        }
    }
}
