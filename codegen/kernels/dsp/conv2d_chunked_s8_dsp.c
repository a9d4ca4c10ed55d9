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
 * The weights come packed at build time (overrides/dsp_conv_chunked_pack.py): first the 12-word
 * header of every output channel pair (conv2d_s8_dsp's: bias plus input_offset * sum(w),
 * multiplier, shifts, rounding constant), then chunk after chunk, for every channel pair in
 * turn, that chunk's int16 weight slots in conv2d_s8_dsp's column order (so the weights are
 * read front to back). The column words are conv2d_s8_dsp's (see there); the gather, the inner
 * step (inline assembly, all 14 registers) and the requantization are its code, specialised
 * for stride 1. A column word past a chunk's taps (the steps rounded up to 9) is never
 * written: its weights are 0, and any int16 times 0 adds nothing. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/gemm_s8_dsp.h"

enum { HEAD_WORDS = 12, CHUNK = EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK };
enum { FAST = 0, LEFT = 1, RIGHT = 2, ANY = 3 };

/* 4 bytes of a row from column c, the zero point byte zpb where a column is outside [0, w). */
static uint32_t window(const int8_t *row, int32_t c, int32_t w, uint32_t zpb) {
    uint32_t v = 0;
    for (int32_t k = 0; k < 4; ++k) {
        const int32_t col = c + k;
        v |= (col >= 0 && col < w ? (uint32_t)(uint8_t)row[col] : zpb) << (8 * k);
    }
    return v;
}

/* The six column words of one pair of input rows (A, B) from their windows xa, xb at c:
 * pixel 0 takes columns 0..2, pixel 1 columns 1..3. */
