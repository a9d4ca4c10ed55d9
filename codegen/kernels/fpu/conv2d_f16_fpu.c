/* FP16-storage 3x3 convolution for cores with a scalar FPU (rv32 F/Zfh,
 * Cortex-M4/M7/M33): pad 1, stride 1 or 2, groups 1. The tiles read the input halves
 * where they lie, each widened in its load once per tile (flh + fcvt.s.h on rv32 Zfh;
 * on Arm one vldr and vcvtb/vcvtt per two halves when the rows are 4-byte aligned, else
 * ldrh + vmov + vcvtb per half). The weights of one block of output channels are
 * widened into the scratch once per layer, packed [ci][ky][kx][co], for the first input
 * channels up to EDGEDIFF_FPU_CONV_F16_W_BYTES (edgediff_conv2d_f16_fpu_widened); the
 * tiles read the rest as halves in place (one conversion per weight load; on Arm,
 * 2-channel blocks with aligned halves, two input channels per step from 9 pair loads
 * per output channel), so the scratch stays small where the arena peaks. ACCUMULATION:
 * FP32 with fused multiply-adds (fmaf: one rounding per multiply-add where the
 * reference rounds twice, so Higham's gamma_K bound of the reference's error analysis
 * still bounds it); the bias seeds the sum, the activation acts on the FP32 sum, one
 * rounding to half per output.
 *
 * Tiles (all accumulators, the input values in use and the weights of the taps in use
 * in FP registers). Stride 1, an even number of output rows and at least 4 input
 * channels: two-row tiles, 2 output channels x 2 rows x 4 pixels (16 accumulators): the
 * 4 input rows under both output rows, 6 values each, streamed value by value into
 * every tap that meets them, with the 12 weights of the two kernel rows an input row
 * feeds in registers; each widened input value serves 2 rows x 2 channels x up to 3
 * taps, 24 conversions per input channel for 144 MACs. Otherwise, stride 1: 2 x 8 (one
 * row; 10 input values per kernel row, 30 conversions per input channel); stride 2: 4 x
 * 4 (9 input values, 12 weight loads per 48 FMAs). Fewer channels left than the block:
 * 1-channel (stride 2: 2, then 1) tiles. The padding costs no test in the loop (as
 * conv2d_f32_fpu): a kernel row above or below the input reads a row of zeros whose
 * channel step is 0, the first (last) tile of a row is a variant that takes the padding
 * column as the constant 0 (a right border only ever hides the tile's last input
 * column, since (w_out - 1) * S + 1 <= w_in); pixels past the last full tile are
 * computed one at a time with bounds tests. Measured inner loop (one input channel, 144
 * MACs, widened weights, a tile off the borders): two-row 217 instructions on rv32, 209
 * on Cortex-M4 with pair loads (2 x 8: 232 and 217; conv2d_f32_fpu: 205). */
#include <math.h>
#include <stddef.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"
#include "edgediff/kernels_fpu.h"
#include "edgediff/internal/fpu_math.h"

#define EDGEDIFF_CF16_INLINE static inline __attribute__((always_inline))

typedef edgediff_f16_t edgediff_cf16_half_t;

/* A padding row, read with channel step 0: the widest kernel row of a tile (10 values)
 * from zeros + 1 + L, and with pair loads (r = zeros + 2) from zeros + 0 to zeros + 13,
 * 4-byte aligned. */
static const edgediff_cf16_half_t edgediff_cf16_zeros[14] __attribute__((aligned(4)));

/* One tile's operands. r[k]: kernel row k's input row at the tile's first input column
 * (column x * S - 1, or x * S for a tile on the left border or with pair loads) in the
 * first input channel;
 * step[k]: its channel step (0 for a padding row). */
typedef struct {
    const edgediff_cf16_half_t *r[4]; /* the two-row tile reads 4 input rows */
    int32_t step[4];
    const float *w;    /* packed weights [ci][9][co] of the block's first cw input channels */
    const edgediff_cf16_half_t *wh; /* the first channel's halves from input channel cw on */
    int32_t wstep;     /* c_in * 9: one output channel's halves to the next */
    int32_t wpairs;    /* wh and wstep even: pair loads of the halves (Arm) */
    int32_t c_in, cw;
    const float *bias; /* CO values */
    edgediff_cf16_half_t *out; /* (co0, y, x) */
    int32_t plane;     /* h_out * w_out */
    int32_t w_out;     /* one output row to the next (the two-row tile) */
    int32_t act;
} edgediff_cf16_tile_t;

EDGEDIFF_CF16_INLINE float edgediff_cf16_act(float v, int32_t act) {
    if (act == EDGEDIFF_ACT_NONE) {
        return v;
    }
    return act == EDGEDIFF_ACT_RELU ? edgediff_relu(v) : edgediff_apply_act(v, act);
}

