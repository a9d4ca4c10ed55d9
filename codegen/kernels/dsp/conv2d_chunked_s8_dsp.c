/* int8 3x3 convolution (pad 1, stride 1, groups 1, more than 16 input channels) for DSP cores
 * (Cortex-M4/M7/M33, overrides/dsp.py) in less scratch than conv2d_s8_dsp: same bytes as
 * ref/conv2d_s8.c and as conv2d_s8_dsp, whose column, inner step and requantization it runs.
 *
 * conv2d_s8_dsp gathers the column of a block's two output pixels over every input channel
 * (16 B per 4 taps per input channel pair: 2,304 B for 64 channels), which sets zoo unet's int8
 * arena peak. This kernel gathers it for EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK (16) input
 * channels at a time (576 B) and keeps each output channel pair's four int32 sums in the
 * scratch between chunks (16 B per pair): 832 B for 64 -> 32 channels. The sums are exact
 * int32 that wrap as the reference's, so the order of the additions changes no byte. Cost: per
 * extra chunk and channel pair one more entry to the inner loop and the sums' load and store
 * (about 14 instructions per 1,152 MACs of a 32-channel chunk pair). The memory planner runs it
 * only where conv2d_s8_dsp would grow the arena (conv2d_s8_dsp is the arena_optional override).
 *
 * The weights come packed at build time (overrides/dsp_conv_chunked_pack.py): a flag word (a
 * short layer, as conv2d_s8_dsp's: weights and sums' starts doubled), the 12-word header of
 * every output channel pair (per channel bias plus input_offset * sum(w), then the general
 * requantization: multiplier, shifts, rounding constant; or the short one), then chunk after
 * chunk, for every channel pair in
 * turn, that chunk's int16 weight slots in conv2d_s8_dsp's column order (so the weights are
 * read front to back). The column words are conv2d_s8_dsp's (see there); the gather, the inner
 * step (inline assembly, all 14 registers) and the requantization are the same code, shared
 * in internal/conv2d_s8_dsp_parts.h, here for stride 1 (the header's words 1-5 and 7-11 are
 * the two channels' requantization as scale2() or scale_short() reads it). A column word past a
 * chunk's taps (the steps rounded up to 9) is never written: its weights are 0, and any int16
 * times 0 adds nothing. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/conv2d_s8_dsp_parts.h"

enum { HEAD_WORDS = 12, CHUNK = EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK };

/* The column of output pixels (oy, c + 1) and (oy, c + 2) over the chunk's ck input channels
 * (image: its first plane), the block's border case `mode` known at run time. */
static void gather(const int8_t *image, int32_t ck, int32_t h, int32_t w, int32_t oy, int32_t c,
                   uint32_t zpb, uint32_t *col, int mode) {
    edgediff_conv3_gather(image, ck, h, w, oy, c, zpb, col, 1, mode);
}

/* A chunk that is not the last (always CHUNK channels: 36 steps, no loop end to test) for every
 * output channel pair: the four sums from the header's biases (head, the first chunk) or from
 * the scratch (head NULL), plus the chunk's taps, back to the scratch (sums, up to sums_end).
 * All in one asm statement, its state on the stack (all 14 registers are the step's), so a
 * pair costs 9 instructions (14 from the header) besides its 360 of steps. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_PASS(INIT)                                                 \
    __asm__ volatile("ldm r0, {r1, r2, r3, r4}\n\t"                                              \
                     "push {r1, r2, r3, r4}\n\t" /* col, head, sums, sums_end */                 \
                     "4:\n\t"                                                                  \
                     "ldr r12, [sp]\n\t"                                                        \
                     INIT                                                                      \
                     EDGEDIFF_CONV_S8_DSP_STEPS_9 EDGEDIFF_CONV_S8_DSP_STEPS_9                    \
                     EDGEDIFF_CONV_S8_DSP_STEPS_9 EDGEDIFF_CONV_S8_DSP_STEPS_9                    \
                     "ldr r0, [sp, #8]\n\t"                                                     \
                     "stmia r0!, {r8, r9, r10, r11}\n\t"                                        \
                     "str r0, [sp, #8]\n\t"                                                     \
                     "ldr r1, [sp, #12]\n\t"                                                    \
                     "cmp r0, r1\n\t"                                                           \
                     "bne 4b\n\t"                                                               \
                     "add sp, sp, #16"                                                         \
                     : [a] "+r"(a_), [w] "+r"(w_)                                              \
                     :                                                                         \
                     : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",     \
                       "r12", "cc", "memory")

static __attribute__((noinline)) const uint32_t *pass(const uint32_t *col, const int32_t *head,
                                                      int32_t *sums, int32_t *sums_end,
                                                      const uint32_t *wq) {
    const void *args[4] = {col, head, sums, sums_end};
    register const void **a_ __asm__("r0") = args;
    register const uint32_t *w_ __asm__("lr") = wq;
    if (head) {
        EDGEDIFF_CONV_CHUNKED_S8_DSP_PASS("ldr r1, [sp, #4]\n\t"
                                          "ldr r8, [r1]\n\t"
                                          "ldr r10, [r1, #24]\n\t"
                                          "adds r1, r1, #48\n\t"
                                          "str r1, [sp, #4]\n\t"
                                          "mov r9, r8\n\t"
                                          "mov r11, r10\n\t");
    } else {
        EDGEDIFF_CONV_CHUNKED_S8_DSP_PASS("ldr r1, [sp, #8]\n\t"
                                          "ldm r1, {r8, r9, r10, r11}\n\t");
    }
    return w_;
}
#else
static const uint32_t *pass(const uint32_t *col, const int32_t *head, int32_t *sums,
                            int32_t *sums_end, const uint32_t *wq) {
    const int32_t steps = edgediff_conv2d_chunked_s8_dsp_chunk_steps(CHUNK);
    for (; sums < sums_end; sums += 4) {
        if (head) {
            sums[0] = sums[1] = head[0];
            sums[2] = sums[3] = head[6];
            head += HEAD_WORDS;
        }
        edgediff_conv3_dot(col, steps, 0, &wq, sums);
    }
    return wq;
}
#endif