static inline void row_pair(uint32_t *col, uint32_t xa, uint32_t xb) {
    const uint32_t ea = EDGEDIFF_SXTB16(xa), oa = EDGEDIFF_SXTB16_ROR8(xa);
    const uint32_t eb = EDGEDIFF_SXTB16(xb), ob = EDGEDIFF_SXTB16_ROR8(xb);
    col[0] = ea;
    col[1] = oa;
    col[2] = eb;
    col[3] = ob;
    col[4] = (oa & 0xffffu) | (ob << 16);      /* (A1, B1) */
    col[5] = (eb & 0xffff0000u) | (ea >> 16);  /* (A2, B2) */
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* conv2d_s8_dsp's row gather: `rows` (1 to 3) input rows from a (`back` from the end of one
 * to the start of the next), each `pairs` (>= 1) pairs of input channels, 2 planes apart: the
 * six words of row_pair() in 12 instructions (14 at a border: FIX shifts the zero point in
 * below at the left padding column, above at the right one), stored by one STM. */
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_ROWS(FIXA, FIXB)                                           \
    do {                                                                                       \
        register uint32_t *dst_ __asm__("r12") = col;                                          \
        int32_t n_, k_ = rows;                                                                 \
        __asm__ volatile("3:\n\t"                                                              \
                         "mov %[n], %[pairs]\n\t"                                               \
                         "1:\n\t"                                                              \
                         "ldr r2, [%[a], %[plane]]\n\t"                                         \
                         "ldr r0, [%[a]]\n\t"                                                   \
                         "add %[a], %[a], %[plane], lsl #1\n\t"                                 \
                         FIXA FIXB                                                             \
                         "sxtb16 r1, r0, ror #8\n\t"                                            \
                         "sxtb16 r0, r0\n\t"                                                    \
                         "sxtb16 r3, r2, ror #8\n\t"                                            \
                         "sxtb16 r2, r2\n\t"                                                    \
                         "pkhbt r4, r1, r3, lsl #16\n\t"                                        \
                         "pkhtb r5, r2, r0, asr #16\n\t"                                        \
                         "stmia %[d]!, {r0, r1, r2, r3, r4, r5}\n\t"                            \
                         "subs %[n], %[n], #1\n\t"                                              \
                         "bne 1b\n\t"                                                           \
                         "add %[a], %[a], %[back]\n\t"                                          \
                         "subs %[k], %[k], #1\n\t"                                              \
                         "bne 3b"                                                              \
                         : [a] "+r"(a_), [d] "+r"(dst_), [n] "=&r"(n_), [k] "+r"(k_)            \
                         : [plane] "r"(plane), [fix] "r"(fix_), [pairs] "r"(pairs),              \
                           [back] "r"(back)                                                    \
                         : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");                 \
        col = dst_;                                                                            \
    } while (0)

static __attribute__((noinline)) uint32_t *rows_asm(const int8_t *a_, int32_t plane,
                                                    int32_t pairs, int32_t rows, int32_t back,
                                                    uint32_t *col, uint32_t zpb, int mode) {
    if (mode == FAST) {
        const uint32_t fix_ = 0;
        EDGEDIFF_CONV_CHUNKED_S8_DSP_ROWS("", "");
    } else if (mode == LEFT) {
        const uint32_t fix_ = zpb;
        EDGEDIFF_CONV_CHUNKED_S8_DSP_ROWS("orr r0, %[fix], r0, lsl #8\n\t",
                                          "orr r2, %[fix], r2, lsl #8\n\t");
    } else {
        const uint32_t fix_ = zpb << 24;
        EDGEDIFF_CONV_CHUNKED_S8_DSP_ROWS("orr r0, %[fix], r0, lsr #8\n\t",
                                          "orr r2, %[fix], r2, lsr #8\n\t");
    }
    return col;
}
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_ASM 1
#else
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_ASM 0
#endif

/* The column of output pixels (oy, c + 1) and (oy, c + 2) over the chunk's ck input channels
 * (image: its first plane). mode: the block's border case, as conv2d_s8_dsp's (inside the row,
 * the left padding column with w >= 4, the right one, or anything: bytes one by one). */
static void gather(const int8_t *image, int32_t ck, int32_t h, int32_t w, int32_t oy, int32_t c,
                   uint32_t zpb, uint32_t *col, int mode) {
    const int32_t plane = h * w;
    const int32_t pairs = ck >> 1, odd = ck & 1;
    const uint32_t zp16 = (uint32_t)(uint16_t)(int16_t)(int8_t)zpb;
    const uint32_t zz = zp16 | (zp16 << 16);
#if EDGEDIFF_CONV_CHUNKED_S8_DSP_ASM
    const int32_t off = mode == FAST ? c : mode == LEFT ? 0 : c - 1;
    if (mode != ANY && pairs > 0 && !odd && oy >= 1 && oy + 1 < h) {  /* one call, 3 rows */
        rows_asm(image + (oy - 1) * w + off, plane, pairs, 3, w - 2 * pairs * plane, col, zpb,
                 mode);
        return;
    }
#else
    (void)mode;  /* the host gathers byte by byte */
#endif
    for (int32_t ky = 0; ky < 3; ++ky) {
        const int32_t iy = oy - 1 + ky;
        if (iy < 0 || iy >= h) {  /* a padding row: every word is (zp, zp) */
            for (int32_t i = 0; i < 6 * (pairs + odd); ++i) {
                *col++ = zz;
            }
            continue;
        }
        const int8_t *a = image + iy * w;
#if EDGEDIFF_CONV_CHUNKED_S8_DSP_ASM
        if (mode != ANY && pairs > 0) {
            col = rows_asm(a + off, plane, pairs, 1, 0, col, zpb, mode);
            a += 2 * plane * pairs;
        } else
#endif
        for (int32_t cp = 0; cp < pairs; ++cp, a += 2 * plane, col += 6) {
            row_pair(col, window(a, c, w, zpb), window(a + plane, c, w, zpb));
        }
        if (odd) {  /* the last channel with a zero-weight partner */
            row_pair(col, window(a, c, w, zpb), zpb * 0x01010101u);
            col += 6;
        }
    }
}

/* conv2d_s8_dsp's inner loop: the four sums s of a block (channel, pixel) plus `steps` (a
 * multiple of 9) steps of the column and of a channel pair's weights (*wq then points past). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP                                                       \
    "ldm %[x]!, {r0, r1, r2, r3}\n\t"                                                           \
    "ldm %[w]!, {r4, r5, r6, r7}\n\t"                                                           \
    "smlad %[s00], r4, r0, %[s00]\n\t"                                                          \
    "smlad %[s01], r4, r1, %[s01]\n\t"                                                          \
    "smlad %[s10], r5, r0, %[s10]\n\t"                                                          \
    "smlad %[s11], r5, r1, %[s11]\n\t"                                                          \
    "smlad %[s00], r6, r2, %[s00]\n\t"                                                          \
    "smlad %[s01], r6, r3, %[s01]\n\t"                                                          \
    "smlad %[s10], r7, r2, %[s10]\n\t"                                                          \
    "smlad %[s11], r7, r3, %[s11]\n\t"
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_9                                                          \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP                         \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP                         \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP                         \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP                         \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP

static inline __attribute__((always_inline)) void dot(const uint32_t *col, int32_t steps,
                                                      uint32_t odd9, const uint32_t **wq,
                                                      int32_t s[4]) {
    register int32_t s00 __asm__("r8") = s[0], s01 __asm__("r9") = s[1];
    register int32_t s10 __asm__("r10") = s[2], s11 __asm__("r11") = s[3];
    register const uint32_t *x __asm__("r12") = col;
    register const uint32_t *w __asm__("lr") = *wq;
    register uint32_t end __asm__("r0") = (uint32_t)(col + 4 * steps);
    register uint32_t odd __asm__("r1") = odd9;  /* an odd number of 9 steps: enter mid-way */
    __asm__ volatile("str r0, [sp, #-8]!\n\t"
                     "cmp r1, #0\n\t"
                     "bne 2f\n\t"
                     "1:\n\t"
                     EDGEDIFF_CONV_CHUNKED_S8_DSP_9
                     "2:\n\t"
                     EDGEDIFF_CONV_CHUNKED_S8_DSP_9
                     "ldr r0, [sp]\n\t"
                     "cmp %[x], r0\n\t"
                     "bne 1b\n\t"
                     "add sp, sp, #8"
                     : [s00] "+r"(s00), [s01] "+r"(s01), [s10] "+r"(s10), [s11] "+r"(s11),
                       [x] "+r"(x), [w] "+r"(w), "+r"(end), "+r"(odd)
                     :
                     : "r2", "r3", "r4", "r5", "r6", "r7", "cc", "memory");
    *wq = w;
    s[0] = s00, s[1] = s01, s[2] = s10, s[3] = s11;
}
#else
static inline void dot(const uint32_t *col, int32_t steps, uint32_t odd9, const uint32_t **wq,
                       int32_t s[4]) {
    const uint32_t *w = *wq;
    (void)odd9;
    for (int32_t i = 0; i < 2 * steps; ++i, col += 2, w += 2) {  /* one tap pair of each */
        s[0] = EDGEDIFF_SMLAD(w[0], col[0], s[0]);
        s[1] = EDGEDIFF_SMLAD(w[0], col[1], s[1]);
        s[2] = EDGEDIFF_SMLAD(w[1], col[0], s[2]);
        s[3] = EDGEDIFF_SMLAD(w[1], col[1], s[3]);
    }
    *wq = w;
}
#endif

/* A chunk that is not the last (always CHUNK channels: 36 steps, no loop end to test) for every
 * output channel pair: the four sums from the header's biases (head, the first chunk) or from
 * the scratch (head NULL), plus the chunk's taps, back to the scratch (sums, up to sums_end).
 * All in one asm statement, its state on the stack (all 14 registers are the step's), so a
 * pair costs 9 instructions (14 from the header) besides its 360 of steps. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* The step with its registers named: column r12, weights lr, sums r8-r11. */
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R                                                     \
    "ldm r12!, {r0, r1, r2, r3}\n\t"                                                            \
    "ldm lr!, {r4, r5, r6, r7}\n\t"                                                             \
    "smlad r8, r4, r0, r8\n\t"                                                                  \
    "smlad r9, r4, r1, r9\n\t"                                                                  \
    "smlad r10, r5, r0, r10\n\t"                                                                \
    "smlad r11, r5, r1, r11\n\t"                                                                \
    "smlad r8, r6, r2, r8\n\t"                                                                  \
    "smlad r9, r6, r3, r9\n\t"                                                                  \
    "smlad r10, r7, r2, r10\n\t"                                                                \
    "smlad r11, r7, r3, r11\n\t"
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_9R                                                         \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R                     \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R                     \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R                     \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R                     \
    EDGEDIFF_CONV_CHUNKED_S8_DSP_STEP_R
#define EDGEDIFF_CONV_CHUNKED_S8_DSP_PASS(INIT)                                                 \
    __asm__ volatile("ldm r0, {r1, r2, r3, r4}\n\t"                                              \
                     "push {r1, r2, r3, r4}\n\t" /* col, head, sums, sums_end */                 \
                     "4:\n\t"                                                                  \
                     "ldr r12, [sp]\n\t"                                                        \
                     INIT                                                                      \
                     EDGEDIFF_CONV_CHUNKED_S8_DSP_9R EDGEDIFF_CONV_CHUNKED_S8_DSP_9R              \
                     EDGEDIFF_CONV_CHUNKED_S8_DSP_9R EDGEDIFF_CONV_CHUNKED_S8_DSP_9R              \
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
        dot(col, steps, 0, &wq, sums);
    }
    return wq;
}
#endif

