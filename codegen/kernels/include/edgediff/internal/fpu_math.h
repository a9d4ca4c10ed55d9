/* Internal to the scalar FPU kernels (codegen/kernels/fpu/); not part of the API.
 *
 * The arithmetic they share: a fused multiply-add, a clamp, and SiLU with a polynomial e^x,
 * all in FP32 scalar registers. The Arm builds pass -std=c11, which turns FP contraction
 * off, so the fused multiply-add is asked for where it is meant, without changing global
 * flags (the reference kernels keep their numerics): gcc expands __builtin_fmaf to one
 * vfma.f32 on FPv4/FPv5; clang (the RISC-V build) would call libm's fmaf for it (errno
 * semantics), so there a * b + c is contracted in this one function (one fmadd.s, or
 * fnmsub.s for -a). One rounding per multiply-add keeps Higham's gamma_K bound of a K-term
 * dot product an upper bound (it is written for one rounding per multiply and one per
 * add), fused or not. */
#ifndef EDGEDIFF_FPU_MATH_H
#define EDGEDIFF_FPU_MATH_H

#include <stdint.h>

#include "edgediff/kernels.h"

#define EDGEDIFF_FPU_INLINE static inline __attribute__((always_inline))

/* a * b + c, rounded once. */
EDGEDIFF_FPU_INLINE float edgediff_fpu_fma(float a, float b, float c) {
#if defined(__clang__)
#pragma clang fp contract(fast)
    return a * b + c;
#else
    return __builtin_fmaf(a, b, c);
#endif
}
#define EDGEDIFF_FMA(a, b, c) edgediff_fpu_fma((a), (b), (c))

/* v clamped to [lo, hi] with lo = -hi (NaN: lo or hi): fmin/fmax instructions where the
 * ISA has them (RISC-V F, FPv5's vminnm/vmaxnm); on FPv4 one compare of |v| against hi on
 * the common path and the select only past it (a compare-and-select per side would cost 4
 * instructions each). */
EDGEDIFF_FPU_INLINE float edgediff_fpu_clamp(float v, float lo, float hi) {
#if defined(__riscv) || defined(__ARM_FEATURE_NUMERIC_MAXMIN)
    return __builtin_fminf(__builtin_fmaxf(v, lo), hi);
#else
    if (__builtin_expect(!(__builtin_fabsf(v) <= -lo), 0)) {
        v = v < 0.0f ? lo : hi;
    }
    return v;
#endif
}

/* A float's bits and back, through a union (C11; memcpy is a call under -ffreestanding). */
typedef union {
    float f;
    uint32_t u;
} edgediff_fpu_word_t;

EDGEDIFF_FPU_INLINE uint32_t edgediff_fpu_bits(float v) {
    const edgediff_fpu_word_t w = {.f = v};
    return w.u;
}

EDGEDIFF_FPU_INLINE float edgediff_fpu_float(uint32_t u) {
    const edgediff_fpu_word_t w = {.u = u};
    return w.f;
}

/* Two halves at a time (Arm only; EDGEDIFF_FPU_PAIRS): a half load on FPv4/FPv5 is three
 * instructions (ldrh, vmov, vcvtb), but the FPU converts either half of an S register
 * (VCVTB: bits 0-15, VCVTT: bits 16-31), so one 32-bit load (vldr) and the two conversions
 * widen two: 3 instructions for 2 halves, and a conversion whose half is not used is
 * dropped with it (the asm is not volatile). Stores likewise: VCVTB/VCVTT round into either
 * half of one S register, one vstr writes both. p must be 4-byte aligned; callers peel an
 * odd first element. RISC-V has no such pair (flh + fcvt.s.h is already 2 per half). */
#if defined(__arm__) && defined(__ARM_FP) && defined(__ARM_FP16_FORMAT_IEEE)
#define EDGEDIFF_FPU_PAIRS 1
typedef float __attribute__((may_alias)) edgediff_fpu_pair_t;