/* Accumulator (c, j) += x * wv: channel c, pixel j. */
#define EDGEDIFF_CF16_Q(c, j, wv, x) a##c##j = fmaf(x, wv, a##c##j)
/* Channel c of a tap: its weight times PX input values. */
#define EDGEDIFF_CF16_QROW(c, wv, x0, x1, x2, x3, x4, x5, x6, x7)                         \
    do {                                                                               \
        EDGEDIFF_CF16_Q(c, 0, wv, x0);                                                 \
        EDGEDIFF_CF16_Q(c, 1, wv, x1);                                                 \
        EDGEDIFF_CF16_Q(c, 2, wv, x2);                                                 \
        EDGEDIFF_CF16_Q(c, 3, wv, x3);                                                 \
        if (PX == 8) {                                                                 \
            EDGEDIFF_CF16_Q(c, 4, wv, x4);                                             \
            EDGEDIFF_CF16_Q(c, 5, wv, x5);                                             \
            EDGEDIFF_CF16_Q(c, 6, wv, x6);                                             \
            EDGEDIFF_CF16_Q(c, 7, wv, x7);                                             \
        }                                                                              \
    } while (0)
/* Weight of tap k, channel c: packed floats (HW 0), torch's halves in place (HW 1), or
 * those from pair loads (HW 2, Arm: two input channels per step, OFF 0 or 9 the second's
 * taps; half h of the channel's 18 is a half of the aligned pair at h & ~1). */
#if EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_CF16_PW(p, h)                                                           \
    ((h) & 1 ? edgediff_fpu_pair_hi(edgediff_fpu_pair_load((p) + (h) - 1))              \
             : edgediff_fpu_pair_lo(edgediff_fpu_pair_load((p) + (h))))
