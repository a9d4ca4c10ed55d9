/* RVV sign packing (f16): 16 pixels per instruction instead of the reference's one bit per
 * strided load. NCHW keeps a channel's plane contiguous, so one vle16 reads channel c of 16
 * neighbouring pixels; vmflt.vf against the channel's threshold (halves compare exactly as
 * the reference's floats do: -0 is not below +0, NaN is below nothing, subnormals are
 * kept) masks a vor.vx of bit c % 16 into a 16-bit lane per pixel. Everything stays at
 * SEW 16 (no vsetvli between compare and OR): bits 0-15 and 16-31 of each word are two
 * 16-bit accumulators, stored as the word's low and high halves (little endian) by two
 * strided stores. Pure bit logic: equal to sign_pack_f16 bit for bit. Any shape. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

/* Bits 0..count-1 (count <= 16) of vl pixels: bit b set in lane j where
 * in[b * plane + j] < threshold[b] (threshold NULL: 0). */
static inline vuint16m2_t pack16(const edgediff_f16_t *in, int32_t plane,
                                 const edgediff_f16_t *threshold, int32_t count, size_t vl) {
    vuint16m2_t acc = vmv_v_x_u16m2(0, vl);
    for (int32_t b = 0; b < count; ++b) {
        const edgediff_f16_t t = threshold ? threshold[b] : (edgediff_f16_t)0.0f;
        const vbool8_t below = vmflt_vf_f16m2_b8(vle16_v_f16m2(in, vl), t, vl);
        acc = vor_vx_u16m2_m(below, acc, acc, (uint16_t)(1u << b), vl);
        in += plane;
    }
    return acc;
}

void edgediff_sign_pack_f16_rvv(const sign_pack_params_t *p, const edgediff_f16_t *in,
                                const edgediff_f16_t *threshold, uint32_t *out) {
    const int32_t plane = p->h * p->w, words = p->words, channels = p->channels;
    const ptrdiff_t stride = (ptrdiff_t)words * 4; /* bytes from one pixel's word to the next */
    for (int32_t n = 0; n < p->n; ++n) {
        const edgediff_f16_t *plane_in = in + n * channels * plane;
        uint32_t *plane_out = out + n * plane * words;
        for (int32_t pixel = 0; pixel < plane;) {
            const size_t vl = vsetvl_e16m2((size_t)(plane - pixel));
            for (int32_t word = 0; word < words; ++word) {
                const int32_t c0 = word * 32;
                const int32_t bits = channels - c0 < 32 ? channels - c0 : 32;
                const int32_t low_bits = bits < 16 ? bits : 16;
                const edgediff_f16_t *src = plane_in + c0 * plane + pixel;
                const edgediff_f16_t *t = threshold ? threshold + c0 : 0;
                const vuint16m2_t low = pack16(src, plane, t, low_bits, vl);
                const vuint16m2_t high = pack16(src + 16 * plane, plane, t ? t + 16 : 0,
                                                bits - low_bits, vl);
                uint16_t *dst = (uint16_t *)(void *)(plane_out + pixel * words + word);
                vsse16_v_u16m2(dst, stride, low, vl);
                vsse16_v_u16m2(dst + 1, stride, high, vl);
            }
            pixel += (int32_t)vl;
        }
    }
}
