/* The span of the MVE 1xK convolutions (conv1d_f32_mve.c, _f16_mve.c; the frame and the
 * scheme are internal/conv1d_simd.h), internal to codegen/kernels. The includer defines
 * EDGEDIFF_C1_F16 for halves (else floats) and EDGEDIFF_C1_NAME.
 *
 * ACCUMULATION: FP32 in both. FP32: 4 outputs of a span per vector times 4 output channels,
 * per input channel and tap one load, 4 scalar weights and 4 vfmaq_n. FP16: 8 outputs per
 * load of halves, widened to two FP32 vectors (even and odd lanes, VCVTB/VCVTT), times 2
 * output channels: 4 FP32 multiply-adds per load; the narrowing at the store puts the lanes
 * back in order. Stride 1 loads are contiguous; a larger stride loads with a gather of
 * offsets 0, s, 2s, ... Full vectors load unpredicated; the last, partial one of a span loads
 * with a zeroing predicate and never reads past the span's input. The activation is applied
 * in FP32 (kernels_mve.h), then one rounding to the element type and a predicated store.
 * The stride and the tail are constants in each inlined copy of the loop. */
#ifndef EDGEDIFF_C1_NAME
#error "define EDGEDIFF_C1_NAME before including this header"
#endif
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#ifdef EDGEDIFF_C1_F16
#define EDGEDIFF_C1_ELEM edgediff_f16_t
#define EDGEDIFF_C1_BLOCK 2
#define EDGEDIFF_C1_LANES 8
#else
#define EDGEDIFF_C1_ELEM float
#define EDGEDIFF_C1_BLOCK 4
#define EDGEDIFF_C1_LANES 4
#endif
#include "edgediff/internal/conv1d_simd.h"

#ifdef EDGEDIFF_C1_F16

#define EDGEDIFF_C1_CH(p) ((const float16_t *)(const void *)(p))

/* Outputs x .. x+7 of `block` (1 or 2) channels; tail: only n < 8 of them; strided: the
 * stride is not 1 (gather loads at `offsets`). */
EDGEDIFF_MVE_INLINE void edgediff_c1_vector(const edgediff_c1_span_t *s, int32_t x,
                                            const int32_t block, const int32_t strided,
                                            const int32_t tail, int32_t n, uint16x8_t offsets) {
    const mve_pred16_t m = vctp16q((uint32_t)n);
    float32x4_t e0 = vdupq_n_f32(s->bias[0]), o0 = e0, e1 = e0, o1 = e0;
    if (block > 1) {
        e1 = o1 = vdupq_n_f32(s->bias[1]);
    }
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1], taps = s->taps;
    const edgediff_f16_t *in = s->in + x * s->stride - s->pad, *w = s->weight;
    for (int32_t i = 0; i < s->c_in; ++i) {
        for (int32_t k = 0; k < taps; ++k) {
            const float16_t *src = EDGEDIFF_C1_CH(in + k);
            float16x8_t h;
            if (strided) {
                h = tail ? vldrhq_gather_shifted_offset_z_f16(src, offsets, m)
                         : vldrhq_gather_shifted_offset_f16(src, offsets);
            } else {
                h = tail ? vldrhq_z_f16(src, m) : vld1q_f16(src);
            }
            const float32x4_t ve = edgediff_mve_widen_b(h), vo = edgediff_mve_widen_t(h);
            const float s0 = (float)w[w0 + k];
            e0 = vfmaq_n_f32(e0, ve, s0);
            o0 = vfmaq_n_f32(o0, vo, s0);
            if (block > 1) {
                const float s1 = (float)w[w1 + k];
                e1 = vfmaq_n_f32(e1, ve, s1);
                o1 = vfmaq_n_f32(o1, vo, s1);
            }
        }
        in += s->in_plane;
        w += taps;
    }
    for (int32_t c = 0; c < s->n_co && c < block; ++c) {
        const float16x8_t y = edgediff_mve_narrow(edgediff_mve_act_f32(c ? e1 : e0, s->act),
                                                  edgediff_mve_act_f32(c ? o1 : o0, s->act));
        vstrhq_p_f16((float16_t *)(void *)(s->out + c * s->out_plane + x), y, m);
    }
}

