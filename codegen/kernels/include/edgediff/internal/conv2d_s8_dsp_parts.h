/*
 * Internal: the parts of the int8 3x3 convolutions for DSP cores (Cortex-M4/M7/M33) that
 * dsp/conv2d_s8_dsp.c and dsp/conv2d_chunked_s8_dsp.c share, so each piece of their arithmetic
 * is written once (as CMSIS-NN and TFLite Micro share theirs): the column gather (two output
 * pixels' int16 column words, stride 1 by an assembly loop over input channel pairs), the
 * inner SMLAD step and loop over it (dot()), the general requantization (scale2(), put2()) and
 * the short one (scale_short()). What the column, the block and the requantizations are:
 * dsp/conv2d_s8_dsp.c's comment at its top.
 *
 * Off an Arm DSP core (the host tests) each part has a plain C form of the same arithmetic,
 * so the host runs the same code path but for the assembly.
 */
#ifndef EDGEDIFF_CONV2D_S8_DSP_PARTS_H
#define EDGEDIFF_CONV2D_S8_DSP_PARTS_H

#include <stdint.h>

#include "edgediff/kernels.h"
#include "edgediff/internal/gemm_s8_dsp.h"

/* A pixel block's border case: inside the row, the left padding column, the right one, or
 * anything (bytes one by one). */
