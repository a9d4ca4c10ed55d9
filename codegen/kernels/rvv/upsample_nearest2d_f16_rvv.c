/* RVV FP16 nearest-neighbour resize by exactly 2 in both directions (the predicate in
 * overrides/rvv.py; torch's float scale 0.5 picks source index dst / 2 exactly). Each half
 * is doubled into a 32-bit pair h | h << 16 = 65537 h with two widening instructions
 * (2h, then + 65535 h), and the 8 pairs are stored contiguously into both output rows;
 * bit-exact. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f16_rvv(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out) {
    const int32_t planes = p->n * p->channels;
    const int32_t w_in = p->w_in, w_out = p->w_out;
    const int32_t rows = planes * p->h_in;
    const uint16_t *src_bits = (const uint16_t *)(const void *)in;
    uint16_t *out_bits = (uint16_t *)(void *)out;
    for (int32_t r = 0; r < rows; ++r) {
        const uint16_t *src = src_bits + r * w_in;
        uint16_t *dst = out_bits + 2 * r * w_out;
        for (int32_t x = 0; x < w_in;) {
            const size_t vl = vsetvl_e16m1((size_t)(w_in - x));
            const vuint16m1_t h = vle16_v_u16m1(src + x, vl);
            const vuint32m2_t pair = vwmaccu_vx_u32m2(vwaddu_vv_u32m2(h, h, vl), 0xFFFFu, h, vl);
            /* Output rows need not be 4-byte aligned: store the pairs as 2 x e16 through a
             * reinterpretation of the register (same bytes, little endian). */
            const vuint16m2_t halves = vreinterpret_v_u32m2_u16m2(pair);
            vse16_v_u16m2(dst + 2 * x, halves, 2 * vl);
            vse16_v_u16m2(dst + w_out + 2 * x, halves, 2 * vl);
            x += (int32_t)vl;
        }
    }
}