#else
#define EDGEDIFF_CF16_PW(p, h) ((void)(h), 0.0f) /* never taken: HW 2 needs pairs */
#endif
#define EDGEDIFF_CF16_W(k, c)                                                            \
    (HW == 2 ? EDGEDIFF_CF16_PW(wh##c, (k) + OFF) : HW ? (float)wh##c[k] : w[(k) * CO + (c)])
/* Tap k of a CO-channel tile: its CO weights times PX input values. */
#define EDGEDIFF_CF16_TAP(k, x0, x1, x2, x3, x4, x5, x6, x7)                              \
    do {                                                                               \
        const float wa = EDGEDIFF_CF16_W(k, 0);                                        \
        EDGEDIFF_CF16_QROW(0, wa, x0, x1, x2, x3, x4, x5, x6, x7);                     \
        if (CO >= 2) {                                                                 \
            const float wb = EDGEDIFF_CF16_W(k, 1);                                    \
            EDGEDIFF_CF16_QROW(1, wb, x0, x1, x2, x3, x4, x5, x6, x7);                 \
        }                                                                              \
        if (CO == 4) {                                                                 \
            const float wc = EDGEDIFF_CF16_W(k, 2), wd = EDGEDIFF_CF16_W(k, 3);        \
            EDGEDIFF_CF16_QROW(2, wc, x0, x1, x2, x3, x4, x5, x6, x7);                 \
            EDGEDIFF_CF16_QROW(3, wd, x0, x1, x2, x3, x4, x5, x6, x7);                 \
        }                                                                              \
    } while (0)
/* Input value j of a kernel row (column x * S - 1 + j), widened: the padding column is 0;
 * values past the row's last (N - 1) are never used. A (Arm, the rows 4-byte aligned: even
 * w_in, aligned tensor): from pair loads, r at the even column x * S (so every pair is at
 * an immediate offset of it that vldr takes). Column x * S - 1 + j is the (j + 1) % 2 half
 * of the pair at column x * S - 2 + 2 * ((j + 1) / 2); the tile loads each pair once (the
 * compiler merges the repeated loads) and converts only the halves it uses. */
#if EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_CF16_PV(e, j)                                                           \
    (((j) + 1) & 1 ? edgediff_fpu_pair_hi(edgediff_fpu_pair_load((e) + (((j) + 1) >> 1) * 2 - 2)) \
                   : edgediff_fpu_pair_lo(edgediff_fpu_pair_load((e) + (((j) + 1) >> 1) * 2 - 2)))
#else
#define EDGEDIFF_CF16_PV(e, j) 0.0f
#endif
#define EDGEDIFF_CF16_V(r, j)                                                            \
    ((j) >= N ? 0.0f : L && (j) == 0 ? 0.0f : R && (j) == N - 1 ? 0.0f                 \
     : A ? EDGEDIFF_CF16_PV(r, j) : (float)(r)[(j) - L])
/* Kernel row ky, stride 1: PX + 2 input values. */
#define EDGEDIFF_CF16_ROW1(r, ky)                                                        \
    do {                                                                               \
        const float v0 = EDGEDIFF_CF16_V(r, 0), v1 = EDGEDIFF_CF16_V(r, 1);              \
        const float v2 = EDGEDIFF_CF16_V(r, 2), v3 = EDGEDIFF_CF16_V(r, 3);              \
        const float v4 = EDGEDIFF_CF16_V(r, 4), v5 = EDGEDIFF_CF16_V(r, 5);              \
        const float v6 = EDGEDIFF_CF16_V(r, 6), v7 = EDGEDIFF_CF16_V(r, 7);              \
        const float v8 = EDGEDIFF_CF16_V(r, 8), v9 = EDGEDIFF_CF16_V(r, 9);              \
        EDGEDIFF_CF16_TAP((ky) * 3, v0, v1, v2, v3, v4, v5, v6, v7);                     \
        EDGEDIFF_CF16_TAP((ky) * 3 + 1, v1, v2, v3, v4, v5, v6, v7, v8);                 \
        EDGEDIFF_CF16_TAP((ky) * 3 + 2, v2, v3, v4, v5, v6, v7, v8, v9);                 \
    } while (0)
/* Kernel row ky, stride 2 (PX 4): 9 input values. */
#define EDGEDIFF_CF16_ROW2(r, ky)                                                        \
    do {                                                                               \
        const float v0 = EDGEDIFF_CF16_V(r, 0), v1 = EDGEDIFF_CF16_V(r, 1);              \
        const float v2 = EDGEDIFF_CF16_V(r, 2), v3 = EDGEDIFF_CF16_V(r, 3);              \
        const float v4 = EDGEDIFF_CF16_V(r, 4), v5 = EDGEDIFF_CF16_V(r, 5);              \
        const float v6 = EDGEDIFF_CF16_V(r, 6), v7 = EDGEDIFF_CF16_V(r, 7);              \
        const float v8 = EDGEDIFF_CF16_V(r, 8);                                          \
        EDGEDIFF_CF16_TAP((ky) * 3, v0, v2, v4, v6, v0, v0, v0, v0);                     \
        EDGEDIFF_CF16_TAP((ky) * 3 + 1, v1, v3, v5, v7, v0, v0, v0, v0);                 \
        EDGEDIFF_CF16_TAP((ky) * 3 + 2, v2, v4, v6, v8, v0, v0, v0, v0);                 \
    } while (0)
#define EDGEDIFF_CF16_SEED(c)                                                            \
    float a##c##0 = t->bias[(c) < CO ? (c) : 0], a##c##1 = a##c##0, a##c##2 = a##c##0,    \
          a##c##3 = a##c##0, a##c##4 = a##c##0, a##c##5 = a##c##0, a##c##6 = a##c##0,     \
          a##c##7 = a##c##0
/* o[0] = a, o[1] = b, each rounded once to half: one 32-bit store on Arm (o 4-byte
 * aligned: the pair-load tiles at stride 1, whose rows have an even width). */
#if EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_CF16_PUT2(o, a, b) edgediff_fpu_pair_store((o), (a), (b))
#else
#define EDGEDIFF_CF16_PUT2(o, a, b) ((o)[0] = (edgediff_cf16_half_t)(a), (o)[1] = (edgediff_cf16_half_t)(b))
#endif
/* Channel c's PX sums: to the output (act none or ReLU, inline), or into buf for
 * edgediff_cf16_put (any other activation, out of line so its code is not repeated in every
 * tile variant). */
#define EDGEDIFF_CF16_STORE(c)                                                           \
    do {                                                                               \
        if ((act == EDGEDIFF_ACT_NONE || act == EDGEDIFF_ACT_RELU) && A && S == 1) {   \
            edgediff_cf16_half_t *o = t->out + (c) * t->plane;                         \
            EDGEDIFF_CF16_PUT2(o, edgediff_cf16_act(a##c##0, act), edgediff_cf16_act(a##c##1, act)); \
            EDGEDIFF_CF16_PUT2(o + 2, edgediff_cf16_act(a##c##2, act), edgediff_cf16_act(a##c##3, act)); \
            EDGEDIFF_CF16_PUT2(o + 4, edgediff_cf16_act(a##c##4, act), edgediff_cf16_act(a##c##5, act)); \
            EDGEDIFF_CF16_PUT2(o + 6, edgediff_cf16_act(a##c##6, act), edgediff_cf16_act(a##c##7, act)); \
        } else if (act == EDGEDIFF_ACT_NONE || act == EDGEDIFF_ACT_RELU) {             \
            edgediff_cf16_half_t *o = t->out + (c) * t->plane;                         \
            o[0] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##0, act);              \
            o[1] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##1, act);              \
            o[2] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##2, act);              \
            o[3] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##3, act);              \
            if (PX == 8) {                                                             \
                o[4] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##4, act);          \
                o[5] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##5, act);          \
                o[6] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##6, act);          \
                o[7] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##7, act);          \
            }                                                                          \
        } else {                                                                       \
            float *q = buf + (c) * PX;                                                 \
            q[0] = a##c##0, q[1] = a##c##1, q[2] = a##c##2, q[3] = a##c##3;            \
            if (PX == 8) {                                                             \
                q[4] = a##c##4, q[5] = a##c##5, q[6] = a##c##6, q[7] = a##c##7;        \
            }                                                                          \
        }                                                                              \
    } while (0)

/* The tile's co x rows x px sums in buf through the activation to the output, rounded once. */
static __attribute__((noinline)) void edgediff_cf16_put(const edgediff_cf16_tile_t *t,
                                                        const float *buf, int32_t co,
                                                        int32_t px, int32_t rows) {
    for (int32_t c = 0; c < co; ++c) {
        for (int32_t y = 0; y < rows; ++y) {
            edgediff_cf16_half_t *o = t->out + c * t->plane + y * t->w_out;
            for (int32_t j = 0; j < px; ++j) {
                o[j] = (edgediff_cf16_half_t)edgediff_apply_act(buf[(c * rows + y) * px + j], t->act);
            }
        }
    }
}

/* One tile of CO (4, 2 or 1) channels x PX (8 or 4) pixels, stride S, left/right border
 * L/R, pair loads A: N = (PX - 1) * S + 3 input values per kernel row. */
EDGEDIFF_CF16_INLINE void edgediff_cf16_tile(const edgediff_cf16_tile_t *t, const int CO,
                                             const int PX, const int S, const int L,
                                             const int R, const int A) {
    const int N = (PX - 1) * S + 3;
    const edgediff_cf16_half_t *r0 = t->r[0], *r1 = t->r[1], *r2 = t->r[2];
    const int32_t s0 = t->step[0], s1 = t->step[1], s2 = t->step[2];
    const float *w = t->w;
    const edgediff_cf16_half_t *wh0 = t->wh, *wh1 = wh0 + t->wstep, *wh2 = wh1 + t->wstep,
                               *wh3 = wh2 + t->wstep;
    const int32_t act = t->act;
    EDGEDIFF_CF16_SEED(0);
    EDGEDIFF_CF16_SEED(1);
    EDGEDIFF_CF16_SEED(2);
    EDGEDIFF_CF16_SEED(3);
    (void)wh1, (void)wh2, (void)wh3;
#define EDGEDIFF_CF16_CI()                                                               \
    do {                                                                               \
        __asm__("" : "+r"(r0), "+r"(r1), "+r"(r2)); /* as EDGEDIFF_CF16_R2_CI's */    \
        if (S == 1) {                                                                  \
            EDGEDIFF_CF16_ROW1(r0, 0);                                                 \
            EDGEDIFF_CF16_ROW1(r1, 1);                                                 \
            EDGEDIFF_CF16_ROW1(r2, 2);                                                 \
        } else {                                                                       \
            EDGEDIFF_CF16_ROW2(r0, 0);                                                 \
            EDGEDIFF_CF16_ROW2(r1, 1);                                                 \
            EDGEDIFF_CF16_ROW2(r2, 2);                                                 \
        }                                                                              \
        r0 += s0, r1 += s1, r2 += s2;                                                  \
    } while (0)
    {
        const int HW = 0, OFF = 0;
        for (int32_t n = t->cw; n > 0; --n) {
            EDGEDIFF_CF16_CI();
            w += 9 * CO;
        }
    }
    int32_t ci = t->cw;
#if EDGEDIFF_FPU_PAIRS
    /* 2-channel blocks with pair loads: the halves of two input channels (18 per output
     * channel, 9 aligned pairs) per step when they are aligned */
    if (A && CO == 2 && t->wpairs) {
        for (; ci + 2 <= t->c_in; ci += 2) {
            {
                const int HW = 2, OFF = 0;
                EDGEDIFF_CF16_CI();
            }
            {
                const int HW = 2, OFF = 9;
                EDGEDIFF_CF16_CI();
            }
            wh0 += 18, wh1 += 18;
        }
    }
#endif
    {
        const int HW = 1, OFF = 0;
        for (int32_t n = t->c_in - ci; n > 0; --n) {
            EDGEDIFF_CF16_CI();
            wh0 += 9, wh1 += 9, wh2 += 9, wh3 += 9;
        }
    }
#undef EDGEDIFF_CF16_CI
    float buf[4 * 8];
    EDGEDIFF_CF16_STORE(0);
    if (CO >= 2) {
        EDGEDIFF_CF16_STORE(1);
    }
    if (CO == 4) {
        EDGEDIFF_CF16_STORE(2);
        EDGEDIFF_CF16_STORE(3);
    }
    if (act != EDGEDIFF_ACT_NONE && act != EDGEDIFF_ACT_RELU) {
        edgediff_cf16_put(t, buf, CO, PX, 1);
    }
}

/* The two-row tile (stride 1, 2 channels): output rows y and y + 1 x 4 pixels x 2 channels,
 * the same 16 accumulators as the 2 x 8 tile (a<c><j>: pixel j of row y, j + 4 of row
 * y + 1), but every widened input value serves both rows: 4 input rows of 6 values per
 * input channel, 24 conversions for its 144 MACs where the 2 x 8 tile takes 30 (10 values
 * x 3 kernel rows), and the same 18 weight loads. Input row I feeds kernel row I of output
 * row y and kernel row I - 1 of output row y + 1; it is streamed value by value (value j
 * meets taps kx = j - 3 .. j), so beside the accumulators only the 12 weights of two
 * kernel rows and a value or two are live (each weight loaded once per input channel).
 * Measured inner loop (one input channel, widened weights): 215 instructions on rv32 where
 * the 2 x 8 tile takes 232, 207 on Cortex-M4 with pair loads (2 x 8: 217). */
/* The 6 weights of kernel row K (taps 3K .. 3K + 2, channels a and b), loaded once per
 * input channel and held in registers for the two input rows that use them: the empty asm
 * makes them opaque, so the compiler neither reloads them at every use nor moves the loads. */
#define EDGEDIFF_CF16_R2_WROW(K)                                                           \
    float wk##K##0a = EDGEDIFF_CF16_W((K) * 3, 0), wk##K##0b = EDGEDIFF_CF16_W((K) * 3, 1);   \
    float wk##K##1a = EDGEDIFF_CF16_W((K) * 3 + 1, 0), wk##K##1b = EDGEDIFF_CF16_W((K) * 3 + 1, 1); \
    float wk##K##2a = EDGEDIFF_CF16_W((K) * 3 + 2, 0), wk##K##2b = EDGEDIFF_CF16_W((K) * 3 + 2, 1); \
    __asm__("" : EDGEDIFF_FPU_REG(wk##K##0a), EDGEDIFF_FPU_REG(wk##K##0b),                 \
            EDGEDIFF_FPU_REG(wk##K##1a), EDGEDIFF_FPU_REG(wk##K##1b),                      \
            EDGEDIFF_FPU_REG(wk##K##2a), EDGEDIFF_FPU_REG(wk##K##2b))
/* Value v of input row I into the accumulators of pixel P (row y: kernel row KA = I) and
 * Q = P + 4 (row y + 1: kernel row KB = I - 1) through tap kx; the row that has no such
 * kernel row (I 0: row y + 1; I 3: row y) is skipped. */
#define EDGEDIFF_CF16_R2_F(I, KA, KB, P, Q, kx, v)                                          \
    do {                                                                                 \
        if ((I) <= 2) {                                                                  \
            a0##P = fmaf(v, wk##KA##kx##a, a0##P);                                       \
            a1##P = fmaf(v, wk##KA##kx##b, a1##P);                                       \
        }                                                                                \
        if ((I) >= 1) {                                                                  \
            a0##Q = fmaf(v, wk##KB##kx##a, a0##Q);                                       \
            a1##Q = fmaf(v, wk##KB##kx##b, a1##Q);                                       \
        }                                                                                \
    } while (0)
/* Input row I (pointer r): its 6 values in order, each into every tap it meets. */
#define EDGEDIFF_CF16_R2_ROW(r, I, KA, KB)                                                 \
    do {                                                                                 \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 0);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 0, 4, 0, v);                                   \
        }                                                                                \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 1);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 1, 5, 0, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 0, 4, 1, v);                                   \
        }                                                                                \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 2);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 2, 6, 0, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 1, 5, 1, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 0, 4, 2, v);                                   \
        }                                                                                \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 3);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 3, 7, 0, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 2, 6, 1, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 1, 5, 2, v);                                   \
        }                                                                                \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 4);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 3, 7, 1, v);                                   \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 2, 6, 2, v);                                   \
        }                                                                                \
        {                                                                                \
            const float v = EDGEDIFF_CF16_V(r, 5);                                       \
            EDGEDIFF_CF16_R2_F(I, KA, KB, 3, 7, 2, v);                                   \
        }                                                                                \
    } while (0)
