/* int8 3x3 convolution (pad 1, stride 1 or 2, groups 1) for DSP cores (Cortex-M4/M7/M33,
 * overrides/dsp.py), same bytes as ref/conv2d_s8.c.
 *
 * The weights come packed at build time (overrides/dsp_conv_pack.py): a flag word (a short
 * layer, below), then per pair of output channels the sums' start (per channel its bias plus
 * input_offset * the sum of its weights), the weights as int16 pairs in the order of the
 * columns below and, in a short layer, the pair's requantization; another layer's
 * requantization (multiplier, left shift, right shift - 1, a 64-bit rounding constant) comes
 * after all pairs. So no weight is widened or copied at run time and the scratch is only the
 * column of the two output pixels a block computes.
 *
 * Column: for each kernel row ky and each pair of input channels (A, B), the 4 input bytes of
 * each row from the pixels' first column (stride 1: columns c..c+3 serve both pixels; stride 2
 * a second word for the second pixel, in the assembly gather the one from c + 1) become six words: sign-extended by SXTB16 into
 * (A0, A2) and (A1, A3) and the same for B, and the middle taps (A1, B1), (A2, B2) by one
 * PKHBT/PKHTB each. The input offset is not added: the padding holds the input zero point (so
 * x + offset = 0 there, as the reference skips it) and offset * sum(w) is in the sums' start;
 * the int32 sums wrap exactly as the reference's.
 *
 * Block: 2 output channels x 2 pixels, 4 int32 sums; a step is 2 tap pairs for all four:
 * one LDM of 4 column words, one LDM of 4 weight words, 8 SMLADs (16 MACs in 10
 * instructions), 36 steps per loop iteration for 16, 32 or 64 input channels, else 18
 * (entered half-way for an odd number of 9); inline assembly: the 14 registers are 4 sums, 2
 * pointers, 8 data; the loop's end sits on the stack. A short layer (every right shift 1..22,
 * no left shift, the doubled sums cannot overflow: its weights and sums' start are stored
 * doubled) runs all channel pairs of a block in one assembly loop, requantized in it by
 * SMMLAR (scale_short(): 4 instructions an output with the zero point, SSAT for the int8
 * clamp, STRB) where the clamp is int8's and the block has two pixels. Elsewhere a pair at a
 * time: TFLite's double rounding folded into one 64-bit multiply-add (scale2()), the zero
 * point and clamp on the two pixels' halves (put2()). Where the instructions go: docs/INT8.md.
 * The gather, dot(), scale2(), scale_short() and put2() are internal/conv2d_s8_dsp_parts.h's
 * (edgediff_conv3_*), shared with conv2d_chunked_s8_dsp. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/conv2d_s8_dsp_parts.h"

enum { HEAD_WORDS = 4, TAIL_WORDS = 6, GENERAL_WORDS = 10 };

/* A short layer, two pixels, an int8-wide clamp: `pairs` channel pairs from wq (their heads,
 * weights and tails in a row), everything in one assembly loop per block. The second
 * channel's outputs are stored first, so with plane_out 0 a lone channel's empty partner
 * leaves nothing behind. Per pair: the sums start at the head (one LDM), the steps of dot()
 * (internal/conv2d_s8_dsp_parts.h), then the tail (one LDM) and per output ADD (the sign into
 * a), SMMLAR, ASR, SSAT #8 and STRB. The 14 registers in the steps are those of dot(); the
 * pixels' column, its end, the output and the plane stride sit on the stack. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_S8_DSP_STEPS_36                                                           \
    "1:\n\t" EDGEDIFF_CONV_S8_DSP_STEPS_9 EDGEDIFF_CONV_S8_DSP_STEPS_9                         \
    EDGEDIFF_CONV_S8_DSP_STEPS_9 EDGEDIFF_CONV_S8_DSP_STEPS_9
#define EDGEDIFF_CONV_S8_DSP_STEPS_18                                                           \
    "ldr r0, [sp, #20]\n\t"                                                                    \
    "cbz r0, 1f\n\t"                                                                           \
    "b 2f\n\t"                                                                                 \
    "1:\n\t" EDGEDIFF_CONV_S8_DSP_STEPS_9 "2:\n\t" EDGEDIFF_CONV_S8_DSP_STEPS_9

#define EDGEDIFF_CONV_S8_DSP_PAIRS(BODY)                                                       \
    __asm__ volatile("push {r1, r2, r3, r4, r5, r6}\n\t" /* end, col, o, plane, wend, odd */   \
                     "mov lr, r0\n\t"                                                          \
                     "4:\n\t"                                                                  \
                     "ldm lr!, {r8, r9, r10, r11}\n\t"                                         \
                     "ldr r12, [sp, #4]\n\t"                                                   \
                     BODY                                                                      \
                     "ldr r0, [sp]\n\t"                                                        \
                     "cmp r12, r0\n\t"                                                         \
                     "bne 1b\n\t"                                                              \
                     "ldm lr!, {r0, r1, r2, r3, r4, r5}\n\t"                                   \
                     "add r6, r1, r8, asr #31\n\t"                                             \
                     "add r7, r1, r9, asr #31\n\t"                                             \
                     "smmlar r8, r8, r0, r6\n\t"                                               \
                     "smmlar r9, r9, r0, r7\n\t"                                               \
                     "add r6, r4, r10, asr #31\n\t"                                            \
                     "add r7, r4, r11, asr #31\n\t"                                            \
                     "smmlar r10, r10, r3, r6\n\t"                                             \
                     "smmlar r11, r11, r3, r7\n\t"                                             \
                     "asr r8, r8, r2\n\t"                                                      \
                     "asr r9, r9, r2\n\t"                                                      \
                     "asr r10, r10, r5\n\t"                                                    \
                     "asr r11, r11, r5\n\t"                                                    \
                     "ssat r8, #8, r8\n\t"                                                     \
                     "ssat r9, #8, r9\n\t"                                                     \
                     "ssat r10, #8, r10\n\t"                                                   \
                     "ssat r11, #8, r11\n\t"                                                   \
                     "ldrd r6, r7, [sp, #8]\n\t"                                               \
                     "add r12, r6, r7\n\t"                                                     \
                     "strb r10, [r12]\n\t"                                                     \
                     "strb r11, [r12, #1]\n\t"                                                 \
                     "strb r8, [r6]\n\t" /* after: with plane 0 the first channel stays */     \
                     "strb r9, [r6, #1]\n\t"                                                   \
                     "add r6, r12, r7\n\t"                                                     \
                     "str r6, [sp, #8]\n\t"                                                    \
                     "ldr r0, [sp, #16]\n\t"                                                   \
                     "cmp lr, r0\n\t"                                                          \
                     "bne 4b\n\t"                                                              \
                     "add sp, sp, #24"                                                         \
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)    \
                     :                                                                         \
                     : "r7", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory")

