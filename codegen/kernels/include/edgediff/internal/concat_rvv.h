/* Internal to concat_f16_rvv.c and concat_f32_rvv.c; not part of the API.
 * Concat as bytes, so one loop serves every element type: per outer index, each input's
 * contiguous slab of inner_sizes[k] elements is copied, 32 bytes per vector load/store
 * (e8, LMUL 2); bit-exact. */
#ifndef EDGEDIFF_RVV_CONCAT_RVV_H
#define EDGEDIFF_RVV_CONCAT_RVV_H

#include "edgediff/kernels.h"

/* The k-th pointer of the kernel's typed input array, which is passed untyped (a pointer
 * array cannot be reinterpreted portably; a constant accessor, inlined, costs nothing). */
typedef const void *(*edgediff_rvv_input_t)(const void *inputs, int32_t k);

static inline void edgediff_rvv_concat_bytes(const concat_params_t *p, const void *inputs,
                                             edgediff_rvv_input_t input, void *out,
                                             int32_t elem_bytes) {
    uint8_t *dst = (uint8_t *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t bytes = p->inner_sizes[k] * elem_bytes;
            const uint8_t *src = (const uint8_t *)input(inputs, k) + o * bytes;
            for (int32_t i = 0; i < bytes;) {
                const size_t vl = vsetvl_e8m2((size_t)(bytes - i));
                vse8_v_u8m2(dst + i, vle8_v_u8m2(src + i, vl), vl);
                i += (int32_t)vl;
            }
            dst += bytes;
        }
    }
}

#endif /* EDGEDIFF_RVV_CONCAT_RVV_H */
