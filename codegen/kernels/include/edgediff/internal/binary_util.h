/*
 * Shared loops of the 1-bit kernels (see kernels.h for the packed layout), written once for
 * any float element type with the load/store helpers of kernel_util.h. ISA overrides keep
 * the same arithmetic: an integer dot product, then the float output step.
 */
#ifndef EDGEDIFF_BINARY_UTIL_H
#define EDGEDIFF_BINARY_UTIL_H

#include <stdint.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

#define EDGEDIFF_WORD_BITS 32

/* Bits set in x, branch-free and portable (Zbb's cpop does this in one instruction). */
static inline int32_t edgediff_popcount32(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int32_t)((x * 0x01010101u) >> 24);
}

/* The output step: two statements, so no compiler may contract them into an FMA and every
 * target rounds the product and the sum exactly as codegen/binary.py does. */
static inline float edgediff_binary_output(int32_t dot, float scale, const void *bias, int32_t co,
                                           edgediff_load_t load) {
    float y = (float)dot * scale;
    if (bias) {
        y = y + load(bias, co);
    }
    return y;
}

/* The steps folded into the output step (kernels.h, fold_binary_output.py); NULL skips one. */
typedef struct {
    const void *shift_in, *slope, *shift_out, *res_scale, *residual;
} edgediff_binary_post_t;

static inline int32_t edgediff_binary_has_post(const edgediff_binary_post_t *post) {
    return post->shift_in || post->slope || post->shift_out || post->residual;
}

/* The folded steps for output element i of channel co, one statement (one float rounding)
 * each, as the unfused FP32 sub, prelu, add, mul and add kernels round them. */
static inline float edgediff_binary_post(float y, int32_t co, int32_t i,
                                         const edgediff_binary_post_t *post, edgediff_load_t load) {
    if (post->shift_in) {
        y = y - load(post->shift_in, co);
    }
    if (post->slope) {
        const float s = load(post->slope, co);
        y = y > 0.0f ? y : s * y;
    }
    if (post->shift_out) {
        y = y + load(post->shift_out, co);
    }
    if (post->residual) {
        float r = load(post->residual, i);
        if (post->res_scale) {
            r = load(post->res_scale, co) * r;
        }
        y = y + r;
    }
    return y;
}

static inline void edgediff_sign_pack(const sign_pack_params_t *p, const void *in,
                                      const void *threshold, uint32_t *out, edgediff_load_t load) {
    const int32_t plane = p->h * p->w;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t pixel = 0; pixel < plane; ++pixel) {
            uint32_t *words = out + (n * plane + pixel) * p->words;
            for (int32_t word = 0; word < p->words; ++word) {
                uint32_t bits = 0;
                for (int32_t b = 0; b < EDGEDIFF_WORD_BITS; ++b) {
                    const int32_t c = word * EDGEDIFF_WORD_BITS + b;
                    if (c >= p->channels) {
                        break;
                    }
                    const float t = threshold ? load(threshold, c) : 0.0f;
                    if (load(in, (n * p->channels + c) * plane + pixel) < t) {
                        bits |= 1u << b;
                    }
                }
                words[word] = bits;
            }
        }
    }
}

static inline void edgediff_binary_conv2d(const binary_conv2d_params_t *p, const uint32_t *in,
                                          const uint32_t *weight, const void *scale,
                                          const void *bias, const edgediff_binary_post_t *post,
                                          void *out, edgediff_load_t load,
                                          edgediff_store_t store) {
    const int32_t words = p->words, kh = p->kernel_h, kw = p->kernel_w;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; ++co) {
            const float alpha = load(scale, co);
            for (int32_t y = 0; y < p->h_out; ++y) {
                const int32_t iy0 = y * p->stride_h - p->pad_h;
                int32_t ky_first, ky_end;
                edgediff_clip_taps(iy0, 1, kh, p->h_in, &ky_first, &ky_end);
                for (int32_t x = 0; x < p->w_out; ++x) {
                    const int32_t ix0 = x * p->stride_w - p->pad_w;
                    int32_t kx_first, kx_end;
                    edgediff_clip_taps(ix0, 1, kw, p->w_in, &kx_first, &kx_end);
                    int32_t dot = 0;
                    for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                        for (int32_t kx = kx_first; kx < kx_end; ++kx) {
                            const uint32_t *a =
                                in + ((n * p->h_in + iy0 + ky) * p->w_in + ix0 + kx) * words;
                            const uint32_t *w = weight + ((co * kh + ky) * kw + kx) * words;
                            int32_t differ = 0;
                            for (int32_t i = 0; i < words; ++i) {
                                differ += edgediff_popcount32(a[i] ^ w[i]);
                            }
                            dot += p->c_in - 2 * differ;
                        }
                    }
                    const int32_t i = ((n * p->c_out + co) * p->h_out + y) * p->w_out + x;
                    const float v = edgediff_binary_output(dot, alpha, bias, co, load);
                    store(out, i, edgediff_binary_post(v, co, i, post, load));
                }
            }
        }
    }
}

static inline void edgediff_binary_weight_conv2d(const binary_conv2d_params_t *p, const void *in,
                                                 const uint32_t *weight, const void *scale,
                                                 const void *bias,
                                                 const edgediff_binary_post_t *post, void *out,
                                                 edgediff_load_t load, edgediff_store_t store) {
    const int32_t words = p->words, kh = p->kernel_h, kw = p->kernel_w;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; ++co) {
            for (int32_t y = 0; y < p->h_out; ++y) {
                const int32_t iy0 = y * p->stride_h - p->pad_h;
                int32_t ky_first, ky_end;
                edgediff_clip_taps(iy0, 1, kh, p->h_in, &ky_first, &ky_end);
                for (int32_t x = 0; x < p->w_out; ++x) {
                    const int32_t ix0 = x * p->stride_w - p->pad_w;
                    int32_t kx_first, kx_end;
                    edgediff_clip_taps(ix0, 1, kw, p->w_in, &kx_first, &kx_end);
                    float acc = 0.0f;
                    for (int32_t c = 0; c < p->c_in; ++c) {
                        const int32_t plane = (n * p->c_in + c) * p->h_in;
                        for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                            for (int32_t kx = kx_first; kx < kx_end; ++kx) {
                                const uint32_t word = weight[((co * kh + ky) * kw + kx) * words +
                                                             c / EDGEDIFF_WORD_BITS];
                                const float v = load(in, (plane + iy0 + ky) * p->w_in + ix0 + kx);
                                acc += ((word >> (c % EDGEDIFF_WORD_BITS)) & 1u) ? -v : v;
                            }
                        }
                    }
                    float y_out = acc * load(scale, co);
                    if (bias) {
                        y_out = y_out + load(bias, co);
                    }
                    const int32_t i = ((n * p->c_out + co) * p->h_out + y) * p->w_out + x;
                    store(out, i, edgediff_binary_post(y_out, co, i, post, load));
                }
            }
        }
    }
}

#endif /* EDGEDIFF_BINARY_UTIL_H */
