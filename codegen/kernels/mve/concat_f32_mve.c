/* FP32 concat for Arm MVE (Helium): each input's contiguous slab per outer index is copied
 * 4 words per vector load/store (bit for bit: plain moves, no arithmetic), the slab's tail
 * with tail-predicated loads and stores. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_concat_f32_mve(const concat_params_t *p, const float *const *inputs, float *out) {
    uint32_t *dst = (uint32_t *)(void *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            const uint32_t *src = (const uint32_t *)(const void *)inputs[k] + o * size;
            for (int32_t i = 0; i < size; i += 4) {
                const mve_pred16_t m = vctp32q((uint32_t)(size - i));
                vstrwq_p_u32(dst + i, vldrwq_z_u32(src + i, m), m);
            }
            dst += size;
        }
    }
}
