/* Internal to binary_conv2d_f16_mve.c and binary_conv2d_f32_mve.c; not part of the API.
 * The loop both output types share. The including file includes kernels_mve.h with
 * EDGEDIFF_MVE_IMPL, then defines
 *   elem_t                         the output, scale and bias element type;
 *   LOAD, STORE                    edgediff_load_<t> / edgediff_store_<t> (kernel_util.h);
 *   store4(out, offsets, y)        y rounded to elem_t, lane j stored at out + offsets[j]
 *                                  bytes;
 *   store4_p(out, offsets, y, m)   the same, lanes off in predicate m skipped;
 * and includes this header. binary_conv2d_mve() is then the kernel.
 *
 * MVE has no per-lane popcount (no VCNT as in Neon), and SWAR on uint8x16 lanes takes ten
 * instructions per 128 bits. A byte gather does it in one: VLDRB.U8 Qd, [table, Qm] loads
 * table[Qm[i]] for each of the 16 bytes, and table[b] is the popcount of b. So 128
 * channel-taps of one output channel cost one load of weights, one VEOR, one gather and
 * one VADDVA (the 16 byte counts added into a scalar). That is fewer instructions, which
 * `sdk bench` counts; it is not one cycle: each of the gather's 16 bytes is its own access.
 *
 * Work: the receptive fields of a band of output rows are copied to a buffer, each in the
 * weights' order ([kh][kw][words], the layout of one output channel's weights) and
 * zero-padded to whole vectors, so a dot product is a flat run of 4-word vectors. Then, per
 * block of BLOCK = 4 output channels, every pixel of the band: the 4 channels share each
 * load of the field, and their 4 outputs are one vector in the output step. Lanes that must
 * count nothing (the tail past kh*kw*words, taps in the zero padding) are 0 in the buffer
 * and are dropped from the weights by a zeroing predicated load, so their XOR is 0:
 * interior pixels predicate only a partial last vector, border pixels all of them (one
 * VPST more per vector).
 *
 * The output step is edgediff_binary_output lane-wise: float(dot) * scale, then + bias,
 * two instructions, each rounded. MVE's FP32 vector arithmetic may flush subnormals and
 * return the default NaN (QEMU runs it with the standard FPSCR value), so it equals the
 * scalar steps only where neither can occur: every scale and bias 0 or of magnitude in [2^-100, 2^100]. Then each product
 * (|dot| >= 1) and each nonzero sum (a multiple of 2^-123) is a normal float. Halves always
 * are; a layer with another float scale or bias runs the reference loop instead. */
#ifndef EDGEDIFF_MVE_BINARY_CONV2D_MVE_H
#define EDGEDIFF_MVE_BINARY_CONV2D_MVE_H

#include <math.h>

#include "edgediff/binary_util.h"

#define BLOCK 4             /* output channels per step, one vector of outputs */
#define LANES 4             /* words per vector */
#define MAX_FIELD_WORDS 256 /* kh * kw * words; see overrides/mve.py */
#define MAX_C_OUT 512       /* scales and biases kept as floats on the stack; same */
#define BAND_WORDS 2048     /* receptive fields of a band of rows; one row must fit: same */

/* popcount of every byte value, as 4 bits, then 6, then 8 */
#define POP2(n) n, n + 1, n + 1, n + 2
#define POP4(n) POP2(n), POP2(n + 1), POP2(n + 1), POP2(n + 2)
#define POP6(n) POP4(n), POP4(n + 1), POP4(n + 1), POP4(n + 2)
static const uint8_t popcount_table[256] = {POP6(0), POP6(1), POP6(1), POP6(2)};

/* acc + the bits set in field ^ weights */
EDGEDIFF_MVE_INLINE uint32_t count_differ(uint32_t acc, uint32x4_t field, uint32x4_t weights) {
    const uint8x16_t x = vreinterpretq_u8_u32(veorq_u32(field, weights));
    return vaddvaq_u8(acc, vldrbq_gather_offset_u8(popcount_table, x));
}

/* d[j] += the bits where the next vector of the field (at[BLOCK]) and of channel j's
 * weights (at[j]) differ, then every pointer moves on a vector; when predicated, only the
 * lanes in m count. (Pointers, not indices: GCC then post-increments the loads.) */