/* conv2d_s8_dsp's requantization of one channel's two sums (header h, see there). */
static inline void scale2(int32_t *y0, int32_t *y1, const int32_t *h) {
    const int32_t m = h[1];
    if (h[3] < 0) {
        const int32_t left = h[2];
        const int32_t x0 = (int32_t)((uint32_t)*y0 << left), x1 = (int32_t)((uint32_t)*y1 << left);
        *y0 = (int32_t)(((int64_t)x0 * m + ((int64_t)1 << 30)) >> 31);
        *y1 = (int32_t)(((int64_t)x1 * m + ((int64_t)1 << 30)) >> 31);
    } else {
        const int64_t k = (int64_t)(((uint64_t)(uint32_t)h[5] << 32) | (uint32_t)h[4]);
        const int32_t rm1 = h[3];
        const int32_t x0 = *y0, x1 = *y1;
        int64_t t0 = k - (int64_t)(x0 & (int32_t)0x80000000u) * -1;  /* K - 2^31 [x < 0] */
        int64_t t1 = k - (int64_t)(x1 & (int32_t)0x80000000u) * -1;
        t0 += (int64_t)x0 * m;
        t1 += (int64_t)x1 * m;
        *y0 = (int32_t)(t0 >> 32) >> rm1;
        *y1 = (int32_t)(t1 >> 32) >> rm1;
    }
}

