/* RVV F16 concat: each input's contiguous slab per outer index copied as bytes, 32
 * bytes per vector load/store (e8, LMUL 2); bit-exact. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void concat_f16_rvv(const concat_params_t *p, const edgediff_f16_t *const *inputs, edgediff_f16_t *out) {
    uint8_t *dst = (uint8_t *)out;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t bytes = p->inner_sizes[k] * (int32_t)sizeof(edgediff_f16_t);
            const uint8_t *src = (const uint8_t *)inputs[k] + o * bytes;
            for (int32_t i = 0; i < bytes;) {
                const size_t vl = vsetvl_e8m2((size_t)(bytes - i));
                vse8_v_u8m2(dst + i, vle8_v_u8m2(src + i, vl), vl);
                i += (int32_t)vl;
            }
            dst += bytes;
        }
    }
}