static inline __attribute__((always_inline)) void pairs_short(const uint32_t *wq,
                                                              int32_t pairs,
                                                              const uint32_t *col,
                                                              int32_t steps, int8_t *o,
                                                              int32_t plane_out) {
    const uint32_t pair_words = HEAD_WORDS + 4 * (uint32_t)steps + TAIL_WORDS;
    register uint32_t r0 __asm__("r0") = (uint32_t)wq;
    register uint32_t r1 __asm__("r1") = (uint32_t)(col + 4 * steps);
    register uint32_t r2 __asm__("r2") = (uint32_t)col;
    register uint32_t r3 __asm__("r3") = (uint32_t)o;
    register uint32_t r4 __asm__("r4") = (uint32_t)plane_out;
    register uint32_t r5 __asm__("r5") = (uint32_t)(wq + pairs * pair_words);
    register uint32_t r6 __asm__("r6") = (uint32_t)(steps / 9) & 1u;
    if (steps % 36 == 0) {  /* 16, 32, 64 input channels: 36 steps a turn */
        EDGEDIFF_CONV_S8_DSP_PAIRS(EDGEDIFF_CONV_S8_DSP_STEPS_36);
    } else {  /* 18 a turn, an odd number of 9 entered mid-way */
        EDGEDIFF_CONV_S8_DSP_PAIRS(EDGEDIFF_CONV_S8_DSP_STEPS_18);
    }
}
#else
static inline __attribute__((always_inline)) void pairs_short(const uint32_t *wq,
                                                              int32_t pairs,
                                                              const uint32_t *col,
                                                              int32_t steps, int8_t *o,
                                                              int32_t plane_out) {
    for (int32_t i = 0; i < pairs; ++i, o += 2 * plane_out) {
        const int32_t *h = (const int32_t *)(const void *)wq;
        int32_t s[4] = {h[0], h[1], h[2], h[3]};  /* channel, pixel */
        wq += HEAD_WORDS;
        edgediff_conv3_dot(col, steps, 0, &wq, s);
        const int32_t *t = (const int32_t *)(const void *)wq;
        wq += TAIL_WORDS;
        for (int32_t k = 3; k >= 0; --k) {  /* the assembly's order */
            const int32_t y = edgediff_conv3_scale_short(s[k], t + 3 * (k >> 1));
            o[(k >> 1) * plane_out + (k & 1)] = (int8_t)(y < -128 ? -128 : y > 127 ? 127 : y);
        }
    }
}
#endif

/* Every output channel of the pixel block (oy, ox..ox+1) from its gathered column: a short
 * layer's whole channel pairs in pairs_short() where it applies (a layer of one channel too),
 * the rest here, one channel pair at a time. The sums' asm takes all 14 registers, so what
 * the stores need is in locals, loaded once (an int8 store may alias anything that is not). */