/* Two outputs of a channel, adjacent pixels: plus the zero point, clamped, stored. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline void put2(int8_t *o, int32_t y0, int32_t y1, uint32_t zp2, uint32_t lo2,
                        uint32_t hi2) {
    uint32_t v, t;
    __asm__("ssat %[t], #16, %[y1]\n\t"
            "ssat %[v], #16, %[y0]\n\t"
            "pkhbt %[v], %[v], %[t], lsl #16\n\t"
            "qadd16 %[v], %[v], %[zp]\n\t"
            "ssub16 %[t], %[v], %[lo]\n\t"
            "sel %[v], %[v], %[lo]\n\t"
            "ssub16 %[t], %[v], %[hi]\n\t"
            "sel %[v], %[hi], %[v]\n\t"
            "uxtb16 %[v], %[v]\n\t"
            "orr %[v], %[v], %[v], lsr #8"
            : [v] "=&r"(v), [t] "=&r"(t)
            : [y0] "r"(y0), [y1] "r"(y1), [zp] "r"(zp2), [lo] "r"(lo2), [hi] "r"(hi2)
            : "cc");
    const uint16_t pair = (uint16_t)v;
    __builtin_memcpy(o, &pair, 2);
}
#else
static inline void put2(int8_t *o, int32_t y0, int32_t y1, uint32_t zp2, uint32_t lo2,
                        uint32_t hi2) {
    const int32_t zp = (int16_t)(zp2 & 0xffff), lo = (int16_t)(lo2 & 0xffff);
    const int32_t hi = (int16_t)(hi2 & 0xffff);
    o[0] = edgediff_output_s8(y0, zp, lo, hi);
    o[1] = edgediff_output_s8(y1, zp, lo, hi);
}
#endif

/* The last chunk of a pixel block for every output channel pair: the sums start from the
 * header's bias (first: the only chunk) or from the scratch, and go through the requantization
 * to the output o (channel pair after channel pair, 2 planes apart). */
static inline __attribute__((always_inline)) void chunk(const conv2d_s8_params_t *p,
                                                        const int32_t *head,
                                                        const uint32_t **wq,
                                                        const uint32_t *col, int32_t steps,
                                                        int32_t *sums, int8_t *o,
                                                        int32_t plane_out, int two,
                                                        const int first) {
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
        dot(col, steps, odd9, wq, s);
        scale2(&s[0], &s[1], head);
        scale2(&s[2], &s[3], head + 6);
        int8_t *oc = o + co * plane_out;
        if (two) {
            put2(oc, s[0], s[1], zp2, lo2, hi2);
            if (co + 1 < c_out) {
                put2(oc + plane_out, s[2], s[3], zp2, lo2, hi2);
            }
        } else {
            oc[0] = edgediff_output_s8(s[0], q.output_offset, q.act_min, q.act_max);
            if (co + 1 < c_out) {
                oc[plane_out] = edgediff_output_s8(s[2], q.output_offset, q.act_min, q.act_max);
            }
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
    const int32_t *head = (const int32_t *)(const void *)weight;
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
                const int mode = !two ? ANY
                                 : c >= 0 && c + 4 <= w ? FAST
                                 : c == -1 && w >= 4 ? LEFT
                                 : c + 3 == w && c >= 1 ? RIGHT : ANY;
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
                        chunk(p, head, &wq, col, steps, sums, o, plane_out, two, 1);
                    } else {
                        chunk(p, head, &wq, col, steps, sums, o, plane_out, two, 0);
                    }
                }
            }
        }
    }
}