EDGEDIFF_MVE_INLINE void count_vector(uint32_t d[BLOCK], const uint32_t *at[BLOCK + 1],
                                      int32_t predicated, mve_pred16_t m) {
    const uint32x4_t f = vldrwq_u32(at[BLOCK]);
    at[BLOCK] += LANES;
#pragma GCC unroll 4
    for (int32_t j = 0; j < BLOCK; ++j) {
        d[j] = count_differ(d[j], f, predicated ? vldrwq_z_u32(at[j], m) : vldrwq_u32(at[j]));
        at[j] += LANES;
    }
}

/* Whether the vector output step computes the scalar one's bits for v (see above). */
static inline int32_t vector_exact(float v) {
    const float a = fabsf(v);
    return a == 0.0f || (a >= 0x1p-100f && a <= 0x1p100f);
}

/* Copies scale and bias (NULL: 0, never added) to floats, padded with zeros to whole
 * vectors; 0 when one of them rules out the vector output step. */
static inline int32_t load_params(int32_t c_out, const elem_t *scale, const elem_t *bias,
                                  float *scales, float *biases) {
    int32_t exact = 1;
    for (int32_t co = 0; co < (c_out + BLOCK - 1) / BLOCK * BLOCK; ++co) {
        scales[co] = co < c_out ? LOAD(scale, co) : 0.0f;
        biases[co] = co < c_out && bias ? LOAD(bias, co) : 0.0f;
        exact &= vector_exact(scales[co]) & vector_exact(biases[co]);
    }
    return exact;
}

/* The receptive fields of output rows [y, y_end) to band (pixel after pixel, `stride`
 * words each, zero where a tap is in the padding), with per pixel the number of agreeing
 * bits a dot starts from (each valid tap adds c_in - 2 * differing bits) and, for border
 * pixels, the predicates of their vectors (lanes: `vectors` per pixel). */
static inline void load_band(const binary_conv2d_params_t *p, const uint32_t *in, int32_t n,
                             int32_t y, int32_t y_end, int32_t stride, int32_t vectors,
                             uint32_t *band, mve_pred16_t *lanes, int32_t *agree) {
    const int32_t words = p->words, kh = p->kernel_h, kw = p->kernel_w;
    for (int32_t i = 0; i < (y_end - y) * p->w_out * stride; ++i) {
        band[i] = 0;
    }
    for (int32_t i = 0; i < (y_end - y) * p->w_out * vectors; ++i) {
        lanes[i] = 0;
    }
    for (int32_t pixel = 0; y < y_end; ++y) {
        const int32_t iy0 = y * p->stride_h - p->pad_h;
        int32_t ky_first, ky_end;
        edgediff_clip_taps(iy0, 1, kh, p->h_in, &ky_first, &ky_end);
        for (int32_t x = 0; x < p->w_out; ++x, ++pixel) {
            const int32_t ix0 = x * p->stride_w - p->pad_w;
            int32_t kx_first, kx_end;
            edgediff_clip_taps(ix0, 1, kw, p->w_in, &kx_first, &kx_end);
            agree[pixel] = (ky_end - ky_first) * (kx_end - kx_first) * p->c_in;
            const int32_t border = ky_end - ky_first < kh || kx_end - kx_first < kw;
            uint32_t *field = band + pixel * stride;
            for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                const uint32_t *a = in + ((n * p->h_in + iy0 + ky) * p->w_in + ix0) * words;
                for (int32_t i = kx_first * words; i < kx_end * words; ++i) {
                    const int32_t at = ky * kw * words + i;
                    field[at] = a[i];
                    if (border) { /* 4 predicate bits per word */
                        const mve_pred16_t word = (mve_pred16_t)(0xFu << (4 * (at % LANES)));
                        lanes[pixel * vectors + at / LANES] |= word;
                    }
                }
            }
        }
    }
}

