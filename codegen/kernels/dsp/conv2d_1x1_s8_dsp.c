/* int8 pointwise (1x1, stride 1, pad 0, groups 1) convolution for DSP cores (Cortex-M4/M7/M33,
 * overrides/dsp.py; the 3x3 layers run conv2d_s8_dsp). Each input row is widened once into
 * int16 in scratch, channels innermost (HWC, c_in rounded up to 4 with zeros) with the input
 * offset added; the weights once per call into scratch in the same order, the two channels of
 * a pair interleaved by 4 taps. One output row is then one contiguous dot product of c_in4
 * taps, two SMLADs per 4 taps per (channel, pixel), in blocks of 2 output channels x 2 pixels
 * (4 int32 sums, 6 data registers). Exact int32 sums, the reference's requantization: same
 * bytes as ref/conv2d_s8.c. (The loops are those of the earlier 3x3 kernel: kernel_h <= 3.) */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/gemm_s8_dsp.h"

/* One group of 4 taps for 2 channels x 2 pixels: the packed weights u (first channel) and v
 * (second), the pixels' columns a and b, two pairs each; each pointer moves on. On an Arm
 * DSP core three LDRDs and eight SMLADs (gcc splits 64-bit loads into LDR pairs, hence the
 * assembly); elsewhere C of the same arithmetic. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_S8_DSP_STEP(W, X0, X1, S00, S01, S10, S11)                                 \
    do {                                                                                       \
        uint32_t u0_, u1_, v0_, v1_, a0_, a1_;                                                 \
        __asm__ volatile("ldrd %[u0], %[u1], [%[w]], #8\n\t"                                   \
                         "ldrd %[a0], %[a1], [%[x0]], #8\n\t"                                  \
                         "smlad %[s00], %[u0], %[a0], %[s00]\n\t"                              \
                         "smlad %[s00], %[u1], %[a1], %[s00]\n\t"                              \
                         "ldrd %[v0], %[v1], [%[w]], #8\n\t"                                   \
                         "smlad %[s10], %[v0], %[a0], %[s10]\n\t"                              \
                         "smlad %[s10], %[v1], %[a1], %[s10]\n\t"                              \
                         "ldrd %[a0], %[a1], [%[x1]], #8\n\t"                                  \
                         "smlad %[s01], %[u0], %[a0], %[s01]\n\t"                              \
                         "smlad %[s01], %[u1], %[a1], %[s01]\n\t"                              \
                         "smlad %[s11], %[v0], %[a0], %[s11]\n\t"                              \
                         "smlad %[s11], %[v1], %[a1], %[s11]"                                   \
                         : [s00] "+r"(S00), [s01] "+r"(S01), [s10] "+r"(S10), [s11] "+r"(S11), \
                           [w] "+r"(W), [x0] "+r"(X0), [x1] "+r"(X1), [u0] "=&r"(u0_),        \
                           [u1] "=&r"(u1_), [v0] "=&r"(v0_), [v1] "=&r"(v1_), [a0] "=&r"(a0_), \
                           [a1] "=&r"(a1_)                                                     \
                         :                                                                     \
                         : "memory");                                                          \
    } while (0)
#else
#define EDGEDIFF_CONV_S8_DSP_STEP(w, x0, x1, s00, s01, s10, s11)                                 \
    do {                                                                                       \
        s00 = EDGEDIFF_SMLAD(w[0], x0[0], s00);                                                \
        s00 = EDGEDIFF_SMLAD(w[1], x0[1], s00);                                                \
        s10 = EDGEDIFF_SMLAD(w[2], x0[0], s10);                                                \
        s10 = EDGEDIFF_SMLAD(w[3], x0[1], s10);                                                \
        s01 = EDGEDIFF_SMLAD(w[0], x1[0], s01);                                                \
        s01 = EDGEDIFF_SMLAD(w[1], x1[1], s01);                                                \
        s11 = EDGEDIFF_SMLAD(w[2], x1[0], s11);                                                \
        s11 = EDGEDIFF_SMLAD(w[3], x1[1], s11);                                                \
        w += 4;                                                                                \
        x0 += 2;                                                                               \
        x1 += 2;                                                                               \
    } while (0)
#endif

/* weights [c_out][c_in][kh][kw] int8 -> per channel pair, per kernel row, per group of 4
 * taps (kx-major, channel-minor): 4 of the first channel, 4 of the second (0 past c_out). */
static void pack_weights(const conv2d_params_t *g, const int8_t *weight, int32_t c4,
                         int16_t *dst) {
    for (int32_t co0 = 0; co0 < g->c_out; co0 += 2) {
        for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
            for (int32_t kx = 0; kx < g->kernel_w; ++kx) {
                for (int32_t ci0 = 0; ci0 < c4; ci0 += 4) {  /* c4 is a multiple of 4 */
                    for (int32_t j = 0; j < 2; ++j) {
                        const int32_t co = co0 + j;
                        for (int32_t t = 0; t < 4; ++t) {
                            const int32_t ci = ci0 + t;
                            *dst++ = (int16_t)(co < g->c_out && ci < g->c_in
                                ? weight[((co * g->c_in + ci) * g->kernel_h + ky) * g->kernel_w + kx]
                                : 0);
                        }
                    }
                }
            }
        }
    }
}