/* The 32 bits of halves p[0] (low) and p[1] (high) in an S register. */
EDGEDIFF_FPU_INLINE float edgediff_fpu_pair_load(const edgediff_f16_t *p) {
    return *(const edgediff_fpu_pair_t *)(const void *)p;
}
/* The low (first) half of a pair, widened. */
EDGEDIFF_FPU_INLINE float edgediff_fpu_pair_lo(float pair) {
    float v;
    __asm__("vcvtb.f32.f16 %0, %1" : "=t"(v) : "t"(pair));
    return v;
}
/* The high (second) half of a pair, widened. */
EDGEDIFF_FPU_INLINE float edgediff_fpu_pair_hi(float pair) {
    float v;
    __asm__("vcvtt.f32.f16 %0, %1" : "=t"(v) : "t"(pair));
    return v;
}
/* p[0] = a, p[1] = b, each rounded once to half. */
EDGEDIFF_FPU_INLINE void edgediff_fpu_pair_store(edgediff_f16_t *p, float a, float b) {
    float pair;
    __asm__("vcvtb.f16.f32 %0, %1" : "=t"(pair) : "t"(a));
    __asm__("vcvtt.f16.f32 %0, %1" : "+t"(pair) : "t"(b));
    *(edgediff_fpu_pair_t *)(void *)p = pair;
}
#else
#define EDGEDIFF_FPU_PAIRS 0
#endif

/* SiLU, x / (1 + e^-x), as the reference writes it, with e^t (t = -x) from the range
 * reduction and degree-6 polynomial of the RVV kernels (kernels_rvv.h, same constants and
 * the same fused operations, so the same few-ulp error): t clamped to [-87, 87] (2^n stays
 * a normal float; beyond, the quotient is x or -0 to within 1e-36 as the reference's);
 * n = round(t / ln2) by adding and subtracting 1.5 * 2^23 (its low bits are n, so 2^n is
 * built from them in the exponent field); r = t - n ln2 in two fused steps (ln2 split in a
 * 9-bit head, n * head exact, and a tail), |r| <= ln2 / 2; e^r by Horner in fused
 * multiply-adds; 1 + e^r 2^n in one more. About 20 instructions, the divide included,
 * against a libm expf call.
 *
 * The constants live in registers for a whole loop: EDGEDIFF_FPU_SILU_SETUP() before the
 * loop makes them opaque to the compiler (an empty asm that "changes" them), which
 * otherwise reloads each from the constant pool on every element (3 instructions each on
 * RISC-V); EDGEDIFF_FPU_SILU(x) in the loop uses them. */
typedef struct {
    float lo, hi, nlog2e, round, ln2_hi, ln2_lo, c6, c5, c4, c3, c2, one;
} edgediff_fpu_silu_k_t;

#if defined(__riscv)
#define EDGEDIFF_FPU_REG "+f"
#elif defined(__arm__)
#define EDGEDIFF_FPU_REG "+t" /* an Arm VFP single-precision register */
#else
#define EDGEDIFF_FPU_REG "+x" /* x86-64 SSE: the host build of tests/test_fpu_silu.py */
#endif

#define EDGEDIFF_FPU_SILU_SETUP()                                                           \
    edgediff_fpu_silu_k_t silu_k_ = {-87.0f, 87.0f, -1.44269504089f, 12582912.0f,            \
                                     0.693359375f, -2.12194440054690583e-4f,                \
                                     0.0013814629055559635f, 0.008368710987269878f,         \
                                     0.04166838899254799f, 0.1666652113199234f,             \
                                     0.4999999403953552f, 1.0f};                            \
    __asm__("" : EDGEDIFF_FPU_REG(silu_k_.lo), EDGEDIFF_FPU_REG(silu_k_.hi),                \
            EDGEDIFF_FPU_REG(silu_k_.nlog2e), EDGEDIFF_FPU_REG(silu_k_.round),               \
            EDGEDIFF_FPU_REG(silu_k_.ln2_hi), EDGEDIFF_FPU_REG(silu_k_.ln2_lo));            \
    __asm__("" : EDGEDIFF_FPU_REG(silu_k_.c6), EDGEDIFF_FPU_REG(silu_k_.c5),                \
            EDGEDIFF_FPU_REG(silu_k_.c4), EDGEDIFF_FPU_REG(silu_k_.c3),                     \
            EDGEDIFF_FPU_REG(silu_k_.c2), EDGEDIFF_FPU_REG(silu_k_.one))
#define EDGEDIFF_FPU_SILU(x) edgediff_fpu_silu((x), &silu_k_)

/* e^r for the reduced argument r = -m (|r| <= ln2 / 2): 1 + r + c2 r^2 + .. + c6 r^6 in
 * Horner form, each step c + r q written c - m q (one fnmsub.s / vfms). */