static void block(const conv2d_s8_params_t *p, const int8_t *weight, const uint32_t *col,
                  int32_t steps, int8_t *o, int32_t plane_out, int two) {
    const uint32_t *blob = (const uint32_t *)(const void *)weight;
    const int short_requant = blob[0] != 0;
    const uint32_t *wq = blob + 1;
    const int32_t c_out = p->conv.c_out;
    const int32_t pair_words = HEAD_WORDS + 4 * steps + (short_requant ? TAIL_WORDS : 0);
    const int32_t *general = (const int32_t *)(const void *)(wq + ((c_out + 1) >> 1) * pair_words);
    const quant_s8_params_t q = p->q;
    int32_t co = 0;
    if (short_requant && two && q.act_min == -128 && q.act_max == 127) {
        /* the whole pairs; a single channel as a pair whose empty second channel is stored
         * first at the same place (plane 0), then overwritten; an odd count's last channel
         * below (one call site: the assembly is inlined once) */
        const int32_t pairs = c_out > 1 ? c_out >> 1 : 1;
        pairs_short(wq, pairs, col, steps, o, c_out > 1 ? plane_out : 0);
        if (2 * pairs >= c_out) {
            return;
        }
        co = 2 * pairs, wq += pairs * pair_words, o += 2 * pairs * plane_out;
    }
    const uint32_t odd9 = (uint32_t)(steps / 9) & 1u;
    const uint32_t zp2 = (uint32_t)(uint16_t)q.output_offset * 0x10001u;
    const uint32_t lo2 = (uint32_t)(uint16_t)q.act_min * 0x10001u;
    const uint32_t hi2 = (uint32_t)(uint16_t)q.act_max * 0x10001u;
    for (; co < c_out; co += 2, o += 2 * plane_out, general += GENERAL_WORDS) {
        const int32_t *h = (const int32_t *)(const void *)wq;
        wq += HEAD_WORDS;
        int32_t s[4] = {h[0], h[1], h[2], h[3]};  /* channel, pixel */
        edgediff_conv3_dot(col, steps, odd9, &wq, s);
        const int32_t *t = (const int32_t *)(const void *)wq;
        if (short_requant) {
            wq += TAIL_WORDS;
            edgediff_conv3_store_short(o, plane_out, s, t, t + 3, &q, lo2, hi2, two,
                                       co + 1 < c_out);
            continue;
        }
        edgediff_conv3_store_general(o, plane_out, s, general, general + 5, &q, zp2, lo2, hi2,
                                     two, co + 1 < c_out);
    }
}

/* The column of a block, its stride S and border case MODE known (one inlined gather each). */
#define GATHER(S, MODE)                                                                        \
    edgediff_conv3_gather(image, g->c_in, g->h_in, w, oy, c, zpb, col, S, EDGEDIFF_CONV3_##MODE)

void edgediff_conv2d_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    (void)bias, (void)multiplier, (void)shift;  /* in the packed blob */
    const conv2d_params_t *g = &p->conv;
    const int32_t steps = edgediff_conv2d_s8_dsp_steps(p);
    const int32_t plane_out = g->h_out * g->w_out;
    const int32_t s = g->stride_w;
    const uint32_t zpb = (uint32_t)(uint8_t)(int8_t)(-p->q.input_offset);
    uint32_t *col = (uint32_t *)scratch;
    for (int32_t i = 9 * (g->c_in + (g->c_in & 1)); i < 4 * steps; ++i) {
        col[i] = 0;  /* the tail that rounds the steps up: zero weights too */
    }
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * g->c_out * plane_out;
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ox = 0; ox < g->w_out; ox += 2) {
                const int32_t c = ox * s - 1;
                const int two = ox + 1 < g->w_out;
                const int32_t w = g->w_in;
                if (s == 1 && two && c >= 0 && c + 4 <= w) {
                    GATHER(1, FAST);
                } else if (s == 1 && two && c == -1 && w >= 4) {
                    GATHER(1, LEFT);
                } else if (s == 1 && two && c + 3 == w && c >= 1) {
                    GATHER(1, RIGHT);
                } else if (s == 1) {
                    GATHER(1, ANY);
                } else if (two && c >= 0 && c + 6 <= w) {
                    GATHER(2, FAST);
                } else if (two && c == -1 && w >= 5) {
                    GATHER(2, LEFT);
                } else if (two && c >= 0 && c + 5 == w) {  /* byte c + 5 is not used */
                    GATHER(2, RIGHT);
                } else {
                    GATHER(2, ANY);
                }
                block(p, weight, col, steps, dst + oy * g->w_out + ox, plane_out, two);
            }
        }
    }
}
#undef GATHER