/* Channel c's 8 sums (rows y and y + 1): as EDGEDIFF_CF16_STORE. */
#define EDGEDIFF_CF16_R2_STORE(c)                                                          \
    do {                                                                                 \
        edgediff_cf16_half_t *o = t->out + (c) * t->plane, *o1 = o + t->w_out;           \
        if ((act == EDGEDIFF_ACT_NONE || act == EDGEDIFF_ACT_RELU) && A) {               \
            EDGEDIFF_CF16_PUT2(o, edgediff_cf16_act(a##c##0, act), edgediff_cf16_act(a##c##1, act)); \
            EDGEDIFF_CF16_PUT2(o + 2, edgediff_cf16_act(a##c##2, act), edgediff_cf16_act(a##c##3, act)); \
            EDGEDIFF_CF16_PUT2(o1, edgediff_cf16_act(a##c##4, act), edgediff_cf16_act(a##c##5, act)); \
            EDGEDIFF_CF16_PUT2(o1 + 2, edgediff_cf16_act(a##c##6, act), edgediff_cf16_act(a##c##7, act)); \
        } else if (act == EDGEDIFF_ACT_NONE || act == EDGEDIFF_ACT_RELU) {               \
            o[0] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##0, act);                \
            o[1] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##1, act);                \
            o[2] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##2, act);                \
            o[3] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##3, act);                \
            o1[0] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##4, act);               \
            o1[1] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##5, act);               \
            o1[2] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##6, act);               \
            o1[3] = (edgediff_cf16_half_t)edgediff_cf16_act(a##c##7, act);               \
        } else {                                                                         \
            float *q = buf + (c) * 8;                                                    \
            q[0] = a##c##0, q[1] = a##c##1, q[2] = a##c##2, q[3] = a##c##3;              \
            q[4] = a##c##4, q[5] = a##c##5, q[6] = a##c##6, q[7] = a##c##7;              \
        }                                                                                \
    } while (0)

/* One two-row tile, left/right border L/R, pair loads A (t->r[0..3]: input rows y - 1 ..
 * y + 2, as the 2 x 8 tile's). */
EDGEDIFF_CF16_INLINE void edgediff_cf16_tile2r(const edgediff_cf16_tile_t *t, const int L,
                                               const int R, const int A) {
    const int CO = 2, N = 6;
    const edgediff_cf16_half_t *r0 = t->r[0], *r1 = t->r[1], *r2 = t->r[2], *r3 = t->r[3];
    const int32_t s0 = t->step[0], s1 = t->step[1], s2 = t->step[2], s3 = t->step[3];
    const float *w = t->w;
    const edgediff_cf16_half_t *wh0 = t->wh, *wh1 = wh0 + t->wstep;
    const int32_t act = t->act;
    EDGEDIFF_CF16_SEED(0);
    EDGEDIFF_CF16_SEED(1);
    (void)wh1;
/* The empty asm keeps each row pointer a plain pointer stepped once per input channel
 * (the halves at immediate offsets of it): without it the compiler re-derives every row's
 * address from a shared induction variable, one more add per row and channel. */
#define EDGEDIFF_CF16_R2_CI()                                                              \
    do {                                                                                 \
        __asm__("" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3));                            \
        EDGEDIFF_CF16_R2_WROW(0);                                                        \
        EDGEDIFF_CF16_R2_ROW(r0, 0, 0, 0);                                               \
        EDGEDIFF_CF16_R2_WROW(1);                                                        \
        EDGEDIFF_CF16_R2_ROW(r1, 1, 1, 0);                                               \
        EDGEDIFF_CF16_R2_WROW(2);                                                        \
        EDGEDIFF_CF16_R2_ROW(r2, 2, 2, 1);                                               \
        EDGEDIFF_CF16_R2_ROW(r3, 3, 2, 2);                                               \
        r0 += s0, r1 += s1, r2 += s2, r3 += s3;                                          \
    } while (0)
    {
        const int HW = 0, OFF = 0;
        for (int32_t n = t->cw; n > 0; --n) { /* a count down: no bound reloaded from t */
            EDGEDIFF_CF16_R2_CI();
            w += 9 * CO;
        }
    }
    int32_t ci = t->cw;
#if EDGEDIFF_FPU_PAIRS
    if (A && t->wpairs) {
        for (; ci + 2 <= t->c_in; ci += 2) {
            {
                const int HW = 2, OFF = 0;
                EDGEDIFF_CF16_R2_CI();
            }
            {
                const int HW = 2, OFF = 9;
                EDGEDIFF_CF16_R2_CI();
            }
            wh0 += 18, wh1 += 18;
        }
    }
#endif
    {
        const int HW = 1, OFF = 0;
        for (int32_t n = t->c_in - ci; n > 0; --n) {
            EDGEDIFF_CF16_R2_CI();
            wh0 += 9, wh1 += 9;
        }
    }
#undef EDGEDIFF_CF16_R2_CI
    float buf[2 * 8];
    EDGEDIFF_CF16_R2_STORE(0);
    EDGEDIFF_CF16_R2_STORE(1);
    if (act != EDGEDIFF_ACT_NONE && act != EDGEDIFF_ACT_RELU) {
        edgediff_cf16_put(t, buf, 2, 4, 2);
    }
}

/* Output pixel (y, x) of channel c of the block, bounds tested: the pixels past the last
 * full tile. */
static float edgediff_cf16_pixel(const conv2d_params_t *p, const edgediff_cf16_tile_t *t,
                                 const edgediff_cf16_half_t *in, int32_t co, int32_t c,
                                 int32_t y, int32_t x) {
    const int32_t s = p->stride_h;
    float sum = t->bias[c];
    for (int32_t ci = 0; ci < p->c_in; ++ci) {
        for (int32_t ky = 0; ky < 3; ++ky) {
            const int32_t iy = y * s - 1 + ky;
            for (int32_t kx = 0; kx < 3; ++kx) {
                const int32_t ix = x * s - 1 + kx, k = ky * 3 + kx;
                if (iy >= 0 && iy < p->h_in && ix >= 0 && ix < p->w_in) {
                    const float w = ci < t->cw ? t->w[(ci * 9 + k) * co + c]
                                               : (float)t->wh[c * t->wstep + (ci - t->cw) * 9 + k];
                    sum = fmaf((float)in[(ci * p->h_in + iy) * p->w_in + ix], w, sum);
                }
            }
        }
    }
    return sum;
}

/* Every output row of one block of CO channels, PX-pixel tiles, stride S: the tiles of a
 * row (the border variants inlined next to the inner one, so one call serves the block),
 * then the pixels past the last full tile. */
EDGEDIFF_CF16_INLINE void edgediff_cf16_block(edgediff_cf16_tile_t *t, const conv2d_params_t *p,
                                              const edgediff_cf16_half_t *in_n,
                                              edgediff_cf16_half_t *out_c, const int CO,
                                              const int PX, const int S, const int A,
                                              const int FIXED) {
    const int32_t h_in = p->h_in, w_in = p->w_in, w_out = p->w_out, plane_in = h_in * w_in;
    const int32_t full = w_out - w_out % PX;
    for (int32_t y = 0; y < p->h_out; ++y) {
        const edgediff_cf16_half_t *rows[3];
        for (int32_t k = 0; k < 3; ++k) {
            const int32_t iy = y * S - 1 + k;
            const int32_t inside = iy >= 0 && iy < h_in;
            rows[k] = inside ? in_n + iy * w_in : NULL;
            t->step[k] = inside ? plane_in : 0;
        }
        for (int32_t x = 0; x < full; x += PX) {
            const int32_t left = x == 0, right = (x + PX - 1) * S + 1 >= w_in;
            for (int32_t k = 0; k < 3; ++k) {
                const int32_t skip = A ? 1 : left; /* pair loads: r at column x * S */
                t->r[k] = rows[k] ? rows[k] + x * S - 1 + skip : edgediff_cf16_zeros + 1 + skip;
            }
            t->out = out_c + y * w_out + x;
            if (!FIXED) {
                edgediff_cf16_tile(t, CO, PX, S, left, right, A);
            } else if (!left && !right) {
                edgediff_cf16_tile(t, CO, PX, S, 0, 0, A);
            } else if (!right) {
                edgediff_cf16_tile(t, CO, PX, S, 1, 0, A);
            } else if (!left) {
                edgediff_cf16_tile(t, CO, PX, S, 0, 1, A);
            } else {
                edgediff_cf16_tile(t, CO, PX, S, 1, 1, A);
            }
        }
        for (int32_t x = full; x < w_out; ++x) {
            for (int32_t c = 0; c < CO; ++c) {
                const float v = edgediff_cf16_pixel(p, t, in_n, CO, c, y, x);
                out_c[c * t->plane + y * w_out + x] = (edgediff_cf16_half_t)edgediff_cf16_act(v, p->act);
            }
        }
    }
}

/* Every output row pair of one 2-channel block, stride 1, in two-row tiles (h_out even):
 * the tiles of a row pair (the four border variants inlined), then the pixels past the last
 * full tile. A: pair loads (Arm, aligned rows). */
static __attribute__((noinline)) void edgediff_cf16_block2r(edgediff_cf16_tile_t *t,
                                                            const conv2d_params_t *p,
                                                            const edgediff_cf16_half_t *in_n,
                                                            edgediff_cf16_half_t *out_c) {
    const int A = EDGEDIFF_FPU_PAIRS;
    const int32_t h_in = p->h_in, w_in = p->w_in, w_out = p->w_out, plane_in = h_in * w_in;
    const int32_t full = w_out - w_out % 4;
    for (int32_t y = 0; y < p->h_out; y += 2) {
        const edgediff_cf16_half_t *rows[4];
        for (int32_t k = 0; k < 4; ++k) {
            const int32_t iy = y - 1 + k;
            const int32_t inside = iy >= 0 && iy < h_in;
            rows[k] = inside ? in_n + iy * w_in : NULL;
            t->step[k] = inside ? plane_in : 0;
        }
        for (int32_t x = 0; x < full; x += 4) {
            const int32_t left = x == 0, right = x + 4 >= w_in;
            for (int32_t k = 0; k < 4; ++k) {
                const int32_t skip = A ? 1 : left; /* pair loads: r at column x */
                t->r[k] = rows[k] ? rows[k] + x - 1 + skip : edgediff_cf16_zeros + 1 + skip;
            }
            t->out = out_c + y * w_out + x;
            if (!left && !right) {
                edgediff_cf16_tile2r(t, 0, 0, A);
            } else if (!right) {
                edgediff_cf16_tile2r(t, 1, 0, A);
            } else if (!left) {
                edgediff_cf16_tile2r(t, 0, 1, A);
            } else {
                edgediff_cf16_tile2r(t, 1, 1, A);
            }
        }
        for (int32_t yy = y; yy < y + 2; ++yy) {
            for (int32_t x = full; x < w_out; ++x) {
                for (int32_t c = 0; c < 2; ++c) {
                    const float v = edgediff_cf16_pixel(p, t, in_n, 2, c, yy, x);
                    out_c[c * t->plane + yy * w_out + x] = (edgediff_cf16_half_t)edgediff_cf16_act(v, p->act);
                }
            }
        }
    }
}

/* One function per block shape, stride and load scheme: the blocks of 2 (stride 2: 4)
 * channels, the last channels (stride 1: 1; stride 2: 2 and 1). */
typedef void (*edgediff_cf16_block_fn)(edgediff_cf16_tile_t *t, const conv2d_params_t *p,
                                       const edgediff_cf16_half_t *in_n,
                                       edgediff_cf16_half_t *out_c);
#define EDGEDIFF_CF16_BLOCK(name, CO, PX, S, A, FIXED)                                   \
    static __attribute__((noinline)) void name(edgediff_cf16_tile_t *t,                \
                                               const conv2d_params_t *p,               \
                                               const edgediff_cf16_half_t *in_n,       \
                                               edgediff_cf16_half_t *out_c) {          \
        edgediff_cf16_block(t, p, in_n, out_c, CO, PX, S, A, FIXED);                   \
    }
/* FIXED: the border variants of the tile compiled apart (the full blocks, where the time
 * goes, and the 1-channel stride-1 block: a denoiser's output layer has 1 or 3 channels);
 * the stride-2 remainder blocks, and on Arm the full blocks without pair loads (odd widths
 * or unaligned tensors only), take the borders as runtime flags (one tile body, a select
 * per border value), so they cost a fraction of the code. */
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block2s1, 2, 8, 1, 0, !EDGEDIFF_FPU_PAIRS)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block1s1, 1, 8, 1, 0, 1)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block4s2, 4, 4, 2, 0, !EDGEDIFF_FPU_PAIRS)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block2s2, 2, 4, 2, 0, 0)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block1s2, 1, 4, 2, 0, 0)
#if EDGEDIFF_FPU_PAIRS
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block2s1a, 2, 8, 1, 1, 1)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block4s2a, 4, 4, 2, 1, 1)
EDGEDIFF_CF16_BLOCK(edgediff_cf16_block1s1a, 1, 8, 1, 1, 1)
#endif

/* The block function for co channels (4, 2 or 1) at stride s; pairs: aligned rows (the
 * full blocks, and a one-channel layer's, a denoiser's output layer: the last channel of
 * a wider layer is too little of it to pay for the code); cout1: the layer has 1 channel. */
static edgediff_cf16_block_fn edgediff_cf16_pick(int32_t co, int32_t s, int32_t pairs,
                                                int32_t cout1, int32_t rows2) {
    if (rows2 && s == 1 && co == 2 && (pairs || !EDGEDIFF_FPU_PAIRS)) {
        return edgediff_cf16_block2r;
    }
#if EDGEDIFF_FPU_PAIRS
    if (pairs && s == 1 && co == 2) {
        return edgediff_cf16_block2s1a;
    }
    if (pairs && s == 2 && co == 4) {
        return edgediff_cf16_block4s2a;
    }
    if (pairs && s == 1 && co == 1 && cout1) {
        return edgediff_cf16_block1s1a;
    }
#else
    (void)pairs, (void)cout1;
#endif
    if (s == 1) {
        return co == 2 ? edgediff_cf16_block2s1 : edgediff_cf16_block1s1;
    }
    return co == 4 ? edgediff_cf16_block4s2
                   : (co == 2 ? edgediff_cf16_block2s2 : edgediff_cf16_block1s2);
}

/* d[i * step] = (float)w[i] for i < n: the packing of one output channel's weights, two
 * per iteration (on Arm one pair load, after an unaligned first half). */
static void edgediff_cf16_widen(float *d, int32_t step, const edgediff_f16_t *w, int32_t n) {
    const edgediff_f16_t *end = w + n;
#if EDGEDIFF_FPU_PAIRS
    if (w != end && ((uintptr_t)w & 3) != 0) {
        *d = (float)*w++;
        d += step;
    }
#endif
    for (; end - w >= 2; w += 2, d += 2 * step) {
#if EDGEDIFF_FPU_PAIRS
        const float pair = edgediff_fpu_pair_load(w);
        d[0] = edgediff_fpu_pair_lo(pair);
        d[step] = edgediff_fpu_pair_hi(pair);
#else
        const float a = (float)w[0], b = (float)w[1];
        d[0] = a;
        d[step] = b;
#endif
    }
    if (w != end) {
        *d = (float)*w;
    }
}

void edgediff_conv2d_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch) {
    const int32_t s = p->stride_h, plane_in = p->h_in * p->w_in, plane = p->h_out * p->w_out;
    const int32_t c_in = p->c_in, block = edgediff_conv2d_f16_fpu_block(p);
    const int32_t cw = edgediff_conv2d_f16_fpu_widened(p);
    float *packed = (float *)scratch;
    edgediff_cf16_tile_t t;
    t.w = packed;
    t.wstep = c_in * 9;
    t.c_in = c_in;
    t.cw = cw;
    t.plane = plane;
    t.w_out = p->w_out;
    t.act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        const edgediff_f16_t *in_n = in + n * c_in * plane_in;
        /* every row of every channel starts 4-byte aligned (stride 1: the output's too,
         * for pair stores) */
        const int32_t pairs = ((uintptr_t)in_n & 3) == 0 && (p->w_in & 1) == 0 &&
                              (s == 2 || ((uintptr_t)(out + n * p->c_out * plane) & 3) == 0);
        /* the two-row tiles where the rows pair up, a row holds a tile and there are input
         * channels enough to pay for their setup (a one-channel stem runs 2 x 8 at least as
         * fast) */
        const int32_t rows2 = (p->h_out & 1) == 0 && p->w_out >= 4 && c_in >= 4;
        for (int32_t co0 = 0, co = block; co0 < p->c_out; co0 += co) {
            const int32_t left = p->c_out - co0;
            co = left >= block ? block : (left >= 2 ? 2 : 1);
            float b[4];
            for (int32_t c = 0; c < co; ++c) {
                b[c] = bias ? (float)bias[co0 + c] : 0.0f;
            }
            t.bias = b;
            /* [ci][ky][kx][co] from torch's [co][ci][ky][kx] for the first cw input
             * channels, widened once per layer; the rest stay halves */
            const edgediff_f16_t *src = weight + co0 * t.wstep;
            for (int32_t c = 0; c < co; ++c) {
                edgediff_cf16_widen(packed + c, co, src + c * t.wstep, cw * 9);
            }
            t.wh = src + cw * 9;
            t.wpairs = ((uintptr_t)t.wh & 3) == 0 && (t.wstep & 1) == 0;
            edgediff_f16_t *out_c = out + (n * p->c_out + co0) * plane;
            edgediff_cf16_pick(co, s, pairs, p->c_out == 1, rows2)(&t, p, in_n, out_c);
        }
    }
}