enum { EDGEDIFF_CONV3_FAST = 0, EDGEDIFF_CONV3_LEFT = 1, EDGEDIFF_CONV3_RIGHT = 2,
       EDGEDIFF_CONV3_ANY = 3 };

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline uint32_t edgediff_conv3_sxtb16_ror8(uint32_t x) {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#else
static inline uint32_t edgediff_conv3_sxtb16_ror8(uint32_t x) {
    return edgediff_sxtb16_c(x >> 8);
}
#endif

/* 4 bytes of a row from column c, the zero point byte zpb where a column is outside [0, w). */
static uint32_t edgediff_conv3_window_any(const int8_t *row, int32_t c, int32_t w, uint32_t zpb) {
    uint32_t v = 0;
    for (int32_t k = 0; k < 4; ++k) {
        const int32_t col = c + k;
        v |= (col >= 0 && col < w ? (uint32_t)(uint8_t)row[col] : zpb) << (8 * k);
    }
    return v;
}

/* The same with the block's border case known: inside the row, the left padding column
 * (c = -1, w >= 4), the right one (c + 3 = w, c >= 1), or anything (bytes one by one). */
static inline __attribute__((always_inline)) uint32_t edgediff_conv3_window(
    const int8_t *row, int32_t c, int32_t w, uint32_t zpb, const int mode) {
    if (mode == EDGEDIFF_CONV3_FAST) {
        return edgediff_load32(row + c);
    }
    if (mode == EDGEDIFF_CONV3_LEFT) {
        return (edgediff_load32(row) << 8) | zpb;
    }
    if (mode == EDGEDIFF_CONV3_RIGHT) {
        return (edgediff_load32(row + c - 1) >> 8) | (zpb << 24);
    }
    return edgediff_conv3_window_any(row, c, w, zpb);
}

/* The six column words of one pair of input rows (A, B) from their windows at c (xa, xb) and,
 * for stride 2, at c + 2 (ya, yb). */
static inline __attribute__((always_inline)) void edgediff_conv3_row_pair(
    uint32_t *col, uint32_t xa, uint32_t xb, uint32_t ya, uint32_t yb, const int stride) {
    const uint32_t ea = EDGEDIFF_SXTB16(xa), oa = edgediff_conv3_sxtb16_ror8(xa);
    const uint32_t eb = EDGEDIFF_SXTB16(xb), ob = edgediff_conv3_sxtb16_ror8(xb);
    if (stride == 1) {  /* pixel 0: columns 0..2, pixel 1: 1..3 */
        col[0] = ea;
        col[1] = oa;
        col[2] = eb;
        col[3] = ob;
        col[4] = (oa & 0xffffu) | (ob << 16);       /* (A1, B1) */
        col[5] = (eb & 0xffff0000u) | (ea >> 16);   /* (A2, B2) */
    } else {  /* pixel 0: columns 0..2, pixel 1: 2..4 */
        const uint32_t oya = edgediff_conv3_sxtb16_ror8(ya), oyb = edgediff_conv3_sxtb16_ror8(yb);
        col[0] = ea;
        col[1] = EDGEDIFF_SXTB16(ya);
        col[2] = eb;
        col[3] = EDGEDIFF_SXTB16(yb);
        col[4] = (oa & 0xffffu) | (ob << 16);    /* (A1, B1) */
        col[5] = (oya & 0xffffu) | (oyb << 16);  /* (A3, B3) */
    }
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* Stride 1, `pairs` (>= 1) pairs of input rows from a (the window's first byte, or for the
 * border cases the row's first 4 bytes), 2 planes apart: the six words of
 * edgediff_conv3_row_pair() in 12 instructions (14 at a border), stored by one STM (its
 * registers in ascending order). FIX is empty inside the row; at the left padding column it
 * shifts the zero point in below (fix = zpb), at the right one above (fix = zpb << 24). */
/* One pair of input rows: its six column words (see the macro below). */
#define EDGEDIFF_CONV_S8_DSP_PAIR(FIXA, FIXB)                                                   \
    "ldr r2, [%[a], %[plane]]\n\t"                                                              \
    "ldr r0, [%[a]]\n\t"                                                                        \
    "add %[a], %[a], %[plane], lsl #1\n\t"                                                      \
    FIXA FIXB                                                                                  \
    "sxtb16 r1, r0, ror #8\n\t"                                                                 \
    "sxtb16 r0, r0\n\t"                                                                         \
    "sxtb16 r3, r2, ror #8\n\t"                                                                 \
    "sxtb16 r2, r2\n\t"                                                                         \
    "pkhbt r4, r1, r3, lsl #16\n\t"                                                             \
    "pkhtb r5, r2, r0, asr #16\n\t"                                                             \
    "stmia %[d]!, {r0, r1, r2, r3, r4, r5}\n\t"

#define EDGEDIFF_CONV_S8_DSP_PAIR_(...) EDGEDIFF_CONV_S8_DSP_PAIR(__VA_ARGS__)
#define EDGEDIFF_CONV_S8_DSP_ROWS(FIXA, FIXB, TWICE)                                            \
    do {                                                                                       \
        register uint32_t *dst_ __asm__("r12") = col;                                          \
        register uint32_t fix6_ __asm__("r6") = fix_;                                          \
        int32_t n_, k_ = rows;                                                                 \
        __asm__ volatile("3:\n\t"                                                              \
                         "mov %[n], %[pairs]\n\t"                                               \
                         "1:\n\t"                                                              \
                         EDGEDIFF_CONV_S8_DSP_PAIR(FIXA, FIXB)                                 \
                         TWICE                                                                 \
                         "subs %[n], %[n], #1\n\t"                                              \
                         "bne 1b\n\t"                                                           \
                         "add %[a], %[a], %[back]\n\t"                                          \
                         "subs %[k], %[k], #1\n\t"                                              \
                         "bne 3b"                                                              \
                         : [a] "+r"(a_), [d] "+r"(dst_), [n] "=&r"(n_), [k] "+r"(k_)            \
                         : [plane] "r"(plane), [fix] "r"(fix6_), [pairs] "r"(pairs),              \
                           [back] "r"(back)                                                    \
                         : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");                 \
        col = dst_;                                                                            \
    } while (0)

/* The FIX of the left and right padding columns, for both rows of a pair. */
#define EDGEDIFF_CONV_S8_DSP_FIX_L                                                              \
    "orr r0, %[fix], r0, lsl #8\n\t", "orr r2, %[fix], r2, lsl #8\n\t"
#define EDGEDIFF_CONV_S8_DSP_FIX_R                                                              \
    "orr r0, %[fix], r0, lsr #8\n\t", "orr r2, %[fix], r2, lsr #8\n\t"
#define EDGEDIFF_CONV_S8_DSP_ROWS_(...) EDGEDIFF_CONV_S8_DSP_ROWS(__VA_ARGS__)

/* `rows` (1 to 3) consecutive input rows (`back` from the end of one to the start of the
 * next, across the planes), each `pairs` (>= 1) pairs of input channels, an even number of
 * them two a turn. */
static __attribute__((noinline)) uint32_t *edgediff_conv3_rows_s1(
    const int8_t *a_, int32_t plane, int32_t pairs, int32_t rows, int32_t back, uint32_t *col,
    uint32_t zpb, const int mode) {
    const uint32_t fix_ = mode == EDGEDIFF_CONV3_LEFT ? zpb : zpb << 24;
    if (pairs & 1) {
        if (mode == EDGEDIFF_CONV3_FAST) {
            EDGEDIFF_CONV_S8_DSP_ROWS("", "", "");
        } else if (mode == EDGEDIFF_CONV3_LEFT) {
            EDGEDIFF_CONV_S8_DSP_ROWS_(EDGEDIFF_CONV_S8_DSP_FIX_L, "");
        } else {
            EDGEDIFF_CONV_S8_DSP_ROWS_(EDGEDIFF_CONV_S8_DSP_FIX_R, "");
        }
        return col;
    }
    pairs >>= 1;  /* an even number of pairs: two a turn */
    if (mode == EDGEDIFF_CONV3_FAST) {
        EDGEDIFF_CONV_S8_DSP_ROWS("", "", EDGEDIFF_CONV_S8_DSP_PAIR("", ""));
    } else if (mode == EDGEDIFF_CONV3_LEFT) {
        EDGEDIFF_CONV_S8_DSP_ROWS_(EDGEDIFF_CONV_S8_DSP_FIX_L,
                                   EDGEDIFF_CONV_S8_DSP_PAIR_(EDGEDIFF_CONV_S8_DSP_FIX_L));
    } else {
        EDGEDIFF_CONV_S8_DSP_ROWS_(EDGEDIFF_CONV_S8_DSP_FIX_R,
                                   EDGEDIFF_CONV_S8_DSP_PAIR_(EDGEDIFF_CONV_S8_DSP_FIX_R));
    }
    return col;
}

/* Stride 2, `rows` (1 to 3) input rows as edgediff_conv3_rows_s1()'s, `pairs` (>= 1) pairs of
 * input channels each from a (the window's first byte at c, or at the left padding column the
 * row's first byte): per pair the windows at c (xa, xb) and at c + 1 (ya, yb) and the six
 * words of edgediff_conv3_row_pair() from them in 8 instructions, (A2, A4) as ya's odd bytes
 * and A3 as xa's top one; stored by one STM. The window at c + 1 is inside the row at the
 * right padding column too (c + 4 = w - 1), so only the left one needs a fix: the zero point
 * shifted in below, and the windows at c + 1 are the row's first words. */
#define EDGEDIFF_CONV_S8_DSP_PAIR2_TAIL                                                         \
    "sxtb16 r4, r0, ror #8\n\t"                                                                 \
    "sxtb16 r5, r2, ror #8\n\t"                                                                 \
    "pkhbt r4, r4, r5, lsl #16\n\t"                                                             \
    "pkhtb r5, r5, r0, asr #24\n\t"                                                             \
    "sxtb16 r0, r0\n\t"                                                                         \
    "sxtb16 r2, r2\n\t"                                                                         \
    "stmia %[d]!, {r0, r1, r2, r3, r4, r5}\n\t"
#define EDGEDIFF_CONV_S8_DSP_PAIR2_F                                                            \
    "ldr r0, [%[a]]\n\t"                                                                        \
    "ldr r1, [%[a], #1]\n\t"                                                                    \
    "add %[a], %[a], %[plane]\n\t"                                                              \
    "ldr r2, [%[a]]\n\t"                                                                        \
    "ldr r3, [%[a], #1]\n\t"                                                                    \
    "add %[a], %[a], %[plane]\n\t"                                                              \
    "sxtb16 r1, r1, ror #8\n\t"                                                                 \
    "sxtb16 r3, r3, ror #8\n\t"                                                                 \
    EDGEDIFF_CONV_S8_DSP_PAIR2_TAIL
#define EDGEDIFF_CONV_S8_DSP_PAIR2_L                                                            \
    "ldr r0, [%[a]]\n\t"                                                                        \
    "ldr r2, [%[a], %[plane]]\n\t"                                                              \
    "add %[a], %[a], %[plane], lsl #1\n\t"                                                      \
    "sxtb16 r1, r0, ror #8\n\t"                                                                 \
    "sxtb16 r3, r2, ror #8\n\t"                                                                 \
    "orr r0, %[fix], r0, lsl #8\n\t"                                                            \
    "orr r2, %[fix], r2, lsl #8\n\t"                                                            \
    EDGEDIFF_CONV_S8_DSP_PAIR2_TAIL

#define EDGEDIFF_CONV_S8_DSP_ROW2(PAIR, TWICE)                                                   \
    do {                                                                                       \
        int32_t n_ = pairs_, k_ = rows;                                                        \
        __asm__ volatile("str %[n], [sp, #-8]!\n\t" /* the pairs a row, on the stack */         \
                         "3:\n\t"                                                              \
                         "ldr %[n], [sp]\n\t"                                                   \
                         "1:\n\t"                                                              \
                         PAIR                                                                  \
                         TWICE                                                                 \
                         "subs %[n], %[n], #1\n\t"                                              \
                         "bne 1b\n\t"                                                           \
                         "add %[a], %[a], %[back]\n\t"                                          \
                         "subs %[k], %[k], #1\n\t"                                              \
                         "bne 3b\n\t"                                                           \
                         "add sp, sp, #8"                                                      \
                         : [a] "+r"(a_), [d] "+r"(col), [n] "+r"(n_), [k] "+r"(k_)              \
                         : [plane] "r"(plane), [fix] "r"(fix_), [back] "r"(back)                \
                         : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");                 \
    } while (0)
/* The same for one turn a row (16 input channels): no count of the turns. */
#define EDGEDIFF_CONV_S8_DSP_ROW2_ONE(PAIR, TWICE)                                              \
    do {                                                                                       \
        int32_t k_ = rows;                                                                     \
        __asm__ volatile("3:\n\t"                                                              \
                         PAIR                                                                  \
                         TWICE                                                                 \
                         "add %[a], %[a], %[back]\n\t"                                          \
                         "subs %[k], %[k], #1\n\t"                                              \
                         "bne 3b"                                                              \
                         : [a] "+r"(a_), [d] "+r"(col), [k] "+r"(k_)                            \
                         : [plane] "r"(plane), [fix] "r"(fix_), [back] "r"(back)                \
                         : "r0", "r1", "r2", "r3", "r4", "r5", "cc", "memory");                 \
    } while (0)
static __attribute__((noinline)) uint32_t *edgediff_conv3_rows_s2(
    const int8_t *a_, int32_t plane, int32_t pairs, int32_t rows, int32_t back, uint32_t *col,
    uint32_t zpb, const int mode) {
    const uint32_t fix_ = zpb;
    const int32_t pairs_ = pairs & 1 ? pairs : pairs & 3 ? pairs >> 1 : pairs >> 2;
#define EDGEDIFF_CONV_S8_DSP_PAIR2_2(P) P P
#define EDGEDIFF_CONV_S8_DSP_PAIR2_4(P) P P P P
    if (pairs == 8) {  /* 16 input channels: a row in one turn */
        if (mode == EDGEDIFF_CONV3_LEFT) {
            EDGEDIFF_CONV_S8_DSP_ROW2_ONE(
                EDGEDIFF_CONV_S8_DSP_PAIR2_4(EDGEDIFF_CONV_S8_DSP_PAIR2_L),
                EDGEDIFF_CONV_S8_DSP_PAIR2_4(EDGEDIFF_CONV_S8_DSP_PAIR2_L));
        } else {
            EDGEDIFF_CONV_S8_DSP_ROW2_ONE(
                EDGEDIFF_CONV_S8_DSP_PAIR2_4(EDGEDIFF_CONV_S8_DSP_PAIR2_F),
                EDGEDIFF_CONV_S8_DSP_PAIR2_4(EDGEDIFF_CONV_S8_DSP_PAIR2_F));
        }
    } else if ((pairs & 3) == 0) {  /* four pairs a turn */
        if (mode == EDGEDIFF_CONV3_LEFT) {
            EDGEDIFF_CONV_S8_DSP_ROW2(
                EDGEDIFF_CONV_S8_DSP_PAIR2_2(EDGEDIFF_CONV_S8_DSP_PAIR2_L),
                EDGEDIFF_CONV_S8_DSP_PAIR2_2(EDGEDIFF_CONV_S8_DSP_PAIR2_L));
        } else {
            EDGEDIFF_CONV_S8_DSP_ROW2(
                EDGEDIFF_CONV_S8_DSP_PAIR2_2(EDGEDIFF_CONV_S8_DSP_PAIR2_F),
                EDGEDIFF_CONV_S8_DSP_PAIR2_2(EDGEDIFF_CONV_S8_DSP_PAIR2_F));
        }
    } else if (pairs & 1) {
        if (mode == EDGEDIFF_CONV3_LEFT) {
            EDGEDIFF_CONV_S8_DSP_ROW2(EDGEDIFF_CONV_S8_DSP_PAIR2_L, "");
        } else {
            EDGEDIFF_CONV_S8_DSP_ROW2(EDGEDIFF_CONV_S8_DSP_PAIR2_F, "");
        }
    } else if (mode == EDGEDIFF_CONV3_LEFT) {
        EDGEDIFF_CONV_S8_DSP_ROW2(EDGEDIFF_CONV_S8_DSP_PAIR2_L, EDGEDIFF_CONV_S8_DSP_PAIR2_L);
    } else {
        EDGEDIFF_CONV_S8_DSP_ROW2(EDGEDIFF_CONV_S8_DSP_PAIR2_F, EDGEDIFF_CONV_S8_DSP_PAIR2_F);
    }
    return col;
}
#define EDGEDIFF_CONV_S8_DSP_ASM_ROWS 1
#else
#define EDGEDIFF_CONV_S8_DSP_ASM_ROWS 0
#endif

/* The column of output pixels (oy, ox) and (oy, ox + 1), whose first input column is c, over
 * the c_in input channels of image (its first plane; h x w, zero point byte zpb). */
static inline __attribute__((always_inline)) void edgediff_conv3_gather(
    const int8_t *image, int32_t c_in, int32_t h, int32_t w, int32_t oy, int32_t c, uint32_t zpb,
    uint32_t *col, const int stride, const int mode) {
    const int32_t plane = h * w;
    const int32_t pairs = c_in >> 1;
    const int32_t odd = c_in & 1;
    const uint32_t zp16 = (uint32_t)(uint16_t)(int16_t)(int8_t)zpb;
    const uint32_t zz = zp16 | (zp16 << 16);
    const uint32_t zb4 = zpb * 0x01010101u;
    /* stride 2: the border is in the window at c (LEFT) or in the one at c + 2 (RIGHT) */
    const int xm = stride == 2 && mode == EDGEDIFF_CONV3_RIGHT ? EDGEDIFF_CONV3_FAST : mode;
    const int ym = stride == 2 && mode == EDGEDIFF_CONV3_LEFT ? EDGEDIFF_CONV3_FAST : mode;
#if EDGEDIFF_CONV_S8_DSP_ASM_ROWS
    const int32_t off = mode == EDGEDIFF_CONV3_FAST ? c : mode == EDGEDIFF_CONV3_LEFT ? 0 : c - 1;
    if (stride == 1 && mode != EDGEDIFF_CONV3_ANY && pairs > 0 && !odd && oy >= 1 && oy + 1 < h) {
        /* all three rows inside the image: one call */
        edgediff_conv3_rows_s1(image + (oy - 1) * w + off, plane, pairs, 3,
                               w - 2 * pairs * plane, col, zpb, mode);
        return;
    }
    if (stride == 2 && mode != EDGEDIFF_CONV3_ANY && pairs > 0 && !odd) {
        /* the rows inside the image in one call, the padding rows' (zp, zp) around it */
        const int32_t lo = oy == 0 ? 0 : 2 * oy - 1;
        const int32_t hi = 2 * oy + 1 < h ? 2 * oy + 1 : h - 1;
        for (int32_t i = 0; i < (lo - (2 * oy - 1)) * 6 * pairs; i += 2) {
            col[i] = zz, col[i + 1] = zz;  /* 6 * pairs words: even */
        }
        col += (lo - (2 * oy - 1)) * 6 * pairs;
        col = edgediff_conv3_rows_s2(image + lo * w + (mode == EDGEDIFF_CONV3_LEFT ? 0 : c),
                                     plane, pairs, hi - lo + 1, w - 2 * pairs * plane, col, zpb,
                                     mode);
        for (int32_t i = 0; i < (2 * oy + 1 - hi) * 6 * pairs; i += 2) {
            col[i] = zz, col[i + 1] = zz;
        }
        return;
    }
#endif
    for (int32_t ky = 0; ky < 3; ++ky) {
        const int32_t iy = oy * stride - 1 + ky;
        if (iy < 0 || iy >= h) {  /* a padding row: every word is (zp, zp) */
            for (int32_t i = 0; i < 6 * (pairs + odd); ++i) {
                *col++ = zz;
            }
            continue;
        }
        const int8_t *a = image + iy * w;
#if EDGEDIFF_CONV_S8_DSP_ASM_ROWS
        if (stride == 1 && mode != EDGEDIFF_CONV3_ANY && pairs > 0) {
            col = edgediff_conv3_rows_s1(a + off, plane, pairs, 1, 0, col, zpb, mode);
            a += 2 * plane * pairs;
        } else
#endif
        for (int32_t cp = 0; cp < pairs; ++cp, a += 2 * plane, col += 6) {
            const uint32_t xa = edgediff_conv3_window(a, c, w, zpb, xm);
            const uint32_t xb = edgediff_conv3_window(a + plane, c, w, zpb, xm);
            const uint32_t ya = stride == 1 ? 0 : edgediff_conv3_window(a, c + 2, w, zpb, ym);
            const uint32_t yb =
                stride == 1 ? 0 : edgediff_conv3_window(a + plane, c + 2, w, zpb, ym);
            edgediff_conv3_row_pair(col, xa, xb, ya, yb, stride);
        }
        if (odd) {  /* the last channel with a zero-weight partner */
            const uint32_t xa = edgediff_conv3_window(a, c, w, zpb, xm);
            const uint32_t ya = stride == 1 ? 0 : edgediff_conv3_window(a, c + 2, w, zpb, ym);
            edgediff_conv3_row_pair(col, xa, zb4, ya, zb4, stride);
            col += 6;
        }
    }
}

/* The four sums of a block over `steps` steps of the column and of the channel pair's
 * weights (which *wq then points past). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define EDGEDIFF_CONV_S8_DSP_STEP                                                               \
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

static inline __attribute__((always_inline)) void edgediff_conv3_dot(
    const uint32_t *col, int32_t steps, uint32_t odd9, const uint32_t **wq, int32_t s[4]) {
    /* fixed registers: LDM fills registers in ascending order, and all 14 are taken */
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
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
                     "2:\n\t"
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
                     EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP EDGEDIFF_CONV_S8_DSP_STEP
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
static inline void edgediff_conv3_dot(const uint32_t *col, int32_t steps, uint32_t odd9,
                                      const uint32_t **wq, int32_t s[4]) {
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

/* One channel's two sums (bias included) through its general requantization h = {multiplier,
 * left, right - 1, K lo, K hi}, without the output zero point and clamp. TFLite's
 * RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), r) for r >= 1 and m >= 0 is
 * floor((x*m + 2^30 + 2^(30+r) - [x < 0] * 2^31) / 2^(31+r)), K = 2^30 + 2^(30+r): the high
 * multiply is floor((x*m + 2^30) / 2^31) (internal/gemm_s8_dsp.h), the rounding shift
 * floor((y + 2^(r-1) - [y < 0]) / 2^r), nested floors are one, and [y < 0] may be [x < 0]
 * because both give 0 when -2^30 <= x*m < 0. With r = 0: the high multiply of x << left. */
static inline void edgediff_conv3_scale2(int32_t *y0, int32_t *y1, const int32_t *h) {
    const int32_t m = h[0];
    if (h[2] < 0) {
        const int32_t left = h[1];
        const int32_t x0 = (int32_t)((uint32_t)*y0 << left), x1 = (int32_t)((uint32_t)*y1 << left);
        *y0 = (int32_t)(((int64_t)x0 * m + ((int64_t)1 << 30)) >> 31);
        *y1 = (int32_t)(((int64_t)x1 * m + ((int64_t)1 << 30)) >> 31);
    } else {
        const int64_t k = (int64_t)(((uint64_t)(uint32_t)h[4] << 32) | (uint32_t)h[3]);
        const int32_t rm1 = h[2];
        const int32_t x0 = *y0, x1 = *y1;
        int64_t t0 = k - (int64_t)(x0 & (int32_t)0x80000000u) * -1;  /* K - 2^31 [x < 0] */
        int64_t t1 = k - (int64_t)(x1 & (int32_t)0x80000000u) * -1;
        t0 += (int64_t)x0 * m;  /* one SMLAL onto it */
        t1 += (int64_t)x1 * m;
        *y0 = (int32_t)(t0 >> 32) >> rm1;
        *y1 = (int32_t)(t1 >> 32) >> rm1;
    }
}

/* The short requantization of a doubled sum X = 2x (a layer the blob marks short) with its
 * channel's t = {m, a, r}, a = 2^(r-1) + output_offset * 2^r, the output zero point included:
 * SMMLAR(X, m, a - [x < 0]) >> r. Doubling the identity of edgediff_conv3_scale2() gives
 * floor((X*m + 2^31 + 2^(31+r) - [x < 0] * 2^32) / 2^(32+r)), and SMMLAR is
 * floor((Ra * 2^32 + X*m + 2^31) / 2^32); the zero point times 2^(32+r) comes out as itself.
 * The packer takes it only where the doubled sums cannot overflow, r is 1..22 and m >= 0
 * (overrides/dsp_conv_pack.py). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline int32_t edgediff_conv3_scale_short(int32_t x2, const int32_t *t) {
    int32_t y;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(y) : "r"(x2), "r"(t[0]), "r"(t[1] + (x2 >> 31)));
    return y >> t[2];
}
#else
static inline int32_t edgediff_conv3_scale_short(int32_t x2, const int32_t *t) {
    const int64_t ra = (int64_t)(t[1] + (x2 >> 31));  /* x2 >> 31: -[x < 0] (ASR) */
    const int64_t sum = ra * 4294967296LL + (int64_t)x2 * t[0] + 2147483648LL;
    return (int32_t)(sum >> 32) >> t[2];
}
#endif

/* Two outputs of a channel, adjacent pixels: plus the zero point, clamped to
 * [act_min, act_max], stored (on Arm as halves: QADD16, two SSUB16/SEL, one STRH). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline void edgediff_conv3_put2(int8_t *o, int32_t y0, int32_t y1, uint32_t zp2,
                                       uint32_t lo2, uint32_t hi2) {
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
    __builtin_memcpy(o, &pair, 2);  /* one STRH: the cores store unaligned halves */
}
#else
static inline void edgediff_conv3_put2(int8_t *o, int32_t y0, int32_t y1, uint32_t zp2,
                                       uint32_t lo2, uint32_t hi2) {
    const int32_t zp = (int16_t)(zp2 & 0xffff), lo = (int16_t)(lo2 & 0xffff);
    const int32_t hi = (int16_t)(hi2 & 0xffff);
    o[0] = edgediff_output_s8(y0, zp, lo, hi);
    o[1] = edgediff_output_s8(y1, zp, lo, hi);
}
#endif

/* A short layer's output: the zero point is in scale_short(), the clamp is left. */
static inline int8_t edgediff_conv3_clamp_s8(int32_t y, const quant_s8_params_t *q) {
    return (int8_t)(y < q->act_min ? q->act_min : y > q->act_max ? q->act_max : y);
}

/* A channel pair's four sums s (channel, pixel) through the general requantization, h0 and h1
 * the two channels' {multiplier, left, right - 1, K lo, K hi} (scale2()), stored at o and
 * o + plane_out: both pixels where `two`, the second channel where `both`. zp2, lo2, hi2: the
 * output zero point and clamp in both halves (put2()), q the same as int32. */
static inline __attribute__((always_inline)) void edgediff_conv3_store_general(
    int8_t *o, int32_t plane_out, int32_t s[4], const int32_t *h0, const int32_t *h1,
    const quant_s8_params_t *q, uint32_t zp2, uint32_t lo2, uint32_t hi2, int two, int both) {
    edgediff_conv3_scale2(&s[0], &s[1], h0);
    edgediff_conv3_scale2(&s[2], &s[3], h1);
    if (two) {  /* output_offset is in [-128, 127], so its 16-bit halves add exactly */
        edgediff_conv3_put2(o, s[0], s[1], zp2, lo2, hi2);
        if (both) {
            edgediff_conv3_put2(o + plane_out, s[2], s[3], zp2, lo2, hi2);
        }
    } else {
        o[0] = edgediff_output_s8(s[0], q->output_offset, q->act_min, q->act_max);
        if (both) {
            o[plane_out] = edgediff_output_s8(s[2], q->output_offset, q->act_min, q->act_max);
        }
    }
}

/* The same through the short requantization of doubled sums, t0 and t1 the two channels'
 * {m, a, r} (scale_short(), the zero point included), an output at a time but for the clamp
 * (put2() with no zero point where `two`; conv2d_s8_dsp also has the assembly of a whole
 * block). */
static inline __attribute__((always_inline)) void edgediff_conv3_store_short(
    int8_t *o, int32_t plane_out, const int32_t s[4], const int32_t *t0, const int32_t *t1,
    const quant_s8_params_t *q, uint32_t lo2, uint32_t hi2, int two, int both) {
    if (two) {
        edgediff_conv3_put2(o, edgediff_conv3_scale_short(s[0], t0),
                            edgediff_conv3_scale_short(s[1], t0), 0, lo2, hi2);
        if (both) {
            edgediff_conv3_put2(o + plane_out, edgediff_conv3_scale_short(s[2], t1),
                                edgediff_conv3_scale_short(s[3], t1), 0, lo2, hi2);
        }
    } else {
        o[0] = edgediff_conv3_clamp_s8(edgediff_conv3_scale_short(s[0], t0), q);
        if (both) {
            o[plane_out] = edgediff_conv3_clamp_s8(edgediff_conv3_scale_short(s[2], t1), q);
        }
    }
}

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* dot()'s step with its registers named: column r12, weights lr, sums r8 to r11; 9 of them. */
#define EDGEDIFF_CONV_S8_DSP_STEP_R                                                             \
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

#define EDGEDIFF_CONV_S8_DSP_STEPS_9                                                            \
    EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R         \
    EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R         \
    EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R EDGEDIFF_CONV_S8_DSP_STEP_R
#endif
#endif /* EDGEDIFF_CONV2D_S8_DSP_PARTS_H */