EDGEDIFF_MVE_INLINE uint16x8_t edgediff_c1_offsets(int32_t stride) {
    return vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)stride);
}

#else

/* Outputs x .. x+3 of `block` (1 or 4) channels; tail: only n < 4 of them; strided: the
 * stride is not 1 (gather loads at `offsets`). */
EDGEDIFF_MVE_INLINE void edgediff_c1_vector(const edgediff_c1_span_t *s, int32_t x,
                                            const int32_t block, const int32_t strided,
                                            const int32_t tail, int32_t n, uint32x4_t offsets) {
    const mve_pred16_t m = vctp32q((uint32_t)n);
    float32x4_t a0 = vdupq_n_f32(s->bias[0]), a1 = a0, a2 = a0, a3 = a0;
    if (block > 1) {
        a1 = vdupq_n_f32(s->bias[1]);
        a2 = vdupq_n_f32(s->bias[2]);
        a3 = vdupq_n_f32(s->bias[3]);
    }
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1], w2 = s->w_co[2], w3 = s->w_co[3];
    const int32_t taps = s->taps;
    const float *in = s->in + x * s->stride - s->pad, *w = s->weight;
    for (int32_t i = 0; i < s->c_in; ++i) {
        for (int32_t k = 0; k < taps; ++k) {
            const float *src = in + k;
            float32x4_t v;
            if (strided) {
                v = tail ? vldrwq_gather_shifted_offset_z_f32(src, offsets, m)
                         : vldrwq_gather_shifted_offset_f32(src, offsets);
            } else {
                v = tail ? vldrwq_z_f32(src, m) : vld1q_f32(src);
            }
            a0 = vfmaq_n_f32(a0, v, w[w0 + k]);
            if (block > 1) {
                a1 = vfmaq_n_f32(a1, v, w[w1 + k]);
                a2 = vfmaq_n_f32(a2, v, w[w2 + k]);
                a3 = vfmaq_n_f32(a3, v, w[w3 + k]);
            }
        }
        in += s->in_plane;
        w += taps;
    }
    for (int32_t c = 0; c < s->n_co && c < block; ++c) {
        const float32x4_t y = edgediff_mve_act_f32(c == 0 ? a0 : c == 1 ? a1 : c == 2 ? a2 : a3,
                                                   s->act);
        vstrwq_p_f32(s->out + c * s->out_plane + x, y, m);
    }
}

EDGEDIFF_MVE_INLINE uint32x4_t edgediff_c1_offsets(int32_t stride) {
    return vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)stride);
}

#endif

/* Full vectors, then the partial last one, for `block` channels and the stride form (both
 * constants once inlined). */
EDGEDIFF_MVE_INLINE void edgediff_c1_span_block(const edgediff_c1_span_t *s, const int32_t block,
                                                const int32_t strided) {
    const __typeof__(edgediff_c1_offsets(1)) offsets = edgediff_c1_offsets(s->stride);
    int32_t x = s->x_first;
    for (; x + EDGEDIFF_C1_LANES <= s->x_end; x += EDGEDIFF_C1_LANES) {
        edgediff_c1_vector(s, x, block, strided, 0, EDGEDIFF_C1_LANES, offsets);
    }
    if (x < s->x_end) {
        edgediff_c1_vector(s, x, block, strided, 1, s->x_end - x, offsets);
    }
}

static void edgediff_c1_span(const edgediff_c1_span_t *s) {
    if (s->stride == 1) {
        if (s->n_co == 1) {
            edgediff_c1_span_block(s, 1, 0);
        } else {
            edgediff_c1_span_block(s, EDGEDIFF_C1_BLOCK, 0);
        }
    } else if (s->n_co == 1) {
        edgediff_c1_span_block(s, 1, 1);
    } else {
        edgediff_c1_span_block(s, EDGEDIFF_C1_BLOCK, 1);
    }
}