static inline void binary_conv2d_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                     const uint32_t *weight, const elem_t *scale,
                                     const elem_t *bias, elem_t *out) {
    float scales[MAX_C_OUT] __attribute__((aligned(16)));
    float biases[MAX_C_OUT] __attribute__((aligned(16)));
    if (!load_params(p->c_out, scale, bias, scales, biases)) {
        edgediff_binary_conv2d(p, in, weight, scale, bias, out, LOAD, STORE);
        return;
    }
    const int32_t c_out = p->c_out, h_out = p->h_out, w_out = p->w_out;
    const int32_t plane = h_out * w_out;
    const int32_t field_words = p->kernel_h * p->kernel_w * p->words; /* = a channel's weights */
    const int32_t all_taps = p->kernel_h * p->kernel_w * p->c_in; /* an interior pixel's agree */
    const int32_t vectors = (field_words + LANES - 1) / LANES;
    const int32_t stride = vectors * LANES; /* words per field in the band */
    /* interior pixels: every vector but a partial last one is read whole */
    const int32_t whole = field_words % LANES ? vectors - 1 : vectors;
    /* predicates are built as bits: GCC 12 fails on ones made by a vector compare here */
    const uint32_t tail_words = (uint32_t)(field_words - whole * LANES);
    const mve_pred16_t tail_lanes = (mve_pred16_t)((1u << (4 * tail_words)) - 1);
    const int32_t band_rows = BAND_WORDS / (w_out * stride);
    uint32_t band[BAND_WORDS] __attribute__((aligned(16)));
    mve_pred16_t lanes[BAND_WORDS / LANES];
    int32_t agree[BAND_WORDS / LANES];
    /* Blocks of 4 channels; with fewer than 4 in all, the block repeats the last one (never
     * read out of bounds). Otherwise a last partial block is moved back to end at c_out,
     * overlapping the one before it, whose outputs it writes again with the same values. */
    const int32_t block = c_out < BLOCK ? c_out : BLOCK;
    const int32_t step1 = (block > 1) * field_words;
    const int32_t step2 = (block > 2 ? 2 : block - 1) * field_words;
    const int32_t step3 = (block - 1) * field_words;
    const mve_pred16_t store_lanes = vctp32q((uint32_t)block);
    /* output channel j of a block is j planes after the first */
    const uint32x4_t offsets = vmulq_n_u32(vidupq_n_u32(0, 1), plane * (uint32_t)sizeof(elem_t));
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t y = 0; y < h_out; y += band_rows) {
            const int32_t y_end = y + band_rows < h_out ? y + band_rows : h_out;
            const int32_t pixels = (y_end - y) * w_out;
            load_band(p, in, n, y, y_end, stride, vectors, band, lanes, agree);
            for (int32_t first = 0; first < c_out; first += BLOCK) {
                const int32_t co = first + block > c_out ? c_out - block : first;
                const uint32_t *const w0 = weight + co * field_words;
                const float32x4_t alpha = vldrwq_f32(scales + co), beta = vldrwq_f32(biases + co);
                elem_t *o = out + (n * c_out + co) * plane + y * w_out;
                for (int32_t pixel = 0; pixel < pixels; ++pixel) {
                    const uint32_t *at[BLOCK + 1] = {w0, w0 + step1, w0 + step2, w0 + step3,
                                                     band + pixel * stride};
                    uint32_t d[BLOCK] = {0, 0, 0, 0}; /* differing bits per channel */
                    if (agree[pixel] < all_taps) { /* a border pixel */
                        for (int32_t v = 0; v < vectors; ++v) {
                            count_vector(d, at, 1, lanes[pixel * vectors + v]);
                        }
                    } else {
                        for (int32_t v = 0; v < whole; ++v) {
                            count_vector(d, at, 0, 0);
                        }
                        if (whole < vectors) {
                            count_vector(d, at, 1, tail_lanes);
                        }
                    }
                    int32x4_t differ = vdupq_n_s32((int32_t)d[0]);
                    differ = vsetq_lane_s32((int32_t)d[1], differ, 1);
                    differ = vsetq_lane_s32((int32_t)d[2], differ, 2);
                    differ = vsetq_lane_s32((int32_t)d[3], differ, 3);
                    const int32x4_t dot = vaddq_n_s32(vmulq_n_s32(differ, -2), agree[pixel]);
                    float32x4_t y4 = vmulq_f32(vcvtq_f32_s32(dot), alpha);
                    if (bias) {
                        y4 = vaddq_f32(y4, beta);
                    }
                    if (block == BLOCK) {
                        store4(o + pixel, offsets, y4);
                    } else {
                        store4_p(o + pixel, offsets, y4, store_lanes);
                    }
                }
            }
        }
    }
}

#endif /* EDGEDIFF_MVE_BINARY_CONV2D_MVE_H */