EDGEDIFF_FPU_INLINE float edgediff_fpu_exp_poly(float m, const edgediff_fpu_silu_k_t *k) {
    float q = EDGEDIFF_FMA(-m, k->c6, k->c5);
    q = EDGEDIFF_FMA(-m, q, k->c4);
    q = EDGEDIFF_FMA(-m, q, k->c3);
    q = EDGEDIFF_FMA(-m, q, k->c2);
    q = EDGEDIFF_FMA(-m, q, k->one);
    return EDGEDIFF_FMA(-m, q, k->one);
}

EDGEDIFF_FPU_INLINE float edgediff_fpu_silu(float x, const edgediff_fpu_silu_k_t *k) {
    /* written in xc = clamp(x) = -t, so no instruction negates x: n = round(-xc log2e);
     * m = xc + n ln2 = -r; each Horner step c + r q is c - m q (one fnmsub.s / vfms) */
    const float xc = edgediff_fpu_clamp(x, k->lo, k->hi);
    const float shifted = EDGEDIFF_FMA(xc, k->nlog2e, k->round);
    const float n = shifted - k->round;
    float m = EDGEDIFF_FMA(n, k->ln2_hi, xc);
    m = EDGEDIFF_FMA(n, k->ln2_lo, m);
    const float q = edgediff_fpu_exp_poly(m, k);
    /* the low bits of `shifted` hold n (two's complement): shifted into the exponent field,
     * the bits above it fall off; + 127 is the exponent bias */
    const float two_n = edgediff_fpu_float((edgediff_fpu_bits(shifted) << 23) + (127u << 23));
    return x / EDGEDIFF_FMA(q, two_n, k->one);
}

/* The activation fused into an op's output step (kernels.h edgediff_act_t), for steps
 * that run once per output row (a loop over elements sets up EDGEDIFF_FPU_SILU instead). */
static inline float edgediff_fpu_act(float x, int32_t act) {
    if (act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_FPU_SILU_SETUP();
        return EDGEDIFF_FPU_SILU(x);
    }
    if (act == EDGEDIFF_ACT_RELU) {
        return x > 0.0f ? x : 0.0f;
    }
    return x;
}

/* e^-x for x >= 0 (the softmax numerators e^(s - max) of attention_fpu.h), with the range
 * reduction and degree-6 polynomial of edgediff_fpu_silu above (the same constants and
 * fused steps, so the same few-ulp error): x clamped to at most 87 (e^-87 < 2e-38);
 * n = round(-x / ln2), m = x + n ln2 in two fused steps, the Horner polynomial in -m, times
 * 2^n. One difference in form, none in value: the rounding constant is 1.5 * 2^23 + 127,
 * so the low bits of `shifted` already hold n + 127 and one shift builds 2^n (n >= -126,
 * a normal float). k: EDGEDIFF_FPU_SILU_SETUP()'s constants; round_b: 12583039.0f
 * (1.5 * 2^23 + 127, exact in FP32), held in a register by the caller. */
EDGEDIFF_FPU_INLINE float edgediff_fpu_exp_neg(float x, const edgediff_fpu_silu_k_t *k,
                                               float round_b) {
#if defined(__riscv) || defined(__ARM_FEATURE_NUMERIC_MAXMIN)
    const float xc = __builtin_fminf(x, k->hi);
#else
    const float xc = x > k->hi ? k->hi : x;
#endif
    const float shifted = EDGEDIFF_FMA(xc, k->nlog2e, round_b);
    const float n = shifted - round_b;
    float m = EDGEDIFF_FMA(n, k->ln2_hi, xc);
    m = EDGEDIFF_FMA(n, k->ln2_lo, m);
#if defined(__arm__)
    /* The same polynomial, 1 + r + c2 r^2 + .. + c6 r^6 (r = -m), grouped as Estrin's
     * 1 + r + r^2 ((c2 + c3 r) + r^2 ((c4 + c5 r) + c6 r^2)): a VFP multiply-add overwrites
     * its addend, so each Horner step would first copy its constant (12 instructions);
     * this takes 9. Its rounding errors are of the same few-ulp size. */
    const float r2 = m * m;
    float lo = EDGEDIFF_FMA(-m, k->c3, k->c2);
    float hi = EDGEDIFF_FMA(-m, k->c5, k->c4);
    hi = EDGEDIFF_FMA(r2, k->c6, hi);
    lo = EDGEDIFF_FMA(r2, hi, lo);
    const float q = EDGEDIFF_FMA(r2, lo, k->one - m);
#else
    const float q = edgediff_fpu_exp_poly(m, k);
#endif
    return q * edgediff_fpu_float(edgediff_fpu_bits(shifted) << 23);
}

#endif /* EDGEDIFF_FPU_MATH_H */
