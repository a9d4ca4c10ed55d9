/* Internal to binary_conv2d_f16_rvv.c and binary_conv2d_f32_rvv.c; not part of the API.
 * The loop both output types share (the kernel files pass a constant `half` flag).
 *
 * RVV 1.0 without Zvbb has no per-element popcount, but its mask instructions count bits:
 * vlm.v loads up to VLEN bits as a mask, vmxor.mm XORs two masks and vcpop.m counts the set
 * bits of one, so 128 channel-taps cost one load of the weights, one XOR and one count.
 * Mask lengths are in bits (vl), so a receptive field of any number of words is cut into
 * 128-bit masks and one shorter last mask, with no padding bits. vtype is e8/m8 only
 * because a mask then spans a whole register (VLMAX = VLEN * LMUL / SEW = 128 bits); every
 * instruction still touches one register, as an LMUL 1 one.
 *
 * Work: per output pixel, its receptive field is copied to a buffer in the weights' order
 * ([kh][kw][words], the layout of one output channel's weights) and loaded once as up to
 * EDGEDIFF_MAX_MASKS mask registers, which stay in registers while every output channel's weights
 * stream past: per channel and 128 bits, one vlm.v, one vmxor.mm, one vcpop.m. A tap in the
 * zero padding must count nothing: it is 0 in the buffer and, for border pixels only, the
 * XOR is ANDed with a mask of the valid bits (one more instruction per 128 bits). The
 * number of masks is a constant in each instantiation of differ() (one per count), so the
 * compiler can keep them in registers (RVV types cannot live in arrays). The output step
 * then runs for all channels of the pixel at once (output_step). */
#ifndef EDGEDIFF_RVV_BINARY_CONV2D_RVV_H
#define EDGEDIFF_RVV_BINARY_CONV2D_RVV_H

#include "edgediff/internal/binary_util.h"

#define EDGEDIFF_MASK_BITS 128 /* one mask register at VLEN 128 */
#define EDGEDIFF_MASK_BYTES (EDGEDIFF_MASK_BITS / 8)
#define EDGEDIFF_MASK_WORDS (EDGEDIFF_MASK_BITS / EDGEDIFF_WORD_BITS)
/* Receptive fields up to EDGEDIFF_RVV_BINARY_MAX_MASKS masks (edgediff/limits.h: 1152 bits,
 * 3x3 x 128 channels), checked by overrides/rvv.py; the field, its valid bits and the
 * counts of every output channel live in the scratch (kernels_rvv.h sizes it). */
#define EDGEDIFF_MAX_MASKS EDGEDIFF_RVV_BINARY_MAX_MASKS

/* Declares mask k of the receptive field (and of its valid bits when masked) and loads it;
 * the last mask is tail bits long. Unused ones are cleared, which the compiler drops. */