/* Input row iy of the image (zeros outside it) as a padded HWC int16 row of wpad pixels. */
static void widen_row(const conv2d_params_t *g, const int8_t *image, int32_t offset, int32_t iy,
                      int32_t c4, int16_t *row) {
    const int32_t wpad = g->w_in + 2 * g->pad_w;
    if (iy < 0 || iy >= g->h_in) {
        for (int32_t i = 0; i < wpad * c4; ++i) {
            row[i] = 0;
        }
        return;
    }
    for (int32_t i = 0; i < g->pad_w * c4; ++i) {  /* the padding columns */
        row[i] = 0;
        row[(g->pad_w + g->w_in) * c4 + i] = 0;
    }
    for (int32_t ci = g->c_in; ci < c4; ++ci) {  /* the channels past c_in */
        for (int32_t ix = 0; ix < g->w_in; ++ix) {
            row[(g->pad_w + ix) * c4 + ci] = 0;
        }
    }
    const int32_t plane = g->h_in * g->w_in;
    for (int32_t ci = 0; ci < g->c_in; ++ci) {
        const int8_t *src = image + ci * plane + iy * g->w_in;
        int16_t *dst = row + g->pad_w * c4 + ci;
        for (int32_t ix = 0; ix < g->w_in; ++ix) {
            dst[ix * c4] = (int16_t)((int32_t)src[ix] + offset);
        }
    }
}

void edgediff_conv2d_1x1_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t c4 = edgediff_s8_dsp_depth(g->c_in);
    const int32_t run = g->kernel_w * c4;            /* taps of one kernel row */
    const int32_t wpad = g->w_in + 2 * g->pad_w;
    const int32_t step = g->stride_w * c4 / 2;       /* words from one output pixel to the next */
    const int32_t plane_out = g->h_out * g->w_out;
    int16_t *packed = (int16_t *)scratch;
    int16_t *band = (int16_t *)((char *)scratch + edgediff_conv2d_1x1_s8_dsp_weight_bytes(p));
    pack_weights(g, weight, c4, packed);
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * g->c_out * plane_out;
        /* a ring of kernel_h (<= 3) widened rows: input row iy lives in slot (iy + 3) % kernel_h,
         * so consecutive output rows (stride 1 or 2) widen only the rows they add */
        int32_t held[3] = {INT32_MIN, INT32_MIN, INT32_MIN};
        const int16_t *rows[3];
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                const int32_t iy = oy * g->stride_h - g->pad_h + ky;
                const int32_t slot = (iy + 3) % g->kernel_h;
                int16_t *row = band + slot * wpad * c4;
                if (held[slot] != iy) {
                    widen_row(g, image, p->q.input_offset, iy, c4, row);
                    held[slot] = iy;
                }
                rows[ky] = row;
            }
            for (int32_t ox = 0; ox < g->w_out; ox += 2) {
                const int two = ox + 1 < g->w_out;
                int8_t *o = dst + oy * g->w_out + ox;
                const uint32_t *wq = (const uint32_t *)packed;
                for (int32_t co = 0; co < g->c_out; co += 2) {
                    int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;  /* channel, pixel */
                    for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                        const uint32_t *x0 =
                            (const uint32_t *)(rows[ky] + ox * g->stride_w * c4);
                        const uint32_t *x1 = x0 + (two ? step : 0);
                        const uint32_t *end = wq + run;  /* 4 words per 4 taps */
                        while (wq != end) {
                            EDGEDIFF_CONV_S8_DSP_STEP(wq, x0, x1, s00, s01, s10, s11);
                        }
                    }
                    const edgediff_s8_dsp_channel_t c0 =
                        edgediff_s8_dsp_channel(bias, co, multiplier, shift, &p->q);
                    o[co * plane_out] = edgediff_s8_dsp_store(s00, &c0);
                    if (two) {
                        o[co * plane_out + 1] = edgediff_s8_dsp_store(s01, &c0);
                    }
                    if (co + 1 < g->c_out) {
                        const edgediff_s8_dsp_channel_t c1 =
                            edgediff_s8_dsp_channel(bias, co + 1, multiplier, shift, &p->q);
                        o[(co + 1) * plane_out] = edgediff_s8_dsp_store(s10, &c1);
                        if (two) {
                            o[(co + 1) * plane_out + 1] = edgediff_s8_dsp_store(s11, &c1);
                        }
                    }
                }
            }
        }
    }
}
