/*
 * Constants of the vector GELU, GELU (tanh form) and sigmoid kernels (mve/ and rvv/), shared
 * by both ISAs so both compute the same float value. Not part of the public API. The numbers
 * are checked by tests/test_vector_gelu_consts.py, which derives the error bounds of
 * tests/helpers/elementwise_bounds.py (SIMD_RELATIVE_ULPS) from them.
 *
 * e^t for t <= 0 (all three): n = round(t log2 e), r = t - n ln2_hi - n ln2_lo (ln2_hi has 9
 * significant bits, so n ln2_hi is exact for |n| <= 2^15), |r| <= ln2/2; e^r by the degree-6
 * polynomial 1 + r + c2 r^2 + ... + c6 r^6 of kernels_rvv.h's SiLU (fitted there on the
 * relative error, 0.07 ulp); 2^n is built as 2^(n + 64) in the exponent field (normal for
 * n >= -190) and the result scaled by 2^-64 at the end, so results that are subnormal round
 * once, as the reference's, instead of flushing.
 *
 * GELU, erf form: Phi(x) = Q(-x) for x < 0 and 1 - Q(x) for x >= 0, with the normal tail
 * Q(a) = erfc(a / sqrt 2) / 2 = e^(-a^2/2) R(a) and R = P4(a) / Q5(a) a rational minimax fit
 * of erfcx(a / sqrt 2) / 2 on [0, 15] (relative error 0.39 u = 2^-24 with these float
 * coefficients, all positive, so the a >= 0 evaluations never cancel). a^2/2 is carried as
 * hi + lo (the FMA gives a*a - fl(a*a) exactly), so e^(-a^2/2) does not inherit the argument
 * rounding a^2 u that makes erfc ill-conditioned for x << 0.
 */
#ifndef EDGEDIFF_VECTOR_GELU_CONSTS_H
#define EDGEDIFF_VECTOR_GELU_CONSTS_H

#define EDGEDIFF_VG_LOG2E 1.44269504089f
#define EDGEDIFF_VG_LN2_HI 0.693359375f               /* 355/512 */
#define EDGEDIFF_VG_LN2_LO (-2.12194440054690583e-4f) /* ln2 - LN2_HI */
#define EDGEDIFF_VG_EXP_C2 0.4999999403953552f
#define EDGEDIFF_VG_EXP_C3 0.1666652113199234f
#define EDGEDIFF_VG_EXP_C4 0.04166838899254799f
#define EDGEDIFF_VG_EXP_C5 0.008368710987269878f
#define EDGEDIFF_VG_EXP_C6 0.0013814629055559635f
#define EDGEDIFF_VG_EXP_BIAS (127 + 64)  /* exponent field of 2^(n + 64) */
#define EDGEDIFF_VG_TWO_M64 5.42101086242752217e-20f /* 2^-64 */

/* R(a) = (P0 + P1 a + ... + P4 a^4) / (Q0 + Q1 a + ... + Q5 a^5), a = min(|x|, 15). Beyond
 * 15 the result of either sign no longer depends on R: x (1 - Q) rounds to x and x Q to 0. */
#define EDGEDIFF_VG_GELU_A_MAX 15.0f
#define EDGEDIFF_VG_P0 0.5f
#define EDGEDIFF_VG_P1 0.4392898976802826f
#define EDGEDIFF_VG_P2 0.18397371470928192f
#define EDGEDIFF_VG_P3 0.04088260605931282f
#define EDGEDIFF_VG_P4 0.004153426270931959f
#define EDGEDIFF_VG_Q0 1.0f
#define EDGEDIFF_VG_Q1 1.6764647960662842f
#define EDGEDIFF_VG_Q2 1.205567717552185f
#define EDGEDIFF_VG_Q3 0.4714207053184509f
#define EDGEDIFF_VG_Q4 0.1024836078286171f
#define EDGEDIFF_VG_Q5 0.010410984046757221f

/* GELU, tanh form: x sigmoid(s), s = 2z = x (K1 + K3 x^2) with K1 = 2 sqrt(2/pi) and
 * K3 = 0.044715 K1 rounded to float. sigmoid(s) = 1/(1 + e) for s >= 0 and e/(1 + e) below,
 * e = e^-|s| (never overflows). |s| is clamped to S_MAX and x below 0 to -X_MAX: there the
 * exact result is below 2^-150 and the kernel's rounds to -0. */
#define EDGEDIFF_VG_K1 1.5957691216057308f
#define EDGEDIFF_VG_K3 0.07135481627260025f
#define EDGEDIFF_VG_S_MAX 110.0f
#define EDGEDIFF_VG_X_MAX 16.0f
/* sigmoid: e^-|x| with |x| clamped to SIG_MAX (sigmoid(-104) < 2^-150 rounds to 0). */
#define EDGEDIFF_VG_SIG_MAX 104.0f

#endif /* EDGEDIFF_VECTOR_GELU_CONSTS_H */