/* The last chunk of a pixel block for every output channel pair: the sums start from the
 * header's bias (first: the only chunk) or from the scratch, and go through the requantization
 * (the short one in a short layer, an output at a time; else the general one) to the output o
 * (channel pair after channel pair, 2 planes apart). */
static inline __attribute__((always_inline)) void chunk(const conv2d_s8_params_t *p,
                                                        const int32_t *head,
                                                        const uint32_t **wq,
                                                        const uint32_t *col, int32_t steps,
                                                        int32_t *sums, int8_t *o,
                                                        int32_t plane_out, int two,
                                                        int short_requant, const int first) {
    const int32_t c_out = p->conv.c_out;
    const quant_s8_params_t q = p->q;
    const uint32_t odd9 = (uint32_t)(steps / 9) & 1u;
    const uint32_t zp2 = (uint32_t)(uint16_t)q.output_offset * 0x10001u;
    const uint32_t lo2 = (uint32_t)(uint16_t)q.act_min * 0x10001u;
    const uint32_t hi2 = (uint32_t)(uint16_t)q.act_max * 0x10001u;
    for (int32_t co = 0; co < c_out; co += 2, head += HEAD_WORDS, sums += 4) {
        int32_t s[4];
        if (first) {
            s[0] = s[1] = head[0];
            s[2] = s[3] = head[6];
        } else {
            s[0] = sums[0], s[1] = sums[1], s[2] = sums[2], s[3] = sums[3];
        }
        edgediff_conv3_dot(col, steps, odd9, wq, s);
        if (short_requant) {
            edgediff_conv3_store_short(o + co * plane_out, plane_out, s, head + 1, head + 7, &q,
                                       lo2, hi2, two, co + 1 < c_out);
        } else {
            edgediff_conv3_store_general(o + co * plane_out, plane_out, s, head + 1, head + 7,
                                         &q, zp2, lo2, hi2, two, co + 1 < c_out);
        }
    }
}

void edgediff_conv2d_chunked_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in,
                                    const int8_t *weight, const int32_t *bias,
                                    const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                    void *scratch) {
    (void)bias, (void)multiplier, (void)shift;  /* in the packed blob */
    const conv2d_params_t *g = &p->conv;
    const int32_t h = g->h_in, w = g->w_in, plane = h * w;
    const int32_t plane_out = g->h_out * g->w_out;
    const int32_t pairs_out = (g->c_out + 1) / 2;
    const int short_requant = *(const int32_t *)(const void *)weight != 0;
    const int32_t *head = (const int32_t *)(const void *)weight + 1;
    const uint32_t *body = (const uint32_t *)(const void *)(head + HEAD_WORDS * pairs_out);
    const int32_t full = edgediff_conv2d_chunked_s8_dsp_chunk_steps(CHUNK);
    const uint32_t zpb = (uint32_t)(uint8_t)(int8_t)(-p->q.input_offset);
    uint32_t *col = (uint32_t *)scratch;
    int32_t *sums = (int32_t *)(void *)(col + 4 * full);
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * plane;
        int8_t *dst = out + n * g->c_out * plane_out;
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ox = 0; ox < g->w_out; ox += 2) {
                const int32_t c = ox - 1;
                const int two = ox + 1 < g->w_out;
                const int mode = !two ? EDGEDIFF_CONV3_ANY
                                 : c >= 0 && c + 4 <= w ? EDGEDIFF_CONV3_FAST
                                 : c == -1 && w >= 4 ? EDGEDIFF_CONV3_LEFT
                                 : c + 3 == w && c >= 1 ? EDGEDIFF_CONV3_RIGHT : EDGEDIFF_CONV3_ANY;
                int8_t *o = dst + oy * g->w_out + ox;
                const uint32_t *wq = body;
                for (int32_t c0 = 0; c0 < g->c_in; c0 += CHUNK) {
                    const int32_t ck = g->c_in - c0 < CHUNK ? g->c_in - c0 : CHUNK;
                    const int32_t steps = ck == CHUNK ? full
                                          : edgediff_conv2d_chunked_s8_dsp_chunk_steps(ck);
                    gather(image + c0 * plane, ck, h, w, oy, c, zpb, col, mode);
                    if (c0 + ck < g->c_in) {  /* a whole chunk, not the last */
                        wq = pass(col, c0 == 0 ? head : 0, sums, sums + 4 * pairs_out, wq);
                    } else if (c0 == 0) {
                        chunk(p, head, &wq, col, steps, sums, o, plane_out, two, short_requant, 1);
                    } else {
                        chunk(p, head, &wq, col, steps, sums, o, plane_out, two, short_requant, 0);
                    }
                }
            }
        }
    }
}
