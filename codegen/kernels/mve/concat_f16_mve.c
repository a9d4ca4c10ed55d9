/* FP16 concat for Arm MVE (Helium): each input's contiguous slab per outer index is copied
 * 8 halves per vector load/store (bit for bit: plain moves, no arithmetic), the slab's tail
 * with tail-predicated loads and stores. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_concat_f16_mve(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                             edgediff_f16_t *out) {
    uint16_t *dst = (uint16_t *)(void *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            const uint16_t *src = (const uint16_t *)(const void *)inputs[k] + o * size;
            for (int32_t i = 0; i < size; i += 8) {
                const mve_pred16_t m = vctp16q((uint32_t)(size - i));
                vstrhq_p_u16(dst + i, vldrhq_z_u16(src + i, m), m);
            }
            dst += size;
        }
    }
}
