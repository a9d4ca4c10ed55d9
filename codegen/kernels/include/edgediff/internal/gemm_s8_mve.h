/*
 * Internal: the int8 dot-product core of the Helium kernels (conv2d_s8_mve, linear_s8_mve),
 * not API. A layer's weights are packed once per call into blocks of 4 output channels x
 * 16-byte vectors of its depth (a conv's patch: ky, kx, then channel; a linear's input row),
 * zero past the depth, so a column of the depth read as whole vectors adds nothing past
 * it; with them 4 int32 per channel: the bias plus input_offset x the channel's weight sum
 * (the input offset is never added per tap: sum((x + offset) * w) = sum(x * w) + offset *
 * sum(w)), the multiplier, the left shift and minus the right shift. Then blocks of 4
 * channels x 2 columns are VMLADAVA dot products (16 MACs each) and the 4 channels' sums of
 * a column go through internal/requantize_s8_mve.h as one vector.
 */
#ifndef EDGEDIFF_GEMM_S8_MVE_H
#define EDGEDIFF_GEMM_S8_MVE_H

#include <arm_mve.h>
#include <stdint.h>

#include "edgediff/kernels.h"

/* Packs weight [c_out][c_in][taps] for columns ordered (tap, channel): `vectors` 16-byte
 * vectors per column, gathered 8 at a time through a table of where each depth position
 * sits in a channel's weights (`table`: taps * c_in + 8 uint16 of free scratch). */
static inline void edgediff_s8_mve_pack(const int8_t *weight, int32_t c_out, int32_t c_in,
                                        int32_t taps, int32_t vectors, int32_t input_offset,
                                        const int32_t *bias, const int32_t *multiplier,
                                        const int32_t *shift, int8_t *packed, int32_t *params,
                                        uint16_t *table) {
    const int32_t blocks = (c_out + 3) / 4;
    const int32_t depth = taps * c_in;
    for (int32_t i = 0; i < blocks * vectors * 64; i += 16) {
        vstrbq_s8(packed + i, vdupq_n_s8(0));
    }
    uint16_t *entry = table;
    for (int32_t t = 0; t < taps; ++t) {
        for (int32_t ci = 0; ci < c_in; ++ci) {
            *entry++ = (uint16_t)(ci * taps + t);
        }
    }
    for (int32_t co = 0; co < blocks * 4; ++co) {
        int32_t *c = params + (co / 4) * 16 + (co % 4);
        if (co >= c_out) {
            c[0] = c[4] = c[8] = c[12] = 0;
            continue;
        }
        const int8_t *w = weight + co * depth;
        int8_t *dst = packed + (co / 4) * vectors * 64 + (co % 4) * 16;
        int32_t sum = 0;
        for (int32_t k = 0; k < depth; k += 8) {
            const mve_pred16_t m = vctp16q(depth - k);
            const int16x8_t v = vldrbq_gather_offset_z_s16(w, vldrhq_u16(table + k), m);
            sum = vaddvaq_s16(sum, v);
            vstrbq_p_s16(dst + (k / 16) * 64 + (k % 16), v, m);
        }
        const int32_t s = shift[co];
        c[0] = (bias ? bias[co] : 0) + input_offset * sum;
        c[4] = multiplier[co];
        c[8] = s > 0 ? s : 0;
        c[12] = s > 0 ? 0 : s;
    }
}

/* Dot products of `vectors` (>= 1) 16-byte vectors: 4 packed channels (w) x 2 columns (a,
 * b), returned as two vectors of the 4 channels' sums, *pa of pixel a and *pb of pixel b.
 * VMLADAVA accumulates into an even-numbered core register and there are 8 sums: r0, r2,
 * ..., r12 and lr hold them, so the loop is written out (gcc shuffled them through odd
 * registers and the stack: 25 instructions per step where this takes 16 for 128 MACs) and
 * counts in a register of its own (lr is a sum, so no low-overhead loop); the first step
 * is VMLADAV, which starts the sums. */
static inline __attribute__((always_inline)) void edgediff_s8_mve_dot_4x2(
    const int8_t *w, const int8_t *a, const int8_t *b, int32_t vectors, int32x4_t *pa,
    int32x4_t *pb) {
    register int32_t s00 __asm__("r0");
    register int32_t s10 __asm__("r2");
    register int32_t s20 __asm__("r4");
    register int32_t s30 __asm__("r6");
    register int32_t s01 __asm__("r8");
    register int32_t s11 __asm__("r10");
    register int32_t s21 __asm__("r12");
    register int32_t s31 __asm__("lr");
    __asm__ volatile(
        "vldrb.8 q0, [%[a]], #16\n\t"
        "vldrb.8 q1, [%[b]], #16\n\t"
        "vldrb.8 q2, [%[w], #16]\n\t"
        "vmladav.s8 %[s10], q0, q2\n\t"
        "vmladav.s8 %[s11], q1, q2\n\t"
        "vldrb.8 q3, [%[w], #32]\n\t"
        "vmladav.s8 %[s20], q0, q3\n\t"
        "vmladav.s8 %[s21], q1, q3\n\t"
        "vldrb.8 q2, [%[w], #48]\n\t"
        "vmladav.s8 %[s30], q0, q2\n\t"
        "vmladav.s8 %[s31], q1, q2\n\t"
        "vldrb.8 q3, [%[w]], #64\n\t"
        "vmladav.s8 %[s00], q0, q3\n\t"
        "vmladav.s8 %[s01], q1, q3\n\t"
        "subs %[n], %[n], #1\n\t"
        "beq 2f\n\t"
        "1:\n\t"
        "vldrb.8 q0, [%[a]], #16\n\t"
        "vldrb.8 q1, [%[b]], #16\n\t"
        "vldrb.8 q2, [%[w], #16]\n\t"
        "vmladava.s8 %[s10], q0, q2\n\t"
        "vmladava.s8 %[s11], q1, q2\n\t"
        "vldrb.8 q3, [%[w], #32]\n\t"
        "vmladava.s8 %[s20], q0, q3\n\t"
        "vmladava.s8 %[s21], q1, q3\n\t"
        "vldrb.8 q2, [%[w], #48]\n\t"
        "vmladava.s8 %[s30], q0, q2\n\t"
        "vmladava.s8 %[s31], q1, q2\n\t"
        "vldrb.8 q3, [%[w]], #64\n\t"
        "vmladava.s8 %[s00], q0, q3\n\t"
        "vmladava.s8 %[s01], q1, q3\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "2:"
        : [s00] "=&r"(s00), [s10] "=&r"(s10), [s20] "=&r"(s20), [s30] "=&r"(s30),
          [s01] "=&r"(s01), [s11] "=&r"(s11), [s21] "=&r"(s21), [s31] "=&r"(s31),
          [w] "+r"(w), [a] "+r"(a), [b] "+r"(b),
          [n] "+r"(vectors)
        :
        : "q0", "q1", "q2", "q3", "memory", "cc");
    int32x4_t va = vdupq_n_s32(s00), vb = vdupq_n_s32(s01);
    va = vsetq_lane_s32(s10, va, 1);
    va = vsetq_lane_s32(s20, va, 2);
    va = vsetq_lane_s32(s30, va, 3);
    vb = vsetq_lane_s32(s11, vb, 1);
    vb = vsetq_lane_s32(s21, vb, 2);
    vb = vsetq_lane_s32(s31, vb, 3);
    *pa = va;
    *pb = vb;
}

#endif /* EDGEDIFF_GEMM_S8_MVE_H */
