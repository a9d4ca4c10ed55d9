/* MVE sign packing (f16): 8 pixels per vector instead of the reference's one bit per
 * strided load. NCHW keeps a channel's plane contiguous, so one VLDRH reads channel c of 8
 * neighbouring pixels; VCMP against the channel's threshold (halves compare exactly as the
 * reference's floats do: -0 is not below +0, NaN is below nothing) predicates a VORR of
 * bit c % 16 into a 16-bit lane per pixel. Two such halves (bits 0-15 and 16-31) are
 * widened and joined into the 32-bit word of 8 pixels, scattered to out with stride
 * `words`. Pure bit logic: equal to sign_pack_f16 bit for bit.
 * Limits: none (overrides/mve.py). */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#include <stddef.h>

#define EDGEDIFF_PIXELS 8

/* Bits 0..count-1 (count <= 16) of 8 pixels: bit b set in lane j where
 * in[b * plane + j] < threshold[b] (threshold NULL: 0). Lanes off in tail read as 0 and
 * are never stored. */
__attribute__((always_inline)) static inline uint16x8_t pack16(
    const float16_t *in, int32_t plane, const float16_t *threshold, int32_t count,
    mve_pred16_t tail) {
    uint16x8_t acc = vdupq_n_u16(0), bit = vdupq_n_u16(1);
    for (int32_t b = 0; b < count; ++b) {
        const float16x8_t x = vldrhq_z_f16(in, tail);
        const mve_pred16_t below = vcmpltq_n_f16(x, threshold ? threshold[b] : (float16_t)0.0f);
        acc = vorrq_m_u16(acc, acc, bit, below);
        bit = vshlq_n_u16(bit, 1);
        in += plane;
    }
    return acc;
}

void edgediff_sign_pack_f16_mve(const sign_pack_params_t *p, const edgediff_f16_t *in,
                                const edgediff_f16_t *threshold, uint32_t *out) {
    const int32_t plane = p->h * p->w, words = p->words, channels = p->channels;
    const float16_t *thr = (const float16_t *)(const void *)threshold;
    /* Word offsets of the even and odd pixels of a block in out (the two widened halves). */
    const uint32_t step = (uint32_t)(2 * words);
    const uint32x4_t even = vmulq_n_u32(vidupq_n_u32(0, 1), step);
    const uint32x4_t odd = vaddq_n_u32(even, (uint32_t)words);
    for (int32_t n = 0; n < p->n; ++n) {
        const float16_t *plane_in = (const float16_t *)(const void *)in + n * channels * plane;
        uint32_t *plane_out = out + n * plane * words;
        for (int32_t pixel = 0; pixel < plane; pixel += EDGEDIFF_PIXELS) {
            const int32_t left = plane - pixel;
            const mve_pred16_t tail = vctp16q(left);
            const mve_pred16_t tail_even = vctp32q((left + 1) / 2), tail_odd = vctp32q(left / 2);
            for (int32_t word = 0; word < words; ++word) {
                const int32_t c0 = word * 32;
                const int32_t bits = channels - c0 < 32 ? channels - c0 : 32;
                const int32_t low_bits = bits < 16 ? bits : 16;
                const float16_t *src = plane_in + c0 * plane + pixel;
                const float16_t *t = thr ? thr + c0 : NULL;
                const uint16x8_t low = pack16(src, plane, t, low_bits, tail);
                const uint16x8_t high = pack16(src + 16 * plane, plane, t ? t + 16 : NULL,
                                               bits - low_bits, tail);
                /* Pixel j's word: low[j] | high[j] << 16; B/T take the even/odd lanes. */
                const uint32x4_t w_even = vorrq_u32(vmovlbq_u16(low), vshllbq_n_u16(high, 16));
                const uint32x4_t w_odd = vorrq_u32(vmovltq_u16(low), vshlltq_n_u16(high, 16));
                uint32_t *dst = plane_out + pixel * words + word;
                vstrwq_scatter_shifted_offset_p_u32(dst, even, w_even, tail_even);
                vstrwq_scatter_shifted_offset_p_u32(dst, odd, w_odd, tail_odd);
            }
        }
    }
}