#define EDGEDIFF_LOAD_MASK(k)                                                           \
    const size_t vl##k = (k) + 1 == masks ? tail : EDGEDIFF_MASK_BITS;                  \
    const vbool1_t r##k =                                                               \
        (k) < masks ? vlm_v_b1(field + (k)*EDGEDIFF_MASK_BYTES, vl##k) : vmclr_m_b1(1); \
    const vbool1_t v##k =                                                               \
        (k) < masks && masked ? vlm_v_b1(valid + (k)*EDGEDIFF_MASK_BYTES, vl##k) : vmclr_m_b1(1)

/* Adds to d the bits where mask k of the field and of the weights at w differ. */
#define EDGEDIFF_COUNT(k)                                                                      \
    if ((k) < masks) {                                                                         \
        vbool1_t x = vmxor_mm_b1(r##k, vlm_v_b1(w + (k) * EDGEDIFF_MASK_BYTES, vl##k), vl##k); \
        if (masked) {                                                                          \
            x = vmand_mm_b1(x, v##k, vl##k);                                                   \
        }                                                                                      \
        d += (int32_t)vcpop_m_b1(x, vl##k);                                                    \
    }

/* differs[co] = bits where the receptive field (masks of 128 bits, the last tail bits) and
 * output channel co's weights differ, counting only the valid bits when masked. */
static inline __attribute__((always_inline)) void differ(
    const int32_t masks, const int32_t masked, const uint8_t *field, const uint8_t *valid,
    size_t tail, const uint8_t *w, int32_t channel_bytes, int32_t c_out, int32_t *differs) {
    EDGEDIFF_LOAD_MASK(0);
    EDGEDIFF_LOAD_MASK(1);
    EDGEDIFF_LOAD_MASK(2);
    EDGEDIFF_LOAD_MASK(3);
    EDGEDIFF_LOAD_MASK(4);
    EDGEDIFF_LOAD_MASK(5);
    EDGEDIFF_LOAD_MASK(6);
    EDGEDIFF_LOAD_MASK(7);
    EDGEDIFF_LOAD_MASK(8);
    for (int32_t co = 0; co < c_out; ++co, w += channel_bytes) {
        int32_t d = 0;
        EDGEDIFF_COUNT(0) EDGEDIFF_COUNT(1) EDGEDIFF_COUNT(2) EDGEDIFF_COUNT(3) EDGEDIFF_COUNT(4)
        EDGEDIFF_COUNT(5) EDGEDIFF_COUNT(6) EDGEDIFF_COUNT(7) EDGEDIFF_COUNT(8)
        differs[co] = d;
    }
}

/* differ() with the mask count and border flag as constants. */
#define EDGEDIFF_DIFFER_CASE(k)                                                 \
    case k:                                                                     \
        if (masked) {                                                           \
            differ(k, 1, field, valid, tail, w, channel_bytes, c_out, differs); \
        } else {                                                                \
            differ(k, 0, field, valid, tail, w, channel_bytes, c_out, differs); \
        }                                                                       \
        break;

static void differ_all(int32_t masks, int32_t masked, const uint8_t *field, const uint8_t *valid,
                       size_t tail, const uint8_t *w, int32_t channel_bytes, int32_t c_out,
                       int32_t *differs) {
    switch (masks) {
        EDGEDIFF_DIFFER_CASE(1) EDGEDIFF_DIFFER_CASE(2) EDGEDIFF_DIFFER_CASE(3)
        EDGEDIFF_DIFFER_CASE(4) EDGEDIFF_DIFFER_CASE(5) EDGEDIFF_DIFFER_CASE(6)
        EDGEDIFF_DIFFER_CASE(7) EDGEDIFF_DIFFER_CASE(8) EDGEDIFF_DIFFER_CASE(9)
    default:
        break;
    }
}

/* vl scales or biases from co on, as floats (halves widen exactly). */
static inline vfloat32m2_t load_f32(const void *values, int32_t co, size_t vl, int32_t half) {
    return half ? vfwcvt_f_f_v_f32m2(vle16_v_f16m1((const edgediff_f16_t *)values + co, vl), vl)
                : vle32_v_f32m2((const float *)values + co, vl);
}

/* vl elements `plane` apart from element i on, as floats. */
static inline vfloat32m2_t load_strided_f32(const void *values, int32_t i, int32_t plane,
                                            size_t vl, int32_t half) {
    return half ? vfwcvt_f_f_v_f32m2(vlse16_v_f16m1((const edgediff_f16_t *)values + i,
                                                    (ptrdiff_t)plane * 2, vl), vl)
                : vlse32_v_f32m2((const float *)values + i, (ptrdiff_t)plane * 4, vl);
}

/* edgediff_binary_post lane-wise: each step one instruction, rounded as the scalar one. */
static inline vfloat32m2_t post_step(vfloat32m2_t y, int32_t co, int32_t first, int32_t plane,
                                     size_t vl, const edgediff_binary_post_t *post, int32_t half) {
    if (post->shift_in) {
        y = vfsub_vv_f32m2(y, load_f32(post->shift_in, co, vl, half), vl);
    }
    if (post->slope) { /* s * y where !(y > 0), as the scalar select (NaN included) */
        const vbool16_t scaled = vmnot_m_b16(vmfgt_vf_f32m2_b16(y, 0.0f, vl), vl);
        y = vfmul_vv_f32m2_m(scaled, y, y, load_f32(post->slope, co, vl, half), vl);
    }
    if (post->shift_out) {
        y = vfadd_vv_f32m2(y, load_f32(post->shift_out, co, vl, half), vl);
    }
    if (post->residual) {
        vfloat32m2_t r = load_strided_f32(post->residual, first + co * plane, plane, vl, half);
        if (post->res_scale) {
            r = vfmul_vv_f32m2(load_f32(post->res_scale, co, vl, half), r, vl);
        }
        y = vfadd_vv_f32m2(y, r, vl);
    }
    return y;
}

/* One output pixel of every channel, `plane` elements apart: edgediff_binary_output lane-wise,
 * float(dot) * scale, then + bias (two instructions, each rounded, never a multiply-add;
 * no add without bias, as there), the folded steps (post_step), then one rounding to half
 * when half. first: the index of channel 0's output (and residual) element. */
static inline void output_step(int32_t c_out, const int32_t *differs, int32_t agree,
                               const void *scale, const void *bias,
                               const edgediff_binary_post_t *post, int32_t has_post, void *out,
                               int32_t first, int32_t plane, int32_t half) {
    const size_t out_bytes = half ? sizeof(edgediff_f16_t) : sizeof(float);
    out = (uint8_t *)out + (size_t)first * out_bytes;
    for (int32_t co = 0; co < c_out;) {
        const size_t vl = vsetvl_e32m2((size_t)(c_out - co));
        const vint32m2_t twice = vsll_vx_i32m2(vle32_v_i32m2(differs + co, vl), 1, vl);
        const vint32m2_t dot = vrsub_vx_i32m2(twice, agree, vl); /* exact in float */
        const vfloat32m2_t dot_f = vfcvt_f_x_v_f32m2(dot, vl);
        vfloat32m2_t y = vfmul_vv_f32m2(dot_f, load_f32(scale, co, vl, half), vl);
        if (bias) {
            y = vfadd_vv_f32m2(y, load_f32(bias, co, vl, half), vl);
        }
        if (has_post) {
            y = post_step(y, co, first, plane, vl, post, half);
        }
        if (half) {
            vsse16_v_f16m1((edgediff_f16_t *)out + co * plane, plane * 2,
                           vfncvt_f_f_w_f16m1(y, vl), vl);
        } else {
            vsse32_v_f32m2((float *)out + co * plane, plane * 4, y, vl);
        }
        co += (int32_t)vl;
    }
}

/* The kernel (half: f16 scale, bias and output, else f32). scratch: the receptive field,
 * its valid bits and the counts per output channel, each from an aligned byte. */
static inline void binary_conv2d_rvv(const binary_conv2d_params_t *p, const uint32_t *in,
                                     const uint32_t *weight, const void *scale,
                                     const void *bias, const edgediff_binary_post_t *post,
                                     void *out, int32_t half, void *scratch) {
    const int32_t words = p->words, kh = p->kernel_h, kw = p->kernel_w;
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t plane = h_out * w_out;
    const int32_t field_words = kh * kw * words; /* also one output channel's weight words */
    const int32_t masks = (field_words + EDGEDIFF_MASK_WORDS - 1) / EDGEDIFF_MASK_WORDS;
    const size_t tail =
        (size_t)(field_words - (masks - 1) * EDGEDIFF_MASK_WORDS) * EDGEDIFF_WORD_BITS;
    const int32_t has_post = edgediff_binary_has_post(post);
    const int32_t field_bytes = edgediff_scratch_round(field_words * 4);
    uint32_t *const field = (uint32_t *)scratch;
    uint32_t *const valid = (uint32_t *)((uint8_t *)scratch + field_bytes);
    int32_t *const differs = (int32_t *)((uint8_t *)scratch + 2 * field_bytes);
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t y = 0; y < h_out; ++y) {
            const int32_t iy0 = y * p->stride_h - p->pad_h;
            int32_t ky_first, ky_end;
            edgediff_clip_taps(iy0, 1, kh, h_in, &ky_first, &ky_end);
            for (int32_t x = 0; x < w_out; ++x) {
                const int32_t ix0 = x * p->stride_w - p->pad_w;
                int32_t kx_first, kx_end;
                edgediff_clip_taps(ix0, 1, kw, w_in, &kx_first, &kx_end);
                const int32_t border = ky_end - ky_first < kh || kx_end - kx_first < kw;
                if (border) {
                    for (int32_t i = 0; i < field_words; ++i) {
                        field[i] = 0;
                        valid[i] = 0;
                    }
                }
                for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                    const uint32_t *a = in + ((n * h_in + iy0 + ky) * w_in + ix0) * words;
                    for (int32_t i = kx_first * words; i < kx_end * words; ++i) {
                        field[ky * kw * words + i] = a[i];
                        valid[ky * kw * words + i] = ~0u;
                    }
                }
                differ_all(masks, border, (const uint8_t *)field, (const uint8_t *)valid, tail,
                           (const uint8_t *)weight, field_words * 4, p->c_out, differs);
                /* each valid tap adds c_in - 2 * (differing bits) */
                const int32_t agree = (ky_end - ky_first) * (kx_end - kx_first) * p->c_in;
                const int32_t first = n * p->c_out * plane + y * w_out + x; /* channel 0's */
                output_step(p->c_out, differs, agree, scale, bias, post, has_post, out, first,
                            plane, half);
            }
        }
    }
}

/* This header's own macros end here (the includer's code does not use them). */
#undef EDGEDIFF_COUNT
#undef EDGEDIFF_DIFFER_CASE
#undef EDGEDIFF_LOAD_MASK
#undef EDGEDIFF_MASK_BITS
#undef EDGEDIFF_MASK_BYTES
#undef EDGEDIFF_MASK_WORDS
#undef EDGEDIFF_MAX_MASKS

#endif /* EDGEDIFF_RVV_BINARY_CONV2D_RVV_H */
