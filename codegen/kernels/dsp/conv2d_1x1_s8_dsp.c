/* int8 pointwise (1x1, stride 1, pad 0, groups 1) convolution for DSP cores (Cortex-M4/M7/M33,
 * overrides/dsp.py; the 3x3 layers run conv2d_s8_dsp). The weights come widened to int16 and
 * packed at build time (overrides/dsp_pointwise_pack.py: per channel pair, per group of 4
 * input channels, 4 of the first channel then 4 of the second), so the scratch holds only two
 * pixels' input columns: two consecutive pixels of the plane (a row's end and the next row's
 * start are as good a pair as any), c_in widened to int16 with the input offset added and
 * rounded up to 4 with zeros. Each (channel, pixel) is then one contiguous dot product of
 * c_in4 taps, two SMLADs per 4 taps, in blocks of 2 output channels x 2 pixels (4 int32 sums,
 * 6 data registers). Exact int32 sums, the reference's requantization: same bytes as
 * ref/conv2d_s8.c. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/gemm_s8_dsp.h"

/* One group of 4 taps for 2 channels x 2 pixels: the packed weights w (4 of the first channel,
 * then 4 of the second), the pixels' columns x0 and x1; each pointer moves on. On an Arm DSP
 * core three LDRDs and eight SMLADs (gcc splits 64-bit loads into LDR pairs, hence the
 * assembly); elsewhere C of the same arithmetic. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_1X1_S8_DSP_STEP(W, X0, X1, S00, S01, S10, S11)                             \
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
#define EDGEDIFF_CONV_1X1_S8_DSP_STEP(w, x0, x1, s00, s01, s10, s11)                             \
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

/* Pixels pix and pix + 1 of the plane (one when `two` is 0) as int16 columns of c4 values,
 * the input offset added, zeros past c_in. */
static void widen_columns(const int8_t *image, int32_t plane, int32_t c_in, int32_t c4,
                          int32_t offset, int32_t pix, int two, int16_t *col0, int16_t *col1) {
    const int8_t *src = image + pix;
    int32_t ci = 0;
    if (two) {
        for (; ci < c_in; ++ci, src += plane) {
            col0[ci] = (int16_t)((int32_t)src[0] + offset);
            col1[ci] = (int16_t)((int32_t)src[1] + offset);
        }
    } else {
        for (; ci < c_in; ++ci, src += plane) {
            col0[ci] = (int16_t)((int32_t)src[0] + offset);
        }
    }
    for (; ci < c4; ++ci) {
        col0[ci] = 0;
        col1[ci] = 0;
    }
}

void edgediff_conv2d_1x1_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                                const int32_t *bias, const int32_t *multiplier,
                                const int32_t *shift, int8_t *out, void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t c4 = edgediff_s8_dsp_depth(g->c_in);
    const int32_t plane = g->h_in * g->w_in;  /* = h_out * w_out */
    int16_t *col0 = (int16_t *)scratch;
    int16_t *col1 = col0 + c4;
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * plane;
        int8_t *dst = out + n * g->c_out * plane;
        for (int32_t pix = 0; pix < plane; pix += 2) {
            const int two = pix + 1 < plane;
            widen_columns(image, plane, g->c_in, c4, p->q.input_offset, pix, two, col0, col1);
            int8_t *o = dst + pix;
            const uint32_t *wq = (const uint32_t *)(const void *)weight;
            for (int32_t co = 0; co < g->c_out; co += 2) {
                int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;  /* channel, pixel */
                const uint32_t *x0 = (const uint32_t *)col0;
                const uint32_t *x1 = (const uint32_t *)(two ? col1 : col0);
                const uint32_t *end = wq + c4;  /* 4 words per 4 taps of the pair */
                while (wq != end) {
                    EDGEDIFF_CONV_1X1_S8_DSP_STEP(wq, x0, x1, s00, s01, s10, s11);
                }
                const edgediff_s8_dsp_channel_t c0 =
                    edgediff_s8_dsp_channel(bias, co, multiplier, shift, &p->q);
                o[co * plane] = edgediff_s8_dsp_store(s00, &c0);
                if (two) {
                    o[co * plane + 1] = edgediff_s8_dsp_store(s01, &c0);
                }
                if (co + 1 < g->c_out) {
                    const edgediff_s8_dsp_channel_t c1 =
                        edgediff_s8_dsp_channel(bias, co + 1, multiplier, shift, &p->q);
                    o[(co + 1) * plane] = edgediff_s8_dsp_store(s10, &c1);
                    if (two) {
                        o[(co + 1) * plane + 1] = edgediff_s8_dsp_store(s11, &c1);
                    }
                }
            }
        }
    }
}
