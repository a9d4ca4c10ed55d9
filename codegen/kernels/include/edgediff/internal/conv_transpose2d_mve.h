/* The span of the MVE transposed convolutions (conv_transpose2d_f32_mve.c, _f16_mve.c; the
 * frame and the scheme are internal/conv_transpose2d_simd.h), internal to codegen/kernels.
 * The includer defines EDGEDIFF_CT_F16 for halves (else floats) and EDGEDIFF_CT_NAME.
 *
 * ACCUMULATION: FP32 in both. FP32: 4 outputs of a span per vector times 4 output channels,
 * per input channel and tap one load, 4 scalar weights and 4 vfmaq_n. FP16: 8 outputs per
 * load of halves, widened to two FP32 vectors (even and odd lanes, VCVTB/VCVTT), times 2
 * output channels: 4 FP32 multiply-adds per load; the narrowing at the store puts the lanes
 * back in order. A span of one channel (depthwise) runs a one-channel copy of the loop. Full
 * vectors load unpredicated; the last, partial one of a span loads with a zeroing predicate
 * and never reads past the span's input. The activation is applied in FP32
 * (kernels_mve.h), then one rounding to the element type and a (scatter, for stride_w > 1)
 * store with the phase's output stride. */
#ifndef EDGEDIFF_CT_NAME
#error "define EDGEDIFF_CT_NAME before including this header"
#endif
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#ifdef EDGEDIFF_CT_F16
#define EDGEDIFF_CT_ELEM edgediff_f16_t
#define EDGEDIFF_CT_BLOCK 2
#define EDGEDIFF_CT_LANES 8
#else
#define EDGEDIFF_CT_ELEM float
#define EDGEDIFF_CT_BLOCK 4
#define EDGEDIFF_CT_LANES 4
#endif
#include "edgediff/internal/conv_transpose2d_simd.h"

#ifdef EDGEDIFF_CT_F16

#define EDGEDIFF_CT_CH(p) ((const float16_t *)(const void *)(p))

/* Outputs j .. j+7 of `block` (1 or 2) channels; tail: only n < 8 of them. */
EDGEDIFF_MVE_INLINE void edgediff_ct_vector(const edgediff_ct_span_t *s, int32_t j,
                                            const int32_t block, const int32_t tail, int32_t n) {
    const mve_pred16_t m = vctp16q((uint32_t)n);
    float32x4_t e0 = vdupq_n_f32(s->bias[0]), o0 = e0, e1 = e0, o1 = e0;
    if (block > 1) {
        e1 = o1 = vdupq_n_f32(s->bias[1]);
    }
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1];
    const edgediff_f16_t *in = s->in + j, *weight = s->weight;
    for (int32_t i = 0; i < s->c_in; ++i) {
        for (int32_t k = 0; k < s->taps; ++k) {
            const edgediff_f16_t *src = in + s->in_off[k];
            const float16x8_t h = tail ? vldrhq_z_f16(EDGEDIFF_CT_CH(src), m)
                                       : vld1q_f16(EDGEDIFF_CT_CH(src));
            const float32x4_t ve = edgediff_mve_widen_b(h), vo = edgediff_mve_widen_t(h);
            const edgediff_f16_t *w = weight + s->w_off[k];
            const float s0 = (float)w[w0];
            e0 = vfmaq_n_f32(e0, ve, s0);
            o0 = vfmaq_n_f32(o0, vo, s0);
            if (block > 1) {
                const float s1 = (float)w[w1];
                e1 = vfmaq_n_f32(e1, ve, s1);
                o1 = vfmaq_n_f32(o1, vo, s1);
            }
        }
        in += s->in_plane;
        weight += s->w_channel;
    }
    const uint16x8_t offsets = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)s->out_step);
    for (int32_t c = 0; c < s->n_co && c < block; ++c) {
        const float16x8_t y = edgediff_mve_narrow(edgediff_mve_act_f32(c ? e1 : e0, s->act),
                                                  edgediff_mve_act_f32(c ? o1 : o0, s->act));
        float16_t *dst = (float16_t *)(void *)(s->out + c * s->out_plane + j * s->out_step);
        if (s->out_step == 1) {
            vstrhq_p_f16(dst, y, m);
        } else {
            vstrhq_scatter_shifted_offset_p_f16(dst, offsets, y, m);
        }
    }
}

#else

/* Outputs j .. j+3 of `block` (1 or 4) channels; tail: only n < 4 of them. */
EDGEDIFF_MVE_INLINE void edgediff_ct_vector(const edgediff_ct_span_t *s, int32_t j,
                                            const int32_t block, const int32_t tail, int32_t n) {
    const mve_pred16_t m = vctp32q((uint32_t)n);
    float32x4_t a0 = vdupq_n_f32(s->bias[0]), a1 = a0, a2 = a0, a3 = a0;
    if (block > 1) {
        a1 = vdupq_n_f32(s->bias[1]);
        a2 = vdupq_n_f32(s->bias[2]);
        a3 = vdupq_n_f32(s->bias[3]);
    }
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1], w2 = s->w_co[2], w3 = s->w_co[3];
    const float *in = s->in + j, *weight = s->weight;
    for (int32_t i = 0; i < s->c_in; ++i) {
        for (int32_t k = 0; k < s->taps; ++k) {
            const float *src = in + s->in_off[k];
            const float32x4_t v = tail ? vldrwq_z_f32(src, m) : vld1q_f32(src);
            const float *w = weight + s->w_off[k];
            a0 = vfmaq_n_f32(a0, v, w[w0]);
            if (block > 1) {
                a1 = vfmaq_n_f32(a1, v, w[w1]);
                a2 = vfmaq_n_f32(a2, v, w[w2]);
                a3 = vfmaq_n_f32(a3, v, w[w3]);
            }
        }
        in += s->in_plane;
        weight += s->w_channel;
    }
    const uint32x4_t offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)s->out_step);
    for (int32_t c = 0; c < s->n_co && c < block; ++c) {
        const float32x4_t y = edgediff_mve_act_f32(c == 0 ? a0 : c == 1 ? a1 : c == 2 ? a2 : a3,
                                                   s->act);
        float *dst = s->out + c * s->out_plane + j * s->out_step;
        if (s->out_step == 1) {
            vstrwq_p_f32(dst, y, m);
        } else {
            vstrwq_scatter_shifted_offset_p_f32(dst, offsets, y, m);
        }
    }
}

#endif

/* Full vectors, then the partial last one, for `block` channels (a constant once inlined). */
EDGEDIFF_MVE_INLINE void edgediff_ct_span_block(const edgediff_ct_span_t *s, const int32_t block) {
    int32_t j = s->j_first;
    for (; j + EDGEDIFF_CT_LANES <= s->j_end; j += EDGEDIFF_CT_LANES) {
        edgediff_ct_vector(s, j, block, 0, EDGEDIFF_CT_LANES);
    }
    if (j < s->j_end) {
        edgediff_ct_vector(s, j, block, 1, s->j_end - j);
    }
}

static void edgediff_ct_span(const edgediff_ct_span_t *s) {
    if (s->n_co == 1) {
        edgediff_ct_span_block(s, 1);
    } else {
        edgediff_ct_span_block(s, EDGEDIFF_CT_BLOCK);
    }
}
